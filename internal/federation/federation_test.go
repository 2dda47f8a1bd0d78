package federation

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
)

const redirectURI = "https://pool.auth.localhost/oauth2/idpresponse"

func oidcProvider(op *testOP) Provider {
	return Provider{
		Name: "MyOIDC",
		Type: TypeOIDC,
		Details: map[string]string{
			"client_id":                 op.clientID,
			"client_secret":             "upstream-secret",
			"oidc_issuer":               op.URL(),
			"authorize_scopes":          "openid email profile",
			"attributes_request_method": "GET",
		},
		AttributeMapping: map[string]string{
			"username":       "sub",
			"email":          "email",
			"email_verified": "email_verified",
			"name":           "name",
		},
	}
}

// signIn runs the whole upstream round trip and returns the identity.
func signIn(t *testing.T, c Connector, exchangeNonce func(string) string, exchangeVerifier func(string) string) (*Identity, error) {
	t.Helper()
	nonce := NewNonce()
	verifier, challenge := NewPKCE()
	state := "st-" + NewNonce()
	u, err := c.AuthCodeURL(state, nonce, challenge, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	back := browse(t, u, redirectURI)
	if back.Get("state") != state {
		t.Fatalf("state came back as %q", back.Get("state"))
	}
	if exchangeNonce != nil {
		nonce = exchangeNonce(nonce)
	}
	if exchangeVerifier != nil {
		verifier = exchangeVerifier(verifier)
	}
	return c.Exchange(context.Background(), back.Get("code"), verifier, redirectURI, nonce)
}

func TestOIDCDiscoveryFlow(t *testing.T) {
	op := newTestOP(t)
	p := oidcProvider(op)
	c, err := New(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := signIn(t, c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if op.discoveryHits != 1 {
		t.Errorf("discovery hits = %d, want 1", op.discoveryHits)
	}
	a := op.lastAuthorize
	if a.Get("nonce") == "" || a.Get("code_challenge") == "" || a.Get("code_challenge_method") != "S256" {
		t.Errorf("authorize request lacks nonce/PKCE: %v", a)
	}
	if a.Get("scope") != "openid email profile" || a.Get("redirect_uri") != redirectURI {
		t.Errorf("authorize request: %v", a)
	}
	if op.lastToken.Get("client_secret") != "upstream-secret" || op.lastToken.Get("code_verifier") == "" {
		t.Errorf("token request: %v", op.lastToken)
	}
	if id.Subject != "user-123" || id.ProviderName != "MyOIDC" || id.ProviderType != TypeOIDC {
		t.Errorf("identity = %+v", id)
	}
	if id.Claims["email"] != "alice@example.com" || id.Claims["name"] != "Alice Example" {
		t.Errorf("claims = %v", id.Claims)
	}
	// name is not in the id token, so userinfo was called, with GET.
	if len(op.userinfoCalls) != 1 || op.userinfoCalls[0] != http.MethodGet {
		t.Errorf("userinfo calls = %v", op.userinfoCalls)
	}
	got := Map(p, id)
	want := map[string]string{"email": "alice@example.com", "email_verified": "true", "name": "Alice Example"}
	if len(got) != len(want) {
		t.Errorf("Map = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Map[%s] = %q, want %q", k, got[k], v)
		}
	}
	if u := Username(p, id); u != "MyOIDC_user-123" {
		t.Errorf("Username = %q", u)
	}

	// A second sign-in reuses the discovered configuration.
	if _, err := signIn(t, c, nil, nil); err != nil {
		t.Fatal(err)
	}
	if op.discoveryHits != 1 {
		t.Errorf("discovery hits = %d after second sign-in", op.discoveryHits)
	}
}

func TestOIDCUserInfoPOST(t *testing.T) {
	op := newTestOP(t)
	p := oidcProvider(op)
	p.Details["attributes_request_method"] = "POST"
	c, err := New(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signIn(t, c, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(op.userinfoCalls) != 1 || op.userinfoCalls[0] != http.MethodPost {
		t.Errorf("userinfo calls = %v", op.userinfoCalls)
	}

	// Cognito reads userInfo at every sign-in, even when the id token
	// already carries every mapped claim.
	op.userinfoCalls = nil
	p.AttributeMapping = map[string]string{"email": "email", "username": "sub"}
	c, _ = New(p, nil, nil)
	if _, err := signIn(t, c, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(op.userinfoCalls) != 1 {
		t.Errorf("userinfo calls = %v, want one", op.userinfoCalls)
	}
}

func TestOIDCUserInfoSubMismatch(t *testing.T) {
	op := newTestOP(t)
	op.info["sub"] = "somebody-else"
	c, _ := New(oidcProvider(op), nil, nil)
	if _, err := signIn(t, c, nil, nil); err == nil || !strings.Contains(err.Error(), "userinfo sub") {
		t.Fatalf("err = %v, want userinfo sub mismatch", err)
	}
}

func TestOIDCExplicitEndpoints(t *testing.T) {
	op := newTestOP(t)
	p := oidcProvider(op)
	p.Details["authorize_url"] = op.URL() + "/authorize"
	p.Details["token_url"] = op.URL() + "/token"
	p.Details["attributes_url"] = op.URL() + "/userinfo"
	p.Details["jwks_uri"] = op.URL() + "/jwks"
	c, err := New(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := signIn(t, c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if op.discoveryHits != 0 {
		t.Errorf("discovery used despite explicit endpoints")
	}
	if id.Claims["name"] != "Alice Example" {
		t.Errorf("claims = %v", id.Claims)
	}
}

func TestOIDCRejections(t *testing.T) {
	t.Run("nonce mismatch", func(t *testing.T) {
		op := newTestOP(t)
		c, _ := New(oidcProvider(op), nil, nil)
		_, err := signIn(t, c, func(string) string { return "another-nonce" }, nil)
		if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "nonce") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("nonce replaced by provider", func(t *testing.T) {
		op := newTestOP(t)
		bad := "forged"
		op.nonceOver = &bad
		c, _ := New(oidcProvider(op), nil, nil)
		if _, err := signIn(t, c, nil, nil); err == nil || !strings.Contains(err.Error(), "nonce") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong audience", func(t *testing.T) {
		op := newTestOP(t)
		op.audience = "someone-else"
		c, _ := New(oidcProvider(op), nil, nil)
		_, err := signIn(t, c, nil, nil)
		if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "audience") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("expired id token", func(t *testing.T) {
		op := newTestOP(t)
		op.expOffset = -2 * time.Hour
		c, _ := New(oidcProvider(op), nil, nil)
		_, err := signIn(t, c, nil, nil)
		var te *oidc.TokenExpiredError
		if !errors.Is(err, ErrUpstream) || !errors.As(err, &te) {
			t.Fatalf("err = %v, want TokenExpiredError", err)
		}
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		op := newTestOP(t)
		c, _ := New(oidcProvider(op), nil, nil)
		_, err := signIn(t, c, nil, func(string) string { v, _ := NewPKCE(); return v })
		var re *oauth2.RetrieveError
		if !errors.Is(err, ErrUpstream) || !errors.As(err, &re) || re.ErrorCode != "invalid_grant" ||
			!strings.Contains(err.Error(), "PKCE verification failed") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		op := newTestOP(t)
		p := oidcProvider(op)
		p.Details["client_secret"] = "nope"
		c, _ := New(p, nil, nil)
		if _, err := signIn(t, c, nil, nil); err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("code used twice", func(t *testing.T) {
		op := newTestOP(t)
		c, _ := New(oidcProvider(op), nil, nil)
		verifier, challenge := NewPKCE()
		u, _ := c.AuthCodeURL("s", "n", challenge, redirectURI)
		code := browse(t, u, redirectURI).Get("code")
		if _, err := c.Exchange(context.Background(), code, verifier, redirectURI, "n"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exchange(context.Background(), code, verifier, redirectURI, "n"); err == nil {
			t.Fatal("second exchange of a code succeeded")
		}
	})
	t.Run("issuer mismatch at discovery", func(t *testing.T) {
		op := newTestOP(t)
		p := oidcProvider(op)
		p.Details["oidc_issuer"] = op.URL() + "/"
		c, _ := New(p, nil, nil)
		if _, err := c.AuthCodeURL("s", "n", "", redirectURI); !errors.Is(err, ErrUpstream) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGoogleWithOverrides(t *testing.T) {
	op := newTestOP(t)
	p := Provider{
		Name: "Google", Type: TypeGoogle,
		Details:          map[string]string{"client_id": op.clientID, "client_secret": "upstream-secret", "authorize_scopes": "profile email openid"},
		AttributeMapping: map[string]string{"email": "email", "username": "sub"},
	}
	for name, ov := range map[string]Endpoints{
		"discovery": {Issuer: op.URL()},
		"explicit": {Issuer: op.URL(), AuthorizeURL: op.URL() + "/authorize", TokenURL: op.URL() + "/token",
			UserInfoURL: op.URL() + "/userinfo", JWKSURL: op.URL() + "/jwks"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := New(p, Overrides{TypeGoogle: ov}, nil)
			if err != nil {
				t.Fatal(err)
			}
			id, err := signIn(t, c, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if u := Username(p, id); u != "Google_user-123" {
				t.Errorf("Username = %q", u)
			}
			if id.ProviderType != TypeGoogle {
				t.Errorf("type = %q", id.ProviderType)
			}
		})
	}
	// Without overrides it points at Google.
	c, err := New(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.AuthCodeURL("s", "n", "", redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://accounts.google.com/o/oauth2/v2/auth?") {
		t.Errorf("Google AuthCodeURL = %s", u)
	}
}

func TestSignInWithApple(t *testing.T) {
	op := newTestOP(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	op.checkSecret = func(s string) bool {
		secrets = append(secrets, s)
		tok, err := jwt.ParseSigned(s, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil || tok.Headers[0].KeyID != "KEY123" {
			return false
		}
		var c jwt.Claims
		if err := tok.Claims(&key.PublicKey, &c); err != nil {
			return false
		}
		return c.Issuer == "TEAM123" && c.Subject == op.clientID && c.Audience.Contains(op.URL()) &&
			c.ValidateWithLeeway(jwt.Expected{Time: time.Now()}, 0) == nil
	}
	p := Provider{
		Name: "SignInWithApple", Type: TypeSignInWithApple,
		Details: map[string]string{
			"client_id": op.clientID, "team_id": "TEAM123", "key_id": "KEY123",
			"private_key":      string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
			"authorize_scopes": "email name",
		},
		AttributeMapping: map[string]string{"email": "email", "username": "sub"},
	}
	ov := Overrides{TypeSignInWithApple: {Issuer: op.URL(), AuthorizeURL: op.URL() + "/authorize",
		TokenURL: op.URL() + "/token", JWKSURL: op.URL() + "/jwks"}}
	c, err := New(p, ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := signIn(t, c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets) != 1 {
		t.Fatalf("client secrets seen: %d", len(secrets))
	}
	a := op.lastAuthorize
	if a.Get("response_mode") != "form_post" || a.Get("code_challenge") != "" || a.Get("scope") != "email name" {
		t.Errorf("apple authorize request: %v", a)
	}
	if Username(p, id) != "SignInWithApple_user-123" {
		t.Errorf("Username = %q", Username(p, id))
	}

	// The private key may be pasted without its PEM armour.
	p.Details["private_key"] = base64Body(der)
	if _, err := New(p, ov, nil); err != nil {
		t.Errorf("unarmoured key: %v", err)
	}
}

func base64Body(der []byte) string {
	s := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	s = strings.TrimPrefix(s, "-----BEGIN PRIVATE KEY-----\n")
	return strings.TrimSuffix(s, "-----END PRIVATE KEY-----\n")
}

// socialDouble is a small stand-in for Facebook's or Amazon's token and
// profile endpoints.
type socialDouble struct {
	srv          *httptest.Server
	tokenPath    string
	profilePath  string
	profile      map[string]any
	lastToken    url.Values
	lastProfile  *http.Request
	tokenFailure bool
}

func newSocialDouble(t *testing.T, tokenPath, profilePath string, profile map[string]any) *socialDouble {
	d := &socialDouble{tokenPath: tokenPath, profilePath: profilePath, profile: profile}
	mux := http.NewServeMux()
	mux.HandleFunc(tokenPath, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		d.lastToken = r.PostForm
		if d.tokenFailure || r.PostForm.Get("client_secret") != "social-secret" || r.PostForm.Get("code") != "the-code" {
			oauthErr(w, 400, "invalid_grant", "bad code")
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": "social-access", "token_type": "bearer", "expires_in": 5183944})
	})
	mux.HandleFunc(profilePath, func(w http.ResponseWriter, r *http.Request) {
		d.lastProfile = r
		if r.Header.Get("Authorization") != "Bearer social-access" {
			http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
			return
		}
		writeJSON(w, 200, d.profile)
	})
	d.srv = httptest.NewServer(mux)
	t.Cleanup(d.srv.Close)
	return d
}

func TestFacebook(t *testing.T) {
	d := newSocialDouble(t, "/v21.0/oauth/access_token", "/me", map[string]any{
		"id": "10155", "name": "Bob Example", "email": "bob@example.com",
	})
	p := Provider{
		Name: "Facebook", Type: TypeFacebook,
		Details:          map[string]string{"client_id": "fb-app", "client_secret": "social-secret", "authorize_scopes": "public_profile,email"},
		AttributeMapping: map[string]string{"username": "id", "email": "email", "name": "name"},
	}
	ov := Overrides{TypeFacebook: {AuthorizeURL: d.srv.URL + "/dialog/oauth", TokenURL: d.srv.URL + d.tokenPath, UserInfoURL: d.srv.URL + d.profilePath}}
	c, err := New(p, ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	verifier, challenge := NewPKCE()
	u, err := c.AuthCodeURL("st", "ignored", challenge, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if pu.Path != "/dialog/oauth" || q.Get("client_id") != "fb-app" || q.Get("state") != "st" ||
		q.Get("scope") != "public_profile email" || q.Get("code_challenge") != challenge || q.Has("nonce") {
		t.Errorf("facebook AuthCodeURL = %s", u)
	}
	id, err := c.Exchange(context.Background(), "the-code", verifier, redirectURI, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.lastToken.Get("client_id") != "fb-app" || d.lastToken.Get("redirect_uri") != redirectURI || d.lastToken.Get("code_verifier") != verifier {
		t.Errorf("token request = %v", d.lastToken)
	}
	pq := d.lastProfile.URL.Query()
	if pq.Get("fields") != "email,id,name" {
		t.Errorf("fields = %q", pq.Get("fields"))
	}
	m := hmac.New(sha256.New, []byte("social-secret"))
	m.Write([]byte("social-access"))
	if pq.Get("appsecret_proof") != hex.EncodeToString(m.Sum(nil)) {
		t.Errorf("appsecret_proof = %q", pq.Get("appsecret_proof"))
	}
	if id.Subject != "10155" || Username(p, id) != "Facebook_10155" {
		t.Errorf("identity = %+v", id)
	}
	if got := Map(p, id); got["email"] != "bob@example.com" || got["name"] != "Bob Example" || len(got) != 2 {
		t.Errorf("Map = %v", got)
	}

	d.tokenFailure = true
	_, err = c.Exchange(context.Background(), "the-code", verifier, redirectURI, "")
	var re *oauth2.RetrieveError
	if !errors.Is(err, ErrUpstream) || !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("err = %v", err)
	}

	// Defaults point at Facebook with the configured API version.
	p.Details["api_version"] = "v17.0"
	c, _ = New(p, nil, nil)
	u, _ = c.AuthCodeURL("s", "", "", redirectURI)
	if !strings.HasPrefix(u, "https://www.facebook.com/v17.0/dialog/oauth?") {
		t.Errorf("default facebook URL = %s", u)
	}
}

func TestLoginWithAmazon(t *testing.T) {
	d := newSocialDouble(t, "/auth/o2/token", "/user/profile", map[string]any{
		"user_id": "amzn1.account.ABC", "name": "Carol", "email": "carol@example.com", "postal_code": "98101",
	})
	p := Provider{
		Name: "LoginWithAmazon", Type: TypeLoginWithAmazon,
		Details:          map[string]string{"client_id": "amzn1.application-oa2-client.x", "client_secret": "social-secret", "authorize_scopes": "profile postal_code"},
		AttributeMapping: map[string]string{"username": "user_id", "email": "email", "address": "postal_code"},
	}
	ov := Overrides{TypeLoginWithAmazon: {AuthorizeURL: d.srv.URL + "/ap/oa", TokenURL: d.srv.URL + d.tokenPath, UserInfoURL: d.srv.URL + d.profilePath}}
	c, err := New(p, ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Exchange(context.Background(), "the-code", "", redirectURI, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.lastProfile.URL.RawQuery != "" {
		t.Errorf("amazon profile query = %q", d.lastProfile.URL.RawQuery)
	}
	if Username(p, id) != "LoginWithAmazon_amzn1.account.ABC" {
		t.Errorf("Username = %q", Username(p, id))
	}
	if got := Map(p, id); got["email"] != "carol@example.com" || got["address"] != "98101" {
		t.Errorf("Map = %v", got)
	}
	d.profile = map[string]any{"name": "no id"}
	if _, err := c.Exchange(context.Background(), "the-code", "", redirectURI, ""); err == nil || !strings.Contains(err.Error(), "user_id") {
		t.Errorf("err = %v", err)
	}
	c, _ = New(p, nil, nil)
	u, _ := c.AuthCodeURL("s", "", "", redirectURI)
	if !strings.HasPrefix(u, "https://www.amazon.com/ap/oa?") {
		t.Errorf("default amazon URL = %s", u)
	}
}

func TestNewConfigErrors(t *testing.T) {
	base := func(typ string, kv ...string) Provider {
		d := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i]] = kv[i+1]
		}
		return Provider{Name: "P", Type: typ, Details: d}
	}
	for name, p := range map[string]Provider{
		"no name":            {Type: TypeOIDC, Details: map[string]string{"client_id": "c", "oidc_issuer": "https://x"}},
		"no client_id":       base(TypeOIDC, "oidc_issuer", "https://x"),
		"no issuer":          base(TypeOIDC, "client_id", "c"),
		"bad method":         base(TypeOIDC, "client_id", "c", "oidc_issuer", "https://x", "attributes_request_method", "PUT"),
		"partial endpoints":  base(TypeOIDC, "client_id", "c", "oidc_issuer", "https://x", "authorize_url", "https://x/a"),
		"google no secret":   base(TypeGoogle, "client_id", "c"),
		"facebook no secret": base(TypeFacebook, "client_id", "c"),
		"apple no team":      base(TypeSignInWithApple, "client_id", "c", "key_id", "k", "private_key", "x"),
		"apple bad key":      base(TypeSignInWithApple, "client_id", "c", "team_id", "t", "key_id", "k", "private_key", "garbage"),
		"saml":               base("SAML", "client_id", "c"),
		"unknown":            base("Twitter", "client_id", "c"),
	} {
		if _, err := New(p, nil, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	if _, err := New(base(TypeOIDC, "client_id", "c", "oidc_issuer", "https://x"), nil, nil); err != nil {
		t.Errorf("public OIDC client: %v", err)
	}
}

func TestMapRendering(t *testing.T) {
	p := Provider{AttributeMapping: map[string]string{
		"email_verified": "email_verified", "custom:flag": "flag", "custom:n": "n", "custom:big": "big",
		"updated_at": "updated_at", "address": "address", "custom:missing": "nope", "username": "sub",
		"phone_number": "phone",
	}}
	id := &Identity{Subject: "s", Claims: map[string]any{
		"sub": "s", "email_verified": false, "flag": true, "n": json.Number("42"), "big": float64(1700000000),
		"updated_at": 1.5, "address": map[string]any{"postal_code": "1"}, "phone": nil,
	}}
	got := Map(p, id)
	want := map[string]string{
		"email_verified": "false", "custom:flag": "true", "custom:n": "42", "custom:big": "1700000000",
		"updated_at": "1.5", "address": `{"postal_code":"1"}`,
	}
	if len(got) != len(want) {
		t.Errorf("Map = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Map[%s] = %q, want %q", k, got[k], v)
		}
	}
}

func TestIdentitiesAttribute(t *testing.T) {
	now := time.UnixMilli(1700000000123)
	g := &Identity{ProviderName: "Google", ProviderType: TypeGoogle, Subject: "1234"}
	v, err := IdentitiesAttribute("", g, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1700000000123}]`
	if v != want {
		t.Fatalf("got  %s\nwant %s", v, want)
	}
	// Signing in again changes nothing.
	again, err := IdentitiesAttribute(v, g, now.Add(time.Hour))
	if err != nil || again != v {
		t.Fatalf("again = %s, %v", again, err)
	}
	// Another provider is added, not primary; existing entries kept as is.
	o := &Identity{ProviderName: "MyOIDC", ProviderType: TypeOIDC, Subject: "abc"}
	two, err := IdentitiesAttribute(v, o, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var entries []IdentityEntry
	if err := json.Unmarshal([]byte(two), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("two = %s, %v", two, err)
	}
	if !entries[0].Primary || entries[1].Primary || entries[1].ProviderName != "MyOIDC" || entries[1].UserID != "abc" ||
		entries[1].DateCreated != now.Add(time.Hour).UnixMilli() || entries[1].Issuer != nil {
		t.Errorf("entries = %+v", entries)
	}
	if !strings.HasPrefix(two, strings.TrimSuffix(want, "]")+",") {
		t.Errorf("first entry changed: %s", two)
	}
	if _, err := IdentitiesAttribute("{not json", g, now); err == nil {
		t.Error("bad existing value accepted")
	}
	if _, err := IdentitiesAttribute("", &Identity{ProviderName: "Google"}, now); err == nil {
		t.Error("identity without subject accepted")
	}
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cogito.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	if err := st.CreatePool(ctx, &store.Pool{ID: "us-east-1_Test", Name: "test", Created: now, Modified: now, Config: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStateStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	orig := url.Values{"client_id": {"app1"}, "redirect_uri": {"https://app.example/cb"}, "state": {"app-state"}, "identity_provider": {"MyOIDC"}}
	verifier, _ := NewPKCE()
	rt := RoundTrip{Request: orig.Encode(), Provider: "MyOIDC", Nonce: NewNonce(), CodeVerifier: verifier}
	state, err := NewState(ctx, st, "us-east-1_Test", "app1", rt, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(state) < 40 {
		t.Errorf("state %q too short", state)
	}
	// Only a hash is stored.
	if _, err := st.GetAuthSession(ctx, state); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("state stored in the clear: %v", err)
	}
	var got RoundTrip
	if err := TakeState(ctx, st, state, &got); err != nil {
		t.Fatal(err)
	}
	if got != rt {
		t.Errorf("got %+v, want %+v", got, rt)
	}
	back, _ := url.ParseQuery(got.Request)
	if back.Get("redirect_uri") != "https://app.example/cb" {
		t.Errorf("request = %v", back)
	}
	if err := TakeState(ctx, st, state, &got); !errors.Is(err, ErrState) {
		t.Errorf("second take: %v", err)
	}
	if err := TakeState(ctx, st, "never-issued", nil); !errors.Is(err, ErrState) {
		t.Errorf("unknown state: %v", err)
	}
	if err := TakeState(ctx, st, "", nil); !errors.Is(err, ErrState) {
		t.Errorf("empty state: %v", err)
	}

	short, err := NewState(ctx, st, "us-east-1_Test", "app1", rt, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if err := TakeState(ctx, st, short, &got); !errors.Is(err, ErrState) {
		t.Errorf("expired state: %v", err)
	}
	if _, err := NewState(ctx, st, "us-east-1_Test", "app1", rt, 0); err == nil {
		t.Error("zero ttl accepted")
	}
	if _, err := NewState(ctx, st, "no-such-pool", "app1", rt, time.Minute); err == nil {
		t.Error("state for a missing pool stored")
	}
}
