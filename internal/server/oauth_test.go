package server_test

// Integration tests of the OAuth 2.0 / OpenID Connect endpoints and the
// hosted UI against the real server on both stores, driven by real relying
// parties: golang.org/x/oauth2 (authorization code with PKCE, refresh,
// client credentials) and github.com/coreos/go-oidc/v3 (discovery, ID token
// verification with the nonce, userInfo). The browser is an http.Client
// with a cookie jar that does not follow redirects, so every hop (authorize
// → /login → callback) is checked; the sign-in page's form is read from
// its HTML, CSRF field included, and posted back.

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/verifier"
)

// ---------------------------------------------------------------------------
// A browser: cookies kept, redirects inspected one hop at a time.

type oaBrowser struct {
	t   testing.TB
	c   *http.Client
	jar *cookiejar.Jar
}

// oaPage is one response, its body read.
type oaPage struct {
	URL      *url.URL // the request URL
	Status   int
	Header   http.Header
	Body     string
	Location *url.URL // resolved Location of a redirect, else nil
}

// newOABrowser returns a browser; rt may be nil (default transport).
func newOABrowser(t testing.TB, rt http.RoundTripper) *oaBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &oaBrowser{t: t, jar: jar, c: &http.Client{Jar: jar, Transport: rt, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *oaBrowser) do(req *http.Request) *oaPage {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	p := &oaPage{URL: req.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		l, err := req.URL.Parse(loc)
		if err != nil {
			b.t.Fatalf("%s %s: bad Location %q: %v", req.Method, req.URL, loc, err)
		}
		p.Location = l
	}
	return p
}

func (b *oaBrowser) get(u string) *oaPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *oaBrowser) post(u string, form url.Values) *oaPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow follows redirects from p until one points under stop (returned
// without being followed) or a page that is not a redirect.
func (b *oaBrowser) follow(p *oaPage, stop string) *oaPage {
	b.t.Helper()
	for i := 0; p.Location != nil; i++ {
		if stop != "" && strings.HasPrefix(p.Location.String(), stop) {
			return p
		}
		if i == 10 {
			b.t.Fatalf("more than 10 redirects, last to %s", p.Location)
		}
		p = b.get(p.Location.String())
	}
	return p
}

// cookie returns the value of a cookie the jar would send to u.
func (b *oaBrowser) cookie(u, name string) (string, bool) {
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.jar.Cookies(pu) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// ---------------------------------------------------------------------------
// HTML forms, read with regular expressions: enough for the hosted UI's
// server-rendered pages.

type oaForm struct {
	Action string     // absolute URL the form posts to
	Method string     // upper case
	Fields url.Values // every named input with its value (hidden and prefilled ones)
	Types  map[string]string
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	inputRE = regexp.MustCompile(`(?is)<input\b([^>]*?)/?>`)
	attrRE  = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

func htmlAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, dup := out[name]; dup {
			continue
		}
		out[name] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}

// oaForms parses a page's forms.
func oaForms(t testing.TB, p *oaPage) []*oaForm {
	t.Helper()
	var out []*oaForm
	for _, m := range formRE.FindAllStringSubmatch(p.Body, -1) {
		a := htmlAttrs(m[1])
		action, err := p.URL.Parse(a["action"])
		if err != nil {
			t.Fatalf("form action %q: %v", a["action"], err)
		}
		f := &oaForm{Action: action.String(), Method: strings.ToUpper(a["method"]), Fields: url.Values{}, Types: map[string]string{}}
		if f.Method == "" {
			f.Method = http.MethodGet
		}
		for _, im := range inputRE.FindAllStringSubmatch(m[2], -1) {
			ia := htmlAttrs(im[1])
			name := ia["name"]
			if name == "" {
				continue
			}
			typ := strings.ToLower(ia["type"])
			if typ == "" {
				typ = "text"
			}
			if typ == "submit" || typ == "button" || typ == "image" || typ == "reset" {
				continue
			}
			if (typ == "checkbox" || typ == "radio") && !hasAttr(im[1], "checked") {
				f.Types[name] = typ
				continue
			}
			f.Types[name] = typ
			f.Fields.Add(name, ia["value"])
		}
		out = append(out, f)
	}
	return out
}

func hasAttr(s, name string) bool {
	_, ok := htmlAttrs(s)[name]
	return ok
}

// oaFormTo returns the first form of a page that posts to a path ending in
// pathSuffix and has a password field (when password is true).
func oaFormTo(t testing.TB, p *oaPage, pathSuffix string, password bool) *oaForm {
	t.Helper()
	for _, f := range oaForms(t, p) {
		u, _ := url.Parse(f.Action)
		if !strings.HasSuffix(u.Path, pathSuffix) {
			continue
		}
		hasPw := false
		for _, typ := range f.Types {
			hasPw = hasPw || typ == "password"
		}
		if password && !hasPw {
			continue
		}
		return f
	}
	t.Fatalf("no form posting to ...%s on %s (status %d):\n%s", pathSuffix, p.URL, p.Status, clip(p.Body))
	return nil
}

// csrfField returns the name of the form's CSRF field.
func (f *oaForm) csrfField(t testing.TB) string {
	t.Helper()
	for name, typ := range f.Types {
		if typ == "hidden" && strings.Contains(strings.ToLower(name), "csrf") {
			return name
		}
	}
	t.Fatalf("form to %s has no hidden CSRF field (fields %v)", f.Action, f.Types)
	return ""
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// ---------------------------------------------------------------------------
// The hosted UI's sign-in, step by step.

// oaLoginPage follows an authorization request to the sign-in page and
// returns it (failing if the browser is sent back to the app instead).
func oaLoginPage(t testing.TB, b *oaBrowser, authURL, callback string) *oaPage {
	t.Helper()
	first := b.get(authURL)
	if first.Location == nil {
		t.Fatalf("GET %s: status %d, want a redirect to the sign-in page; body %s", authURL, first.Status, clip(first.Body))
	}
	if strings.HasPrefix(first.Location.String(), callback) {
		t.Fatalf("GET %s: redirected straight to the app (%s), want the sign-in page", authURL, first.Location)
	}
	p := b.follow(first, callback)
	if p.Location != nil {
		t.Fatalf("authorization request ended at the app (%s), want the sign-in page", p.Location)
	}
	if p.Status != http.StatusOK {
		t.Fatalf("sign-in page %s: status %d; body %s", p.URL, p.Status, clip(p.Body))
	}
	if !strings.HasSuffix(p.URL.Path, "/login") {
		t.Fatalf("authorization request led to %s, want the /login page", p.URL)
	}
	return p
}

// oaSubmitLogin fills the sign-in form of page and posts it; it returns the
// response, redirects followed until they reach callback.
func oaSubmitLogin(t testing.TB, b *oaBrowser, page *oaPage, username, password, callback string) *oaPage {
	t.Helper()
	f := oaFormTo(t, page, "/login", true)
	if f.Method != http.MethodPost {
		t.Fatalf("sign-in form method %q, want POST", f.Method)
	}
	f.csrfField(t)
	f.Fields.Set("username", username)
	f.Fields.Set("password", password)
	return b.follow(b.post(f.Action, f.Fields), callback)
}

// oaSignIn runs an authorization request through the hosted UI's sign-in
// page and returns the URL the browser is sent back to the app with.
func oaSignIn(t testing.TB, b *oaBrowser, authURL, username, password, callback string) *url.URL {
	t.Helper()
	page := oaLoginPage(t, b, authURL, callback)
	p := oaSubmitLogin(t, b, page, username, password, callback)
	if p.Location == nil {
		t.Fatalf("sign-in of %s: status %d at %s, want a redirect to %s; body %s", username, p.Status, p.URL, callback, clip(p.Body))
	}
	return p.Location
}

// oaCallback checks a redirect back to the app: the callback itself, and
// the query's state; it returns the query.
func oaCallback(t testing.TB, loc *url.URL, callback, state string) url.Values {
	t.Helper()
	base := *loc
	base.RawQuery, base.Fragment, base.RawFragment = "", "", ""
	if base.String() != callback {
		t.Fatalf("redirected to %s, want the callback %s", loc, callback)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("callback carries error=%s (%s)", e, q.Get("error_description"))
	}
	if got := q.Get("state"); got != state {
		t.Errorf("callback state %q, want %q", got, state)
	}
	return q
}

// oaErrorPage asserts a response sends the browser to the hosted UI's
// error page of the site at base, and to nothing else.
func oaErrorPage(t testing.TB, b *oaBrowser, p *oaPage, base, what string) {
	t.Helper()
	if p.Status != http.StatusFound && p.Status != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want a redirect to the error page; body %s", what, p.Status, clip(p.Body))
	}
	bu, _ := url.Parse(base)
	if p.Location.Scheme != bu.Scheme || p.Location.Host != bu.Host || p.Location.Path != strings.TrimSuffix(bu.Path, "/")+"/error" {
		t.Fatalf("%s: redirected to %s, want %s/error", what, p.Location, base)
	}
	if p.Location.Query().Get("error") == "" && p.Location.Query().Get("error_description") == "" {
		t.Errorf("%s: error page URL %s names no error", what, p.Location)
	}
	ep := b.get(p.Location.String())
	if ep.Status != http.StatusOK && ep.Status != http.StatusBadRequest {
		t.Errorf("%s: GET error page: status %d, want 200 (or 400)", what, ep.Status)
	}
	if ct := ep.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: error page Content-Type %q, want text/html", what, ct)
	}
}

// ---------------------------------------------------------------------------
// The token endpoint, spoken to directly.

type oaTokenReply struct {
	Status int
	Header http.Header
	JSON   map[string]any
	Body   string
}

func (r oaTokenReply) str(k string) string { s, _ := r.JSON[k].(string); return s }

// oaPostForm posts a form to an OAuth endpoint; id/secret non-empty means
// HTTP Basic client authentication; host, when set, is the Host header.
func oaPostForm(t testing.TB, rt http.RoundTripper, endpoint string, form url.Values, id, secret, host string) oaTokenReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	if host != "" {
		req.Host = host
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := (&http.Client{Transport: rt, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := oaTokenReply{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	_ = json.Unmarshal(b, &r.JSON)
	return r
}

// wantOAuthError asserts an RFC 6749 §5.2 error reply.
func wantOAuthError(t testing.TB, r oaTokenReply, status int, code, what string) {
	t.Helper()
	if r.Status != status || r.str("error") != code {
		t.Errorf("%s: %d %s, want %d with error %q", what, r.Status, r.Body, status, code)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
}

// wantRetrieveError asserts an x/oauth2 call failed with an OAuth error.
func wantRetrieveError(t testing.TB, err error, status int, code, what string) {
	t.Helper()
	re, ok := err.(*oauth2.RetrieveError)
	if !ok {
		t.Errorf("%s: error %v (%T), want an OAuth error %s", what, err, err, code)
		return
	}
	if re.ErrorCode != code || re.Response.StatusCode != status {
		t.Errorf("%s: %d %q (%s), want %d %q", what, re.Response.StatusCode, re.ErrorCode, re.Body, status, code)
	}
}

// ---------------------------------------------------------------------------
// The fixture: a pool with a resource server and app clients of each kind.

const (
	oaCallbackURL = "http://localhost:4180/callback"
	oaOtherCB     = "https://app.example.com/cb"
	oaSignedOut   = "http://localhost:4180/signed-out"
	oaAPI         = "https://api.example.com" // resource server identifier
)

type oaFixture struct {
	env            *cogitotest.Env
	pool, issuer   string
	web, webSecret string // confidential, code flow
	web2, web2Sec  string // another confidential code client
	spa            string // public: code (PKCE) and implicit
	m2m, m2mSecret string // client credentials
	username       string
	email          string
	password       string
	provider       *oidc.Provider
}

func newOAFixture(t *testing.T, opts server.Options) *oaFixture {
	t.Helper()
	env := cogitotest.Start(t, opts)
	c := env.Client
	f := &oaFixture{env: env, username: "alice", email: "alice@example.com", password: goodPassword}
	f.pool = newPool(t, c, nil)
	f.issuer = env.URL + "/" + f.pool
	_, err := c.CreateResourceServer(t.Context(), &cip.CreateResourceServerInput{UserPoolId: aws.String(f.pool),
		Identifier: aws.String(oaAPI), Name: aws.String("orders"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("read"), ScopeDescription: aws.String("read orders")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("write orders")},
		}})
	must(t, err, "CreateResourceServer")
	codeClient := func(name string, secret bool, flows []types.OAuthFlowType, scopes ...string) (string, string) {
		return suClient(t, c, f.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String(name),
			GenerateSecret: secret, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows,
			AllowedOAuthScopes: scopes, CallbackURLs: []string{oaCallbackURL, oaOtherCB}, LogoutURLs: []string{oaSignedOut},
			SupportedIdentityProviders: []string{"COGNITO"},
			ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth}})
	}
	f.web, f.webSecret = codeClient("web", true, []types.OAuthFlowType{types.OAuthFlowTypeCode},
		"openid", "email", "profile", "aws.cognito.signin.user.admin", oaAPI+"/read")
	f.web2, f.web2Sec = codeClient("web2", true, []types.OAuthFlowType{types.OAuthFlowTypeCode}, "openid", "email")
	f.spa, _ = codeClient("spa", false, []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit}, "openid", "email", "profile")
	f.m2m, f.m2mSecret = suClient(t, c, f.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("m2m"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{oaAPI + "/read", oaAPI + "/write"}})
	confirmedUser(t, c, f.pool, f.username, f.password, attr("email", f.email), attr("email_verified", "true"),
		attr("name", "Alice Liddell"))
	f.provider, err = oidc.NewProvider(t.Context(), f.issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%s): %v", f.issuer, err)
	}
	return f
}

// config is an x/oauth2 config for a client of the fixture.
func (f *oaFixture) config(id, secret string, style oauth2.AuthStyle, scopes ...string) *oauth2.Config {
	ep := f.provider.Endpoint()
	ep.AuthStyle = style
	return &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: ep, RedirectURL: oaCallbackURL, Scopes: scopes}
}

// accessVerifier is the project's verifier for access tokens of clients.
func (f *oaFixture) accessVerifier(t testing.TB, clients ...string) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Config{Issuer: f.issuer, ClientIDs: clients, TokenUse: "access"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// codeFor signs in (or reuses the browser's session) and returns a code
// for cfg with PKCE; it returns the code and the verifier.
func (f *oaFixture) codeFor(t testing.TB, b *oaBrowser, cfg *oauth2.Config, extra ...oauth2.AuthCodeOption) (code, pkce string) {
	t.Helper()
	pkce = oauth2.GenerateVerifier()
	state := randomState()
	authURL := cfg.AuthCodeURL(state, append(extra, oauth2.S256ChallengeOption(pkce))...)
	first := b.get(authURL)
	var loc *url.URL
	if first.Location != nil && strings.HasPrefix(first.Location.String(), cfg.RedirectURL) {
		loc = first.Location
	} else {
		p := b.follow(first, cfg.RedirectURL)
		if p.Location == nil {
			p = oaSubmitLogin(t, b, p, f.username, f.password, cfg.RedirectURL)
		}
		if p.Location == nil {
			t.Fatalf("no redirect to the app: status %d at %s", p.Status, p.URL)
		}
		loc = p.Location
	}
	q := oaCallback(t, loc, cfg.RedirectURL, state)
	if q.Get("code") == "" {
		t.Fatalf("callback %s has no code", loc)
	}
	return q.Get("code"), pkce
}

func randomState() string { return uniq("state") + "-x" }

// ---------------------------------------------------------------------------

func TestOAuth(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		f := newOAFixture(t, opts)
		t.Run("Discovery", f.testDiscovery)
		t.Run("CodeFlowPKCE", f.testCodeFlow)
		t.Run("PublicClientPKCE", f.testPublicClient)
		t.Run("BrowserSession", f.testBrowserSession)
		t.Run("Implicit", f.testImplicit)
		t.Run("Logout", f.testLogout)
		t.Run("ClientCredentials", f.testClientCredentials)
		t.Run("AuthorizeBadInput", f.testAuthorizeBadInput)
		t.Run("TokenBadInput", f.testTokenBadInput)
		t.Run("LoginPage", f.testLoginPage)
		t.Run("Domain", f.testDomain)
		t.Run("GetClientToken", f.testGetClientToken)
	})
}

func (f *oaFixture) testDiscovery(t *testing.T) {
	p := f.provider
	ep := p.Endpoint()
	if ep.AuthURL != f.issuer+"/oauth2/authorize" || ep.TokenURL != f.issuer+"/oauth2/token" {
		t.Errorf("endpoints %s, %s; want them under the issuer %s", ep.AuthURL, ep.TokenURL, f.issuer)
	}
	if p.UserInfoEndpoint() != f.issuer+"/oauth2/userInfo" {
		t.Errorf("userinfo_endpoint %s", p.UserInfoEndpoint())
	}
	var doc struct {
		JWKS         string   `json:"jwks_uri"`
		EndSession   string   `json:"end_session_endpoint"`
		Revocation   string   `json:"revocation_endpoint"`
		PKCE         []string `json:"code_challenge_methods_supported"`
		Algs         []string `json:"id_token_signing_alg_values_supported"`
		ResponseType []string `json:"response_types_supported"`
	}
	if err := p.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.JWKS != f.issuer+"/.well-known/jwks.json" {
		t.Errorf("jwks_uri %s", doc.JWKS)
	}
	if !contains(doc.PKCE, "S256") || !contains(doc.Algs, "RS256") || !contains(doc.ResponseType, "code") {
		t.Errorf("discovery: PKCE %v, algs %v, response types %v", doc.PKCE, doc.Algs, doc.ResponseType)
	}
	// A pool that does not exist has no discovery document.
	resp, err := http.Get(f.env.URL + "/us-east-1_NoSuchPo0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("discovery of an unknown pool: %s, want 404", resp.Status)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The authorization code flow with PKCE for a confidential client
// (client_secret_basic), its tokens checked by go-oidc and by the
// project's verifier; userInfo; refresh through a TokenSource; revocation.
func (f *oaFixture) testCodeFlow(t *testing.T) {
	ctx := t.Context()
	cfg := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader, "openid", "email", "profile", oaAPI+"/read")
	b := newOABrowser(t, nil)
	pkce := oauth2.GenerateVerifier()
	state, nonce := randomState(), uniq("nonce")
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce))
	loc := oaSignIn(t, b, authURL, f.username, f.password, oaCallbackURL)
	q := oaCallback(t, loc, oaCallbackURL, state)
	code := q.Get("code")
	if code == "" {
		t.Fatalf("callback %s has no code", loc)
	}
	if _, ok := b.cookie(f.issuer+"/oauth2/authorize", "cognito"); !ok {
		t.Errorf("after sign-in the browser has no hosted-UI session cookie %q for %s", "cognito", f.issuer)
	}

	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Expiry.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("token: type %q, refresh token %t, expiry %v", tok.TokenType, tok.RefreshToken != "", tok.Expiry)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		t.Fatal("no id_token in the token response")
	}
	idv := f.provider.Verifier(&oidc.Config{ClientID: f.web})
	idt, err := idv.Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc Verify: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("id token nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var idc struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Username      string `json:"cognito:username"`
		TokenUse      string `json:"token_use"`
		AuthTime      int64  `json:"auth_time"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&idc); err != nil {
		t.Fatal(err)
	}
	if idc.Email != f.email || idc.Username != f.username || idc.TokenUse != "id" || idc.AuthTime == 0 {
		t.Errorf("id token claims %+v", idc)
	}
	// A verifier for another client refuses it (aud).
	if _, err := f.provider.Verifier(&oidc.Config{ClientID: f.spa}).Verify(ctx, rawID); err == nil {
		t.Error("id token accepted for another client id")
	}

	av := f.accessVerifier(t, f.web)
	ac, err := av.Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("verifier: access token: %v", err)
	}
	for _, sc := range []string{"openid", "email", "profile", oaAPI + "/read"} {
		if !ac.HasScope(sc) {
			t.Errorf("access token scope %q lacks %s", ac.Scope, sc)
		}
	}
	if ac.Username != f.username || ac.Subject != idt.Subject || ac.ClientID != f.web {
		t.Errorf("access token claims: username %q sub %q client %q", ac.Username, ac.Subject, ac.ClientID)
	}

	// userInfo with go-oidc.
	ui, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if ui.Subject != idt.Subject || ui.Email != f.email || !ui.EmailVerified {
		t.Errorf("userInfo: sub %q email %q verified %t", ui.Subject, ui.Email, ui.EmailVerified)
	}
	var uic map[string]any
	_ = ui.Claims(&uic)
	if uic["username"] != f.username || uic["name"] != "Alice Liddell" {
		t.Errorf("userInfo claims %v: want username and (profile) name", uic)
	}
	// userInfo refuses an id token and a garbage token.
	for _, bad := range []string{rawID, "not-a-token"} {
		_, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: bad, TokenType: "Bearer"}))
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("userInfo with a bad token: %v, want 401", err)
		}
	}

	// Refresh through the TokenSource once the access token has expired.
	old := *tok
	old.Expiry = time.Now().Add(-time.Minute)
	nt, err := cfg.TokenSource(ctx, &old).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if nt.AccessToken == tok.AccessToken || nt.RefreshToken != tok.RefreshToken {
		t.Errorf("refresh: new access token %t, refresh token kept %t", nt.AccessToken != tok.AccessToken, nt.RefreshToken == tok.RefreshToken)
	}
	nc, err := av.Verify(ctx, nt.AccessToken)
	if err != nil {
		t.Fatalf("refreshed access token: %v", err)
	}
	if nc.Scope != ac.Scope {
		t.Errorf("refreshed scope %q, want %q", nc.Scope, ac.Scope)
	}
	if rid, _ := nt.Extra("id_token").(string); rid == "" {
		t.Error("refresh response has no id_token")
	} else if _, err := idv.Verify(ctx, rid); err != nil {
		t.Errorf("refreshed id token: %v", err)
	}
	// Another client cannot use the refresh token.
	r := oaPostForm(t, nil, f.issuer+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, f.web2, f.web2Sec, "")
	if r.Status/100 != 4 || (r.str("error") != "invalid_grant" && r.str("error") != "unauthorized_client") {
		t.Errorf("refresh token of another client: %d %s, want invalid_grant", r.Status, r.Body)
	}

	// Revocation (RFC 7009) ends the refresh token.
	r = oaPostForm(t, nil, f.issuer+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}}, f.web, f.webSecret, "")
	if r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	old2 := *tok
	old2.Expiry = time.Now().Add(-time.Minute)
	_, err = cfg.TokenSource(ctx, &old2).Token()
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "refresh after revocation")

	// The code was single use.
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "reused code")
}

// A public client (no secret) with PKCE S256, then PKCE plain; the
// client authenticates in the form (client_id only).
func (f *oaFixture) testPublicClient(t *testing.T) {
	ctx := t.Context()
	cfg := f.config(f.spa, "", oauth2.AuthStyleInParams, "openid", "email")
	b := newOABrowser(t, nil)
	code, pkce := f.codeFor(t, b, cfg)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("Exchange (public client): %v", err)
	}
	if _, err := f.accessVerifier(t, f.spa).Verify(ctx, tok.AccessToken); err != nil {
		t.Errorf("access token: %v", err)
	}
	// Scope "openid email" only: no profile attributes in userInfo.
	ui, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	var uic map[string]any
	_ = ui.Claims(&uic)
	if uic["email"] != f.email || uic["name"] != nil {
		t.Errorf("userInfo for scope openid email: %v (want email, no name)", uic)
	}

	// PKCE plain: the challenge is the verifier (the browser is signed in).
	plain := oauth2.GenerateVerifier()
	st := randomState()
	authURL := cfg.AuthCodeURL(st, oauth2.SetAuthURLParam("code_challenge_method", "plain"), oauth2.SetAuthURLParam("code_challenge", plain))
	p := b.get(authURL)
	if p.Location == nil {
		t.Fatalf("authorize (plain PKCE) with a session: %d", p.Status)
	}
	q := oaCallback(t, p.Location, oaCallbackURL, st)
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(plain)); err != nil {
		t.Errorf("Exchange with PKCE plain: %v", err)
	}

	// A public client must present the verifier of its challenge.
	code, _ = f.codeFor(t, b, cfg)
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "wrong PKCE verifier")
	code, _ = f.codeFor(t, b, cfg)
	_, err = cfg.Exchange(ctx, code)
	if re, ok := err.(*oauth2.RetrieveError); !ok || re.Response.StatusCode != 400 || (re.ErrorCode != "invalid_request" && re.ErrorCode != "invalid_grant") {
		t.Errorf("exchange without code_verifier: %v, want 400 invalid_request or invalid_grant", err)
	}
}

// A second authorization request from a signed-in browser gets a code
// without the sign-in page; prompt=login forces the page.
func (f *oaFixture) testBrowserSession(t *testing.T) {
	ctx := t.Context()
	cfg := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader, "openid", "email")
	b := newOABrowser(t, nil)
	code, pkce := f.codeFor(t, b, cfg)
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatal(err)
	}
	// Silent: one hop, straight back to the app.
	state, nonce := randomState(), uniq("nonce")
	pkce = oauth2.GenerateVerifier()
	p := b.get(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce)))
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL) {
		t.Fatalf("authorize with a session: status %d, Location %v; want a redirect to the app", p.Status, p.Location)
	}
	q := oaCallback(t, p.Location, oaCallbackURL, state)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: f.web}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != nonce {
		t.Errorf("silent sign-in: nonce %q, want %q", idt.Nonce, nonce)
	}
	// state round-trips unchanged, whatever its characters.
	odd := `a b&c=d/é?#%+`
	p = b.get(cfg.AuthCodeURL(odd))
	if p.Location == nil || p.Location.Query().Get("state") != odd {
		t.Errorf("state %q came back as %v", odd, p.Location)
	}
	// The session also serves another client of the same pool.
	cfg2 := f.config(f.web2, f.web2Sec, oauth2.AuthStyleInHeader, "openid")
	st2 := randomState()
	p = b.get(cfg2.AuthCodeURL(st2))
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL) {
		t.Errorf("another client, same browser: status %d, Location %v; want the app", p.Status, p.Location)
	}
	// prompt=login shows the page again, and signing in there works.
	st3 := randomState()
	page := oaLoginPage(t, b, cfg.AuthCodeURL(st3, oauth2.SetAuthURLParam("prompt", "login")), oaCallbackURL)
	lp := oaSubmitLogin(t, b, page, f.username, f.password, oaCallbackURL)
	if lp.Location == nil {
		t.Fatalf("sign-in after prompt=login: status %d", lp.Status)
	}
	oaCallback(t, lp.Location, oaCallbackURL, st3)
	// prompt=none without a session: error=login_required at the app.
	fresh := newOABrowser(t, nil)
	st4 := randomState()
	p = fresh.get(cfg.AuthCodeURL(st4, oauth2.SetAuthURLParam("prompt", "none")))
	if p.Location == nil || p.Location.Query().Get("error") != "login_required" || p.Location.Query().Get("state") != st4 {
		t.Errorf("prompt=none without a session: Location %v, want error=login_required with state", p.Location)
	}
}

// The implicit flow: tokens in the fragment, no refresh token.
func (f *oaFixture) testImplicit(t *testing.T) {
	ctx := t.Context()
	b := newOABrowser(t, nil)
	state, nonce := randomState(), uniq("nonce")
	q := url.Values{"client_id": {f.spa}, "response_type": {"token"}, "redirect_uri": {oaCallbackURL},
		"scope": {"openid email"}, "state": {state}, "nonce": {nonce}}
	loc := oaSignIn(t, b, f.issuer+"/oauth2/authorize?"+q.Encode(), f.username, f.password, oaCallbackURL)
	if loc.RawQuery != "" {
		t.Errorf("implicit redirect %s carries a query; tokens belong in the fragment", loc)
	}
	frag, err := url.ParseQuery(loc.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	if frag.Get("state") != state || frag.Get("token_type") != "Bearer" || frag.Get("expires_in") != "3600" ||
		frag.Get("access_token") == "" || frag.Get("id_token") == "" || frag.Has("refresh_token") || frag.Has("code") {
		t.Errorf("implicit fragment keys/values: state %q type %q expires %q refresh %t code %t",
			frag.Get("state"), frag.Get("token_type"), frag.Get("expires_in"), frag.Has("refresh_token"), frag.Has("code"))
	}
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: f.spa}).Verify(ctx, frag.Get("id_token"))
	if err != nil {
		t.Fatalf("implicit id token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("implicit nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(frag.Get("access_token")); err != nil {
		t.Errorf("implicit at_hash: %v", err)
	}
	if _, err := f.accessVerifier(t, f.spa).Verify(ctx, frag.Get("access_token")); err != nil {
		t.Errorf("implicit access token: %v", err)
	}
	// The web client is not allowed the implicit flow: the error goes back
	// to its (registered) callback.
	st := randomState()
	q = url.Values{"client_id": {f.web}, "response_type": {"token"}, "redirect_uri": {oaCallbackURL}, "state": {st}}
	p := b.get(f.issuer + "/oauth2/authorize?" + q.Encode())
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL) {
		t.Fatalf("implicit for a code-only client: status %d Location %v", p.Status, p.Location)
	}
	errParams := p.Location.Query()
	if p.Location.Fragment != "" {
		errParams, _ = url.ParseQuery(p.Location.Fragment)
	}
	if errParams.Get("error") != "unauthorized_client" || errParams.Get("state") != st {
		t.Errorf("implicit for a code-only client: %s, want error=unauthorized_client and the state", p.Location)
	}
}

// Logout: to the registered sign-out URL, the session cookie gone, and the
// next authorization request shows the sign-in page.
func (f *oaFixture) testLogout(t *testing.T) {
	cfg := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader, "openid")
	b := newOABrowser(t, nil)
	f.codeFor(t, b, cfg)
	if _, ok := b.cookie(f.issuer+"/login", "cognito"); !ok {
		t.Fatal("no session cookie after sign-in")
	}
	// An unregistered logout_uri (even the registered one with a query added,
	// the seeds' trap) goes to the error page, never to that URI.
	for _, bad := range []string{"https://evil.example.com/", oaSignedOut + "?err_msg=foo", oaSignedOut + "/"} {
		p := b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.web}, "logout_uri": {bad}}.Encode())
		oaErrorPage(t, b, p, f.issuer, "logout to "+bad)
	}
	p := b.get(f.issuer + "/logout?" + url.Values{"client_id": {"nosuchclient0000000000000"}, "logout_uri": {oaSignedOut}}.Encode())
	oaErrorPage(t, b, p, f.issuer, "logout with an unknown client")

	p = b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.web}, "logout_uri": {oaSignedOut}}.Encode())
	if p.Location == nil || p.Location.String() != oaSignedOut {
		t.Fatalf("logout: status %d Location %v, want %s", p.Status, p.Location, oaSignedOut)
	}
	cleared := false
	for _, sc := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "cognito=") {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("logout sets no cognito cookie (Set-Cookie %q)", p.Header.Values("Set-Cookie"))
	}
	if _, ok := b.cookie(f.issuer+"/login", "cognito"); ok {
		t.Error("the session cookie survived logout")
	}
	oaLoginPage(t, b, cfg.AuthCodeURL(randomState()), oaCallbackURL)

	// A browser that replays its old session cookie after logout is not
	// signed in: logout ends the session on the server, not only in the jar.
	b2 := newOABrowser(t, nil)
	f.codeFor(t, b2, cfg)
	sess, _ := b2.cookie(f.issuer+"/login", "cognito")
	b2.get(f.issuer + "/logout?" + url.Values{"client_id": {f.web}, "logout_uri": {oaSignedOut}}.Encode())
	iu, _ := url.Parse(f.issuer + "/")
	b3 := newOABrowser(t, nil)
	b3.jar.SetCookies(iu, []*http.Cookie{{Name: "cognito", Value: sess, Path: "/"}})
	oaLoginPage(t, b3, cfg.AuthCodeURL(randomState()), oaCallbackURL)

	// logout with redirect_uri and response_type: back to sign-in.
	p = b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.web}, "redirect_uri": {oaCallbackURL},
		"response_type": {"code"}, "state": {"s1"}}.Encode())
	if p.Location == nil || !strings.HasSuffix(p.Location.Path, "/login") || p.Location.Query().Get("client_id") != f.web {
		t.Errorf("logout with redirect_uri: Location %v, want the sign-in page", p.Location)
	}
}

// Client credentials with resource-server scopes (x/oauth2/clientcredentials).
func (f *oaFixture) testClientCredentials(t *testing.T) {
	ctx := t.Context()
	cc := &clientcredentials.Config{ClientID: f.m2m, ClientSecret: f.m2mSecret, TokenURL: f.provider.Endpoint().TokenURL,
		Scopes: []string{oaAPI + "/read"}, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	if tok.Extra("id_token") != nil || tok.RefreshToken != "" || tok.TokenType != "Bearer" {
		t.Errorf("client credentials: id_token %v, refresh %t, type %q", tok.Extra("id_token"), tok.RefreshToken != "", tok.TokenType)
	}
	v, err := verifier.New(verifier.Config{Issuer: f.issuer, ClientIDs: []string{f.m2m}, TokenUse: "access", Scopes: []string{oaAPI + "/read"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	if c.Scope != oaAPI+"/read" || c.Subject != f.m2m || c.ClientID != f.m2m {
		t.Errorf("claims: scope %q sub %q client %q", c.Scope, c.Subject, c.ClientID)
	}
	// client_secret_post, no scope: every scope of the client.
	cc2 := *cc
	cc2.Scopes, cc2.AuthStyle = nil, oauth2.AuthStyleInParams
	tok2, err := cc2.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials (post): %v", err)
	}
	c2, err := f.accessVerifier(t, f.m2m).Verify(ctx, tok2.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !c2.HasScope(oaAPI+"/read") || !c2.HasScope(oaAPI+"/write") {
		t.Errorf("no scope asked: granted %q, want both", c2.Scope)
	}
	// A scope the client may not have.
	cc3 := *cc
	cc3.Scopes = []string{oaAPI + "/admin"}
	_, err = cc3.Token(ctx)
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_scope", "client credentials, unknown scope")
	cc3.Scopes = []string{"openid"}
	_, err = cc3.Token(ctx)
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_scope", "client credentials, openid")
	// Wrong secret.
	cc4 := *cc
	cc4.ClientSecret = "wrong"
	_, err = cc4.Token(ctx)
	wantRetrieveError(t, err, http.StatusUnauthorized, "invalid_client", "client credentials, wrong secret")
	// A code-flow client may not use client credentials.
	r := oaPostForm(t, nil, f.issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, f.web, f.webSecret, "")
	wantOAuthError(t, r, http.StatusBadRequest, "unauthorized_client", "client credentials for a code client")
	// The m2m token is no user's: userInfo refuses it.
	_, err = f.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err == nil {
		t.Error("userInfo accepted a client-credentials token")
	}
}

// Bad authorization requests.
func (f *oaFixture) testAuthorizeBadInput(t *testing.T) {
	b := newOABrowser(t, nil)
	authz := func(q url.Values) *oaPage { return b.get(f.issuer + "/oauth2/authorize?" + q.Encode()) }
	base := func() url.Values {
		return url.Values{"client_id": {f.web}, "response_type": {"code"}, "redirect_uri": {oaCallbackURL},
			"scope": {"openid"}, "state": {"st"}}
	}
	// Unregistered redirect_uri: the error page, never that URI.
	for _, evil := range []string{"https://evil.example.com/callback", oaCallbackURL + "/x", oaCallbackURL + "?a=1", "http://localhost:4181/callback"} {
		q := base()
		q.Set("redirect_uri", evil)
		p := authz(q)
		oaErrorPage(t, b, p, f.issuer, "redirect_uri "+evil)
	}
	// Unknown client, missing client.
	q := base()
	q.Set("client_id", "nosuchclient0000000000000")
	oaErrorPage(t, b, authz(q), f.issuer, "unknown client")
	q.Del("client_id")
	oaErrorPage(t, b, authz(q), f.issuer, "no client_id")
	// A client of another pool at this pool's endpoint.
	other := newPool(t, f.env.Client, nil)
	oc, _ := suClient(t, f.env.Client, other, &cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthScopes: []string{"openid"},
		CallbackURLs: []string{oaCallbackURL}, SupportedIdentityProviders: []string{"COGNITO"}})
	q = base()
	q.Set("client_id", oc)
	oaErrorPage(t, b, authz(q), f.issuer, "client of another pool")

	// Errors after the redirect URI is trusted go back to it with the state.
	backToApp := func(q url.Values, wantErr, what string) {
		t.Helper()
		p := authz(q)
		if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL) {
			t.Errorf("%s: status %d Location %v, want a redirect to the app", what, p.Status, p.Location)
			return
		}
		if got := p.Location.Query(); got.Get("error") != wantErr || got.Get("state") != q.Get("state") || got.Has("code") {
			t.Errorf("%s: %s, want error=%s with the state", what, p.Location, wantErr)
		}
	}
	q = base()
	q.Set("scope", "openid "+oaAPI+"/write")
	backToApp(q, "invalid_scope", "scope not allowed")
	q = base()
	q.Set("scope", "openid nosuch")
	backToApp(q, "invalid_scope", "unknown scope")
	q = base()
	q.Set("response_type", "id_token")
	backToApp(q, "unsupported_response_type", "response_type id_token")
	q = base()
	q.Set("code_challenge", "short")
	q.Set("code_challenge_method", "S256")
	backToApp(q, "invalid_request", "malformed code_challenge")
	q = base()
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()))
	q.Set("code_challenge_method", "S512")
	backToApp(q, "invalid_request", "unknown code_challenge_method")
}

// Bad token requests.
func (f *oaFixture) testTokenBadInput(t *testing.T) {
	ctx := t.Context()
	tokenURL := f.issuer + "/oauth2/token"
	cfg := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader, "openid", "email")
	b := newOABrowser(t, nil)

	// Wrong PKCE verifier: 400 invalid_grant.
	code, _ := f.codeFor(t, b, cfg)
	_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "wrong PKCE verifier")
	// Reused code.
	code, pkce := f.codeFor(t, b, cfg)
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "reused code")
	// A code issued to another client.
	code, pkce = f.codeFor(t, b, cfg)
	cfg2 := f.config(f.web2, f.web2Sec, oauth2.AuthStyleInHeader, "openid")
	_, err = cfg2.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "code of another client")
	// A redirect_uri other than the authorization request's.
	code, pkce = f.codeFor(t, b, cfg)
	cfgOther := *cfg
	cfgOther.RedirectURL = oaOtherCB
	_, err = cfgOther.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "different redirect_uri")
	// A made-up code.
	_, err = cfg.Exchange(ctx, "not-a-code", oauth2.VerifierOption(pkce))
	wantRetrieveError(t, err, http.StatusBadRequest, "invalid_grant", "made-up code")

	// Wrong client secret with HTTP Basic: 401 invalid_client and a challenge.
	code, pkce = f.codeFor(t, b, cfg)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oaCallbackURL}, "code_verifier": {pkce}}
	r := oaPostForm(t, nil, tokenURL, form, f.web, "wrong-secret", "")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client", "wrong secret (basic)")
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("wrong secret (basic): WWW-Authenticate %q, want Basic", r.Header.Get("WWW-Authenticate"))
	}
	// ... and in the form.
	pf := url.Values{"client_id": {f.web}, "client_secret": {"wrong-secret"}}
	for k, v := range form {
		pf[k] = v
	}
	r = oaPostForm(t, nil, tokenURL, pf, "", "", "")
	if r.str("error") != "invalid_client" || (r.Status != 401 && r.Status != 400) {
		t.Errorf("wrong secret (post): %d %s, want invalid_client", r.Status, r.Body)
	}
	// No secret at all for a confidential client.
	pf.Del("client_secret")
	r = oaPostForm(t, nil, tokenURL, pf, "", "", "")
	if r.str("error") != "invalid_client" {
		t.Errorf("no secret: %d %s, want invalid_client", r.Status, r.Body)
	}
	// Unknown client.
	r = oaPostForm(t, nil, tokenURL, form, "nosuchclient0000000000000", "x", "")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client", "unknown client (basic)")
	// Unsupported and missing grant types.
	r = oaPostForm(t, nil, tokenURL, url.Values{"grant_type": {"password"}, "username": {f.username}, "password": {f.password}}, f.web, f.webSecret, "")
	wantOAuthError(t, r, http.StatusBadRequest, "unsupported_grant_type", "grant_type=password")
	r = oaPostForm(t, nil, tokenURL, url.Values{}, f.web, f.webSecret, "")
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_request", "no grant_type")
	// Not a form.
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(f.m2m, f.m2mSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON body at the token endpoint: %s, want 400", resp.Status)
	}
	// The code grant still works after all that: the code of the last
	// failed attempts was not consumed by the wrong secret.
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err != nil {
		t.Errorf("exchange after failed client authentication: %v", err)
	}
}

// The sign-in page itself: CSRF, wrong password.
func (f *oaFixture) testLoginPage(t *testing.T) {
	cfg := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader, "openid")
	b := newOABrowser(t, nil)
	page := oaLoginPage(t, b, cfg.AuthCodeURL(randomState()), oaCallbackURL)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("sign-in page Content-Type %q", ct)
	}
	form := oaFormTo(t, page, "/login", true)
	csrf := form.csrfField(t)
	fill := func() url.Values {
		v := url.Values{}
		for k, vals := range form.Fields {
			v[k] = append([]string(nil), vals...)
		}
		v.Set("username", f.username)
		v.Set("password", f.password)
		return v
	}
	// Without the CSRF token: 403, and no sign-in.
	v := fill()
	v.Del(csrf)
	p := b.post(form.Action, v)
	if p.Status != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: status %d (Location %v), want 403", p.Status, p.Location)
	}
	// With a wrong one: 403.
	v = fill()
	v.Set(csrf, "forged")
	if p = b.post(form.Action, v); p.Status != http.StatusForbidden {
		t.Errorf("sign-in with a forged CSRF token: status %d, want 403", p.Status)
	}
	// The token of one browser posted from another (login CSRF): 403.
	other := newOABrowser(t, nil)
	if p = other.post(form.Action, fill()); p.Status != http.StatusForbidden {
		t.Errorf("sign-in with another browser's CSRF token: status %d (Location %v), want 403", p.Status, p.Location)
	}
	if _, ok := b.cookie(f.issuer+"/login", "cognito"); ok {
		t.Fatal("a refused sign-in left a session cookie")
	}
	// Wrong password: the page again with Cognito's message, no redirect.
	v = fill()
	v.Set("password", "Wrong-Passw0rd!")
	p = b.post(form.Action, v)
	if p.Location != nil && strings.HasPrefix(p.Location.String(), oaCallbackURL) {
		t.Fatalf("wrong password signed in: %s", p.Location)
	}
	p = b.follow(p, oaCallbackURL)
	if !strings.Contains(html.UnescapeString(p.Body), "Incorrect username or password.") {
		t.Errorf("wrong password: status %d, page lacks %q:\n%s", p.Status, "Incorrect username or password.", clip(p.Body))
	}
	// The page it shows is a working sign-in page.
	p2 := oaSubmitLogin(t, b, p, f.username, f.password, oaCallbackURL)
	if p2.Location == nil || !strings.HasPrefix(p2.Location.String(), oaCallbackURL) {
		t.Errorf("sign-in after a wrong password: status %d", p2.Status)
	}
	// A GET of /login without a client is an error page or a 400, never a 500.
	p = b.get(f.issuer + "/login")
	if p.Status >= 500 {
		t.Errorf("GET /login without parameters: %d", p.Status)
	}
	// Reflected input is escaped.
	xss := `"><script>alert(1)</script>`
	p = b.get(f.issuer + "/login?" + url.Values{"client_id": {f.web}, "response_type": {"code"}, "redirect_uri": {oaCallbackURL}, "state": {xss}}.Encode())
	if strings.Contains(p.Body, "<script>alert(1)</script>") {
		t.Error("the sign-in page reflects the state unescaped")
	}
}

// A pool's domain: the same endpoints at root paths of its Host.
func (f *oaFixture) testDomain(t *testing.T) {
	ctx := t.Context()
	_, err := f.env.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(f.pool), Domain: aws.String("myprefix")})
	must(t, err, "CreateUserPoolDomain")
	u, _ := url.Parse(f.env.URL)
	host := "myprefix.auth.localhost:" + u.Port()
	base := "http://" + host
	// Every host name dials this server: a browser that resolves
	// *.localhost to the loopback address.
	addr := u.Host
	rt := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer rt.CloseIdleConnections()

	// Client credentials at the domain's /oauth2/token (Host header set).
	r := oaPostForm(t, nil, f.env.URL+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, f.m2m, f.m2mSecret, host)
	if r.Status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("client credentials at %s/oauth2/token: %d %s", base, r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("token response Cache-Control %q, want no-store (RFC 6749 §5.1)", cc)
	}
	// The token's issuer is the pool's, whatever host minted it.
	if _, err := f.accessVerifier(t, f.m2m).Verify(ctx, r.str("access_token")); err != nil {
		t.Errorf("token from the domain: %v", err)
	}
	// /login at the root of the domain (Host header set).
	req, _ := http.NewRequest(http.MethodGet, f.env.URL+"/login?"+url.Values{"client_id": {f.web}, "response_type": {"code"},
		"redirect_uri": {oaCallbackURL}}.Encode(), nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "<form") {
		t.Errorf("GET /login on the domain: %s", resp.Status)
	}
	// Discovery on the domain: the issuer stays {public-url}/{pool}, the
	// endpoints are the domain's.
	dr, err := (&http.Client{Transport: rt}).Get(base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(dr.Body).Decode(&doc)
	dr.Body.Close()
	if doc["issuer"] != f.issuer || doc["authorization_endpoint"] != base+"/oauth2/authorize" || doc["token_endpoint"] != base+"/oauth2/token" {
		t.Errorf("discovery on the domain: issuer %v, authorize %v, token %v", doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"])
	}

	// The whole code flow on the domain.
	cfg := &oauth2.Config{ClientID: f.web, ClientSecret: f.webSecret, RedirectURL: oaCallbackURL, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth2/authorize", TokenURL: base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	b := newOABrowser(t, rt)
	state, nonce, pkce := randomState(), uniq("nonce"), oauth2.GenerateVerifier()
	page := oaLoginPage(t, b, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce)), oaCallbackURL)
	if page.URL.Host != host || page.URL.Path != "/login" {
		t.Errorf("sign-in page on the domain at %s, want %s/login", page.URL, base)
	}
	p := oaSubmitLogin(t, b, page, f.username, f.password, oaCallbackURL)
	if p.Location == nil {
		t.Fatalf("sign-in on the domain: status %d", p.Status)
	}
	q := oaCallback(t, p.Location, oaCallbackURL, state)
	if v, ok := b.cookie(base+"/", "cognito"); !ok || v == "" {
		t.Error("no session cookie for the domain")
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: rt}), q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange on the domain: %v", err)
	}
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: f.web}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil || idt.Nonce != nonce {
		t.Errorf("id token from the domain: %v", err)
	}
	// A code minted on the domain is the pool's: redeemable under the issuer path too.
	code2, pkce2 := f.codeFor(t, b, cfg)
	if _, err := f.config(f.web, f.webSecret, oauth2.AuthStyleInHeader).Exchange(ctx, code2, oauth2.VerifierOption(pkce2)); err != nil {
		t.Errorf("domain code at the issuer's token endpoint: %v", err)
	}
	// Logout on the domain.
	p = b.get(base + "/logout?" + url.Values{"client_id": {f.web}, "logout_uri": {oaSignedOut}}.Encode())
	if p.Location == nil || p.Location.String() != oaSignedOut {
		t.Errorf("logout on the domain: %d %v", p.Status, p.Location)
	}
	oaLoginPage(t, b, cfg.AuthCodeURL(randomState()), oaCallbackURL)
	// An unknown domain is not a site: its /oauth2/token is not found.
	r = oaPostForm(t, nil, f.env.URL+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, f.m2m, f.m2mSecret, "nosuch.auth.localhost:"+u.Port())
	if r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest {
		t.Errorf("token endpoint on an unknown domain: %d %s", r.Status, r.Body)
	}
}

// GetClientToken, the JSON API's client-credentials grant. The AWS SDK for
// Go v2 (cognitoidentityprovider v1.61.0, the newest published) has no
// GetClientToken operation yet, so it is called on the wire as the SDK
// would send it (AWS JSON 1.1, unsigned like other public operations).
func (f *oaFixture) testGetClientToken(t *testing.T) {
	ctx := t.Context()
	id, secret := suClient(t, f.env.Client, f.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("m2m-json"),
		GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_CLIENT_TOKEN_AUTH"},
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{oaAPI + "/read"}})
	call := func(body map[string]any) rawReply {
		b, _ := json.Marshal(body)
		return rawCall(t, f.env.URL, targetPrefix+"GetClientToken", b)
	}
	r := call(map[string]any{"ClientId": id, "Secret": secret, "Scopes": []string{oaAPI + "/read"}})
	if r.Status != http.StatusOK {
		t.Fatalf("GetClientToken: %d %s", r.Status, r.Body)
	}
	res, _ := r.JSON["ClientAuthenticationResult"].(map[string]any)
	at, _ := res["AccessToken"].(string)
	if at == "" || res["TokenType"] != "Bearer" || res["ExpiresIn"] != float64(3600) {
		t.Fatalf("GetClientToken result %v", r.JSON)
	}
	c, err := f.accessVerifier(t, id).Verify(ctx, at)
	if err != nil {
		t.Fatalf("GetClientToken token: %v", err)
	}
	if c.Scope != oaAPI+"/read" || c.Subject != id {
		t.Errorf("GetClientToken claims: scope %q sub %q", c.Scope, c.Subject)
	}
	wantRawError(t, call(map[string]any{"ClientId": id, "Secret": "wrong"}), 400, "NotAuthorizedException", "GetClientToken wrong secret")
	wantRawError(t, call(map[string]any{"ClientId": id, "Secret": secret, "Scopes": []string{oaAPI + "/write"}}), 400, "ScopeDoesNotExistException", "GetClientToken scope not allowed")
	wantRawError(t, call(map[string]any{"ClientId": f.m2m, "Secret": f.m2mSecret}), 400, "InvalidParameterException", "GetClientToken for a client without ALLOW_CLIENT_TOKEN_AUTH")
	wantRawError(t, call(map[string]any{"ClientId": "nosuchclient0000000000000", "Secret": "x"}), 400, "ResourceNotFoundException", "GetClientToken unknown client")
	wantRawError(t, call(map[string]any{"Secret": "x"}), 400, "InvalidParameterException", "GetClientToken without ClientId")
}
