package federation

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

	"github.com/cogito-idp/cogito/internal/store"
	"golang.org/x/oauth2"
)

// RoundTrip is what the hosted UI keeps across the trip to the upstream
// provider, stored with NewState and taken back with TakeState.
type RoundTrip struct {
	// Request is the original /oauth2/authorize request, url.Values
	// encoded.
	Request string `json:"request"`
	// Provider is the name of the identity provider signed in with.
	Provider string `json:"provider"`
	// Nonce was sent upstream and must come back in the id token.
	Nonce string `json:"nonce,omitempty"`
	// CodeVerifier is the PKCE verifier toward the upstream.
	CodeVerifier string `json:"code_verifier,omitempty"`
}

// ErrState is returned by TakeState for a state that is unknown, already
// used or expired.
var ErrState = errors.New("federation: unknown, used or expired state")

// stateKind marks the auth sessions this package writes.
const stateKind = "federation-state"

type stateRecord struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// stateID is the stored id of a state value. The prefix keeps it apart
// from the ids other packages derive from their own handles.
func stateID(state string) string {
	sum := sha256.Sum256([]byte(stateKind + ":" + state))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes, base64url encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("federation: crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewNonce returns a random nonce for an upstream authorization request.
func NewNonce() string { return randomToken(24) }

// NewPKCE returns a PKCE verifier and its S256 challenge.
func NewPKCE() (verifier, challenge string) {
	verifier = oauth2.GenerateVerifier()
	return verifier, oauth2.S256ChallengeFromVerifier(verifier)
}

// NewState stores data (JSON encoded; typically a RoundTrip) as a
// single-use record of the pool and app client that lives for ttl, and
// returns the random state value to send upstream. Only a hash of the
// state is stored.
func NewState(ctx context.Context, st store.Store, poolID, clientID string, data any, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("federation: state ttl must be positive")
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("federation: state data: %w", err)
	}
	rec, err := json.Marshal(stateRecord{Kind: stateKind, Data: raw})
	if err != nil {
		return "", fmt.Errorf("federation: state data: %w", err)
	}
	state := randomToken(32)
	err = st.CreateAuthSession(ctx, &store.AuthSession{
		ID:       stateID(state),
		PoolID:   poolID,
		ClientID: clientID,
		Expires:  time.Now().Add(ttl),
		State:    rec,
	})
	if err != nil {
		return "", fmt.Errorf("federation: store state: %w", err)
	}
	return state, nil
}

// TakeState uses up a state: it removes the record and decodes its data
// into into (which may be nil). A state seen before, never issued, or past
// its expiry fails with ErrState. (The app client is in RoundTrip.Request.)
func TakeState(ctx context.Context, st store.Store, state string, into any) error {
	if state == "" {
		return ErrState
	}
	s, err := st.TakeAuthSession(ctx, stateID(state))
	if errors.Is(err, store.ErrNotFound) {
		return ErrState
	}
	if err != nil {
		return fmt.Errorf("federation: take state: %w", err)
	}
	if !time.Now().Before(s.Expires) {
		return fmt.Errorf("%w: expired", ErrState)
	}
	var rec stateRecord
	if err := json.Unmarshal(s.State, &rec); err != nil || rec.Kind != stateKind {
		return ErrState
	}
	if into != nil {
		if err := json.Unmarshal(rec.Data, into); err != nil {
			return fmt.Errorf("federation: state data: %w", err)
		}
	}
	return nil
}
