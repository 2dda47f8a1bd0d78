package verifier

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by Verify, each wrapped with the detail of the failure: test them with
// errors.Is. Every one of them means the token must not be accepted.
var (
	// ErrMalformed: not a compact JWS in strict base64url, a header or payload that is not
	// a JSON object, a crit header, no kid or no exp, or a claim of the wrong JSON type.
	ErrMalformed = errors.New("verifier: malformed token")
	// ErrInvalidSignature: the signature does not verify with the key named by kid, or the
	// token is signed with an algorithm other than RS256 (none, HS256, RS384, PS256, ...).
	ErrInvalidSignature = errors.New("verifier: invalid signature")
	// ErrUnknownKey: the kid is not in the issuer's JWKS, even after a refetch.
	ErrUnknownKey = errors.New("verifier: unknown signing key")
	// ErrKeysUnavailable: the JWKS could not be fetched (network error, non-200 answer,
	// invalid document) and no usable cached copy holds the kid. This is a failure of the
	// verifying side, not proof that the token is bad.
	ErrKeysUnavailable = errors.New("verifier: signing keys unavailable")
	// ErrWrongIssuer: iss is not exactly Config.Issuer.
	ErrWrongIssuer = errors.New("verifier: wrong issuer")
	// ErrWrongTokenUse: token_use is neither "id" nor "access", or not Config.TokenUse.
	ErrWrongTokenUse = errors.New("verifier: wrong token_use")
	// ErrWrongAudience: aud (id token) or client_id (access token) is not an allowed client.
	ErrWrongAudience = errors.New("verifier: wrong audience")
	// ErrExpired: exp is not in the future, leeway included.
	ErrExpired = errors.New("verifier: token expired")
	// ErrNotYetValid: iat or nbf is in the future beyond the leeway.
	ErrNotYetValid = errors.New("verifier: token not yet valid")
	// ErrGroup: Config.Groups is set and cognito:groups holds none of them.
	ErrGroup = errors.New("verifier: not in an allowed group")
	// ErrScope: Config.Scopes is set and scope holds none of them (id tokens never do).
	ErrScope = errors.New("verifier: no allowed scope")
)

// Defaults and limits.
const (
	// DefaultMinRefetchInterval is the shortest time between two JWKS fetches. It is the
	// rate limit aws-jwt-verify's penalty box applies by default (one download per JWKS
	// URI per 10 seconds), so a flood of tokens with forged kids costs the issuer at most
	// one request per 10 seconds per verifier.
	DefaultMinRefetchInterval = 10 * time.Second
	// DefaultCacheTTL is how long a JWKS is kept when its response has neither
	// Cache-Control max-age nor Expires.
	DefaultCacheTTL = time.Hour
	// MaxCacheTTL caps a JWKS response's own lifetime, so a key the issuer withdraws stops
	// verifying within a day whatever the response claimed.
	MaxCacheTTL = 24 * time.Hour
	// MaxStale is how long past its expiry a cached JWKS is still used while refetching
	// it fails. Tokens last an hour by default and cannot be refreshed while the issuer
	// is down, so this rides out an outage without keeping keys alive indefinitely.
	MaxStale = time.Hour
	// FetchTimeout bounds one JWKS request when the HTTPClient sets no shorter timeout.
	FetchTimeout = 10 * time.Second
	// maxTokenBytes bounds the token Verify will parse. API Gateway itself caps a request's
	// headers at 10 KB; 64 KiB leaves room for id tokens with many attributes.
	maxTokenBytes = 64 << 10
)

// Config of a Verifier. Only Issuer and one of ClientIDs / AllowAnyClient are required.
type Config struct {
	// Issuer is the user pool's issuer, compared exactly with the iss claim:
	// https://cognito-idp.REGION.amazonaws.com/POOL_ID for Amazon Cognito,
	// {public-url}/POOL_ID for Cogito (e.g. http://127.0.0.1:9229/us-east-1_abc).
	Issuer string
	// JWKSURL is where the pool's public keys are; default Issuer + "/.well-known/jwks.json".
	// Whoever can answer this URL can mint tokens this Verifier accepts: use https except
	// on loopback or a network you trust.
	JWKSURL string
	// TokenUse is "id", "access", or "" to accept either.
	TokenUse string
	// ClientIDs are the app client ids accepted in aud (id tokens) or client_id (access
	// tokens, which have no aud). Empty is allowed only with AllowAnyClient.
	ClientIDs []string
	// AllowAnyClient accepts tokens issued to any app client of the pool. It must be set
	// explicitly so that forgetting ClientIDs is an error rather than an open door.
	AllowAnyClient bool
	// Groups, if set, requires cognito:groups to contain at least one of them.
	Groups []string
	// Scopes, if set, requires the scope claim to contain at least one of them. Only access
	// tokens carry scopes, so an id token always fails this check (as with API Gateway,
	// which expects an access token on a method with OAuth scopes).
	Scopes []string
	// Leeway is the clock skew tolerated on exp, iat and nbf; default 0.
	Leeway time.Duration
	// HTTPClient fetches the JWKS; default a client with a FetchTimeout timeout.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// MinRefetchInterval is the shortest time between two JWKS fetches, whether for an
	// unknown kid, an expired cache or a retry after a failure; default
	// DefaultMinRefetchInterval (10 s).
	MinRefetchInterval time.Duration
}

// Verifier checks user-pool JWTs against one issuer. It is safe for concurrent use and
// should be long-lived: it caches the issuer's keys.
type Verifier struct {
	issuer     string
	jwksURL    string
	tokenUse   string
	clients    []string
	anyClient  bool
	groups     []string
	scopes     []string
	leeway     time.Duration
	httpClient *http.Client
	now        func() time.Time
	minRefetch time.Duration

	keys atomic.Pointer[keySet] // read without a lock on every Verify

	mu          sync.Mutex // guards the fields below
	inflight    *fetchCall
	lastAttempt time.Time // start of the last fetch, successful or not
	lastErr     error     // outcome of the last fetch
}

// New checks cfg, reporting every problem at once, and returns a Verifier. It does not
// contact the issuer: keys are fetched on the first Verify.
func New(cfg Config) (*Verifier, error) {
	var errs []error
	if cfg.Issuer == "" {
		errs = append(errs, errors.New("verifier: Issuer is required"))
	} else if err := checkURL(cfg.Issuer); err != nil {
		errs = append(errs, fmt.Errorf("verifier: Issuer: %w", err))
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" && cfg.Issuer != "" {
		jwksURL = strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/jwks.json"
	} else if cfg.JWKSURL != "" {
		if err := checkURL(cfg.JWKSURL); err != nil {
			errs = append(errs, fmt.Errorf("verifier: JWKSURL: %w", err))
		}
	}
	switch cfg.TokenUse {
	case "", "id", "access":
	default:
		errs = append(errs, fmt.Errorf("verifier: TokenUse %q: want \"id\", \"access\" or \"\"", cfg.TokenUse))
	}
	switch {
	case len(cfg.ClientIDs) == 0 && !cfg.AllowAnyClient:
		errs = append(errs, errors.New("verifier: ClientIDs is empty: list the app clients to accept, or set AllowAnyClient"))
	case len(cfg.ClientIDs) > 0 && cfg.AllowAnyClient:
		errs = append(errs, errors.New("verifier: ClientIDs and AllowAnyClient are both set: choose one"))
	}
	if slices.Contains(cfg.ClientIDs, "") {
		errs = append(errs, errors.New("verifier: ClientIDs holds an empty client id"))
	}
	if slices.Contains(cfg.Groups, "") {
		errs = append(errs, errors.New("verifier: Groups holds an empty group name"))
	}
	if slices.Contains(cfg.Scopes, "") {
		errs = append(errs, errors.New("verifier: Scopes holds an empty scope"))
	}
	if len(cfg.Scopes) > 0 && cfg.TokenUse == "id" {
		errs = append(errs, errors.New("verifier: Scopes with TokenUse \"id\": id tokens carry no scope"))
	}
	if cfg.Leeway < 0 {
		errs = append(errs, errors.New("verifier: Leeway is negative"))
	}
	if cfg.MinRefetchInterval < 0 {
		errs = append(errs, errors.New("verifier: MinRefetchInterval is negative"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	v := &Verifier{
		issuer:     cfg.Issuer,
		jwksURL:    jwksURL,
		tokenUse:   cfg.TokenUse,
		clients:    slices.Clone(cfg.ClientIDs),
		anyClient:  cfg.AllowAnyClient,
		groups:     slices.Clone(cfg.Groups),
		scopes:     slices.Clone(cfg.Scopes),
		leeway:     cfg.Leeway,
		httpClient: cfg.HTTPClient,
		now:        cfg.Now,
		minRefetch: cfg.MinRefetchInterval,
	}
	if v.httpClient == nil {
		v.httpClient = &http.Client{Timeout: FetchTimeout}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.minRefetch == 0 {
		v.minRefetch = DefaultMinRefetchInterval
	}
	return v, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// Claims of a verified token. Raw holds every claim as decoded from JSON (numbers as
// float64), including the user's attributes in id tokens (email, custom:..., ...).
type Claims struct {
	Subject  string // sub
	Username string // cognito:username (id token) or username (access token)
	TokenUse string // "id" or "access"
	ClientID string // aud (id token) or client_id (access token)
	Issuer   string // iss
	Scope    string // scope, space-separated (access tokens)
	Groups   []string
	// ExpiresAt, IssuedAt and AuthTime are zero when the claim is absent.
	ExpiresAt, IssuedAt, AuthTime time.Time
	Raw                           map[string]any
}

// HasScope reports whether the space-separated scope claim contains s.
func (c *Claims) HasScope(s string) bool {
	return slices.Contains(strings.Fields(c.Scope), s)
}

// InGroup reports whether cognito:groups contains g.
func (c *Claims) InGroup(g string) bool {
	return slices.Contains(c.Groups, g)
}

// b64 decodes the three parts of a compact JWS: unpadded base64url, strict about the
// unused bits of the last character.
var b64 = base64.RawURLEncoding.Strict()

// header is the JOSE header of a token. Cognito's is {"kid":"...","alg":"RS256"}.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// Verify checks token (the bare JWT, without "Bearer ") and returns its claims. The order
// follows AWS's steps for verifying a Cognito token: structure and algorithm, then issuer
// (before any key is fetched, so tokens from elsewhere never reach the JWKS endpoint), then
// the RS256 signature with the key named by kid, then token_use, client, times, groups and
// scopes. No claim is trusted before the signature holds.
//
// The JWS framing (RFC 7515 §5.2) is checked here and the signature by crypto/rsa: going
// through go-jose's JWS type re-encodes the payload to rebuild the signing input, doubles
// the allocations and costs about 15% more CPU per token (see BenchmarkVerify).
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty token", ErrMalformed)
	}
	if len(token) > maxTokenBytes {
		return nil, fmt.Errorf("%w: token longer than %d bytes", ErrMalformed, maxTokenBytes)
	}
	// Compact serialization: header.payload.signature (a JWE would have five parts).
	headerB64, rest, ok1 := strings.Cut(token, ".")
	payloadB64, sigB64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sigB64, ".") {
		return nil, fmt.Errorf("%w: not a compact JWS (three dot-separated parts)", ErrMalformed)
	}
	headerJSON, err := b64.DecodeString(headerB64)
	if err != nil {
		return nil, fmt.Errorf("%w: header is not base64url: %v", ErrMalformed, err)
	}
	var h header
	if err := json.Unmarshal(headerJSON, &h); err != nil {
		return nil, fmt.Errorf("%w: header is not a JSON object: %v", ErrMalformed, err)
	}
	// Only RS256, whatever the key: alg "none", or HS256 keyed with the public key, would
	// let anyone mint tokens.
	if h.Alg != "RS256" {
		return nil, fmt.Errorf("%w: algorithm %q not allowed, only RS256", ErrInvalidSignature, h.Alg)
	}
	if h.Crit != nil {
		// RFC 7515 §4.1.11: extensions listed in crit must be understood; none are here.
		return nil, fmt.Errorf("%w: crit header not supported", ErrMalformed)
	}
	if h.Kid == "" {
		return nil, fmt.Errorf("%w: no kid in the header", ErrMalformed)
	}
	sig, err := b64.DecodeString(sigB64)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not base64url: %v", ErrMalformed, err)
	}
	payload, err := b64.DecodeString(payloadB64)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url: %v", ErrMalformed, err)
	}
	// Decoded before the signature is checked only to read iss; nothing else is judged
	// until the signature over these very bytes holds.
	raw := make(map[string]any, 20)
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return nil, fmt.Errorf("%w: payload is not a JSON object: %v", ErrMalformed, err)
	}
	iss, _ := raw["iss"].(string)
	if iss != v.issuer {
		return nil, fmt.Errorf("%w: iss %q, want %q", ErrWrongIssuer, iss, v.issuer)
	}

	key, err := v.key(ctx, h.Kid)
	if err != nil {
		return nil, err
	}
	// The signing input is the token's own first two parts (RFC 7515 §5.2 step 8).
	digest := sha256.Sum256([]byte(token[:len(headerB64)+1+len(payloadB64)]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("%w: kid %q: %v", ErrInvalidSignature, h.Kid, err)
	}
	return v.checkClaims(raw)
}

func (v *Verifier) checkClaims(raw map[string]any) (*Claims, error) {
	c := &Claims{Raw: raw}
	var err error
	if c.Issuer, err = stringClaim(raw, "iss"); err != nil {
		return nil, err
	}
	if c.Subject, err = stringClaim(raw, "sub"); err != nil {
		return nil, err
	}
	if c.TokenUse, err = stringClaim(raw, "token_use"); err != nil {
		return nil, err
	}
	if c.Scope, err = stringClaim(raw, "scope"); err != nil {
		return nil, err
	}

	switch {
	case c.TokenUse != "id" && c.TokenUse != "access":
		return nil, fmt.Errorf("%w: token_use %q is neither \"id\" nor \"access\"", ErrWrongTokenUse, c.TokenUse)
	case v.tokenUse != "" && c.TokenUse != v.tokenUse:
		return nil, fmt.Errorf("%w: token_use %q, want %q", ErrWrongTokenUse, c.TokenUse, v.tokenUse)
	}

	// Cognito id tokens name the client in aud; access tokens have no aud, only client_id.
	var clients []string
	if c.TokenUse == "id" {
		if c.Username, err = stringClaim(raw, "cognito:username"); err != nil {
			return nil, err
		}
		if clients, err = audience(raw["aud"]); err != nil {
			return nil, err
		}
		if len(clients) > 0 {
			c.ClientID = clients[0]
		}
	} else {
		if c.Username, err = stringClaim(raw, "username"); err != nil {
			return nil, err
		}
		if c.ClientID, err = stringClaim(raw, "client_id"); err != nil {
			return nil, err
		}
		if c.ClientID != "" {
			clients = []string{c.ClientID}
		}
	}
	if !v.anyClient {
		ok := false
		for _, id := range clients {
			if slices.Contains(v.clients, id) {
				c.ClientID, ok = id, true
				break
			}
		}
		if !ok {
			claim := "aud"
			if c.TokenUse == "access" {
				claim = "client_id"
			}
			return nil, fmt.Errorf("%w: %s %q is not an allowed client", ErrWrongAudience, claim, clients)
		}
	}

	now := v.now()
	exp, present, err := numericDate(raw, "exp")
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, fmt.Errorf("%w: no exp claim", ErrMalformed)
	}
	c.ExpiresAt = exp
	// RFC 7519 §4.1.4: the current time must be before exp.
	if !now.Before(exp.Add(v.leeway)) {
		return nil, fmt.Errorf("%w: expired at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
	}
	iat, present, err := numericDate(raw, "iat")
	if err != nil {
		return nil, err
	}
	if present {
		c.IssuedAt = iat
		if iat.After(now.Add(v.leeway)) {
			return nil, fmt.Errorf("%w: issued at %s, in the future", ErrNotYetValid, iat.UTC().Format(time.RFC3339))
		}
	}
	nbf, present, err := numericDate(raw, "nbf")
	if err != nil {
		return nil, err
	}
	if present && nbf.After(now.Add(v.leeway)) {
		return nil, fmt.Errorf("%w: not before %s", ErrNotYetValid, nbf.UTC().Format(time.RFC3339))
	}
	if c.AuthTime, _, err = numericDate(raw, "auth_time"); err != nil {
		return nil, err
	}

	if g, present := raw["cognito:groups"]; present {
		if c.Groups, err = stringList(g, "cognito:groups"); err != nil {
			return nil, err
		}
	}
	if len(v.groups) > 0 && !slices.ContainsFunc(v.groups, c.InGroup) {
		return nil, fmt.Errorf("%w: cognito:groups %q holds none of %q", ErrGroup, c.Groups, v.groups)
	}
	if len(v.scopes) > 0 {
		if c.TokenUse != "access" {
			return nil, fmt.Errorf("%w: an id token carries no scope; scopes %q need an access token", ErrScope, v.scopes)
		}
		if !slices.ContainsFunc(v.scopes, c.HasScope) {
			return nil, fmt.Errorf("%w: scope %q holds none of %q", ErrScope, c.Scope, v.scopes)
		}
	}
	return c, nil
}

// stringClaim reads an optional string claim: absent gives "", any other JSON type is an
// error.
func stringClaim(raw map[string]any, name string) (string, error) {
	val, present := raw[name]
	if !present {
		return "", nil
	}
	s, ok := val.(string)
	if !ok {
		return "", fmt.Errorf("%w: claim %s is not a string", ErrMalformed, name)
	}
	return s, nil
}

// audience reads aud, a string in Cognito id tokens but an array in general JWTs
// (RFC 7519 §4.1.3).
func audience(v any) ([]string, error) {
	switch a := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{a}, nil
	default:
		return stringList(v, "aud")
	}
}

func stringList(v any, name string) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: claim %s is not an array of strings", ErrMalformed, name)
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: claim %s is not an array of strings", ErrMalformed, name)
		}
		out = append(out, s)
	}
	return out, nil
}

// numericDate reads a NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly
// fractional).
func numericDate(raw map[string]any, name string) (time.Time, bool, error) {
	val, present := raw[name]
	if !present {
		return time.Time{}, false, nil
	}
	f, ok := val.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return time.Time{}, true, fmt.Errorf("%w: claim %s is not a NumericDate", ErrMalformed, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

type claimsKey struct{}

// ClaimsFrom returns the claims Middleware stored in ctx.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}

// withClaims returns ctx carrying c.
func withClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}
