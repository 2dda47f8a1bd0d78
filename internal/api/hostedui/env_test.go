package hostedui

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

const callback = "https://app.example.com/callback"

// env is a hosted UI over a fresh SQLite store, served as the server
// serves it: under /{poolId}, the prefix stripped and the site in the
// context.
type env struct {
	t      *testing.T
	h      *Handler
	outbox *messages.Outbox
	pool   *userpool.Pool
	client *userpool.Client
	srv    *httptest.Server
}

// newEnv creates a pool (in) and an OAuth client of it (mod adjusts the
// client's input).
func newEnv(t *testing.T, in userpool.PoolInput, mod func(*userpool.ClientInput)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hostedui.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pools := &userpool.Service{Store: st, Region: "us-east-1", Account: "000000000000"}
	outbox := messages.NewOutbox(100)
	us := &users.Service{Store: st, Pools: pools, Sender: outbox}
	sealer, err := tokens.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	as := &auth.Service{Store: st, Pools: pools, Users: us, Keys: &tokens.Keyring{Store: st, Sealer: sealer},
		Issuer: func(id string) string { return srv.URL + "/" + id }}
	h := &Handler{OAuth: &oauth.Service{Store: st, Pools: pools, Auth: as}, Auth: as, Users: us, Pools: pools,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	if in.PoolName == "" {
		in.PoolName = "hosted"
	}
	pool, err := pools.CreatePool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ci := userpool.ClientInput{ClientName: "Acme Web", ClientConfig: userpool.ClientConfig{
		AllowedOAuthFlowsUserPoolClient: ptr(true), AllowedOAuthFlows: []string{"code", "implicit"},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{callback},
		SupportedIdentityProviders: []string{"COGNITO"}}}
	if mod != nil {
		mod(&ci)
	}
	client, err := pools.CreateClient(ctx, pool.ID, ci)
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	h.Register(mux)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		poolID, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		p, err := pools.GetPool(r.Context(), poolID)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(oauth.WithSite(r.Context(), &oauth.Site{Pool: p, Base: srv.URL + "/" + p.ID}))
		r2.URL.Path = "/" + rest
		r2.URL.RawPath = ""
		mux.ServeHTTP(w, r2)
	}))
	t.Cleanup(srv.Close)
	return &env{t: t, h: h, outbox: outbox, pool: pool, client: client, srv: srv}
}

func ptr[T any](v T) *T { return &v }

// authQuery is an authorization request of the env's client.
func (e *env) authQuery(extra ...string) url.Values {
	q := url.Values{"client_id": {e.client.ID}, "response_type": {"code"}, "redirect_uri": {callback},
		"state": {"st-123"}, "scope": {"openid email"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// path is a site page's path on the test server.
func (e *env) path(page string, q url.Values) string {
	p := "/" + e.pool.ID + "/" + page
	if q != nil {
		p += "?" + q.Encode()
	}
	return p
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished request.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(method, target string, form url.Values) *response {
	b.e.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = b.e.srv.URL + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return &response{Response: res, body: string(data)}
}

func (b *browser) get(target string) *response { return b.do(http.MethodGet, target, nil) }

// submit posts a form of the page just fetched to its action, with the
// page's CSRF token.
func (b *browser) submit(page *response, form url.Values) *response {
	b.e.t.Helper()
	action := attr(page.body, `<form class="form" method="post" action="`)
	if action == "" {
		b.e.t.Fatalf("no form on the page:\n%s", page.body)
	}
	if form.Get(csrfField) == "" {
		form.Set(csrfField, attr(page.body, `name="_csrf" value="`))
	}
	return b.do(http.MethodPost, action, form)
}

// attr reads the (HTML-escaped) attribute value that follows prefix.
func attr(body, prefix string) string {
	i := strings.Index(body, prefix)
	if i < 0 {
		return ""
	}
	rest := body[i+len(prefix):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return html.UnescapeString(rest[:j])
}

// hidden reads a hidden input's value.
func hidden(body, name string) string {
	return attr(body, `type="hidden" name="`+name+`" value="`)
}

func (r *response) wantStatus(t *testing.T, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; Location %q\n%s", r.StatusCode, status, r.Header.Get("Location"), r.body)
	}
}

func (r *response) wantBody(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Fatalf("body lacks %q:\n%s", p, r.body)
		}
	}
}

// location is the redirect target, parsed.
func (r *response) location(t *testing.T) *url.URL {
	t.Helper()
	loc := r.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no redirect (status %d):\n%s", r.StatusCode, r.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// cookie finds a Set-Cookie of the response.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// lastCode is the newest code sent to a user (by username or destination).
func (e *env) lastCode(name string) string {
	e.t.Helper()
	msgs := e.outbox.List(name, e.pool.ID)
	if len(msgs) == 0 {
		e.t.Fatalf("no message for %s", name)
	}
	if msgs[0].Code != "" {
		return msgs[0].Code
	}
	return codeRE.FindString(msgs[0].Body)
}

// createUser makes a confirmed user with a permanent password.
func (e *env) createUser(name, pw string, attrs ...users.Attribute) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.h.Users.AdminCreateUser(ctx, e.pool.ID, users.CreateInput{Username: name, UserAttributes: attrs,
		MessageAction: "SUPPRESS"}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.h.Users.AdminSetUserPassword(ctx, e.pool.ID, name, pw, true); err != nil {
		e.t.Fatal(err)
	}
}
