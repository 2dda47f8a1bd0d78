package verifier_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cogito-idp/cogito/verifier"
)

const (
	poolID   = "us-east-1_TestPool1"
	clientID = "5p0c2kd1hr3ogm2e6d5n0i4k3a"
)

// RSA keys are slow to generate: make each once per test binary.
var (
	key1 = sync.OnceValue(func() *rsa.PrivateKey { return mustKey(2048) })
	key2 = sync.OnceValue(func() *rsa.PrivateKey { return mustKey(2048) })
	key3 = sync.OnceValue(func() *rsa.PrivateKey { return mustKey(2048) })
)

func mustKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// issuer serves a JWKS the test controls and counts how often it is fetched.
type issuer struct {
	srv     *httptest.Server
	fetches atomic.Int32

	mu      sync.Mutex
	keys    []jose.JSONWebKey // published as is (public parts only, see publish)
	rawJWKS string            // if set, served instead of keys
	headers http.Header
	status  int
	delay   time.Duration
}

func newIssuer(t testing.TB) *issuer {
	is := &issuer{status: http.StatusOK, headers: http.Header{}}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+poolID+"/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		is.fetches.Add(1)
		is.mu.Lock()
		delay, status, raw := is.delay, is.status, is.rawJWKS
		headers := is.headers.Clone()
		doc, err := json.Marshal(map[string]any{"keys": is.keys})
		is.mu.Unlock()
		if err != nil {
			panic(err)
		}
		if raw != "" {
			doc = []byte(raw)
		}
		time.Sleep(delay)
		maps.Copy(w.Header(), headers)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write(doc)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) URL() string { return is.srv.URL + "/" + poolID }

// publish replaces the JWKS with the public halves of keys, named kid-0, kid-1, ... unless
// given as kid=>key pairs through publishJWK.
func (is *issuer) publish(keys map[string]*rsa.PrivateKey) {
	var jwks []jose.JSONWebKey
	for kid, k := range keys {
		jwks = append(jwks, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "sig", Algorithm: "RS256"})
	}
	is.mu.Lock()
	is.keys = jwks
	is.mu.Unlock()
}

func (is *issuer) publishJWK(jwks ...jose.JSONWebKey) {
	is.mu.Lock()
	is.keys = jwks
	is.mu.Unlock()
}

func (is *issuer) setHeader(name, value string) {
	is.mu.Lock()
	is.headers.Set(name, value)
	is.mu.Unlock()
}

func (is *issuer) setStatus(status int) {
	is.mu.Lock()
	is.status = status
	is.mu.Unlock()
}

func (is *issuer) setDelay(d time.Duration) {
	is.mu.Lock()
	is.delay = d
	is.mu.Unlock()
}

type env struct {
	t     testing.TB
	is    *issuer
	clock *clock
	v     *verifier.Verifier
}

// newEnv starts an issuer publishing key1 as "kid-1" and a verifier for it accepting
// clientID, with cfg adjusted by mutate.
func newEnv(t testing.TB, mutate func(*verifier.Config)) *env {
	t.Helper()
	is := newIssuer(t)
	is.publish(map[string]*rsa.PrivateKey{"kid-1": key1()})
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	cfg := verifier.Config{
		Issuer:    is.URL(),
		ClientIDs: []string{clientID},
		Now:       clk.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{t: t, is: is, clock: clk, v: v}
}

// idClaims are the claims of a Cognito id token issued now by e's pool.
func (e *env) idClaims() map[string]any {
	now := e.clock.Now().Unix()
	return map[string]any{
		"sub":              "6c1f2a3e-0000-4000-8000-00000000beef",
		"aud":              clientID,
		"email_verified":   true,
		"cognito:groups":   []string{"admins", "staff"},
		"iss":              e.is.URL(),
		"cognito:username": "janedoe",
		"origin_jti":       "a1b2c3",
		"event_id":         "e1",
		"token_use":        "id",
		"auth_time":        now - 30,
		"exp":              now + 3600,
		"iat":              now,
		"jti":              "j1",
		"email":            "jane@example.com",
		"custom:tier":      "gold",
	}
}

// accessClaims are the claims of a Cognito access token issued now by e's pool.
func (e *env) accessClaims() map[string]any {
	now := e.clock.Now().Unix()
	return map[string]any{
		"sub":            "6c1f2a3e-0000-4000-8000-00000000beef",
		"cognito:groups": []string{"staff"},
		"iss":            e.is.URL(),
		"client_id":      clientID,
		"origin_jti":     "a1b2c3",
		"event_id":       "e1",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin orders/read",
		"auth_time":      now - 30,
		"exp":            now + 3600,
		"iat":            now,
		"jti":            "j2",
		"username":       "janedoe",
	}
}

func mint(t testing.TB, key any, kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	return tok
}

func mintWith(t testing.TB, key any, kid string, opts *jose.SignerOptions, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatalf("CompactSerialize: %v", err)
	}
	return tok
}

// rs256 mints a token signed by key1 as kid-1.
func rs256(t testing.TB, claims map[string]any) string {
	return mint(t, key1(), "kid-1", jose.RS256, claims)
}

func with(claims map[string]any, kv ...any) map[string]any {
	out := maps.Clone(claims)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func (e *env) mustVerify(token string) *verifier.Claims {
	e.t.Helper()
	c, err := e.v.Verify(context.Background(), token)
	if err != nil {
		e.t.Fatalf("Verify: %v", err)
	}
	return c
}

func (e *env) wantErr(token string, want error) {
	e.t.Helper()
	c, err := e.v.Verify(context.Background(), token)
	if !errors.Is(err, want) {
		e.t.Fatalf("Verify: err = %v, want %v (claims %+v)", err, want, c)
	}
	if c != nil {
		e.t.Fatalf("Verify returned claims with an error")
	}
}

func (e *env) wantFetches(n int32) {
	e.t.Helper()
	if got := e.is.fetches.Load(); got != n {
		e.t.Fatalf("JWKS fetched %d times, want %d", got, n)
	}
}

func TestVerifyIDToken(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.TokenUse = "id" })
	now := e.clock.Now()
	c := e.mustVerify(rs256(t, e.idClaims()))
	if c.Subject != "6c1f2a3e-0000-4000-8000-00000000beef" || c.Username != "janedoe" || c.TokenUse != "id" ||
		c.ClientID != clientID || c.Issuer != e.is.URL() || c.Scope != "" {
		t.Errorf("claims = %+v", c)
	}
	if strings.Join(c.Groups, ",") != "admins,staff" || !c.InGroup("admins") || c.InGroup("nobody") {
		t.Errorf("groups = %q", c.Groups)
	}
	if !c.ExpiresAt.Equal(now.Add(time.Hour)) || !c.IssuedAt.Equal(now) || !c.AuthTime.Equal(now.Add(-30*time.Second)) {
		t.Errorf("times: exp %v iat %v auth_time %v", c.ExpiresAt, c.IssuedAt, c.AuthTime)
	}
	if c.Raw["email"] != "jane@example.com" || c.Raw["custom:tier"] != "gold" || c.Raw["email_verified"] != true {
		t.Errorf("raw = %v", c.Raw)
	}
	e.wantFetches(1)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1) // cached
}

func TestVerifyAccessToken(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.TokenUse = "access" })
	c := e.mustVerify(rs256(t, e.accessClaims()))
	if c.Username != "janedoe" || c.TokenUse != "access" || c.ClientID != clientID ||
		c.Scope != "aws.cognito.signin.user.admin orders/read" || !c.HasScope("orders/read") || c.HasScope("orders") {
		t.Errorf("claims = %+v", c)
	}
	if _, hasAud := c.Raw["aud"]; hasAud {
		t.Errorf("access token claims have aud")
	}
}

func TestEitherTokenUse(t *testing.T) {
	e := newEnv(t, nil)
	if c := e.mustVerify(rs256(t, e.idClaims())); c.TokenUse != "id" {
		t.Errorf("token_use = %q", c.TokenUse)
	}
	if c := e.mustVerify(rs256(t, e.accessClaims())); c.TokenUse != "access" {
		t.Errorf("token_use = %q", c.TokenUse)
	}
}

func TestRejections(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now().Unix()
	id, access := e.idClaims(), e.accessClaims()
	good := rs256(t, id)
	parts := strings.Split(good, ".")

	// A payload changed after signing: admin rights granted to someone else.
	tampered := with(id, "cognito:groups", []string{"root"})
	tamperedPayload, _ := json.Marshal(tampered)
	tamperedToken := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedPayload) + "." + parts[2]
	// A signature with one bit flipped.
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[10] ^= 1
	badSig := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)

	noKid := mint(t, key1(), "", jose.RS256, id)
	withCrit := mintWith(t, key1(), "kid-1", (&jose.SignerOptions{}).WithHeader("exp-ext", 1).WithCritical("exp-ext"), id)
	unencoded := mintWith(t, key1(), "kid-1", (&jose.SignerOptions{}).WithBase64(false), id)

	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", rs256(t, with(id, "exp", now-1)), verifier.ErrExpired},
		{"expires now", rs256(t, with(access, "exp", now)), verifier.ErrExpired},
		{"issued in the future", rs256(t, with(id, "iat", now+60, "exp", now+3660)), verifier.ErrNotYetValid},
		{"nbf in the future", rs256(t, with(access, "nbf", now+60)), verifier.ErrNotYetValid},
		{"wrong iss", rs256(t, with(id, "iss", "https://cognito-idp.us-east-1.amazonaws.com/"+poolID)), verifier.ErrWrongIssuer},
		{"iss with trailing slash", rs256(t, with(id, "iss", e.is.URL()+"/")), verifier.ErrWrongIssuer},
		{"no iss", rs256(t, with(id, "iss", nil)), verifier.ErrWrongIssuer},
		{"wrong aud", rs256(t, with(id, "aud", "otherclient")), verifier.ErrWrongAudience},
		{"aud array without client", rs256(t, with(id, "aud", []string{"a", "b"})), verifier.ErrWrongAudience},
		{"no aud", rs256(t, with(id, "aud", nil)), verifier.ErrWrongAudience},
		{"wrong client_id", rs256(t, with(access, "client_id", "otherclient")), verifier.ErrWrongAudience},
		{"access token with aud but no client_id", rs256(t, with(access, "client_id", nil, "aud", clientID)), verifier.ErrWrongAudience},
		{"token_use refresh", rs256(t, with(id, "token_use", "refresh")), verifier.ErrWrongTokenUse},
		{"no token_use", rs256(t, with(id, "token_use", nil)), verifier.ErrWrongTokenUse},
		{"tampered payload", tamperedToken, verifier.ErrInvalidSignature},
		{"tampered signature", badSig, verifier.ErrInvalidSignature},
		{"signature stripped", parts[0] + "." + parts[1] + ".", verifier.ErrInvalidSignature},
		{"no kid", noKid, verifier.ErrMalformed},
		{"crit extension", withCrit, verifier.ErrMalformed},
		{"unencoded payload (RFC 7797)", unencoded, verifier.ErrMalformed},
		{"padded signature", good + "==", verifier.ErrMalformed},
		{"padded header", parts[0] + "=." + parts[1] + "." + parts[2], verifier.ErrMalformed},
		{"five parts (JWE)", good + ".x.y", verifier.ErrMalformed},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("RS256")) + "." + parts[1] + "." + parts[2], verifier.ErrMalformed},
		{"no exp", rs256(t, with(id, "exp", nil)), verifier.ErrMalformed},
		{"exp as a string", rs256(t, with(id, "exp", fmt.Sprint(now+3600))), verifier.ErrMalformed},
		{"sub as a number", rs256(t, with(id, "sub", 42)), verifier.ErrMalformed},
		{"groups as a string", rs256(t, with(id, "cognito:groups", "admins")), verifier.ErrMalformed},
		{"empty", "", verifier.ErrMalformed},
		{"garbage", "not-a-jwt", verifier.ErrMalformed},
		{"two parts", parts[0] + "." + parts[1], verifier.ErrMalformed},
		{"payload not JSON", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("hello")) + "." + parts[2], verifier.ErrMalformed},
		{"huge", strings.Repeat("a", 70<<10), verifier.ErrMalformed},
		{"JSON serialization", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, verifier.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.wantErr(tc.token, tc.want)
		})
	}
	e.t = t
	e.mustVerify(good)
}

func TestWrongTokenUse(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.TokenUse = "access" })
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrWrongTokenUse)
	e2 := newEnv(t, func(c *verifier.Config) { c.TokenUse = "id" })
	e2.wantErr(rs256(t, e2.accessClaims()), verifier.ErrWrongTokenUse)
}

func TestLeeway(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.Leeway = 30 * time.Second })
	now := e.clock.Now().Unix()
	e.mustVerify(rs256(t, with(e.idClaims(), "exp", now-29)))
	e.wantErr(rs256(t, with(e.idClaims(), "exp", now-30)), verifier.ErrExpired)
	e.mustVerify(rs256(t, with(e.idClaims(), "iat", now+29)))
	e.wantErr(rs256(t, with(e.idClaims(), "iat", now+31)), verifier.ErrNotYetValid)
	e.mustVerify(rs256(t, with(e.accessClaims(), "nbf", now+30)))
	e.wantErr(rs256(t, with(e.accessClaims(), "nbf", now+31)), verifier.ErrNotYetValid)
}

func TestClientIDs(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.ClientIDs = []string{"first", clientID} })
	if c := e.mustVerify(rs256(t, with(e.idClaims(), "aud", []string{"unrelated", clientID}))); c.ClientID != clientID {
		t.Errorf("ClientID = %q, want the allowed one", c.ClientID)
	}
	e.mustVerify(rs256(t, with(e.accessClaims(), "client_id", "first")))

	anyClient := newEnv(t, func(c *verifier.Config) { c.ClientIDs, c.AllowAnyClient = nil, true })
	if c := anyClient.mustVerify(rs256(t, with(anyClient.idClaims(), "aud", "whatever"))); c.ClientID != "whatever" {
		t.Errorf("ClientID = %q", c.ClientID)
	}
	anyClient.mustVerify(rs256(t, with(anyClient.accessClaims(), "client_id", "another")))
}

func TestGroups(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.Groups = []string{"admins", "auditors"} })
	e.mustVerify(rs256(t, e.idClaims())) // admins
	e.wantErr(rs256(t, e.accessClaims()), verifier.ErrGroup)
	e.wantErr(rs256(t, with(e.idClaims(), "cognito:groups", nil)), verifier.ErrGroup)
	e.mustVerify(rs256(t, with(e.accessClaims(), "cognito:groups", []string{"auditors"})))
}

func TestScopes(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.Scopes = []string{"orders/write", "orders/read"} })
	e.mustVerify(rs256(t, e.accessClaims()))
	e.wantErr(rs256(t, with(e.accessClaims(), "scope", "aws.cognito.signin.user.admin")), verifier.ErrScope)
	e.wantErr(rs256(t, with(e.accessClaims(), "scope", nil)), verifier.ErrScope)
	e.wantErr(rs256(t, with(e.accessClaims(), "scope", "orders/readonly")), verifier.ErrScope) // whole words only
	// An id token has no scope: with scopes configured it is refused, as API Gateway does.
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrScope)
}

func TestNewValidation(t *testing.T) {
	_, err := verifier.New(verifier.Config{})
	if err == nil || !strings.Contains(err.Error(), "Issuer is required") || !strings.Contains(err.Error(), "AllowAnyClient") {
		t.Errorf("empty config: %v", err)
	}
	bad := []verifier.Config{
		{Issuer: "us-east-1_abc", AllowAnyClient: true},
		{Issuer: "http://x/p", ClientIDs: []string{"a"}, AllowAnyClient: true},
		{Issuer: "http://x/p", ClientIDs: []string{""}},
		{Issuer: "http://x/p", AllowAnyClient: true, TokenUse: "refresh"},
		{Issuer: "http://x/p", AllowAnyClient: true, TokenUse: "id", Scopes: []string{"a/b"}},
		{Issuer: "http://x/p", AllowAnyClient: true, Leeway: -time.Second},
		{Issuer: "http://x/p", AllowAnyClient: true, MinRefetchInterval: -time.Second},
		{Issuer: "http://x/p", AllowAnyClient: true, JWKSURL: "/jwks.json"},
	}
	for i, cfg := range bad {
		if _, err := verifier.New(cfg); err == nil {
			t.Errorf("config %d accepted: %+v", i, cfg)
		}
	}
	if _, err := verifier.New(verifier.Config{Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", ClientIDs: []string{"c"}}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// Algorithms other than RS256 are refused before any key is used, whatever the key: the
// classic attacks are alg "none" and HS256 keyed with the issuer's public key.
func TestAlgorithmConfusion(t *testing.T) {
	e := newEnv(t, nil)
	claims := e.idClaims()
	payload, _ := json.Marshal(claims)
	b64 := base64.RawURLEncoding.EncodeToString

	for _, header := range []string{
		`{"alg":"none","kid":"kid-1"}`,
		`{"alg":"None","kid":"kid-1"}`,
		`{"alg":"none"}`,
		`{"alg":"","kid":"kid-1"}`,
	} {
		e.wantErrAny(b64([]byte(header))+"."+b64(payload)+".", verifier.ErrInvalidSignature, verifier.ErrMalformed)
	}

	// HS256 with the public key, in the forms an attacker would try, as the HMAC secret.
	der, err := x509.MarshalPKIXPublicKey(&key1().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for _, secret := range [][]byte{der, pemKey, key1().PublicKey.N.Bytes()} {
		tok := mint(t, secret, "kid-1", jose.HS256, claims)
		e.wantErr(tok, verifier.ErrInvalidSignature)
	}

	// Other RSA algorithms with the right key and kid.
	for _, alg := range []jose.SignatureAlgorithm{jose.RS384, jose.RS512, jose.PS256} {
		e.wantErr(mint(t, key1(), "kid-1", alg, claims), verifier.ErrInvalidSignature)
	}
	e.mustVerify(rs256(t, claims))
}

func (e *env) wantErrAny(token string, want ...error) {
	e.t.Helper()
	_, err := e.v.Verify(context.Background(), token)
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	e.t.Fatalf("Verify(%s): err = %v, want one of %v", token, err, want)
}

// Keys the JWKS marks for encryption, for another algorithm, too short, or that are not
// RSA public keys are never used.
func TestJWKSFilter(t *testing.T) {
	e := newEnv(t, nil)
	small := mustKey(1024)
	hmacSecret := []byte("0123456789abcdef0123456789abcdef")
	e.is.publishJWK(
		jose.JSONWebKey{Key: &key1().PublicKey, KeyID: "kid-1", Use: "sig", Algorithm: "RS256"},
		jose.JSONWebKey{Key: &key2().PublicKey, KeyID: "enc", Use: "enc", Algorithm: "RSA-OAEP"},
		jose.JSONWebKey{Key: &key3().PublicKey, KeyID: "rs384", Use: "sig", Algorithm: "RS384"},
		jose.JSONWebKey{Key: &small.PublicKey, KeyID: "small", Use: "sig", Algorithm: "RS256"},
		jose.JSONWebKey{Key: hmacSecret, KeyID: "oct", Use: "sig"},
		jose.JSONWebKey{Key: key2(), KeyID: "private", Use: "sig", Algorithm: "RS256"},
		jose.JSONWebKey{Key: hugeKey(), KeyID: "huge", Use: "sig", Algorithm: "RS256"},
	)
	claims := e.idClaims()
	e.mustVerify(rs256(t, claims))
	e.wantErr(mint(t, key2(), "enc", jose.RS256, claims), verifier.ErrUnknownKey)
	e.wantErr(mint(t, key3(), "rs384", jose.RS256, claims), verifier.ErrUnknownKey)
	e.wantErr(mint(t, small, "small", jose.RS256, claims), verifier.ErrUnknownKey)
	e.wantErr(mint(t, key2(), "private", jose.RS256, claims), verifier.ErrUnknownKey)
	e.wantErr(mint(t, hmacSecret, "oct", jose.HS256, claims), verifier.ErrInvalidSignature)
	e.wantErr(mint(t, key2(), "huge", jose.RS256, claims), verifier.ErrUnknownKey)
	// A key published without use or alg (both optional in RFC 7517) is usable.
	e.is.publishJWK(jose.JSONWebKey{Key: &key2().PublicKey, KeyID: "bare"})
	e.clock.Advance(2 * time.Hour)
	e.mustVerify(mint(t, key2(), "bare", jose.RS256, e.idClaims()))
}

// hugeKey is a 16384-bit RSA public key. Only its size matters: a key that long would make
// every verification costly, so it must be ignored (go-jose's JWK parser refuses it first;
// the verifier's own bound does not depend on go-jose's settable limit).
func hugeKey() *rsa.PublicKey {
	n, err := rand.Prime(rand.Reader, 64)
	if err != nil {
		panic(err)
	}
	n.Lsh(n, 16384-64).SetBit(n, 0, 1)
	return &rsa.PublicKey{N: n, E: 65537}
}

// A token whose kid is not cached makes the verifier fetch the JWKS once more, then fail.
func TestUnknownKeyRefetchesOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1)
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	forged := mint(t, key2(), "kid-evil", jose.RS256, e.idClaims())
	e.wantErr(forged, verifier.ErrUnknownKey)
	e.wantFetches(2)
	e.wantErr(forged, verifier.ErrUnknownKey) // within the rate limit: no fetch
	e.wantFetches(2)
	// A token signed by another key under a published kid fails its signature, no fetch.
	e.wantErr(mint(t, key2(), "kid-1", jose.RS256, e.idClaims()), verifier.ErrInvalidSignature)
	e.wantFetches(2)
	// The first fetch counts too: a brand-new verifier fetches once for an unknown kid.
	e2 := newEnv(t, nil)
	e2.wantErr(mint(t, key2(), "kid-evil", jose.RS256, e2.idClaims()), verifier.ErrUnknownKey)
	e2.wantFetches(1)
}

// A flood of tokens with forged kids costs the issuer one request per MinRefetchInterval.
func TestUnknownKidFloodIsRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	e.mustVerify(rs256(t, e.idClaims()))
	e.clock.Advance(time.Minute)

	const n = 200
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = mint(t, key2(), fmt.Sprintf("forged-%d", i), jose.RS256, e.idClaims())
	}
	var wg sync.WaitGroup
	var unknown atomic.Int32
	for _, tok := range tokens[:n/2] {
		wg.Go(func() {
			if _, err := e.v.Verify(context.Background(), tok); errors.Is(err, verifier.ErrUnknownKey) {
				unknown.Add(1)
			}
		})
	}
	wg.Wait()
	for _, tok := range tokens[n/2:] {
		e.wantErr(tok, verifier.ErrUnknownKey)
	}
	if unknown.Load() != n/2 {
		t.Errorf("%d of %d concurrent forged tokens failed with ErrUnknownKey", unknown.Load(), n/2)
	}
	e.wantFetches(2)
	// Genuine tokens are unaffected.
	e.mustVerify(rs256(t, e.accessClaims()))
	e.wantFetches(2)
	// Once the interval has passed, the next unknown kid may fetch again.
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	e.wantErr(tokens[0], verifier.ErrUnknownKey)
	e.wantFetches(3)
}

func TestMinRefetchIntervalConfigurable(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) { c.MinRefetchInterval = time.Minute })
	e.mustVerify(rs256(t, e.idClaims()))
	forged := mint(t, key2(), "kid-2", jose.RS256, e.idClaims())
	e.clock.Advance(59 * time.Second)
	e.wantErr(forged, verifier.ErrUnknownKey)
	e.wantFetches(1)
	e.clock.Advance(time.Second)
	e.wantErr(forged, verifier.ErrUnknownKey)
	e.wantFetches(2)
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t, nil)
	oldToken := rs256(t, e.idClaims())
	e.mustVerify(oldToken)
	e.wantFetches(1)

	// The issuer publishes a new key next to the old one and signs with it.
	e.is.publish(map[string]*rsa.PrivateKey{"kid-1": key1(), "kid-2": key2()})
	e.clock.Advance(time.Minute)
	newToken := mint(t, key2(), "kid-2", jose.RS256, e.idClaims())
	if c := e.mustVerify(newToken); c.Username != "janedoe" {
		t.Errorf("claims = %+v", c)
	}
	e.wantFetches(2)
	e.mustVerify(newToken)
	e.mustVerify(rs256(t, e.idClaims())) // old key still published: still verifies
	e.wantFetches(2)

	// The old key is withdrawn; once the cache expires, tokens signed by it stop verifying.
	e.is.publish(map[string]*rsa.PrivateKey{"kid-2": key2()})
	e.clock.Advance(verifier.DefaultCacheTTL)
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrUnknownKey)
	e.wantFetches(3)
	e.mustVerify(mint(t, key2(), "kid-2", jose.RS256, e.idClaims()))
	e.wantFetches(3)
}

func TestCacheControlMaxAge(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setHeader("Cache-Control", "public, max-age=300")
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1)
	e.clock.Advance(299 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1)
	e.clock.Advance(2 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
	e.clock.Advance(299 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

func TestCacheControlMaxAgeLessAge(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setHeader("Cache-Control", "max-age=300")
	e.is.setHeader("Age", "200") // served by a CDN that has held it 200 s
	e.mustVerify(rs256(t, e.idClaims()))
	e.clock.Advance(101 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

func TestExpiresHeader(t *testing.T) {
	e := newEnv(t, nil)
	// The server's clock (Date) is an hour ahead of ours: the lifetime is Expires - Date.
	serverNow := e.clock.Now().Add(time.Hour)
	e.is.setHeader("Date", serverNow.Format(http.TimeFormat))
	e.is.setHeader("Expires", serverNow.Add(120*time.Second).Format(http.TimeFormat))
	e.mustVerify(rs256(t, e.idClaims()))
	e.clock.Advance(119 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1)
	e.clock.Advance(2 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

func TestDefaultCacheTTL(t *testing.T) {
	e := newEnv(t, nil)
	e.mustVerify(rs256(t, e.idClaims()))
	e.clock.Advance(verifier.DefaultCacheTTL - time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(1)
	e.clock.Advance(2 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

func TestCacheTTLCapped(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setHeader("Cache-Control", "max-age=31536000") // a year
	e.mustVerify(rs256(t, e.idClaims()))
	e.clock.Advance(verifier.MaxCacheTTL + time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

// no-store asks for a fetch on every use; the rate limit still holds it to one per interval.
func TestNoStoreIsRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setHeader("Cache-Control", "no-store")
	for range 50 {
		e.mustVerify(rs256(t, e.idClaims()))
		e.clock.Advance(100 * time.Millisecond)
	}
	e.wantFetches(1)
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
}

// When refetching an expired JWKS fails, the cached keys stay in use up to MaxStale.
func TestStaleKeysDuringOutage(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setHeader("Cache-Control", "max-age=60")
	e.mustVerify(rs256(t, e.idClaims()))

	e.is.setStatus(http.StatusServiceUnavailable)
	e.clock.Advance(61 * time.Second)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)
	e.mustVerify(rs256(t, e.idClaims())) // retry rate-limited: no fetch
	e.wantFetches(2)
	// An unknown kid during the outage is the verifier's problem, not proof of forgery.
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	e.wantErr(mint(t, key2(), "kid-2", jose.RS256, e.idClaims()), verifier.ErrKeysUnavailable)
	e.wantFetches(3)

	e.clock.Advance(verifier.MaxStale)
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrKeysUnavailable)

	e.is.setStatus(http.StatusOK)
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	e.mustVerify(rs256(t, e.idClaims()))
}

func TestJWKSUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setStatus(http.StatusInternalServerError)
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrKeysUnavailable)
	e.wantErr(rs256(t, e.idClaims()), verifier.ErrKeysUnavailable) // no retry yet
	e.wantFetches(1)
	e.is.setStatus(http.StatusOK)
	e.clock.Advance(verifier.DefaultMinRefetchInterval)
	e.mustVerify(rs256(t, e.idClaims()))
	e.wantFetches(2)

	for _, doc := range []string{`not json`, `{"keys":"x"}`, `{}`, `[]`} {
		e := newEnv(t, nil)
		e.is.mu.Lock()
		e.is.rawJWKS = doc
		e.is.mu.Unlock()
		e.wantErr(rs256(t, e.idClaims()), verifier.ErrKeysUnavailable)
	}

	// Nothing listening at all.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	v, err := verifier.New(verifier.Config{Issuer: e.is.URL(), JWKSURL: url + "/jwks.json", AllowAnyClient: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), rs256(t, e.idClaims())); !errors.Is(err, verifier.ErrKeysUnavailable) {
		t.Errorf("err = %v", err)
	}
}

func TestJWKSURL(t *testing.T) {
	is := newIssuer(t)
	is.publish(map[string]*rsa.PrivateKey{"kid-1": key1()})
	v, err := verifier.New(verifier.Config{
		Issuer:         "https://cognito-idp.us-east-1.amazonaws.com/" + poolID,
		JWKSURL:        is.URL() + "/.well-known/jwks.json",
		AllowAnyClient: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, is: is, clock: &clock{t: time.Now()}, v: v}
	claims := with(e.idClaims(), "iss", "https://cognito-idp.us-east-1.amazonaws.com/"+poolID)
	e.mustVerify(rs256(t, claims))
	// Tokens from elsewhere are refused on iss, before any fetch.
	e2 := newEnv(t, nil)
	e2.wantErr(rs256(t, with(e2.idClaims(), "iss", "https://evil.example/"+poolID)), verifier.ErrWrongIssuer)
	e2.wantFetches(0)
}

// Concurrent verifications on a cold cache share one JWKS request.
func TestConcurrentVerifyOneFetch(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setDelay(100 * time.Millisecond)
	tok := rs256(t, e.idClaims())
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			<-start
			_, err := e.v.Verify(context.Background(), tok)
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	e.wantFetches(1)
}

// A caller that gives up while the JWKS is being fetched gets an error at once; the fetch
// itself completes for the others.
func TestContextCancelledWhileFetching(t *testing.T) {
	e := newEnv(t, nil)
	e.is.setDelay(300 * time.Millisecond)
	tok := rs256(t, e.idClaims())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if _, err := e.v.Verify(ctx, tok); !errors.Is(err, verifier.ErrKeysUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(begin); d > 250*time.Millisecond {
		t.Errorf("Verify waited %v after its context ended", d)
	}
	e.mustVerify(tok) // joins the fetch still under way
	e.wantFetches(1)
}

func TestClaimsFromEmptyContext(t *testing.T) {
	if c, ok := verifier.ClaimsFrom(context.Background()); ok || c != nil {
		t.Errorf("ClaimsFrom(empty) = %v, %v", c, ok)
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) serve(h http.Handler, authorization string) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return response{rec.Code, rec.Result().Header, string(body)}
}

func TestMiddleware(t *testing.T) {
	e := newEnv(t, func(c *verifier.Config) {
		c.Scopes = []string{"orders/read"}
		c.Groups = []string{"staff"}
	})
	var seen *verifier.Claims
	h := e.v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := verifier.ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in the context")
		}
		seen = c
		fmt.Fprintf(w, "hello %s", c.Username)
	}))
	good := rs256(t, e.accessClaims())

	for _, auth := range []string{"Bearer " + good, "bearer " + good, "BEARER  " + good + " ", good} {
		seen = nil
		res := e.serve(h, auth)
		if res.status != http.StatusOK || res.body != "hello janedoe" {
			t.Errorf("%.20q: %d %s", auth, res.status, res.body)
		}
		if seen == nil || seen.Subject != "6c1f2a3e-0000-4000-8000-00000000beef" || !seen.HasScope("orders/read") {
			t.Errorf("claims in context = %+v", seen)
		}
	}

	now := e.clock.Now().Unix()
	cases := []struct {
		name, auth      string
		status          int
		body, errorType string
		challenge       string
	}{
		{"no header", "", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", `Bearer`},
		{"empty bearer", "Bearer ", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", `Bearer`},
		{"garbage", "Bearer abc", 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="invalid_token", error_description="the token is malformed"`},
		{"basic auth", "Basic dXNlcjpwYXNz", 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="invalid_token", error_description="the token is malformed"`},
		{"expired", "Bearer " + rs256(t, with(e.accessClaims(), "exp", now-5)), 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="invalid_token", error_description="the token has expired"`},
		{"wrong client", "Bearer " + rs256(t, with(e.accessClaims(), "client_id", "x")), 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="invalid_token", error_description="the token does not have a valid audience"`},
		{"forged", "Bearer " + mint(t, key2(), "kid-1", jose.RS256, e.accessClaims()), 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="invalid_token", error_description="the token signature is invalid"`},
		{"id token where scopes are required", "Bearer " + rs256(t, with(e.idClaims(), "cognito:groups", []string{"staff"})), 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="insufficient_scope", error_description="the token does not have an allowed scope", scope="orders/read"`},
		{"missing scope", "Bearer " + rs256(t, with(e.accessClaims(), "scope", "aws.cognito.signin.user.admin")), 401, `{"message":"Unauthorized"}`, "UnauthorizedException",
			`Bearer error="insufficient_scope", error_description="the token does not have an allowed scope", scope="orders/read"`},
		{"not in group", "Bearer " + rs256(t, with(e.accessClaims(), "cognito:groups", []string{"guests"})), 403, `{"message":"Forbidden"}`, "AccessDeniedException", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			seen = nil
			res := e.serve(h, tc.auth)
			if res.status != tc.status || res.body != tc.body {
				t.Errorf("got %d %s, want %d %s", res.status, res.body, tc.status, tc.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if et := res.header.Get("X-Amzn-ErrorType"); et != tc.errorType {
				t.Errorf("x-amzn-ErrorType = %q, want %q", et, tc.errorType)
			}
			if wa := res.header.Get("WWW-Authenticate"); wa != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", wa, tc.challenge)
			}
			if seen != nil {
				t.Errorf("handler ran for a refused request")
			}
		})
	}
	e.t = t

	// The JWKS cannot be fetched: not the client's fault.
	e2 := newEnv(t, nil)
	e2.is.setStatus(http.StatusBadGateway)
	res := e2.serve(e2.v.Middleware(http.NotFoundHandler()), "Bearer "+rs256(t, e2.idClaims()))
	if res.status != 500 || res.body != `{"message":null}` || res.header.Get("X-Amzn-ErrorType") != "AuthorizerConfigurationException" {
		t.Errorf("JWKS down: %d %s %v", res.status, res.body, res.header)
	}
}

// BenchmarkVerify measures a verification with the key cached: the steady state of a
// service. The roadmap's target is ~32,000 verifications/s/core (about 31 µs each).
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b, func(c *verifier.Config) { c.Now = nil; c.TokenUse = "access" })
	e.clock = &clock{t: time.Now()}
	tok := rs256(b, e.accessClaims())
	e.mustVerify(tok)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPUTime()
	for b.Loop() {
		if _, err := e.v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPUTime()-cpu)
}

// reportCPU adds the CPU time per operation and its inverse, operations per CPU-second
// (per core), which stay meaningful on a loaded machine where ns/op does not.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu <= 0 {
		return
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "verifications/cpu-s")
}

// BenchmarkVerifyParallel shows the cache does not serialize verifications across cores.
func BenchmarkVerifyParallel(b *testing.B) {
	e := newEnv(b, func(c *verifier.Config) { c.Now = nil })
	e.clock = &clock{t: time.Now()}
	tok := rs256(b, e.idClaims())
	e.mustVerify(tok)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.v.Verify(context.Background(), tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRSAVerifyBaseline is the floor under BenchmarkVerify on the same machine: one
// crypto/rsa PKCS #1 v1.5 SHA-256 verification with the same 2048-bit key, nothing else.
func BenchmarkRSAVerifyBaseline(b *testing.B) {
	e := newEnv(b, nil)
	tok := rs256(b, e.accessClaims())
	parts := strings.Split(tok, ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		b.Fatal(err)
	}
	pub := &key1().PublicKey
	b.ResetTimer()
	cpu := processCPUTime()
	for b.Loop() {
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPUTime()-cpu)
}
