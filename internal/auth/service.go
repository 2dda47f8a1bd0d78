package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// Service authenticates users and issues their tokens.
type Service struct {
	Store store.Store
	Pools *userpool.Service
	Users *users.Service
	Keys  *tokens.Keyring
	// Triggers invokes the pool's Lambda triggers (its LambdaConfig).
	Triggers triggers.Invoker
	// Issuer is a pool's issuer URL ({public-url}/{poolId}).
	Issuer func(poolID string) string
	Now    func() time.Time

	gate gate
}

// gate serializes work per key (a user) within this process.
type gate struct {
	mu sync.Mutex
	m  map[string]*gateEntry
}

type gateEntry struct {
	mu    sync.Mutex
	users int
}

// lock takes the key's lock and returns its release.
func (g *gate) lock(key string) func() {
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]*gateEntry{}
	}
	e := g.m[key]
	if e == nil {
		e = &gateEntry{}
		g.m[key] = e
	}
	e.users++
	g.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		g.mu.Lock()
		if e.users--; e.users == 0 {
			delete(g.m, key)
		}
		g.mu.Unlock()
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Request is one InitiateAuth or AdminInitiateAuth call.
type Request struct {
	Admin          bool   // AdminInitiateAuth: a signed, trusted caller
	PoolID         string // given by AdminInitiateAuth; found from the client otherwise
	ClientID       string
	AuthFlow       string
	Params         map[string]string
	ClientMetadata map[string]string
}

// Result is a challenge to answer or the tokens of a completed sign-in.
type Result struct {
	ChallengeName       string
	Session             string
	ChallengeParameters map[string]string
	Tokens              *TokenSet
}

// TokenSet is Cognito's AuthenticationResult.
type TokenSet struct {
	AccessToken  string
	IdToken      string
	RefreshToken string
	ExpiresIn    int32
	TokenType    string
}

// session is the state kept between challenges, in the store.
type session struct {
	Challenge string `json:"challenge"`
	// Username is the stored username of the user signing in.
	Username string    `json:"username"`
	AuthTime time.Time `json:"authTime"`
	// SRP: the server secret and the client's A; Fake marks the decoy
	// challenge given for an unknown user.
	SRPSecret string `json:"srpSecret,omitempty"`
	SRPA      string `json:"srpA,omitempty"`
	SRPB      string `json:"srpB,omitempty"` // kept so the answer need not recompute it
	Fake      bool   `json:"fake,omitempty"`
	Admin     bool   `json:"admin,omitempty"`
	// Custom is the CUSTOM_AUTH state (custom.go's customState).
	Custom json.RawMessage `json:"custom,omitempty"`
}

// clientFor loads the client a call names, checking it belongs to the pool
// an admin call names.
func (s *Service) clientFor(ctx context.Context, poolID, clientID string) (*userpool.Pool, *userpool.Client, error) {
	if poolID != "" {
		pool, err := s.Pools.GetPool(ctx, poolID)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.Pools.GetClient(ctx, poolID, clientID)
		if err != nil {
			return nil, nil, err
		}
		return pool, c, nil
	}
	c, err := s.Pools.FindClient(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	pool, err := s.Pools.GetPool(ctx, c.PoolID)
	if err != nil {
		return nil, nil, err
	}
	return pool, c, nil
}

// newHandle returns a random opaque handle and the hash the store keeps, so
// a database reader cannot replay sessions.
func newHandle(n int) (handle, id string) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	handle = base64.RawURLEncoding.EncodeToString(b)
	return handle, hashHandle(handle)
}

func hashHandle(h string) string {
	sum := sha256.Sum256([]byte(h))
	return hex.EncodeToString(sum[:])
}

// sessionTTL is the client's AuthSessionValidity (3 to 15 minutes).
func sessionTTL(c *userpool.Client) time.Duration {
	if v := c.Config.AuthSessionValidity; v != nil && *v > 0 {
		return time.Duration(*v) * time.Minute
	}
	return 3 * time.Minute
}

// newSession stores the state of a challenge and returns its handle.
func (s *Service) newSession(ctx context.Context, pool *userpool.Pool, c *userpool.Client, usernameKey string, st *session) (string, error) {
	handle, id := newHandle(96)
	state, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	err = s.Store.CreateAuthSession(ctx, &store.AuthSession{ID: id, PoolID: pool.ID, ClientID: c.ID,
		UsernameKey: usernameKey, Expires: s.now().Add(sessionTTL(c)), State: state})
	return handle, err
}

var errBadSession = errs.New(errs.NotAuthorized, "Invalid session for the user, session is expired.")

// takeSession uses up a session: it must exist, be unexpired and belong to
// this client.
func (s *Service) takeSession(ctx context.Context, handle string, c *userpool.Client) (*store.AuthSession, *session, error) {
	if handle == "" {
		return nil, nil, errs.Param("Missing required parameter Session")
	}
	as, err := s.Store.TakeAuthSession(ctx, hashHandle(handle))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errBadSession
	}
	if err != nil {
		return nil, nil, err
	}
	if as.ClientID != c.ID || !s.now().Before(as.Expires) {
		return nil, nil, errBadSession
	}
	var st session
	if err := json.Unmarshal(as.State, &st); err != nil {
		return nil, nil, fmt.Errorf("auth: decode session: %w", err)
	}
	return as, &st, nil
}

// peekSession reads a session without using it, so a reply that fails
// validation (a weak new password) can be corrected and sent again.
func (s *Service) peekSession(ctx context.Context, handle string, c *userpool.Client) (*session, error) {
	if handle == "" {
		return nil, errs.Param("Missing required parameter Session")
	}
	as, err := s.Store.GetAuthSession(ctx, hashHandle(handle))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadSession
	}
	if err != nil {
		return nil, err
	}
	if as.ClientID != c.ID || !s.now().Before(as.Expires) {
		return nil, errBadSession
	}
	var st session
	if err := json.Unmarshal(as.State, &st); err != nil {
		return nil, fmt.Errorf("auth: decode session: %w", err)
	}
	return &st, nil
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
