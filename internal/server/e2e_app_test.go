package server_test

// The seeds' architecture end to end (shared/seeds 002, with 000/001's
// server-side token handling): a user pool where only administrators
// create users (email as the username, a strict password policy), a public
// app client, and a web app in front of an API. The app sends
// unauthenticated visitors to Cogito's /oauth2/authorize; the user signs in
// on the hosted UI with the temporary password the invitation carried,
// chooses a new one, and comes back to the app's /callback, which
// exchanges the code (x/oauth2, PKCE), checks the ID token (go-oidc, nonce)
// and keeps the tokens in HttpOnly cookies only the server reads. The
// protected page and the API check the access token with the project's
// verifier.Middleware (the API Gateway Cognito authorizer's behaviour);
// logout goes through Cogito's /logout back to the app's sign-out page.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/verifier"
)

// seedApp is the web app of the seeds, served by an httptest server.
type seedApp struct {
	base     string // http://localhost:PORT (Cognito wants https or localhost)
	issuer   string
	clientID string
	oauth    *oauth2.Config
	idv      *oidc.IDTokenVerifier
	access   *verifier.Verifier
	srv      *httptest.Server
}

// cookie names of the app.
const (
	appAccess  = "app_access"
	appID      = "app_id"
	appRefresh = "app_refresh"
	appState   = "app_state" // state, nonce and PKCE verifier of the pending sign-in
)

// newSeedApp serves the app on ln (the app's client, registered with
// ln's address, must exist first).
func newSeedApp(t *testing.T, ln net.Listener, issuer, clientID string, provider *oidc.Provider) *seedApp {
	t.Helper()
	var err error
	a := &seedApp{base: appBaseOf(ln), issuer: issuer, clientID: clientID}
	a.oauth = &oauth2.Config{ClientID: clientID, Endpoint: provider.Endpoint(), RedirectURL: a.base + "/callback",
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	a.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	a.idv = provider.Verifier(&oidc.Config{ClientID: clientID})
	a.access, err = verifier.New(verifier.Config{Issuer: issuer, ClientIDs: []string{clientID}, TokenUse: "access"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", a.requireSignIn(http.HandlerFunc(a.home)))
	mux.Handle("GET /api/foo", a.access.Middleware(http.HandlerFunc(a.foo)))
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("GET /logout", a.logout)
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>You are signed out.</p>")
	})
	a.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	return a
}

func randomString() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *seedApp) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// requireSignIn is the web side of verifier.Middleware: the access token
// comes from the HttpOnly cookie instead of the Authorization header; a
// visitor without one is sent to sign in.
func (a *seedApp) requireSignIn(next http.Handler) http.Handler {
	checked := a.access.Middleware(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(appAccess)
		if err != nil || c.Value == "" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		r2 := r.Clone(r.Context())
		r2.Header.Set("Authorization", "Bearer "+c.Value)
		checked.ServeHTTP(w, r2)
	})
}

// login starts a sign-in: state, nonce and PKCE verifier in a short-lived
// HttpOnly cookie, then Cogito's authorization endpoint.
func (a *seedApp) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, pkce := randomString(), randomString(), oauth2.GenerateVerifier()
	a.setCookie(w, appState, state+"."+nonce+"."+pkce, 600)
	http.Redirect(w, r, a.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce)), http.StatusFound)
}

func (a *seedApp) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(appState)
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	if len(parts) != 3 || r.URL.Query().Get("state") != parts[0] {
		http.Error(w, "state mismatch", http.StatusBadRequest)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		http.Error(w, "sign-in failed: "+e, http.StatusUnauthorized)
		return
	}
	tok, err := a.oauth.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := a.idv.Verify(r.Context(), rawID)
	if err != nil || idt.Nonce != parts[1] {
		http.Error(w, fmt.Sprintf("id token: %v (nonce ok %t)", err, err == nil && idt.Nonce == parts[1]), http.StatusUnauthorized)
		return
	}
	a.setCookie(w, appState, "", -1)
	a.setCookie(w, appAccess, tok.AccessToken, 3600)
	a.setCookie(w, appID, rawID, 3600)
	a.setCookie(w, appRefresh, tok.RefreshToken, 30*24*3600)
	http.Redirect(w, r, "/", http.StatusFound)
}

// home is the protected page: it names the signed-in user by the email
// of their (verified) ID token.
func (a *seedApp) home(w http.ResponseWriter, r *http.Request) {
	claims, _ := verifier.ClaimsFrom(r.Context())
	c, err := r.Cookie(appID)
	if err != nil {
		http.Error(w, "no id token", http.StatusUnauthorized)
		return
	}
	idt, err := a.idv.Verify(r.Context(), c.Value)
	if err != nil || idt.Subject != claims.Subject {
		http.Error(w, "bad id token", http.StatusUnauthorized)
		return
	}
	var id struct {
		Email string `json:"email"`
	}
	_ = idt.Claims(&id)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<h1>Orders</h1><p id=user>Signed in as %s</p>", html.EscapeString(id.Email))
}

// foo is the API behind the authorizer (seed 002's FooFunction).
func (a *seedApp) foo(w http.ResponseWriter, r *http.Request) {
	claims, _ := verifier.ClaimsFrom(r.Context())
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"feature": "foo", "username": claims.Username, "sub": claims.Subject})
}

func (a *seedApp) logout(w http.ResponseWriter, r *http.Request) {
	for _, n := range []string{appAccess, appID, appRefresh} {
		a.setCookie(w, n, "", -1)
	}
	q := url.Values{"client_id": {a.clientID}, "logout_uri": {a.base + "/signed-out"}}
	http.Redirect(w, r, a.issuer+"/logout?"+q.Encode(), http.StatusFound)
}

// followAll follows every redirect from p and returns each response.
func (b *oaBrowser) followAll(p *oaPage) []*oaPage {
	b.t.Helper()
	chain := []*oaPage{p}
	for p.Location != nil {
		if len(chain) > 12 {
			b.t.Fatalf("redirect loop: %s", p.Location)
		}
		p = b.get(p.Location.String())
		chain = append(chain, p)
	}
	return chain
}

func TestSeedWebApp(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		ctx := t.Context()
		c := env.Client
		// Seed 002's pool: email is the username (case-insensitive), only
		// administrators create users, a strict password policy.
		pool := newPool(t, c, &cip.CreateUserPoolInput{
			PoolName:               aws.String("val-user-pool"),
			Schema:                 []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true), Mutable: aws.Bool(true)}},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			AdminCreateUserConfig:  &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
			UserPoolTags:           map[string]string{"App": "cognito-example"},
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(6),
				RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
				TemporaryPasswordValidityDays: 15}},
		})
		issuer := env.URL + "/" + pool
		provider, err := oidc.NewProvider(ctx, issuer)
		if err != nil {
			t.Fatal(err)
		}
		// The app's address first, then its client, then the app.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		appBase := appBaseOf(ln)
		clientID, _ := suClient(t, c, pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("val-user-pool-client"),
			AccessTokenValidity: aws.Int32(1), IdTokenValidity: aws.Int32(1), GenerateSecret: false,
			ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
			AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO"},
			CallbackURLs: []string{appBase + "/callback"}, LogoutURLs: []string{appBase + "/signed-out"}})
		app := newSeedApp(t, ln, issuer, clientID, provider)

		// An administrator creates the user; the invitation carries the
		// temporary password.
		email := "Foo@Bar.com"
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(email),
			UserAttributes:         []types.AttributeType{attr("email", email), attr("email_verified", "true")},
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
		must(t, err, "AdminCreateUser")
		var temp string
		for _, m := range env.Outbox(t, "", pool) {
			if m.Kind == "AdminCreateUser" {
				temp = m.Code
			}
		}
		if temp == "" {
			t.Fatal("no invitation with a temporary password in the outbox")
		}

		b := newOABrowser(t, nil)
		// Unauthenticated: the app sends the browser to Cogito's sign-in page.
		chain := b.followAll(b.get(app.base + "/"))
		page := chain[len(chain)-1]
		if page.Status != http.StatusOK || !strings.HasSuffix(page.URL.Path, "/"+pool+"/login") {
			t.Fatalf("unauthenticated visit ended at %s (%d), want Cogito's sign-in page", page.URL, page.Status)
		}
		if len(chain) < 3 || !strings.HasPrefix(chain[2].URL.String(), issuer+"/oauth2/authorize?") {
			t.Errorf("the app did not send the browser to %s/oauth2/authorize (chain %v)", issuer, urlsOf(chain))
		}
		// Sign in with the temporary password (the email in another case):
		// the hosted UI asks for a new password.
		form := oaFormTo(t, page, "/login", true)
		form.Fields.Set("username", strings.ToLower(email))
		form.Fields.Set("password", temp)
		np := b.post(form.Action, form.Fields)
		if np.Status != http.StatusOK {
			t.Fatalf("sign-in with the temporary password: status %d Location %v, want the new-password page", np.Status, np.Location)
		}
		nf := oaFormTo(t, np, "/newPassword", true)
		newPw := "N3w-pw!"
		for name, typ := range nf.Types {
			if typ == "password" {
				nf.Fields.Set(name, newPw)
			}
		}
		chain = b.followAll(b.post(nf.Action, nf.Fields))
		home := chain[len(chain)-1]
		var cb *oaPage
		for _, p := range chain {
			if p.URL.Path == "/callback" && strings.HasPrefix(p.URL.String(), app.base) {
				cb = p
			}
		}
		if cb == nil {
			t.Fatalf("the sign-in never reached the app's callback; ended at %s (%d): %s", home.URL, home.Status, clip(home.Body))
		}
		if cb.Status != http.StatusFound {
			t.Fatalf("callback: %d %s", cb.Status, cb.Body)
		}
		for _, n := range []string{appAccess, appID, appRefresh} {
			found := false
			for _, sc := range cb.Header.Values("Set-Cookie") {
				if strings.HasPrefix(sc, n+"=") {
					found = true
					if !strings.Contains(sc, "HttpOnly") {
						t.Errorf("cookie %s is not HttpOnly: %s", n, sc)
					}
				}
			}
			if !found {
				t.Errorf("callback set no %s cookie", n)
			}
		}
		if home.URL.String() != app.base+"/" || home.Status != http.StatusOK {
			t.Fatalf("after sign-in: %s %d, want the app's home page", home.URL, home.Status)
		}
		if !strings.Contains(home.Body, "Signed in as "+strings.ToLower(email)) && !strings.Contains(home.Body, "Signed in as "+email) {
			t.Errorf("home page does not name the user: %s", home.Body)
		}
		// The user is CONFIRMED with the new password.
		u := getUser(t, c, pool, email)
		if u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("user status %s, want CONFIRMED", u.UserStatus)
		}

		// The API behind the authorizer: the access token as a bearer token.
		access, _ := b.cookie(app.base+"/", appAccess)
		req, _ := http.NewRequest(http.MethodGet, app.base+"/api/foo", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var foo map[string]string
		json.NewDecoder(resp.Body).Decode(&foo)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || foo["sub"] == "" || foo["username"] != aws.ToString(u.Username) {
			t.Errorf("GET /api/foo with the access token: %d %v", resp.StatusCode, foo)
		}
		resp, err = http.Get(app.base + "/api/foo")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.TrimSpace(string(body)) != `{"message":"Unauthorized"}` {
			t.Errorf("GET /api/foo without a token: %d %s", resp.StatusCode, body)
		}
		// A forged cookie does not get in.
		forged := newOABrowser(t, nil)
		au, _ := url.Parse(app.base + "/")
		forged.jar.SetCookies(au, []*http.Cookie{{Name: appAccess, Value: access[:len(access)-4] + "AAAA", Path: "/"}})
		if p := forged.get(app.base + "/"); p.Status != http.StatusUnauthorized {
			t.Errorf("home page with a forged access token: %d", p.Status)
		}

		// Logout: the app clears its cookies, Cogito ends its session and
		// sends the browser to the app's sign-out page.
		chain = b.followAll(b.get(app.base + "/logout"))
		last := chain[len(chain)-1]
		if last.URL.String() != app.base+"/signed-out" || last.Status != http.StatusOK {
			t.Fatalf("logout ended at %s (%d), want %s/signed-out", last.URL, last.Status, app.base)
		}
		if len(chain) < 3 || !strings.HasPrefix(chain[1].URL.String(), issuer+"/logout?") {
			t.Errorf("logout did not pass through Cogito's /logout (chain %v)", urlsOf(chain))
		}
		if _, ok := b.cookie(app.base+"/", appAccess); ok {
			t.Error("the app's access-token cookie survived logout")
		}
		if _, ok := b.cookie(issuer+"/login", "cognito"); ok {
			t.Error("Cogito's session cookie survived logout")
		}
		// Signed out everywhere: the next visit asks for the password again
		// (the new one), and the old temporary password no longer works.
		chain = b.followAll(b.get(app.base + "/"))
		page = chain[len(chain)-1]
		if !strings.HasSuffix(page.URL.Path, "/login") {
			t.Fatalf("visit after logout ended at %s, want the sign-in page", page.URL)
		}
		form = oaFormTo(t, page, "/login", true)
		form.Fields.Set("username", email)
		form.Fields.Set("password", temp)
		if p := b.post(form.Action, form.Fields); p.Location != nil || !strings.Contains(html.UnescapeString(p.Body), "Incorrect") {
			t.Errorf("temporary password after the change: %d %v", p.Status, p.Location)
		}
		chain = b.followAll(oaSubmitLogin(t, b, page, email, newPw, ""))
		if home = chain[len(chain)-1]; home.URL.String() != app.base+"/" || !strings.Contains(strings.ToLower(home.Body), "signed in as "+strings.ToLower(email)) {
			t.Errorf("second sign-in ended at %s (%d): %s", home.URL, home.Status, clip(home.Body))
		}
	})
}

// appBaseOf is the app's base URL: Cognito takes http callback URLs only
// for localhost.
func appBaseOf(ln net.Listener) string {
	return fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
}

func urlsOf(chain []*oaPage) []string {
	var out []string
	for _, p := range chain {
		out = append(out, fmt.Sprintf("%d %s", p.Status, p.URL))
	}
	return out
}
