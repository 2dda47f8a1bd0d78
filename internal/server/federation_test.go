package server_test

// Federated sign-in through the browser, on both stores: /oauth2/authorize
// with identity_provider (or idp_identifier) → the provider (a real OpenID
// Provider from oidctest that approves at once) → /oauth2/idpresponse →
// the app's callback with a code → tokens (golang.org/x/oauth2, go-oidc).
// Google is the same test provider, relocated with the config file's
// identityProviderEndpoints; the hosted UI's sign-in page shows its button.
// The failures (unknown or replayed state, a refusal upstream, id tokens
// that do not verify) sign nobody in.

import (
	"context"
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/oidctest"
)

type fedFixture struct {
	env      *cogitotest.Env
	op       *oidctest.Provider // the generic OIDC provider MyOIDC
	google   *oidctest.Provider // what the server takes for Google
	pool     string
	issuer   string
	client   string
	secret   string
	provider *oidc.Provider
}

func newFedFixture(t *testing.T, opts server.Options) *fedFixture {
	t.Helper()
	f := &fedFixture{op: oidctest.Start(t), google: oidctest.Start(t)}
	f.google.Update(func(s *oidctest.Settings) {
		s.Subject = "1049000000000000000001"
		s.Claims = map[string]any{"email": "bob@gmail.example", "email_verified": true}
		s.UserInfo = map[string]any{"email": "bob@gmail.example", "name": "Bob"}
	})
	cfgFile := filepath.Join(t.TempDir(), "cogito.yaml")
	if err := os.WriteFile(cfgFile, []byte("identityProviderEndpoints:\n  Google:\n    issuer: "+f.google.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.ConfigFile = cfgFile
	f.env = cogitotest.Start(t, opts)
	c := f.env.Client
	f.pool = newPool(t, c, nil)
	f.issuer = f.env.URL + "/" + f.pool
	createIdP(t, c, f.pool, "MyOIDC", types.IdentityProviderTypeTypeOidc, map[string]string{
		"client_id": f.op.ClientID, "client_secret": f.op.ClientSecret, "attributes_request_method": "GET",
		"oidc_issuer": f.op.URL, "authorize_scopes": "openid email",
	}, map[string]string{"email": "email"}, "example.com")
	createIdP(t, c, f.pool, "Google", types.IdentityProviderTypeTypeGoogle, map[string]string{
		"client_id": f.google.ClientID, "client_secret": f.google.ClientSecret, "authorize_scopes": "openid email profile",
	}, map[string]string{"email": "email", "name": "name"})
	f.client, f.secret = suClient(t, c, f.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("web"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{oaCallbackURL},
		LogoutURLs:                 []string{oaSignedOut},
		SupportedIdentityProviders: []string{"COGNITO", "MyOIDC", "Google"}})
	var err error
	f.provider, err = oidc.NewProvider(t.Context(), f.issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%s): %v", f.issuer, err)
	}
	return f
}

func (f *fedFixture) config() *oauth2.Config {
	ep := f.provider.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	return &oauth2.Config{ClientID: f.client, ClientSecret: f.secret, Endpoint: ep, RedirectURL: oaCallbackURL,
		Scopes: []string{"openid", "email", "profile"}}
}

// upstream follows an authorization request to the provider op and back to
// /oauth2/idpresponse, and returns the idpresponse URL (not fetched).
func (f *fedFixture) upstream(t *testing.T, b *oaBrowser, authURL string, op *oidctest.Provider) *url.URL {
	t.Helper()
	p := b.get(authURL)
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), op.URL+"/authorize") {
		t.Fatalf("GET %s: status %d, Location %v; want a redirect to the provider %s", authURL, p.Status, p.Location, op.URL)
	}
	q := p.Location.Query()
	if got, want := q.Get("redirect_uri"), f.issuer+"/oauth2/idpresponse"; got != want {
		t.Errorf("upstream redirect_uri %q, want %q", got, want)
	}
	if q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		t.Errorf("upstream request lacks state, nonce or PKCE: %s", p.Location.RawQuery)
	}
	if q.Get("client_id") != op.ClientID || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Errorf("upstream client_id %q scope %q", q.Get("client_id"), q.Get("scope"))
	}
	back := b.get(p.Location.String())
	if back.Location == nil || !strings.HasPrefix(back.Location.String(), f.issuer+"/oauth2/idpresponse?") {
		t.Fatalf("provider answered %d, Location %v; want a redirect to idpresponse", back.Status, back.Location)
	}
	return back.Location
}

// signIn runs a federated sign-in to the callback and returns its query.
func (f *fedFixture) signIn(t *testing.T, b *oaBrowser, op *oidctest.Provider, extra ...oauth2.AuthCodeOption) (url.Values, string, string) {
	t.Helper()
	state, verifier, nonce := randomState(), oauth2.GenerateVerifier(), "n-"+randomState()
	authURL := f.config().AuthCodeURL(state, append(extra, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))...)
	idp := f.upstream(t, b, authURL, op)
	p := b.get(idp.String())
	if p.Location == nil {
		t.Fatalf("idpresponse: status %d, want a redirect to the app; body %s", p.Status, clip(p.Body))
	}
	q := oaCallback(t, p.Location, oaCallbackURL, state)
	return q, verifier, nonce
}

// tokens redeems a code and returns the verified id token's claims.
func (f *fedFixture) tokens(t *testing.T, code, verifier, nonce string) map[string]any {
	t.Helper()
	tok, err := f.config().Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: f.client}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("id token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("id token nonce %q, want %q", idt.Nonce, nonce)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// wantIdentity checks the identities claim names the provider and subject.
func wantIdentity(t *testing.T, claims map[string]any, provider, typ, sub string) {
	t.Helper()
	list, ok := claims["identities"].([]any)
	if !ok || len(list) != 1 {
		t.Fatalf("identities claim %#v, want an array of one", claims["identities"])
	}
	e, _ := list[0].(map[string]any)
	if e["providerName"] != provider || e["providerType"] != typ || e["userId"] != sub || e["primary"] != true {
		t.Errorf("identities[0] = %v, want providerName %s, providerType %s, userId %s, primary", e, provider, typ, sub)
	}
}

func (f *fedFixture) wantNoUser(t *testing.T, username string) {
	t.Helper()
	_, err := f.env.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(f.pool), Username: aws.String(username)})
	var nf *types.UserNotFoundException
	if err == nil || !errors.As(err, &nf) {
		t.Errorf("AdminGetUser %s: %v, want UserNotFoundException (nobody signed in)", username, err)
	}
}

// failAtCallback runs a sign-in that the server must refuse after the trip
// upstream: back to the app with error=invalid_request and the state.
func (f *fedFixture) failAtCallback(t *testing.T, b *oaBrowser, wantInDesc string) url.Values {
	t.Helper()
	state := randomState()
	authURL := f.config().AuthCodeURL(state, oauth2.SetAuthURLParam("identity_provider", "MyOIDC"))
	idp := f.upstream(t, b, authURL, f.op)
	p := b.get(idp.String())
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL+"?") {
		t.Fatalf("idpresponse: status %d, Location %v; want the callback with an error; body %s", p.Status, p.Location, clip(p.Body))
	}
	q := p.Location.Query()
	if q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != state {
		t.Errorf("callback %s: want error=invalid_request, the state, no code", p.Location)
	}
	t.Logf("callback error_description: %s", q.Get("error_description"))
	if !strings.Contains(q.Get("error_description"), wantInDesc) {
		t.Errorf("error_description %q, want it to mention %q", q.Get("error_description"), wantInDesc)
	}
	return q
}

var idpButtonRE = regexp.MustCompile(`<a class="idpButton-customizable[^"]*" href="([^"]+)" data-provider="([^"]+)">([^<]+)</a>`)

func TestFederatedSignIn(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		f := newFedFixture(t, opts)
		withIdP := oauth2.SetAuthURLParam("identity_provider", "MyOIDC")

		t.Run("OIDC", func(t *testing.T) {
			b := newOABrowser(t, nil)
			q, verifier, nonce := f.signIn(t, b, f.op, withIdP)
			claims := f.tokens(t, q.Get("code"), verifier, nonce)
			if got := claims["cognito:username"]; got != "MyOIDC_user-123" {
				t.Errorf("cognito:username %v, want MyOIDC_user-123", got)
			}
			if got := claims["email"]; got != "alice@example.com" {
				t.Errorf("email %v, want the mapped alice@example.com", got)
			}
			wantIdentity(t, claims, "MyOIDC", "OIDC", "user-123")
			u, err := f.env.Client.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(f.pool), Username: aws.String("MyOIDC_user-123")})
			must(t, err, "AdminGetUser")
			if u.UserStatus != types.UserStatusTypeExternalProvider {
				t.Errorf("user status %s, want EXTERNAL_PROVIDER", u.UserStatus)
			}
			// The upstream token request carried the PKCE verifier and the
			// client's credentials.
			reqs := f.op.TokenRequests()
			if last := reqs[len(reqs)-1]; last.Get("code_verifier") == "" || last.Get("client_secret") != f.op.ClientSecret {
				t.Errorf("upstream token request %v: want code_verifier and client_secret_post", last)
			}

			// The browser is signed in: a plain authorization request
			// comes straight back with a code.
			state := randomState()
			p := b.get(f.config().AuthCodeURL(state))
			if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL) {
				t.Fatalf("signed-in browser: status %d, Location %v; want the callback", p.Status, p.Location)
			}
			oaCallback(t, p.Location, oaCallbackURL, state)

			// A second sign-in finds the same user.
			q, verifier, nonce = f.signIn(t, newOABrowser(t, nil), f.op, withIdP)
			if got := f.tokens(t, q.Get("code"), verifier, nonce)["sub"]; got != claims["sub"] {
				t.Errorf("second sign-in: sub %v, want %v", got, claims["sub"])
			}

			// Logout ends the browser session: sign-in again shows the page.
			lo := b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.client}, "logout_uri": {oaSignedOut}}.Encode())
			if lo.Location == nil || lo.Location.String() != oaSignedOut {
				t.Fatalf("logout: status %d, Location %v", lo.Status, lo.Location)
			}
			oaLoginPage(t, b, f.config().AuthCodeURL(randomState()), oaCallbackURL)
		})

		t.Run("IdpIdentifier", func(t *testing.T) {
			b := newOABrowser(t, nil)
			q, verifier, nonce := f.signIn(t, b, f.op, oauth2.SetAuthURLParam("idp_identifier", "example.com"))
			wantIdentity(t, f.tokens(t, q.Get("code"), verifier, nonce), "MyOIDC", "OIDC", "user-123")
		})

		t.Run("GoogleButton", func(t *testing.T) {
			b := newOABrowser(t, nil)
			state, verifier, nonce := randomState(), oauth2.GenerateVerifier(), "n-"+randomState()
			page := oaLoginPage(t, b, f.config().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), oaCallbackURL)
			buttons := map[string]string{}
			for _, m := range idpButtonRE.FindAllStringSubmatch(page.Body, -1) {
				buttons[m[3]] = html.UnescapeString(m[1])
			}
			if _, ok := buttons["Continue with MyOIDC"]; !ok {
				t.Errorf("sign-in page buttons %v: want Continue with MyOIDC", buttons)
			}
			href, ok := buttons["Continue with Google"]
			if !ok {
				t.Fatalf("sign-in page buttons %v: want Continue with Google; body %s", buttons, clip(page.Body))
			}
			target, err := page.URL.Parse(href)
			if err != nil {
				t.Fatal(err)
			}
			idp := f.upstream(t, b, target.String(), f.google)
			p := b.get(idp.String())
			if p.Location == nil {
				t.Fatalf("idpresponse: status %d; body %s", p.Status, clip(p.Body))
			}
			q := oaCallback(t, p.Location, oaCallbackURL, state)
			claims := f.tokens(t, q.Get("code"), verifier, nonce)
			if got := claims["cognito:username"]; got != "Google_1049000000000000000001" {
				t.Errorf("cognito:username %v, want Google_1049000000000000000001", got)
			}
			if claims["email"] != "bob@gmail.example" || claims["name"] != "Bob" {
				t.Errorf("email %v name %v, want the mapped bob@gmail.example and Bob", claims["email"], claims["name"])
			}
			wantIdentity(t, claims, "Google", "Google", "1049000000000000000001")
		})

		t.Run("NotConfigured", func(t *testing.T) {
			b := newOABrowser(t, nil)
			for _, extra := range []oauth2.AuthCodeOption{
				oauth2.SetAuthURLParam("identity_provider", "Nobody"),
				oauth2.SetAuthURLParam("idp_identifier", "unknown.example"),
			} {
				state := randomState()
				p := b.get(f.config().AuthCodeURL(state, extra))
				if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL+"?") {
					t.Fatalf("status %d, Location %v; want the callback with an error", p.Status, p.Location)
				}
				if q := p.Location.Query(); q.Get("error") != "invalid_request" || q.Get("state") != state {
					t.Errorf("callback %s: want error=invalid_request and the state", p.Location)
				}
			}
			// The hosted UI's forms never serve a request naming a provider.
			p := b.get(f.issuer + "/login?" + url.Values{"client_id": {f.client}, "response_type": {"code"},
				"redirect_uri": {oaCallbackURL}, "identity_provider": {"MyOIDC"}}.Encode())
			if p.Location == nil || !strings.HasSuffix(p.Location.Path, "/oauth2/authorize") {
				t.Errorf("/login with identity_provider: status %d, Location %v; want /oauth2/authorize", p.Status, p.Location)
			}
		})

		t.Run("BadState", func(t *testing.T) {
			b := newOABrowser(t, nil)
			oaErrorPage(t, b, b.get(f.issuer+"/oauth2/idpresponse?code=abc&state=forged"), f.issuer, "unknown state")
			oaErrorPage(t, b, b.get(f.issuer+"/oauth2/idpresponse?code=abc"), f.issuer, "no state")

			// A state is used once: replaying the provider's answer fails.
			f.op.Update(func(s *oidctest.Settings) { s.Subject = "replay-sub" })
			defer f.op.Update(func(s *oidctest.Settings) { s.Subject = "user-123" })
			state := randomState()
			idp := f.upstream(t, b, f.config().AuthCodeURL(state, withIdP), f.op)
			first := b.get(idp.String())
			oaCallback(t, first.Location, oaCallbackURL, state)
			oaErrorPage(t, b, b.get(idp.String()), f.issuer, "replayed state")

			// Another browser cannot finish a trip this one started.
			idp = f.upstream(t, b, f.config().AuthCodeURL(randomState(), withIdP), f.op)
			oaErrorPage(t, newOABrowser(t, nil), newOABrowser(t, nil).get(idp.String()), f.issuer, "state from another browser")
		})

		t.Run("UpstreamDenied", func(t *testing.T) {
			f.op.Update(func(s *oidctest.Settings) { s.Deny, s.Subject = true, "denied-sub" })
			defer f.op.Update(func(s *oidctest.Settings) { s.Deny, s.Subject = false, "user-123" })
			f.failAtCallback(t, newOABrowser(t, nil), "access_denied")
			f.wantNoUser(t, "MyOIDC_denied-sub")
		})

		bad := []struct {
			name string
			set  func(s *oidctest.Settings)
		}{
			{"ForgedIdToken", func(s *oidctest.Settings) { s.Forge = true }},
			{"ExpiredIdToken", func(s *oidctest.Settings) { s.ExpOffset = -2 * time.Hour }},
			{"WrongAudience", func(s *oidctest.Settings) { s.Audience = "someone-else" }},
			{"WrongNonce", func(s *oidctest.Settings) { n := "not-the-nonce"; s.Nonce = &n }},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				sub := strings.ToLower(tc.name) + "-sub"
				f.op.Update(func(s *oidctest.Settings) { tc.set(s); s.Subject = sub })
				defer f.op.Update(func(s *oidctest.Settings) {
					*s = oidctest.Settings{Subject: "user-123", Claims: s.Claims, UserInfo: s.UserInfo}
				})
				f.failAtCallback(t, newOABrowser(t, nil), "MyOIDC")
				f.wantNoUser(t, "MyOIDC_"+sub)
			})
		}
	})
}
