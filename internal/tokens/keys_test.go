package tokens_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/tokens"
)

// memKeys is an in-memory KeyStore with the SQL stores' ordering (newest
// first, then by kid). Several keyrings sharing one are several nodes.
type memKeys struct {
	mu   sync.Mutex
	keys []store.SigningKey
}

func (m *memKeys) CreateSigningKey(_ context.Context, k *store.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.keys {
		if x.PoolID == k.PoolID && x.KID == k.KID {
			return store.ErrExists
		}
	}
	// Millisecond times, as the SQL stores keep them.
	c := *k
	c.Created, c.Retires, c.Expires = c.Created.Truncate(time.Millisecond), c.Retires.Truncate(time.Millisecond), c.Expires.Truncate(time.Millisecond)
	m.keys = append(m.keys, c)
	return nil
}

func (m *memKeys) ListSigningKeys(_ context.Context, poolID string) ([]*store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*store.SigningKey
	for _, k := range m.keys {
		if k.PoolID == poolID {
			c := k
			out = append(out, &c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].KID < out[j].KID
	})
	return out, nil
}

func (m *memKeys) count(poolID string) int {
	ks, _ := m.ListSigningKeys(context.Background(), poolID)
	return len(ks)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

const pool = "us-east-1_keyring01"

var ctx = context.Background()

// sign signs a small claim set and returns the token and its kid.
func sign(t *testing.T, k *tokens.Keyring, poolID string) (string, string) {
	t.Helper()
	tok, err := k.Sign(ctx, poolID, map[string]any{"sub": "s", "token_use": "access"})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse signed token: %v", err)
	}
	return tok, jws.Signatures[0].Header.KeyID
}

// verify checks tok with the key the keyring publishes for its kid.
func verify(t *testing.T, k *tokens.Keyring, poolID, tok string) error {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return err
	}
	pub, err := k.PublicKey(ctx, poolID, jws.Signatures[0].Header.KeyID)
	if err != nil {
		return err
	}
	_, err = jws.Verify(pub)
	return err
}

func jwks(t *testing.T, k *tokens.Keyring, poolID string) (jose.JSONWebKeySet, []byte) {
	t.Helper()
	doc, err := k.JWKS(ctx, poolID)
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("JWKS %s: %v", doc, err)
	}
	return set, doc
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func TestKeyringFirstKeyIsLazy(t *testing.T) {
	st := &memKeys{}
	clk := newClock()
	k := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now}

	// Looking a kid up creates nothing.
	if _, err := k.PublicKey(ctx, pool, "no-such-kid"); !errors.Is(err, tokens.ErrUnknownKey) {
		t.Fatalf("PublicKey before any key: %v, want ErrUnknownKey", err)
	}
	if n := st.count(pool); n != 0 {
		t.Fatalf("%d keys after a lookup, want none", n)
	}
	tok, kid := sign(t, k, pool)
	if n := st.count(pool); n != 1 {
		t.Fatalf("%d keys after the first Sign, want 1", n)
	}
	if err := verify(t, k, pool, tok); err != nil {
		t.Fatalf("the token does not verify with the published key: %v", err)
	}
	_, kid2 := sign(t, k, pool)
	if kid2 != kid || st.count(pool) != 1 {
		t.Errorf("a second Sign used kid %s (first %s) with %d keys stored", kid2, kid, st.count(pool))
	}

	// The kid is the standard base64 of the key's SHA-256 JWK thumbprint.
	set, doc := jwks(t, k, pool)
	if len(set.Keys) != 1 || set.Keys[0].KeyID != kid {
		t.Fatalf("JWKS %s, want the one key %s", doc, kid)
	}
	jwk := set.Keys[0]
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if kid != base64.StdEncoding.EncodeToString(thumb) || len(kid) != 44 {
		t.Errorf("kid %q is not base64(SHA-256 thumbprint)", kid)
	}
	if jwk.Algorithm != "RS256" || jwk.Use != "sig" || !jwk.IsPublic() {
		t.Errorf("JWK alg %q use %q public %v", jwk.Algorithm, jwk.Use, jwk.IsPublic())
	}
	if pub, ok := jwk.Key.(*rsa.PublicKey); !ok || pub.N.BitLen() != 2048 {
		t.Errorf("JWK key %T", jwk.Key)
	}
	for _, private := range []string{`"d"`, `"p"`, `"q"`, `"dp"`} {
		if strings.Contains(string(doc), private) {
			t.Errorf("JWKS holds private member %s: %s", private, doc)
		}
	}
	// What the store holds: the public JWK, and the private key sealed.
	stored, _ := st.ListSigningKeys(ctx, pool)
	if _, err := x509.ParsePKCS8PrivateKey(stored[0].Private); err == nil {
		t.Error("the stored private key is not sealed")
	}
	if strings.Contains(string(stored[0].Public), `"d"`) {
		t.Error("the stored public JWK holds the private exponent")
	}

	// Pools have their own keys; JWKS creates a pool's first key too.
	set2, _ := jwks(t, k, "us-east-1_keyring02")
	if len(set2.Keys) != 1 || set2.Keys[0].KeyID == kid {
		t.Errorf("second pool's JWKS %v", kids(set2))
	}
	if _, err := k.PublicKey(ctx, "us-east-1_keyring02", kid); !errors.Is(err, tokens.ErrUnknownKey) {
		t.Errorf("pool 1's kid found in pool 2: %v", err)
	}
}

func TestKeyringRotate(t *testing.T) {
	st := &memKeys{}
	clk := newClock()
	k := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now}
	oldTok, oldKid := sign(t, k, pool)
	clk.Add(time.Minute)
	if err := k.Rotate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	newTok, newKid := sign(t, k, pool)
	if newKid == oldKid {
		t.Fatalf("Rotate: still signing with %s", oldKid)
	}
	set, _ := jwks(t, k, pool)
	if got := kids(set); !slices.Equal(got, sorted(oldKid, newKid)) {
		t.Errorf("JWKS after Rotate %v, want both keys", got)
	}
	for _, tok := range []string{oldTok, newTok} {
		if err := verify(t, k, pool, tok); err != nil {
			t.Errorf("token does not verify after rotation: %v", err)
		}
	}
	// The retired key stays published until its Expires: a day (the
	// longest token lifetime) and an hour past the end of its signing
	// period, here the default 30 days after it was made.
	var oldExpires time.Time
	stored, _ := st.ListSigningKeys(ctx, pool)
	for _, sk := range stored {
		if sk.KID == oldKid {
			oldExpires = sk.Expires
		}
	}
	if want := clk.Now().Add(-time.Minute).Add(tokens.DefaultRotateAfter + tokens.MaxTokenLifetime + time.Hour); !oldExpires.Equal(want) {
		t.Errorf("old key Expires %v, want %v", oldExpires, want)
	}
	clk.Set(oldExpires.Add(-time.Second))
	set, _ = jwks(t, k, pool)
	if !slices.Contains(kids(set), oldKid) {
		t.Errorf("old key unpublished a second before its Expires: %v", kids(set))
	}
	if err := verify(t, k, pool, oldTok); err != nil {
		t.Errorf("old token a second before its key expires: %v", err)
	}
	clk.Set(oldExpires)
	clk.Add(2 * time.Minute) // past the cache's reload interval too
	set, _ = jwks(t, k, pool)
	if slices.Contains(kids(set), oldKid) {
		t.Errorf("old key still published after its Expires: %v", kids(set))
	}
	if err := verify(t, k, pool, oldTok); !errors.Is(err, tokens.ErrUnknownKey) {
		t.Errorf("old token after its key expired: %v, want ErrUnknownKey", err)
	}
}

// A Rotate in the same millisecond as the key it replaces must still
// switch keys: the store orders keys by creation time, then kid.
func TestKeyringRotateSameInstant(t *testing.T) {
	knownGap(t, "Rotate in the same millisecond as the previous key's creation may keep signing with the old key")
	for i := range 8 {
		st := &memKeys{}
		clk := newClock()
		k := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now}
		_, oldKid := sign(t, k, pool)
		if err := k.Rotate(ctx, pool); err != nil {
			t.Fatal(err)
		}
		if _, newKid := sign(t, k, pool); newKid == oldKid {
			t.Fatalf("round %d: Rotate at the instant of the previous key left %s signing", i, oldKid)
		}
	}
}

func TestKeyringScheduledRotation(t *testing.T) {
	st := &memKeys{}
	clk := newClock()
	k := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now, RotateAfter: 2 * time.Hour}
	first, kid1 := sign(t, k, pool)
	clk.Add(89 * time.Minute)
	if _, kid := sign(t, k, pool); kid != kid1 {
		t.Errorf("rotated early: %s", kid)
	}
	if set, _ := jwks(t, k, pool); len(set.Keys) != 1 {
		t.Errorf("JWKS %v half an hour before the pre-publication", kids(set))
	}
	// Within half an hour of the rotation the successor is published but
	// does not sign yet.
	clk.Add(2 * time.Minute)
	if _, kid := sign(t, k, pool); kid != kid1 {
		t.Errorf("the successor signs before the rotation: %s", kid)
	}
	set, _ := jwks(t, k, pool)
	if len(set.Keys) != 2 || !slices.Contains(kids(set), kid1) {
		t.Fatalf("JWKS %v before the rotation, want the current key and its successor", kids(set))
	}
	next := kids(set)[0]
	if next == kid1 {
		next = kids(set)[1]
	}
	// At the rotation the successor takes over; nothing new is created.
	clk.Add(29 * time.Minute)
	second, kid2 := sign(t, k, pool)
	if kid2 != next {
		t.Errorf("after the rotation signing with %s, want the pre-published %s", kid2, next)
	}
	if n := st.count(pool); n != 2 {
		t.Errorf("%d keys after one scheduled rotation, want 2", n)
	}
	// Tokens live at most a day: the first key goes 25 hours after it
	// retired.
	clk.Add(tokens.MaxTokenLifetime + time.Hour - time.Second)
	if err := verify(t, k, pool, first); err != nil {
		t.Errorf("first key's token before the key expires: %v", err)
	}
	clk.Add(2 * time.Minute)
	if err := verify(t, k, pool, first); !errors.Is(err, tokens.ErrUnknownKey) {
		t.Errorf("first key's token after the key expired: %v", err)
	}
	if err := verify(t, k, pool, second); err != nil {
		t.Errorf("second key's token: %v", err)
	}
}

// With steady traffic a node's cache is always less than a minute old when
// the current key retires; the pre-published successor must still take
// over, rather than a new, unpublished key.
func TestKeyringRotationWithFreshCache(t *testing.T) {
	st := &memKeys{}
	clk := newClock()
	k := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now, RotateAfter: 2 * time.Hour}
	_, kid1 := sign(t, k, pool)
	clk.Add(2*time.Hour - 10*time.Second)
	sign(t, k, pool) // publishes the successor and reloads the cache
	set, _ := jwks(t, k, pool)
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS %v, want the successor published", kids(set))
	}
	next := kids(set)[0]
	if next == kid1 {
		next = kids(set)[1]
	}
	clk.Add(10 * time.Second)
	_, kid2 := sign(t, k, pool)
	if kid2 != next || st.count(pool) != 2 {
		t.Errorf("at the rotation: signing with %s (pre-published %s), %d keys stored (want 2)", kid2, next, st.count(pool))
	}
}

// Two keyrings on one store are two nodes: they share keys and see each
// other's rotations.
func TestKeyringsShareTheStore(t *testing.T) {
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cogito.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreatePool(ctx, &store.Pool{ID: pool, Name: "p", Created: time.Now(), Modified: time.Now(), Config: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	kek := make([]byte, 32)
	kek[0] = 7
	sealerA, _ := tokens.NewSealer(kek)
	sealerB, _ := tokens.NewSealer(kek)
	clk := newClock()
	a := &tokens.Keyring{Store: st, Sealer: sealerA, Now: clk.Now}
	b := &tokens.Keyring{Store: st, Sealer: sealerB, Now: clk.Now}

	tokA, kid1 := sign(t, a, pool)
	tokB, kidB := sign(t, b, pool)
	if kidB != kid1 {
		t.Fatalf("node B made its own key %s instead of using node A's %s", kidB, kid1)
	}
	if ks, _ := st.ListSigningKeys(ctx, pool); len(ks) != 1 {
		t.Fatalf("%d keys stored, want 1", len(ks))
	}
	for _, tc := range []struct {
		name string
		k    *tokens.Keyring
		tok  string
	}{{"A's token on B", b, tokA}, {"B's token on A", a, tokB}} {
		if err := verify(t, tc.k, pool, tc.tok); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// A rotates. B finds the new kid as soon as a token names it ...
	clk.Add(2 * time.Second)
	if err := a.Rotate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	tokA2, kid2 := sign(t, a, pool)
	if kid2 == kid1 {
		t.Fatal("A did not rotate")
	}
	if err := verify(t, b, pool, tokA2); err != nil {
		t.Errorf("B verifying A's token under the new key: %v", err)
	}
	// ... and signs with it once its cache is reloaded (within a minute).
	clk.Add(61 * time.Second)
	if _, kid := sign(t, b, pool); kid != kid2 {
		t.Errorf("B signs with %s a minute after A's rotation, want %s", kid, kid2)
	}
	set, _ := jwks(t, b, pool)
	if got := kids(set); !slices.Equal(got, sorted(kid1, kid2)) {
		t.Errorf("B's JWKS %v, want both keys", got)
	}

	// A node with another key encryption key cannot use the keys.
	other := &tokens.Keyring{Store: st, Sealer: newSealer(t), Now: clk.Now}
	if _, err := other.Sign(ctx, pool, map[string]any{"sub": "s"}); err == nil {
		t.Error("a keyring with the wrong KEK signed")
	}
}

// A sealed private key is bound to its pool and kid: copied under another
// kid (or pool) in the database, it does not open.
func TestSealedKeyMoved(t *testing.T) {
	st := &memKeys{}
	clk := newClock()
	sealer := newSealer(t)
	k := &tokens.Keyring{Store: st, Sealer: sealer, Now: clk.Now}
	_, kid := sign(t, k, pool)
	stored, _ := st.ListSigningKeys(ctx, pool)
	orig := stored[0]

	// Same private blob and public key under a new, newer kid; and under
	// another pool.
	moved := *orig
	moved.KID = "moved-" + kid
	moved.Created = orig.Created.Add(time.Second)
	if err := st.CreateSigningKey(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	movedPool := *orig
	movedPool.PoolID = "us-east-1_keyring09"
	if err := st.CreateSigningKey(ctx, &movedPool); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Second)
	for _, p := range []string{pool, movedPool.PoolID} {
		fresh := &tokens.Keyring{Store: st, Sealer: sealer, Now: clk.Now}
		if tok, err := fresh.Sign(ctx, p, map[string]any{"sub": "s"}); err == nil {
			t.Errorf("pool %s: signed with a key moved in the database: %s", p, tok)
		}
	}
	// The original still opens.
	if _, err := sealer.Open(orig.Private, pool+"/"+kid); err != nil {
		t.Errorf("the original sealed key no longer opens: %v", err)
	}
}
