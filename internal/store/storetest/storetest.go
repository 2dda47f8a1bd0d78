// Package storetest is the conformance suite for store.Store: every
// implementation runs it from its own tests, so that they all honour the
// same contract, down to error values, pagination and concurrency.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
)

// Run runs the suite. open must return a new, empty store for the test
// calling it; Run closes it when that test ends. Subtests run in parallel,
// each on its own store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"Pool/CRUD", testPoolCRUD},
		{"Pool/List", testPoolList},
		{"Pool/DeleteCascades", testPoolDeleteCascades},
		{"Client/CRUD", testClientCRUD},
		{"Client/List", testClientList},
		{"User/RoundTrip", testUserRoundTrip},
		{"User/CreateConflicts", testUserCreateConflicts},
		{"User/Update", testUserUpdate},
		{"User/UpdateSub", testUserUpdateSub},
		{"User/UpdateAliasConflict", testUserUpdateAliasConflict},
		{"User/AliasMoves", testUserAliasMoves},
		{"User/UpdateFnError", testUserUpdateFnError},
		{"User/NotFound", testUserNotFound},
		{"User/DeleteCascades", testUserDeleteCascades},
		{"User/List", testUserList},
		{"User/ListDefaultLimit", testUserListDefaultLimit},
		{"User/Filters", testUserFilters},
		{"User/ConcurrentUpdates", testUserConcurrentUpdates},
		{"User/ConcurrentCreates", testUserConcurrentCreates},
		{"Group/CRUD", testGroupCRUD},
		{"Group/List", testGroupList},
		{"Group/Membership", testGroupMembership},
		{"Group/DeleteCascades", testGroupDeleteCascades},
		{"SigningKey/CRUD", testSigningKeys},
		{"RefreshToken/RoundTrip", testRefreshTokenRoundTrip},
		{"RefreshToken/Update", testRefreshTokenUpdate},
		{"RefreshToken/ConcurrentRotate", testRefreshTokenConcurrentRotate},
		{"RefreshToken/RevokeFamily", testRefreshTokenRevokeFamily},
		{"RefreshToken/RevokeUserTokens", testRefreshTokenRevokeUser},
		{"RefreshToken/FamilyRevoked", testRefreshTokenFamilyRevoked},
		{"AuthSession/CRUD", testAuthSessions},
		{"AuthSession/ConcurrentTake", testAuthSessionConcurrentTake},
		{"SignIn/DeleteCascades", testSignInDeleteCascades},
		{"SignIn/PruneExpired", testPruneExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// t0 is a fixed time with millisecond precision, the precision stores keep.
var t0 = time.UnixMilli(1_700_000_000_123).UTC()

func at(d time.Duration) time.Time { return t0.Add(d) }

// errTest is what callbacks return to make an update fail.
var errTest = errors.New("storetest: callback failed")

func mustNil(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func wantAliasConflict(t *testing.T, err error, kind, value, owner, what string) {
	t.Helper()
	var ac *store.AliasConflictError
	if !errors.As(err, &ac) {
		t.Fatalf("%s: got error %v, want *store.AliasConflictError", what, err)
	}
	if ac.Kind != kind || ac.Value != value || ac.Owner != owner {
		t.Fatalf("%s: got conflict %+v, want {Kind:%s Value:%s Owner:%s}", what, *ac, kind, value, owner)
	}
}

func createPool(t *testing.T, s store.Store, id string) *store.Pool {
	t.Helper()
	p := &store.Pool{ID: id, Name: "pool " + id, Created: t0, Modified: t0, Config: []byte(`{"MfaConfiguration":"OFF"}`)}
	mustNil(t, s.CreatePool(t.Context(), p), "CreatePool "+id)
	return p
}

// newUser is a user named key whose sub is "sub-"+key, with the attributes
// given as name, value pairs.
func newUser(poolID, key string, attrs ...string) *store.User {
	u := &store.User{
		PoolID: poolID, Username: key, UsernameKey: key, Sub: "sub-" + key,
		Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{}, Aliases: map[string]string{},
		Created: t0, Modified: t0,
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		u.Attributes[attrs[i]] = attrs[i+1]
	}
	return u
}

func createUser(t *testing.T, s store.Store, u *store.User) *store.User {
	t.Helper()
	mustNil(t, s.CreateUser(t.Context(), u), "CreateUser "+u.UsernameKey)
	return u
}

// Records are compared through these views: the store keeps times to the
// millisecond and may return an absent map or byte slice as empty or nil.

type userView struct {
	PoolID, Username, UsernameKey, Sub, Status string
	Enabled                                    bool
	Attributes, Aliases                        map[string]string
	Password, Settings                         string
	PasswordSet, Created, Modified             int64
}

func viewUser(u *store.User) userView {
	return userView{
		PoolID: u.PoolID, Username: u.Username, UsernameKey: u.UsernameKey, Sub: u.Sub, Status: u.Status,
		Enabled: u.Enabled, Attributes: nonNil(u.Attributes), Aliases: nonNil(u.Aliases),
		Password: string(u.Password), Settings: string(u.Settings),
		PasswordSet: ms(u.PasswordSet), Created: ms(u.Created), Modified: ms(u.Modified),
	}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// ms is t in unix milliseconds, the zero time as 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func wantUser(t *testing.T, got, want *store.User, what string) {
	t.Helper()
	if g, w := viewUser(got), viewUser(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func getUser(t *testing.T, s store.Store, poolID, key string) *store.User {
	t.Helper()
	u, err := s.GetUser(t.Context(), poolID, key)
	mustNil(t, err, "GetUser "+key)
	return u
}

type poolView struct {
	ID, Name, Config  string
	Created, Modified int64
}

func viewPool(p *store.Pool) poolView {
	return poolView{p.ID, p.Name, string(p.Config), ms(p.Created), ms(p.Modified)}
}

type clientView struct {
	PoolID, ID, Name, Config string
	Created, Modified        int64
	Secrets                  []string
}

func viewClient(c *store.Client) clientView {
	v := clientView{PoolID: c.PoolID, ID: c.ID, Name: c.Name, Config: string(c.Config),
		Created: ms(c.Created), Modified: ms(c.Modified)}
	for _, s := range c.Secrets {
		v.Secrets = append(v.Secrets, fmt.Sprintf("%s=%s@%d", s.ID, s.Value, ms(s.Created)))
	}
	return v
}

type groupView struct {
	PoolID, Name, Description, RoleArn string
	Precedence                         string
	Created, Modified                  int64
}

func viewGroup(g *store.Group) groupView {
	v := groupView{PoolID: g.PoolID, Name: g.Name, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: "nil", Created: ms(g.Created), Modified: ms(g.Modified)}
	if g.Precedence != nil {
		v.Precedence = strconv.Itoa(int(*g.Precedence))
	}
	return v
}

// walk pages through a listing limit items at a time and returns the keys
// of everything listed, checking the paging contract on the way: no page
// is over the limit, every page that carries a cursor is full and the last
// page carries none, so n items take exactly ceil(n/limit) pages (one when
// there are none), and no key is listed twice.
func walk[T any](t *testing.T, limit int, key func(T) string,
	page func(store.Page) ([]T, string, error)) []string {
	t.Helper()
	var (
		keys  []string
		after string
		seen  = map[string]bool{}
	)
	pageSize := limit
	if pageSize <= 0 {
		pageSize = 60
	}
	for pages := 1; ; pages++ {
		items, next, err := page(store.Page{Limit: limit, After: after})
		if err != nil {
			t.Fatalf("page %d (limit %d): %v", pages, limit, err)
		}
		if len(items) > pageSize {
			t.Fatalf("page %d (limit %d): %d items", pages, limit, len(items))
		}
		for _, it := range items {
			k := key(it)
			if seen[k] {
				t.Fatalf("page %d (limit %d): %q listed twice", pages, limit, k)
			}
			seen[k] = true
			keys = append(keys, k)
		}
		if next == "" {
			if want := max(1, (len(keys)+pageSize-1)/pageSize); pages != want {
				t.Fatalf("limit %d: %d items took %d pages, want %d", limit, len(keys), pages, want)
			}
			return keys
		}
		if len(items) != pageSize {
			t.Fatalf("page %d (limit %d): %d items and a cursor", pages, limit, len(items))
		}
		if pages > 10000 {
			t.Fatalf("limit %d: paging does not end", limit)
		}
		after = next
	}
}

// walkAll checks that paging with limits 1, 2 and the default all list the
// same keys in the same order, and returns them.
func walkAll[T any](t *testing.T, key func(T) string, page func(store.Page) ([]T, string, error)) []string {
	t.Helper()
	all := walk(t, 0, key, page)
	for _, limit := range []int{1, 2} {
		if got := walk(t, limit, key, page); !slices.Equal(got, all) {
			t.Fatalf("limit %d listed %q; limit 0 listed %q", limit, got, all)
		}
	}
	return all
}

func userKey(u *store.User) string    { return u.UsernameKey }
func groupName(g *store.Group) string { return g.Name }

func listUsers(t *testing.T, s store.Store, poolID string, f *store.UserFilter) []string {
	t.Helper()
	return walkAll(t, userKey, func(p store.Page) ([]*store.User, string, error) {
		return s.ListUsers(t.Context(), poolID, f, p)
	})
}

func testPing(t *testing.T, s store.Store) {
	mustNil(t, s.Ping(t.Context()), "Ping")
}

func testPoolCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, s, "us-east-1_pool1")
	wantErr(t, s.CreatePool(ctx, &store.Pool{ID: p.ID, Name: "again"}), store.ErrExists, "CreatePool duplicate")

	got, err := s.GetPool(ctx, p.ID)
	mustNil(t, err, "GetPool")
	if !reflect.DeepEqual(viewPool(got), viewPool(p)) {
		t.Fatalf("GetPool: got %+v, want %+v", viewPool(got), viewPool(p))
	}
	_, err = s.GetPool(ctx, "us-east-1_none")
	wantErr(t, err, store.ErrNotFound, "GetPool missing")

	updated, err := s.UpdatePool(ctx, p.ID, func(p *store.Pool) error {
		p.Name = "renamed"
		p.Config = []byte(`{"MfaConfiguration":"ON"}`)
		p.Modified = at(time.Hour)
		return nil
	})
	mustNil(t, err, "UpdatePool")
	want := *p
	want.Name, want.Config, want.Modified = "renamed", []byte(`{"MfaConfiguration":"ON"}`), at(time.Hour)
	for what, got := range map[string]*store.Pool{"UpdatePool result": updated, "GetPool after update": must(s.GetPool(ctx, p.ID))} {
		if !reflect.DeepEqual(viewPool(got), viewPool(&want)) {
			t.Fatalf("%s: got %+v, want %+v", what, viewPool(got), viewPool(&want))
		}
	}

	_, err = s.UpdatePool(ctx, p.ID, func(p *store.Pool) error {
		p.Name = "not saved"
		return errTest
	})
	if err != errTest {
		t.Fatalf("UpdatePool with failing fn: got %v, want the fn's error unchanged", err)
	}
	if got := must(s.GetPool(ctx, p.ID)); got.Name != "renamed" {
		t.Fatalf("UpdatePool with failing fn wrote name %q", got.Name)
	}
	_, err = s.UpdatePool(ctx, "us-east-1_none", func(*store.Pool) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdatePool missing")

	mustNil(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err = s.GetPool(ctx, p.ID)
	wantErr(t, err, store.ErrNotFound, "GetPool after delete")
	wantErr(t, s.DeletePool(ctx, p.ID), store.ErrNotFound, "DeletePool again")

	// A pool without config or times round-trips as such.
	bare := &store.Pool{ID: "us-east-1_bare", Name: "bare"}
	mustNil(t, s.CreatePool(ctx, bare), "CreatePool bare")
	if got := must(s.GetPool(ctx, bare.ID)); !reflect.DeepEqual(viewPool(got), viewPool(bare)) ||
		!got.Created.IsZero() {
		t.Fatalf("GetPool bare: got %+v", viewPool(got))
	}
}

// must returns v, failing nothing: for use where err was checked before or
// does not matter to the assertion (a nil v then fails it).
func must[T any](v T, _ error) T { return v }

func testPoolList(t *testing.T, s store.Store) {
	ids := []string{"p4", "p1", "p5", "p3", "p2"}
	for _, id := range ids {
		createPool(t, s, id)
	}
	got := walkAll(t, func(p *store.Pool) string { return p.ID }, func(p store.Page) ([]*store.Pool, string, error) {
		return s.ListPools(t.Context(), p)
	})
	if want := []string{"p1", "p2", "p3", "p4", "p5"}; !slices.Equal(got, want) {
		t.Fatalf("ListPools: got %q, want %q", got, want)
	}
	if _, _, err := s.ListPools(t.Context(), store.Page{After: "not a cursor!"}); err == nil {
		t.Fatal("ListPools with a bad cursor: no error")
	}
}

func testPoolDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	fill := func(poolID string) {
		createPool(t, s, poolID)
		mustNil(t, s.CreateClient(ctx, &store.Client{PoolID: poolID, ID: "client-" + poolID, Name: "app"}), "CreateClient")
		for _, key := range []string{"alice", "bob"} {
			u := newUser(poolID, key, "email", key+"@example.com")
			u.Aliases["email"] = key + "@example.com"
			createUser(t, s, u)
		}
		mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: poolID, Name: "admins"}), "CreateGroup")
		mustNil(t, s.AddUserToGroup(ctx, poolID, "alice", "admins"), "AddUserToGroup")
	}
	fill("doomed")
	fill("kept")

	mustNil(t, s.DeletePool(ctx, "doomed"), "DeletePool")
	_, err := s.GetClientByID(ctx, "client-doomed")
	wantErr(t, err, store.ErrNotFound, "GetClientByID after DeletePool")
	_, err = s.GetUser(ctx, "doomed", "alice")
	wantErr(t, err, store.ErrNotFound, "GetUser after DeletePool")
	_, err = s.GetUserBySub(ctx, "doomed", "sub-alice")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub after DeletePool")
	_, err = s.GetUserByAlias(ctx, "doomed", "email", "alice@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias after DeletePool")
	_, err = s.GetGroup(ctx, "doomed", "admins")
	wantErr(t, err, store.ErrNotFound, "GetGroup after DeletePool")
	_, _, err = s.ListUsers(ctx, "doomed", nil, store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListUsers after DeletePool")

	// The other pool is untouched.
	if got := listUsers(t, s, "kept", nil); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Fatalf("other pool's users after DeletePool: %q", got)
	}
	members := walkAll(t, userKey, func(p store.Page) ([]*store.User, string, error) {
		return s.ListUsersInGroup(ctx, "kept", "admins", p)
	})
	if !slices.Equal(members, []string{"alice"}) {
		t.Fatalf("other pool's group members after DeletePool: %q", members)
	}
	_, err = s.GetClientByID(ctx, "client-kept")
	mustNil(t, err, "other pool's client after DeletePool")

	// Nothing of the old pool lingers: the same ids, names, subs and
	// aliases are all free again, and the new pool starts empty.
	fill("doomed")
	if n, err := s.CountUsers(ctx, "doomed"); err != nil || n != 2 {
		t.Fatalf("CountUsers of the recreated pool: %d, %v", n, err)
	}
	groups := walkAll(t, groupName, func(p store.Page) ([]*store.Group, string, error) {
		return s.ListGroupsForUser(ctx, "doomed", "bob", p)
	})
	if len(groups) != 0 {
		t.Fatalf("recreated pool: bob is in %q", groups)
	}
}

func testClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	cl := &store.Client{
		PoolID: "pool", ID: "client1", Name: "web", Created: t0, Modified: t0,
		Config: []byte(`{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"]}`),
		Secrets: []store.ClientSecret{
			{ID: "s1", Value: "secret-one", Created: t0},
			{ID: "s2", Value: "secret-two", Created: at(time.Minute)},
		},
	}
	wantErr(t, s.CreateClient(ctx, cl), store.ErrNotFound, "CreateClient in a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	mustNil(t, s.CreateClient(ctx, cl), "CreateClient")
	dup := *cl
	dup.PoolID = "other"
	wantErr(t, s.CreateClient(ctx, &dup), store.ErrExists, "CreateClient with an id taken in another pool")

	check := func(what string, got *store.Client, err error, want *store.Client) {
		t.Helper()
		mustNil(t, err, what)
		if !reflect.DeepEqual(viewClient(got), viewClient(want)) {
			t.Fatalf("%s:\n got %+v\nwant %+v", what, viewClient(got), viewClient(want))
		}
	}
	got, err := s.GetClient(ctx, "pool", "client1")
	check("GetClient", got, err, cl)
	got, err = s.GetClientByID(ctx, "client1")
	check("GetClientByID", got, err, cl)
	_, err = s.GetClient(ctx, "other", "client1")
	wantErr(t, err, store.ErrNotFound, "GetClient in the wrong pool")
	_, err = s.GetClient(ctx, "pool", "none")
	wantErr(t, err, store.ErrNotFound, "GetClient missing")
	_, err = s.GetClientByID(ctx, "none")
	wantErr(t, err, store.ErrNotFound, "GetClientByID missing")

	want := *cl
	want.Name, want.Modified = "web2", at(time.Hour)
	want.Secrets = []store.ClientSecret{{ID: "s2", Value: "secret-two", Created: at(time.Minute)}}
	got, err = s.UpdateClient(ctx, "pool", "client1", func(c *store.Client) error {
		c.Name, c.Modified = want.Name, want.Modified
		c.Secrets = c.Secrets[1:]
		return nil
	})
	check("UpdateClient result", got, err, &want)
	got, err = s.GetClient(ctx, "pool", "client1")
	check("GetClient after UpdateClient", got, err, &want)

	_, err = s.UpdateClient(ctx, "pool", "client1", func(c *store.Client) error {
		c.Name, c.Secrets = "not saved", nil
		return errTest
	})
	if err != errTest {
		t.Fatalf("UpdateClient with failing fn: got %v, want the fn's error unchanged", err)
	}
	got, err = s.GetClient(ctx, "pool", "client1")
	check("GetClient after failed UpdateClient", got, err, &want)
	_, err = s.UpdateClient(ctx, "other", "client1", func(*store.Client) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateClient in the wrong pool")

	wantErr(t, s.DeleteClient(ctx, "other", "client1"), store.ErrNotFound, "DeleteClient in the wrong pool")
	mustNil(t, s.DeleteClient(ctx, "pool", "client1"), "DeleteClient")
	_, err = s.GetClientByID(ctx, "client1")
	wantErr(t, err, store.ErrNotFound, "GetClientByID after delete")
	wantErr(t, s.DeleteClient(ctx, "pool", "client1"), store.ErrNotFound, "DeleteClient again")

	// A public client: no secrets, no config.
	pub := &store.Client{PoolID: "pool", ID: "public", Name: "spa"}
	mustNil(t, s.CreateClient(ctx, pub), "CreateClient without secrets")
	got, err = s.GetClient(ctx, "pool", "public")
	check("GetClient without secrets", got, err, pub)
}

func testClientList(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, _, err := s.ListClients(ctx, "pool", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListClients in a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	page := func(p store.Page) ([]*store.Client, string, error) { return s.ListClients(ctx, "pool", p) }
	key := func(c *store.Client) string { return c.ID }
	if got := walkAll(t, key, page); len(got) != 0 {
		t.Fatalf("ListClients of an empty pool: %q", got)
	}
	for _, id := range []string{"c3", "c1", "c5", "c2", "c4"} {
		mustNil(t, s.CreateClient(ctx, &store.Client{PoolID: "pool", ID: id, Name: id}), "CreateClient")
	}
	mustNil(t, s.CreateClient(ctx, &store.Client{PoolID: "other", ID: "c0", Name: "c0"}), "CreateClient")
	if got, want := walkAll(t, key, page), []string{"c1", "c2", "c3", "c4", "c5"}; !slices.Equal(got, want) {
		t.Fatalf("ListClients: got %q, want %q", got, want)
	}
}

func testUserRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	u := &store.User{
		PoolID: "pool", Username: "Alice", UsernameKey: "alice", Sub: "6b1c6d3e-0001",
		Status: "FORCE_CHANGE_PASSWORD", Enabled: false,
		Attributes: map[string]string{
			"email": "Alice@Example.com", "email_verified": "true", "phone_number": "+15550100",
			"custom:tenant": "acme <&> \"quoted\"", "name": "Alice Ämberg",
		},
		Aliases:     map[string]string{"email": "alice@example.com", "phone_number": "+15550100", "preferred_username": "ally"},
		Password:    []byte{0, 1, 2, 0xFF, 'x'},
		PasswordSet: at(2 * time.Second),
		Created:     t0, Modified: at(time.Second),
		Settings: []byte(`{"mfa":["SOFTWARE_TOKEN_MFA"]}`),
	}
	createUser(t, s, u)
	wantUser(t, getUser(t, s, "pool", "alice"), u, "GetUser")
	got, err := s.GetUserBySub(ctx, "pool", u.Sub)
	mustNil(t, err, "GetUserBySub")
	wantUser(t, got, u, "GetUserBySub")
	for kind, value := range u.Aliases {
		got, err := s.GetUserByAlias(ctx, "pool", kind, value)
		mustNil(t, err, "GetUserByAlias "+kind)
		wantUser(t, got, u, "GetUserByAlias "+kind)
	}
	// An alias is found under its own kind only.
	_, err = s.GetUserByAlias(ctx, "pool", "preferred_username", "alice@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias with the wrong kind")

	// A bare user: no password, no attributes, no settings.
	bare := &store.User{PoolID: "pool", Username: "bare", UsernameKey: "bare", Sub: "sub-bare", Status: "UNCONFIRMED", Enabled: true}
	createUser(t, s, bare)
	got = getUser(t, s, "pool", "bare")
	wantUser(t, got, bare, "GetUser bare")
	if got.Password != nil || !got.PasswordSet.IsZero() {
		t.Fatalf("GetUser bare: password %v set %v, want none", got.Password, got.PasswordSet)
	}
	if got.Attributes == nil || got.Aliases == nil {
		t.Fatal("GetUser bare: nil Attributes or Aliases map; callers must be able to assign into them")
	}
	if n, err := s.CountUsers(ctx, "pool"); err != nil || n != 2 {
		t.Fatalf("CountUsers: %d, %v; want 2", n, err)
	}
}

func testUserCreateConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantErr(t, s.CreateUser(ctx, newUser("pool", "alice")), store.ErrNotFound, "CreateUser in a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	alice := newUser("pool", "alice", "email", "alice@example.com")
	alice.Aliases["email"] = "alice@example.com"
	alice.Aliases["preferred_username"] = "ally"
	createUser(t, s, alice)

	sameKey := newUser("pool", "alice")
	sameKey.Sub = "sub-other"
	wantErr(t, s.CreateUser(ctx, sameKey), store.ErrExists, "CreateUser with a taken username key")

	sameSub := newUser("pool", "alice2")
	sameSub.Sub = alice.Sub
	wantErr(t, s.CreateUser(ctx, sameSub), store.ErrExists, "CreateUser with a taken sub")

	sameAlias := newUser("pool", "bob", "email", "alice@example.com")
	sameAlias.Aliases["phone_number"] = "+15550100"
	sameAlias.Aliases["preferred_username"] = "ally"
	err := s.CreateUser(ctx, sameAlias)
	wantAliasConflict(t, err, "preferred_username", "ally", "alice", "CreateUser with a taken alias")
	// Nothing of the rejected user was written: not the user, not the alias
	// that was free, not its index rows.
	_, err = s.GetUser(ctx, "pool", "bob")
	wantErr(t, err, store.ErrNotFound, "GetUser after alias conflict")
	_, err = s.GetUserByAlias(ctx, "pool", "phone_number", "+15550100")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias of the conflicting user's free alias")
	if got := listUsers(t, s, "pool", &store.UserFilter{Field: "email", Value: "alice@example.com"}); !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("email filter after alias conflict: %q", got)
	}

	// The same alias kind with another value is fine, and so is the same
	// value under another kind.
	bob := newUser("pool", "bob")
	bob.Aliases["email"] = "bob@example.com"
	bob.Aliases["phone_number"] = "ally"
	createUser(t, s, bob)

	// Keys, subs and aliases are unique per pool only.
	twin := newUser("other", "alice")
	twin.Sub = alice.Sub
	twin.Aliases["email"] = "alice@example.com"
	createUser(t, s, twin)
	got, err := s.GetUserByAlias(ctx, "other", "email", "alice@example.com")
	mustNil(t, err, "GetUserByAlias in the other pool")
	if got.PoolID != "other" {
		t.Fatalf("GetUserByAlias in the other pool found the user of pool %q", got.PoolID)
	}
}

func testUserUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	u := newUser("pool", "alice", "email", "alice@example.com", "given_name", "Alice", "custom:tier", "gold")
	u.Aliases["email"] = "alice@example.com"
	u.Aliases["preferred_username"] = "ally"
	createUser(t, s, u)

	want := getUser(t, s, "pool", "alice")
	got, err := s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		u.Username = "ALICE"
		u.Status = "RESET_REQUIRED"
		u.Enabled = false
		u.Attributes["email"] = "alice@example.org"
		u.Attributes["family_name"] = "Smith"
		delete(u.Attributes, "given_name")
		u.Attributes["custom:tier"] = "silver"
		u.Aliases["email"] = "alice@example.org"
		u.Aliases["phone_number"] = "+15550100"
		delete(u.Aliases, "preferred_username")
		u.Password = []byte("new record")
		u.PasswordSet = at(time.Hour)
		u.Modified = at(time.Hour)
		u.Settings = []byte(`{"x":1}`)
		return nil
	})
	mustNil(t, err, "UpdateUser")
	want.Username, want.Status, want.Enabled = "ALICE", "RESET_REQUIRED", false
	want.Attributes = map[string]string{"email": "alice@example.org", "family_name": "Smith", "custom:tier": "silver"}
	want.Aliases = map[string]string{"email": "alice@example.org", "phone_number": "+15550100"}
	want.Password, want.PasswordSet, want.Modified = []byte("new record"), at(time.Hour), at(time.Hour)
	want.Settings = []byte(`{"x":1}`)
	wantUser(t, got, want, "UpdateUser result")
	wantUser(t, getUser(t, s, "pool", "alice"), want, "GetUser after UpdateUser")

	// Alias rows follow.
	for _, a := range [][2]string{{"email", "alice@example.com"}, {"preferred_username", "ally"}} {
		_, err := s.GetUserByAlias(ctx, "pool", a[0], a[1])
		wantErr(t, err, store.ErrNotFound, "GetUserByAlias of dropped alias "+a[1])
	}
	for _, a := range [][2]string{{"email", "alice@example.org"}, {"phone_number", "+15550100"}} {
		got, err := s.GetUserByAlias(ctx, "pool", a[0], a[1])
		mustNil(t, err, "GetUserByAlias of new alias "+a[1])
		wantUser(t, got, want, "GetUserByAlias of new alias "+a[1])
	}
	// Index rows follow.
	for _, c := range []struct {
		f    store.UserFilter
		want []string
	}{
		{store.UserFilter{Field: "email", Value: "alice@example.com"}, nil},
		{store.UserFilter{Field: "email", Value: "alice@example.org"}, []string{"alice"}},
		{store.UserFilter{Field: "given_name", Op: store.FilterPrefix, Value: "A"}, nil},
		{store.UserFilter{Field: "family_name", Value: "Smith"}, []string{"alice"}},
		{store.UserFilter{Field: "cognito:user_status", Value: "CONFIRMED"}, nil},
		{store.UserFilter{Field: "cognito:user_status", Value: "RESET_REQUIRED"}, []string{"alice"}},
		{store.UserFilter{Field: "status", Value: "Enabled"}, nil},
		{store.UserFilter{Field: "status", Value: "Disabled"}, []string{"alice"}},
	} {
		if got := listUsers(t, s, "pool", &c.f); !slices.Equal(got, c.want) {
			t.Fatalf("ListUsers %+v after UpdateUser: got %q, want %q", c.f, got, c.want)
		}
	}
	// The freed aliases are free for others.
	bob := newUser("pool", "bob")
	bob.Aliases["email"] = "alice@example.com"
	bob.Aliases["preferred_username"] = "ally"
	createUser(t, s, bob)

	// An update that changes no alias or indexed attribute leaves them be.
	_, err = s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		u.Status = "CONFIRMED"
		return nil
	})
	mustNil(t, err, "UpdateUser status only")
	if got := listUsers(t, s, "pool", &store.UserFilter{Field: "email", Value: "alice@example.org"}); !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("email filter after status-only update: %q", got)
	}
	_, err = s.GetUserByAlias(ctx, "pool", "phone_number", "+15550100")
	mustNil(t, err, "GetUserByAlias after status-only update")
}

func testUserUpdateSub(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createUser(t, s, newUser("pool", "alice"))
	createUser(t, s, newUser("pool", "bob"))
	_, err := s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		u.Sub = "sub-bob"
		u.Status = "not saved"
		return nil
	})
	wantErr(t, err, store.ErrExists, "UpdateUser to a taken sub")
	if got := getUser(t, s, "pool", "alice"); got.Sub != "sub-alice" || got.Status != "CONFIRMED" {
		t.Fatalf("UpdateUser to a taken sub wrote sub %q status %q", got.Sub, got.Status)
	}
	_, err = s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		u.Sub = "sub-new"
		return nil
	})
	mustNil(t, err, "UpdateUser sub")
	got, err := s.GetUserBySub(ctx, "pool", "sub-new")
	mustNil(t, err, "GetUserBySub new sub")
	if got.UsernameKey != "alice" {
		t.Fatalf("GetUserBySub new sub: %q", got.UsernameKey)
	}
	_, err = s.GetUserBySub(ctx, "pool", "sub-alice")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub old sub")
}

func testUserUpdateAliasConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	alice := newUser("pool", "alice", "email", "alice@example.com")
	alice.Aliases["email"] = "alice@example.com"
	createUser(t, s, alice)
	bob := newUser("pool", "bob", "email", "bob@example.com")
	bob.Aliases["email"] = "bob@example.com"
	createUser(t, s, bob)
	before := getUser(t, s, "pool", "bob")

	_, err := s.UpdateUser(ctx, "pool", "bob", func(u *store.User) error {
		u.Attributes["email"] = "alice@example.com"
		u.Aliases["email"] = "alice@example.com"
		u.Aliases["phone_number"] = "+15550199"
		u.Status = "not saved"
		return nil
	})
	wantAliasConflict(t, err, "email", "alice@example.com", "alice", "UpdateUser to a taken alias")
	wantUser(t, getUser(t, s, "pool", "bob"), before, "bob after the rejected update")
	for _, a := range [][3]string{
		{"email", "alice@example.com", "alice"},
		{"email", "bob@example.com", "bob"},
	} {
		got, err := s.GetUserByAlias(ctx, "pool", a[0], a[1])
		mustNil(t, err, "GetUserByAlias "+a[1])
		if got.UsernameKey != a[2] {
			t.Fatalf("GetUserByAlias %s after the rejected update: %q, want %q", a[1], got.UsernameKey, a[2])
		}
	}
	_, err = s.GetUserByAlias(ctx, "pool", "phone_number", "+15550199")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias of the rejected update's free alias")
	if got := listUsers(t, s, "pool", &store.UserFilter{Field: "email", Value: "alice@example.com"}); !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("email filter after the rejected update: %q", got)
	}

	// Re-saving an alias the user already holds is no conflict.
	_, err = s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		u.Aliases["email"] = "alice@example.com"
		u.Aliases["preferred_username"] = "ally"
		return nil
	})
	mustNil(t, err, "UpdateUser keeping its own alias")
}

func testUserAliasMoves(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	alice := newUser("pool", "alice")
	alice.Aliases["email"] = "shared@example.com"
	createUser(t, s, alice)
	createUser(t, s, newUser("pool", "bob"))

	take := func(u *store.User) error {
		u.Aliases["email"] = "shared@example.com"
		return nil
	}
	_, err := s.UpdateUser(ctx, "pool", "bob", take)
	wantAliasConflict(t, err, "email", "shared@example.com", "alice", "bob taking alice's alias")

	_, err = s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		delete(u.Aliases, "email")
		return nil
	})
	mustNil(t, err, "alice dropping the alias")
	_, err = s.UpdateUser(ctx, "pool", "bob", take)
	mustNil(t, err, "bob taking the alias alice dropped")
	got, err := s.GetUserByAlias(ctx, "pool", "email", "shared@example.com")
	mustNil(t, err, "GetUserByAlias after the move")
	if got.UsernameKey != "bob" {
		t.Fatalf("alias holder after the move: %q, want bob", got.UsernameKey)
	}
	_, err = s.UpdateUser(ctx, "pool", "alice", take)
	wantAliasConflict(t, err, "email", "shared@example.com", "bob", "alice taking it back")

	// Deleting the holder frees it too.
	mustNil(t, s.DeleteUser(ctx, "pool", "bob"), "DeleteUser")
	_, err = s.UpdateUser(ctx, "pool", "alice", take)
	mustNil(t, err, "alice taking the alias of a deleted user")
}

func testUserUpdateFnError(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	u := newUser("pool", "alice", "email", "alice@example.com")
	u.Aliases["email"] = "alice@example.com"
	u.Password = []byte("record")
	createUser(t, s, u)
	before := getUser(t, s, "pool", "alice")
	got, err := s.UpdateUser(ctx, "pool", "alice", func(u *store.User) error {
		// Changes in place, maps included, then gives up.
		u.Attributes["email"] = "changed@example.com"
		u.Aliases["email"] = "changed@example.com"
		u.Status = "changed"
		u.Password = nil
		return errTest
	})
	if err != errTest {
		t.Fatalf("UpdateUser with failing fn: got %v, want the fn's error unchanged", err)
	}
	if got != nil {
		t.Fatalf("UpdateUser with failing fn returned a user")
	}
	wantUser(t, getUser(t, s, "pool", "alice"), before, "user after failed update")
	_, err = s.GetUserByAlias(ctx, "pool", "email", "changed@example.com")
	wantErr(t, err, store.ErrNotFound, "alias of the failed update")
	if got := listUsers(t, s, "pool", &store.UserFilter{Field: "email", Value: "alice@example.com"}); !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("email filter after failed update: %q", got)
	}
}

func testUserNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createPool(t, s, "other")
	u := newUser("pool", "alice")
	u.Aliases["email"] = "alice@example.com"
	createUser(t, s, u)
	for _, poolID := range []string{"other", "missing"} {
		_, err := s.GetUser(ctx, poolID, "alice")
		wantErr(t, err, store.ErrNotFound, "GetUser in pool "+poolID)
		_, err = s.GetUserBySub(ctx, poolID, "sub-alice")
		wantErr(t, err, store.ErrNotFound, "GetUserBySub in pool "+poolID)
		_, err = s.GetUserByAlias(ctx, poolID, "email", "alice@example.com")
		wantErr(t, err, store.ErrNotFound, "GetUserByAlias in pool "+poolID)
		_, err = s.UpdateUser(ctx, poolID, "alice", func(*store.User) error { return nil })
		wantErr(t, err, store.ErrNotFound, "UpdateUser in pool "+poolID)
		wantErr(t, s.DeleteUser(ctx, poolID, "alice"), store.ErrNotFound, "DeleteUser in pool "+poolID)
	}
	_, err := s.GetUser(ctx, "pool", "bob")
	wantErr(t, err, store.ErrNotFound, "GetUser missing")
	_, err = s.GetUserBySub(ctx, "pool", "sub-bob")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub missing")
	_, err = s.GetUserByAlias(ctx, "pool", "email", "bob@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias missing")
	called := false
	_, err = s.UpdateUser(ctx, "pool", "bob", func(*store.User) error { called = true; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateUser missing")
	if called {
		t.Fatal("UpdateUser called fn for a missing user")
	}
	wantErr(t, s.DeleteUser(ctx, "pool", "bob"), store.ErrNotFound, "DeleteUser missing")
	_, err = s.CountUsers(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "CountUsers of a missing pool")
	if n, err := s.CountUsers(ctx, "other"); err != nil || n != 0 {
		t.Fatalf("CountUsers of an empty pool: %d, %v", n, err)
	}
}
