package federation

// A minimal but real OpenID Provider for the tests: discovery, an
// authorization endpoint that approves a fixed user without any page,
// a token endpoint (authorization code → RS256 id token, PKCE S256 check,
// client_secret_post or basic), userinfo (GET or POST) and JWKS.

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

type testOP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	clientID string
	// checkSecret validates the client secret presented at the token
	// endpoint.
	checkSecret func(secret string) bool

	// The fixed user.
	sub    string
	claims map[string]any // id token claims beyond the registered ones
	info   map[string]any // userinfo claims beyond sub

	// Knobs for failure tests.
	audience  string        // id token aud; clientID when empty
	expOffset time.Duration // added to the id token's exp
	nonceOver *string       // replaces the requested nonce in the id token

	mu            sync.Mutex
	codes         map[string]opCode
	tokens        map[string]string // access token → sub
	discoveryHits int
	userinfoCalls []string // methods
	lastAuthorize url.Values
	lastToken     url.Values
}

type opCode struct {
	clientID, redirectURI, nonce, challenge string
}

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &testOP{
		t: t, key: key, clientID: "upstream-client",
		checkSecret: func(s string) bool { return s == "upstream-secret" },
		sub:         "user-123",
		claims:      map[string]any{"email": "alice@example.com", "email_verified": true},
		info:        map[string]any{"email": "alice@example.com", "name": "Alice Example", "locale": "en-GB"},
		codes:       map[string]opCode{}, tokens: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("/authorize", op.authorize)
	mux.HandleFunc("/token", op.token)
	mux.HandleFunc("/userinfo", op.userinfo)
	mux.HandleFunc("/jwks", op.jwks)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *testOP) URL() string { return op.srv.URL }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (op *testOP) discovery(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.discoveryHits++
	op.mu.Unlock()
	u := op.URL()
	writeJSON(w, 200, map[string]any{
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

// authorize approves the fixed user at once and redirects with a code.
func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	op.mu.Lock()
	op.lastAuthorize = q
	op.mu.Unlock()
	if q.Get("client_id") != op.clientID {
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
	code := randomToken(16)
	op.mu.Lock()
	op.codes[code] = opCode{clientID: op.clientID, redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	op.mu.Unlock()
	rq := redirect.Query()
	rq.Set("code", code)
	if s := q.Get("state"); s != "" {
		rq.Set("state", s)
	}
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthErr(w, 405, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(w, 400, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	op.mu.Lock()
	op.lastToken = f
	op.mu.Unlock()
	clientID, secret, ok := r.BasicAuth()
	if !ok {
		clientID, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if clientID != op.clientID || !op.checkSecret(secret) {
		oauthErr(w, 401, "invalid_client", "client authentication failed")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		oauthErr(w, 400, "unsupported_grant_type", "")
		return
	}
	op.mu.Lock()
	c, ok := op.codes[f.Get("code")]
	delete(op.codes, f.Get("code"))
	op.mu.Unlock()
	if !ok || c.clientID != clientID || c.redirectURI != f.Get("redirect_uri") {
		oauthErr(w, 400, "invalid_grant", "unknown code or redirect_uri mismatch")
		return
	}
	if c.challenge != "" {
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthErr(w, 400, "invalid_grant", "PKCE verification failed")
			return
		}
	}
	access := randomToken(24)
	op.mu.Lock()
	op.tokens[access] = op.sub
	op.mu.Unlock()

	now := time.Now()
	aud := op.audience
	if aud == "" {
		aud = op.clientID
	}
	nonce := c.nonce
	if op.nonceOver != nil {
		nonce = *op.nonceOver
	}
	claims := map[string]any{
		"iss": op.URL(), "sub": op.sub, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(time.Hour + op.expOffset).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range op.claims {
		claims[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: op.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		oauthErr(w, 500, "server_error", err.Error())
		return
	}
	idToken, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		oauthErr(w, 500, "server_error", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken,
	})
}

func (op *testOP) userinfo(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.userinfoCalls = append(op.userinfoCalls, r.Method)
	sub, ok := op.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	op.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	out := map[string]any{"sub": sub}
	for k, v := range op.info {
		out[k] = v
	}
	writeJSON(w, 200, out)
}

func (op *testOP) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &op.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// browse plays the browser: it follows the authorization URL to the
// redirect back to us (without fetching it) and returns that URL's query.
func browse(t *testing.T, authURL, redirectURI string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("redirected to %s, want %s", loc, redirectURI)
	}
	return loc.Query()
}
