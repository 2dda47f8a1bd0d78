package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// Service answers a pool's OAuth 2.0 endpoints.
type Service struct {
	Store store.Store
	Pools *userpool.Service
	Auth  *auth.Service
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Lifetimes.
const (
	// CodeTTL: Cognito's authorization codes live five minutes.
	CodeTTL = 5 * time.Minute
	// BrowserSessionTTL: the hosted UI signs a browser in for an hour.
	BrowserSessionTTL = time.Hour
)

// Error is an OAuth 2.0 error (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1):
// the token endpoint writes it as JSON, the authorization endpoint as a
// redirect.
type Error struct {
	Code        string // invalid_request, invalid_client, invalid_grant, ...
	Description string
	Status      int // HTTP status at the token endpoint
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func oauthErr(code, format string, args ...any) *Error {
	status := 400
	if code == "invalid_client" {
		status = 401
	}
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Status: status}
}

// PageError is a failure the authorization endpoint must not redirect (the
// client or its redirect URI cannot be trusted): the hosted UI shows its
// error page instead, so no open redirect is possible.
type PageError struct {
	Code    string // e.g. redirect_mismatch, invalid_request
	Message string
}

func (e *PageError) Error() string { return e.Code + ": " + e.Message }

// record kinds kept in the store's auth_sessions.
const (
	kindCode    = "code"
	kindBrowser = "browser"
)

// grant is the state of an authorization code or browser session.
type grant struct {
	Kind          string    `json:"kind"`
	RedirectURI   string    `json:"redirectUri,omitempty"`
	Scopes        []string  `json:"scopes,omitempty"`
	Nonce         string    `json:"nonce,omitempty"`
	Challenge     string    `json:"challenge,omitempty"`
	ChallengeMeth string    `json:"challengeMethod,omitempty"`
	AuthTime      time.Time `json:"authTime"`
	// Sub binds the grant to its user, not just the name: a new user with a
	// deleted user's name must not inherit its session or code.
	Sub string `json:"sub,omitempty"`
}

// newHandle returns a random handle and the hash under which it is stored.
func newHandle() (handle, id string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("oauth: crypto/rand failed: " + err.Error())
	}
	handle = base64.RawURLEncoding.EncodeToString(b)
	return handle, hashOf(handle)
}

func hashOf(h string) string {
	sum := sha256.Sum256([]byte("oauth:" + h))
	return hex.EncodeToString(sum[:])
}

func (s *Service) save(ctx context.Context, poolID, clientID, usernameKey string, ttl time.Duration, g *grant) (string, error) {
	handle, id := newHandle()
	state, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	err = s.Store.CreateAuthSession(ctx, &store.AuthSession{ID: id, PoolID: poolID, ClientID: clientID,
		UsernameKey: usernameKey, Expires: s.now().Add(ttl), State: state})
	return handle, err
}

// load reads (take: uses up) a stored grant of the given kind.
func (s *Service) load(ctx context.Context, handle, kind string, take bool) (*store.AuthSession, *grant, error) {
	if handle == "" {
		return nil, nil, store.ErrNotFound
	}
	var as *store.AuthSession
	var err error
	if take {
		as, err = s.Store.TakeAuthSession(ctx, hashOf(handle))
	} else {
		as, err = s.Store.GetAuthSession(ctx, hashOf(handle))
	}
	if err != nil {
		return nil, nil, err
	}
	var g grant
	if err := json.Unmarshal(as.State, &g); err != nil || g.Kind != kind || !s.now().Before(as.Expires) {
		return nil, nil, store.ErrNotFound
	}
	return as, &g, nil
}

var errNoSession = errors.New("oauth: no browser session")

// Site is the hosted-UI site a request reached: the pool and the base URL
// its endpoints answer under ({public-url}/{poolId}, or the pool's domain).
type Site struct {
	Pool *userpool.Pool
	Base string
}

type siteKey struct{}

// WithSite records the site in a request context.
func WithSite(ctx context.Context, s *Site) context.Context {
	return context.WithValue(ctx, siteKey{}, s)
}

// SiteFrom returns the site of a request.
func SiteFrom(ctx context.Context) (*Site, bool) {
	s, ok := ctx.Value(siteKey{}).(*Site)
	return s, ok
}
