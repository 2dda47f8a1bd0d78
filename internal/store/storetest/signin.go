package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
)

// Sign-in records: signing keys, refresh tokens and auth sessions.

type signingKeyView struct {
	PoolID, KID, Private, Public string
	Created, Retires, Expires    int64
}

func viewSigningKey(k *store.SigningKey) signingKeyView {
	return signingKeyView{PoolID: k.PoolID, KID: k.KID, Private: string(k.Private), Public: string(k.Public),
		Created: ms(k.Created), Retires: ms(k.Retires), Expires: ms(k.Expires)}
}

type refreshView struct {
	Hash, PoolID, ClientID, UsernameKey, Family string
	AuthTime, Created, Expires, Rotated         int64
	Revoked                                     bool
	Data                                        string
}

func viewRefresh(r *store.RefreshToken) refreshView {
	return refreshView{Hash: r.Hash, PoolID: r.PoolID, ClientID: r.ClientID, UsernameKey: r.UsernameKey,
		Family: r.Family, AuthTime: ms(r.AuthTime), Created: ms(r.Created), Expires: ms(r.Expires),
		Rotated: ms(r.Rotated), Revoked: r.Revoked, Data: string(r.Data)}
}

type sessionView struct {
	ID, PoolID, ClientID, UsernameKey string
	Expires                           int64
	State                             string
}

func viewSession(a *store.AuthSession) sessionView {
	return sessionView{ID: a.ID, PoolID: a.PoolID, ClientID: a.ClientID, UsernameKey: a.UsernameKey,
		Expires: ms(a.Expires), State: string(a.State)}
}

// newSigningKey is a key of the pool created at created, retiring a day
// and published until two days after it. Private holds bytes that are not
// UTF-8, to check it is kept as opaque bytes.
func newSigningKey(poolID, kid string, created time.Time) *store.SigningKey {
	return &store.SigningKey{
		PoolID: poolID, KID: kid,
		Private: []byte{0, 1, 0xfe, 0xff, 'k', 0, byte(len(kid))},
		Public:  []byte(`{"kty":"RSA","kid":"` + kid + `","n":"AQAB","e":"AQAB"}`),
		Created: created, Retires: created.Add(24 * time.Hour), Expires: created.Add(48 * time.Hour),
	}
}

func createSigningKey(t *testing.T, s store.Store, k *store.SigningKey) *store.SigningKey {
	t.Helper()
	mustNil(t, s.CreateSigningKey(t.Context(), k), "CreateSigningKey "+k.KID)
	return k
}

func listKIDs(t *testing.T, s store.Store, poolID string) []string {
	t.Helper()
	keys, err := s.ListSigningKeys(t.Context(), poolID)
	mustNil(t, err, "ListSigningKeys "+poolID)
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.KID)
	}
	return kids
}

// newRefresh is a live refresh token of the user in the family, every
// field set.
func newRefresh(poolID, hash, user, family string) *store.RefreshToken {
	return &store.RefreshToken{
		Hash: hash, PoolID: poolID, ClientID: "client-" + poolID, UsernameKey: user, Family: family,
		AuthTime: at(-time.Minute), Created: t0, Expires: at(30 * 24 * time.Hour),
		Data: []byte(`{"scopes":["openid","email"]}`),
	}
}

func createRefresh(t *testing.T, s store.Store, r *store.RefreshToken) *store.RefreshToken {
	t.Helper()
	mustNil(t, s.CreateRefreshToken(t.Context(), r), "CreateRefreshToken "+r.Hash)
	return r
}

func getRefresh(t *testing.T, s store.Store, hash string) *store.RefreshToken {
	t.Helper()
	r, err := s.GetRefreshToken(t.Context(), hash)
	mustNil(t, err, "GetRefreshToken "+hash)
	return r
}

func wantRefresh(t *testing.T, got, want *store.RefreshToken, what string) {
	t.Helper()
	if g, w := viewRefresh(got), viewRefresh(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// wantRevoked checks each token's Revoked flag, and that nothing else of it
// changed since it was created as created[hash].
func wantRevoked(t *testing.T, s store.Store, created map[string]*store.RefreshToken, revoked map[string]bool, what string) {
	t.Helper()
	for _, hash := range slices.Sorted(maps.Keys(created)) {
		want := *created[hash]
		want.Revoked = revoked[hash]
		wantRefresh(t, getRefresh(t, s, hash), &want, what+": token "+hash)
	}
}

func familyRevoked(t *testing.T, s store.Store, poolID, family string) bool {
	t.Helper()
	r, err := s.FamilyRevoked(t.Context(), poolID, family)
	mustNil(t, err, "FamilyRevoked "+poolID+"/"+family)
	return r
}

func newSession(poolID, id string, expires time.Time) *store.AuthSession {
	return &store.AuthSession{ID: id, PoolID: poolID, ClientID: "client-" + poolID, UsernameKey: "alice",
		Expires: expires, State: []byte(`{"challenge":"PASSWORD_VERIFIER","n":1}`)}
}

func wantSession(t *testing.T, got, want *store.AuthSession, what string) {
	t.Helper()
	if g, w := viewSession(got), viewSession(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantErr(t, s.CreateSigningKey(ctx, newSigningKey("pool", "k1", t0)), store.ErrNotFound, "CreateSigningKey in a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	if got := listKIDs(t, s, "pool"); len(got) != 0 {
		t.Fatalf("ListSigningKeys of a pool without keys: %q", got)
	}

	// Created out of order: the listing is by creation time, newest first.
	k1 := createSigningKey(t, s, newSigningKey("pool", "k1", at(time.Hour)))
	k3 := createSigningKey(t, s, newSigningKey("pool", "k3", at(3*time.Hour)))
	k2 := createSigningKey(t, s, newSigningKey("pool", "k2", at(2*time.Hour)))
	createSigningKey(t, s, newSigningKey("other", "k9", at(4*time.Hour)))

	keys, err := s.ListSigningKeys(ctx, "pool")
	mustNil(t, err, "ListSigningKeys")
	want := []*store.SigningKey{k3, k2, k1}
	if len(keys) != len(want) {
		t.Fatalf("ListSigningKeys: %d keys, want %d", len(keys), len(want))
	}
	for i := range want {
		if g, w := viewSigningKey(keys[i]), viewSigningKey(want[i]); !reflect.DeepEqual(g, w) {
			t.Fatalf("ListSigningKeys[%d]:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if got := listKIDs(t, s, "other"); !slices.Equal(got, []string{"k9"}) {
		t.Fatalf("ListSigningKeys of the other pool: %q", got)
	}

	dup := newSigningKey("pool", "k2", at(5*time.Hour))
	dup.Private = []byte("not saved")
	wantErr(t, s.CreateSigningKey(ctx, dup), store.ErrExists, "CreateSigningKey with a taken kid")
	keys, err = s.ListSigningKeys(ctx, "pool")
	mustNil(t, err, "ListSigningKeys after the rejected duplicate")
	if len(keys) != 3 || !reflect.DeepEqual(viewSigningKey(keys[1]), viewSigningKey(k2)) {
		t.Fatalf("ListSigningKeys after the rejected duplicate: %q", listKIDs(t, s, "pool"))
	}
}

func testRefreshTokenRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := newRefresh("pool", "hash-full", "alice", "fam1")
	full.Revoked = true
	full.Rotated = at(time.Hour)
	wantErr(t, s.CreateRefreshToken(ctx, full), store.ErrNotFound, "CreateRefreshToken in a missing pool")
	createPool(t, s, "pool")
	createRefresh(t, s, full)
	wantRefresh(t, getRefresh(t, s, full.Hash), full, "GetRefreshToken")

	// No auth time, never rotated, no data.
	bare := &store.RefreshToken{Hash: "hash-bare", PoolID: "pool", ClientID: "client", UsernameKey: "bob",
		Family: "fam2", Created: t0, Expires: at(time.Hour)}
	createRefresh(t, s, bare)
	got := getRefresh(t, s, bare.Hash)
	wantRefresh(t, got, bare, "GetRefreshToken bare")
	if !got.AuthTime.IsZero() || !got.Rotated.IsZero() || got.Revoked || got.Data != nil {
		t.Fatalf("GetRefreshToken bare: auth time %v rotated %v revoked %v data %q, want none",
			got.AuthTime, got.Rotated, got.Revoked, got.Data)
	}

	_, err := s.GetRefreshToken(ctx, "hash-none")
	wantErr(t, err, store.ErrNotFound, "GetRefreshToken missing")
	again := newRefresh("pool", full.Hash, "carol", "fam3")
	wantErr(t, s.CreateRefreshToken(ctx, again), store.ErrExists, "CreateRefreshToken with a taken hash")
	wantRefresh(t, getRefresh(t, s, full.Hash), full, "GetRefreshToken after the rejected duplicate")
}

func testRefreshTokenUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	r := createRefresh(t, s, newRefresh("pool", "hash1", "alice", "fam1"))
	other := createRefresh(t, s, newRefresh("pool", "hash2", "alice", "fam1"))

	want := *r
	want.Revoked, want.Rotated, want.Expires = true, at(time.Hour), at(2*time.Hour)
	want.Data = []byte(`{"scopes":["openid"],"rotated_to":"x"}`)
	got, err := s.UpdateRefreshToken(ctx, r.Hash, func(r *store.RefreshToken) error {
		r.Revoked, r.Rotated, r.Expires, r.Data = want.Revoked, want.Rotated, want.Expires, want.Data
		return nil
	})
	mustNil(t, err, "UpdateRefreshToken")
	wantRefresh(t, got, &want, "UpdateRefreshToken result")
	wantRefresh(t, getRefresh(t, s, r.Hash), &want, "GetRefreshToken after UpdateRefreshToken")
	wantRefresh(t, getRefresh(t, s, other.Hash), other, "the other token after UpdateRefreshToken")

	// Back to never rotated, not revoked and no data.
	want.Revoked, want.Rotated, want.Data = false, time.Time{}, nil
	got, err = s.UpdateRefreshToken(ctx, r.Hash, func(r *store.RefreshToken) error {
		r.Revoked, r.Rotated, r.Data = false, time.Time{}, nil
		return nil
	})
	mustNil(t, err, "UpdateRefreshToken clearing")
	wantRefresh(t, got, &want, "UpdateRefreshToken clearing result")
	got = getRefresh(t, s, r.Hash)
	wantRefresh(t, got, &want, "GetRefreshToken after clearing")
	if !got.Rotated.IsZero() || got.Data != nil {
		t.Fatalf("GetRefreshToken after clearing: rotated %v data %q, want none", got.Rotated, got.Data)
	}

	// A failing fn writes nothing and its error comes back unchanged.
	got, err = s.UpdateRefreshToken(ctx, r.Hash, func(r *store.RefreshToken) error {
		r.Revoked, r.Rotated, r.Expires, r.Data = true, at(3*time.Hour), at(4*time.Hour), []byte(`{"not":"saved"}`)
		return errTest
	})
	if err != errTest {
		t.Fatalf("UpdateRefreshToken with failing fn: got %v, want the fn's error unchanged", err)
	}
	if got != nil {
		t.Fatal("UpdateRefreshToken with failing fn returned a token")
	}
	wantRefresh(t, getRefresh(t, s, r.Hash), &want, "GetRefreshToken after failed UpdateRefreshToken")

	called := false
	_, err = s.UpdateRefreshToken(ctx, "hash-none", func(*store.RefreshToken) error { called = true; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateRefreshToken missing")
	if called {
		t.Fatal("UpdateRefreshToken called fn for a missing token")
	}
}

// testRefreshTokenConcurrentRotate races rotations of one token, each of
// which refuses a token already rotated: exactly one may win.
func testRefreshTokenConcurrentRotate(t *testing.T, s store.Store) {
	const racers = 8
	errRotated := errors.New("already rotated")
	createPool(t, s, "pool")
	createRefresh(t, s, newRefresh("pool", "hash1", "alice", "fam1"))
	errs := make(chan error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			_, err := s.UpdateRefreshToken(t.Context(), "hash1", func(r *store.RefreshToken) error {
				if !r.Rotated.IsZero() {
					return errRotated
				}
				r.Rotated = at(time.Duration(i+1) * time.Second)
				r.Data = fmt.Appendf(nil, `{"winner":%d}`, i)
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	wins := 0
	for err := range errs {
		switch {
		case err == nil:
			wins++
		case err != errRotated:
			t.Fatalf("losing rotation: got %v, want the fn's error", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent rotations of one token succeeded, want 1", wins)
	}
	got := getRefresh(t, s, "hash1")
	var winner int
	if _, err := fmt.Sscanf(string(got.Data), `{"winner":%d}`, &winner); err != nil ||
		ms(got.Rotated) != ms(at(time.Duration(winner+1)*time.Second)) {
		t.Fatalf("after the race: rotated %v data %q do not come from one rotation", got.Rotated, got.Data)
	}
}

func testRefreshTokenRevokeFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createPool(t, s, "other")
	created := map[string]*store.RefreshToken{}
	for _, r := range []*store.RefreshToken{
		newRefresh("pool", "a1", "alice", "fam1"),
		newRefresh("pool", "a2", "alice", "fam1"),
		newRefresh("pool", "b1", "bob", "fam1"), // a family is one user's, but the store need not know
		newRefresh("pool", "a3", "alice", "fam2"),
		newRefresh("other", "o1", "alice", "fam1"), // same family name, another pool
	} {
		created[r.Hash] = createRefresh(t, s, r)
	}
	mustNil(t, s.RevokeFamily(ctx, "pool", "fam1"), "RevokeFamily")
	wantRevoked(t, s, created, map[string]bool{"a1": true, "a2": true, "b1": true}, "after RevokeFamily")

	// Again, and for families that have no token: no error, no change.
	mustNil(t, s.RevokeFamily(ctx, "pool", "fam1"), "RevokeFamily again")
	mustNil(t, s.RevokeFamily(ctx, "pool", "fam-none"), "RevokeFamily of an unknown family")
	mustNil(t, s.RevokeFamily(ctx, "missing", "fam2"), "RevokeFamily in a missing pool")
	wantRevoked(t, s, created, map[string]bool{"a1": true, "a2": true, "b1": true}, "after no-op RevokeFamily")
}

func testRefreshTokenRevokeUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createPool(t, s, "other")
	created := map[string]*store.RefreshToken{}
	for _, r := range []*store.RefreshToken{
		newRefresh("pool", "a1", "alice", "fam1"),
		newRefresh("pool", "a2", "alice", "fam2"),
		newRefresh("pool", "b1", "bob", "fam3"),
		newRefresh("pool", "ae", "alice2", "fam4"), // a key that alice is a prefix of
		newRefresh("other", "o1", "alice", "fam5"),
	} {
		created[r.Hash] = createRefresh(t, s, r)
	}
	mustNil(t, s.RevokeUserTokens(ctx, "pool", "alice"), "RevokeUserTokens")
	wantRevoked(t, s, created, map[string]bool{"a1": true, "a2": true}, "after RevokeUserTokens")
	mustNil(t, s.RevokeUserTokens(ctx, "pool", "nobody"), "RevokeUserTokens of a user without tokens")
	wantRevoked(t, s, created, map[string]bool{"a1": true, "a2": true}, "after no-op RevokeUserTokens")

	for _, f := range []struct {
		pool, family string
		revoked      bool
	}{
		{"pool", "fam1", true}, {"pool", "fam2", true}, {"pool", "fam3", false},
		{"pool", "fam4", false}, {"other", "fam5", false},
	} {
		if got := familyRevoked(t, s, f.pool, f.family); got != f.revoked {
			t.Fatalf("FamilyRevoked %s/%s after RevokeUserTokens: %v, want %v", f.pool, f.family, got, f.revoked)
		}
	}
}

func testRefreshTokenFamilyRevoked(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createPool(t, s, "other")
	if !familyRevoked(t, s, "pool", "fam1") {
		t.Fatal("FamilyRevoked of a family with no token: false, want true")
	}
	createRefresh(t, s, newRefresh("pool", "h1", "alice", "fam1"))
	createRefresh(t, s, newRefresh("pool", "h2", "alice", "fam1"))
	createRefresh(t, s, newRefresh("pool", "h3", "alice", "fam2"))
	if familyRevoked(t, s, "pool", "fam1") {
		t.Fatal("FamilyRevoked with live tokens: true")
	}
	for _, f := range [][2]string{{"pool", "fam-none"}, {"other", "fam1"}, {"missing", "fam1"}} {
		if !familyRevoked(t, s, f[0], f[1]) {
			t.Fatalf("FamilyRevoked %s/%s, a family with no token there: false, want true", f[0], f[1])
		}
	}

	// One token revoked, one live: the family lives.
	_, err := s.UpdateRefreshToken(ctx, "h1", func(r *store.RefreshToken) error { r.Revoked = true; return nil })
	mustNil(t, err, "UpdateRefreshToken revoking h1")
	if familyRevoked(t, s, "pool", "fam1") {
		t.Fatal("FamilyRevoked with one token revoked and one live: true")
	}
	mustNil(t, s.RevokeFamily(ctx, "pool", "fam1"), "RevokeFamily")
	if !familyRevoked(t, s, "pool", "fam1") {
		t.Fatal("FamilyRevoked after RevokeFamily: false")
	}
	if familyRevoked(t, s, "pool", "fam2") {
		t.Fatal("FamilyRevoked of another family after RevokeFamily: true")
	}

	// A live token added to a revoked family revives it.
	createRefresh(t, s, newRefresh("pool", "h4", "alice", "fam1"))
	if familyRevoked(t, s, "pool", "fam1") {
		t.Fatal("FamilyRevoked after a live token was added: true")
	}
}

func testAuthSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newSession("pool", "sess1", at(3*time.Minute))
	wantErr(t, s.CreateAuthSession(ctx, a), store.ErrNotFound, "CreateAuthSession in a missing pool")
	createPool(t, s, "pool")
	mustNil(t, s.CreateAuthSession(ctx, a), "CreateAuthSession")
	bare := &store.AuthSession{ID: "sess2", PoolID: "pool", ClientID: "client", UsernameKey: "bob", Expires: at(time.Minute)}
	mustNil(t, s.CreateAuthSession(ctx, bare), "CreateAuthSession bare")

	dup := newSession("pool", "sess1", at(time.Hour))
	dup.State = []byte(`{"not":"saved"}`)
	wantErr(t, s.CreateAuthSession(ctx, dup), store.ErrExists, "CreateAuthSession with a taken id")

	got, err := s.GetAuthSession(ctx, a.ID)
	mustNil(t, err, "GetAuthSession")
	wantSession(t, got, a, "GetAuthSession")
	// Reading does not use it up.
	got, err = s.GetAuthSession(ctx, a.ID)
	mustNil(t, err, "GetAuthSession again")
	wantSession(t, got, a, "GetAuthSession again")
	got, err = s.GetAuthSession(ctx, bare.ID)
	mustNil(t, err, "GetAuthSession bare")
	wantSession(t, got, bare, "GetAuthSession bare")
	if got.State != nil {
		t.Fatalf("GetAuthSession bare: state %q, want none", got.State)
	}
	_, err = s.GetAuthSession(ctx, "sess-none")
	wantErr(t, err, store.ErrNotFound, "GetAuthSession missing")

	got, err = s.TakeAuthSession(ctx, a.ID)
	mustNil(t, err, "TakeAuthSession")
	wantSession(t, got, a, "TakeAuthSession")
	_, err = s.TakeAuthSession(ctx, a.ID)
	wantErr(t, err, store.ErrNotFound, "TakeAuthSession a second time")
	_, err = s.GetAuthSession(ctx, a.ID)
	wantErr(t, err, store.ErrNotFound, "GetAuthSession after TakeAuthSession")
	_, err = s.TakeAuthSession(ctx, "sess-none")
	wantErr(t, err, store.ErrNotFound, "TakeAuthSession of a session never created")

	// Taking one leaves the others.
	got, err = s.GetAuthSession(ctx, bare.ID)
	mustNil(t, err, "GetAuthSession of the other session after TakeAuthSession")
	wantSession(t, got, bare, "the other session after TakeAuthSession")
	// The id of a taken session is free again.
	mustNil(t, s.CreateAuthSession(ctx, dup), "CreateAuthSession with the id of a taken session")
	got, err = s.TakeAuthSession(ctx, dup.ID)
	mustNil(t, err, "TakeAuthSession of the recreated session")
	wantSession(t, got, dup, "TakeAuthSession of the recreated session")
}

// testAuthSessionConcurrentTake races takers of one session: exactly one
// gets it, the rest get ErrNotFound.
func testAuthSessionConcurrentTake(t *testing.T, s store.Store) {
	const racers, rounds = 16, 4
	createPool(t, s, "pool")
	for round := range rounds {
		a := newSession("pool", fmt.Sprintf("sess%d", round), at(time.Hour))
		mustNil(t, s.CreateAuthSession(t.Context(), a), "CreateAuthSession")
		type result struct {
			a   *store.AuthSession
			err error
		}
		results := make(chan result, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range racers {
			wg.Go(func() {
				<-start
				got, err := s.TakeAuthSession(t.Context(), a.ID)
				results <- result{got, err}
			})
		}
		close(start)
		wg.Wait()
		close(results)
		wins := 0
		for r := range results {
			if r.err == nil {
				wins++
				wantSession(t, r.a, a, "winning TakeAuthSession")
				continue
			}
			wantErr(t, r.err, store.ErrNotFound, "losing TakeAuthSession")
		}
		if wins != 1 {
			t.Fatalf("round %d: %d of %d concurrent takers got the session, want 1", round, wins, racers)
		}
	}
}

// testSignInDeleteCascades: a pool's signing keys, refresh tokens and auth
// sessions go with it, and nothing of them lingers.
func testSignInDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	fill := func(poolID string) {
		createPool(t, s, poolID)
		createSigningKey(t, s, newSigningKey(poolID, "kid-"+poolID, t0))
		createSigningKey(t, s, newSigningKey(poolID, "kid2-"+poolID, at(time.Hour)))
		createRefresh(t, s, newRefresh(poolID, "hash-"+poolID, "alice", "fam-"+poolID))
		mustNil(t, s.CreateAuthSession(ctx, newSession(poolID, "sess-"+poolID, at(time.Hour))), "CreateAuthSession")
	}
	fill("doomed")
	fill("kept")

	mustNil(t, s.DeletePool(ctx, "doomed"), "DeletePool")
	if got := listKIDs(t, s, "doomed"); len(got) != 0 {
		t.Fatalf("ListSigningKeys after DeletePool: %q", got)
	}
	_, err := s.GetRefreshToken(ctx, "hash-doomed")
	wantErr(t, err, store.ErrNotFound, "GetRefreshToken after DeletePool")
	if !familyRevoked(t, s, "doomed", "fam-doomed") {
		t.Fatal("FamilyRevoked after DeletePool: false")
	}
	_, err = s.GetAuthSession(ctx, "sess-doomed")
	wantErr(t, err, store.ErrNotFound, "GetAuthSession after DeletePool")
	_, err = s.TakeAuthSession(ctx, "sess-doomed")
	wantErr(t, err, store.ErrNotFound, "TakeAuthSession after DeletePool")

	// The other pool is untouched.
	if got := listKIDs(t, s, "kept"); !slices.Equal(got, []string{"kid2-kept", "kid-kept"}) {
		t.Fatalf("other pool's signing keys after DeletePool: %q", got)
	}
	wantRefresh(t, getRefresh(t, s, "hash-kept"), newRefresh("kept", "hash-kept", "alice", "fam-kept"),
		"other pool's refresh token after DeletePool")
	got, err := s.GetAuthSession(ctx, "sess-kept")
	mustNil(t, err, "other pool's auth session after DeletePool")
	wantSession(t, got, newSession("kept", "sess-kept", at(time.Hour)), "other pool's auth session after DeletePool")

	// The kids, hashes and session ids are free again.
	fill("doomed")
	if got := listKIDs(t, s, "doomed"); !slices.Equal(got, []string{"kid2-doomed", "kid-doomed"}) {
		t.Fatalf("ListSigningKeys of the recreated pool: %q", got)
	}
}

// testPruneExpired: what expired before now goes, in every pool; what
// expires at now or later stays, untouched.
func testPruneExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := at(10 * time.Hour)
	mustNil(t, s.PruneExpired(ctx, now), "PruneExpired of an empty store")
	createPool(t, s, "pool")
	createPool(t, s, "other")

	// Each record is named by the expiry: "gone" a day before now, "past"
	// one millisecond before, "now" exactly at now, "live" an hour after.
	expiries := []struct {
		name    string
		expires time.Time
		pruned  bool
	}{
		{"gone", now.Add(-24 * time.Hour), true},
		{"past", now.Add(-time.Millisecond), true},
		{"now", now, false},
		{"live", now.Add(time.Hour), false},
	}
	keys := map[string]*store.SigningKey{}
	tokens := map[string]*store.RefreshToken{}
	sessions := map[string]*store.AuthSession{}
	for _, poolID := range []string{"pool", "other"} {
		for _, e := range expiries {
			name := poolID + "-" + e.name
			k := newSigningKey(poolID, name, e.expires.Add(-48*time.Hour))
			k.Expires = e.expires
			keys[name] = createSigningKey(t, s, k)
			r := newRefresh(poolID, name, "alice", "fam-"+name)
			r.Expires = e.expires
			tokens[name] = createRefresh(t, s, r)
			a := newSession(poolID, name, e.expires)
			mustNil(t, s.CreateAuthSession(ctx, a), "CreateAuthSession "+name)
			sessions[name] = a
		}
	}
	// A revoked token that has not expired is kept (reuse detection needs it).
	revoked := newRefresh("pool", "pool-revoked", "alice", "fam-pool-revoked")
	revoked.Expires, revoked.Revoked = now.Add(time.Hour), true
	tokens[revoked.Hash] = createRefresh(t, s, revoked)

	mustNil(t, s.PruneExpired(ctx, now), "PruneExpired")
	for _, poolID := range []string{"pool", "other"} {
		var wantKIDs []string
		for _, e := range slices.Backward(expiries) { // newest first
			if !e.pruned {
				wantKIDs = append(wantKIDs, poolID+"-"+e.name)
			}
		}
		gotKeys, err := s.ListSigningKeys(ctx, poolID)
		mustNil(t, err, "ListSigningKeys after PruneExpired")
		var gotKIDs []string
		for _, k := range gotKeys {
			gotKIDs = append(gotKIDs, k.KID)
			if g, w := viewSigningKey(k), viewSigningKey(keys[k.KID]); !reflect.DeepEqual(g, w) {
				t.Fatalf("signing key %s after PruneExpired:\n got %+v\nwant %+v", k.KID, g, w)
			}
		}
		if !slices.Equal(gotKIDs, wantKIDs) {
			t.Fatalf("signing keys of %s after PruneExpired: %q, want %q", poolID, gotKIDs, wantKIDs)
		}

		for _, e := range expiries {
			name := poolID + "-" + e.name
			r, err := s.GetRefreshToken(ctx, name)
			a, aerr := s.GetAuthSession(ctx, name)
			if e.pruned {
				wantErr(t, err, store.ErrNotFound, "GetRefreshToken of expired "+name)
				wantErr(t, aerr, store.ErrNotFound, "GetAuthSession of expired "+name)
				if !familyRevoked(t, s, poolID, "fam-"+name) {
					t.Fatalf("FamilyRevoked of pruned token %s: false", name)
				}
				continue
			}
			mustNil(t, err, "GetRefreshToken of live "+name)
			wantRefresh(t, r, tokens[name], "refresh token "+name+" after PruneExpired")
			mustNil(t, aerr, "GetAuthSession of live "+name)
			wantSession(t, a, sessions[name], "auth session "+name+" after PruneExpired")
			if familyRevoked(t, s, poolID, "fam-"+name) {
				t.Fatalf("FamilyRevoked of live token %s: true", name)
			}
		}
	}
	wantRefresh(t, getRefresh(t, s, revoked.Hash), revoked, "revoked live token after PruneExpired")

	// Pruning again at the same time finds nothing more to do; later, the
	// rest expires too.
	mustNil(t, s.PruneExpired(ctx, now), "PruneExpired again")
	mustNil(t, s.PruneExpired(ctx, now.Add(2*time.Hour)), "PruneExpired later")
	for _, poolID := range []string{"pool", "other"} {
		if got := listKIDs(t, s, poolID); len(got) != 0 {
			t.Fatalf("signing keys of %s after everything expired: %q", poolID, got)
		}
		for _, e := range expiries {
			_, err := s.GetRefreshToken(ctx, poolID+"-"+e.name)
			wantErr(t, err, store.ErrNotFound, "GetRefreshToken after everything expired")
			_, err = s.TakeAuthSession(ctx, poolID+"-"+e.name)
			wantErr(t, err, store.ErrNotFound, "TakeAuthSession after everything expired")
		}
	}
	_, err := s.GetRefreshToken(ctx, revoked.Hash)
	wantErr(t, err, store.ErrNotFound, "GetRefreshToken of the revoked token after it expired")
}
