// Package oidctest is a small but real OpenID Provider for tests of
// federated sign-in: discovery, an authorization endpoint that approves a
// fixed user at once (no page), a token endpoint (authorization code →
// RS256 id token, PKCE S256 check, client_secret_post or basic), userinfo
// (GET or POST) and JWKS. Settings make it misbehave on purpose: deny the
// request, sign with a foreign key, issue expired tokens or a wrong nonce.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Default client credentials the provider accepts.
const (
	DefaultClientID     = "upstream-client"
	DefaultClientSecret = "upstream-secret"
)

// Settings are what a test may change while the provider runs (through
// Provider.Update).
type Settings struct {
	// The fixed user: Subject, the id token's extra Claims and what
	// userinfo adds to sub.
	Subject  string
	Claims   map[string]any
	UserInfo map[string]any

	// Deny answers the authorization request with error=access_denied.
	Deny bool
	// Forge signs id tokens with a key the JWKS does not publish.
	Forge bool
	// ExpOffset is added to the id token's exp (one hour from now); a
	// negative offset beyond an hour issues expired tokens.
	ExpOffset time.Duration
	// Audience replaces the id token's aud (the client id by default).
	Audience string
	// Nonce, when not nil, replaces the nonce the request asked for.
	Nonce *string
}

// Provider is a running OpenID Provider.
type Provider struct {
	URL          string // issuer and base URL
	ClientID     string
	ClientSecret string

	srv    *httptest.Server
	key    *rsa.PrivateKey
	forged *rsa.PrivateKey

	mu        sync.Mutex
	settings  Settings
	codes     map[string]authCode
	tokens    map[string]string // access token → sub
	authorize []url.Values
	tokenReqs []url.Values
}

type authCode struct {
	redirectURI, nonce, challenge, sub string
}

// Start runs a provider until the test ends. Its user is "user-123",
// alice@example.com (verified).
func Start(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{
		ClientID: DefaultClientID, ClientSecret: DefaultClientSecret, key: key, forged: forged,
		settings: Settings{
			Subject:  "user-123",
			Claims:   map[string]any{"email": "alice@example.com", "email_verified": true},
			UserInfo: map[string]any{"email": "alice@example.com", "name": "Alice Example", "locale": "en-GB"},
		},
		codes: map[string]authCode{}, tokens: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("/authorize", p.authorizeEndpoint)
	mux.HandleFunc("/token", p.tokenEndpoint)
	mux.HandleFunc("/userinfo", p.userinfo)
	mux.HandleFunc("/jwks", p.jwks)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// Update changes the settings under the provider's lock.
func (p *Provider) Update(fn func(s *Settings)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&p.settings)
}

func (p *Provider) current() Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.settings
}

// AuthorizeRequests returns the authorization requests received so far.
func (p *Provider) AuthorizeRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.authorize...)
}

// TokenRequests returns the token requests received so far.
func (p *Provider) TokenRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.tokenReqs...)
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	u := p.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                u,
		"authorization_endpoint":                u + "/authorize",
		"token_endpoint":                        u + "/token",
		"userinfo_endpoint":                     u + "/userinfo",
		"jwks_uri":                              u + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
	})
}

// authorizeEndpoint approves (or, with Deny, refuses) at once and
// redirects back: a query for GET-style responses, an auto-posting form
// for response_mode=form_post.
func (p *Provider) authorizeEndpoint(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authorize = append(p.authorize, q)
	p.mu.Unlock()
	if q.Get("client_id") != p.ClientID {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" {
		http.Error(w, "unsupported response_type", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" {
		http.Error(w, "only S256", http.StatusBadRequest)
		return
	}
	s := p.current()
	resp := url.Values{}
	if s.Deny {
		resp.Set("error", "access_denied")
		resp.Set("error_description", "The user denied the request.")
	} else {
		code := token(16)
		p.mu.Lock()
		p.codes[code] = authCode{redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), sub: s.Subject}
		p.mu.Unlock()
		resp.Set("code", code)
	}
	if st := q.Get("state"); st != "" {
		resp.Set("state", st)
	}
	if q.Get("response_mode") == "form_post" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString(`<!doctype html><form method="post" action="` + htmlEscape(redirect.String()) + `">`)
		for k, vs := range resp {
			for _, v := range vs {
				b.WriteString(`<input type="hidden" name="` + htmlEscape(k) + `" value="` + htmlEscape(v) + `">`)
			}
		}
		b.WriteString(`</form><script>document.forms[0].submit()</script>`)
		_, _ = w.Write([]byte(b.String()))
		return
	}
	rq := redirect.Query()
	for k, vs := range resp {
		rq[k] = vs
	}
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}

func (p *Provider) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	p.mu.Lock()
	p.tokenReqs = append(p.tokenReqs, f)
	p.mu.Unlock()
	clientID, secret, ok := r.BasicAuth()
	if !ok {
		clientID, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if clientID != p.ClientID || secret != p.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	p.mu.Lock()
	c, ok := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code"))
	p.mu.Unlock()
	if !ok || c.redirectURI != f.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown code or redirect_uri mismatch")
		return
	}
	if c.challenge != "" {
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return
		}
	}
	s := p.current()
	access := token(24)
	p.mu.Lock()
	p.tokens[access] = c.sub
	p.mu.Unlock()

	now := time.Now()
	aud := s.Audience
	if aud == "" {
		aud = p.ClientID
	}
	nonce := c.nonce
	if s.Nonce != nil {
		nonce = *s.Nonce
	}
	claims := map[string]any{
		"iss": p.URL, "sub": c.sub, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(time.Hour + s.ExpOffset).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range s.Claims {
		claims[k] = v
	}
	key := p.key
	if s.Forge {
		key = p.forged
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	idToken, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken,
	})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	sub, ok := p.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	info := p.settings.UserInfo
	p.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	out := map[string]any{"sub": sub}
	for k, v := range info {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig",
	}}})
}
