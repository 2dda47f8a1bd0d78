package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/cogito-idp/cogito/internal/store"
)

func testUserDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	u := newUser("pool", "alice", "email", "alice@example.com", "name", "Alice")
	u.Aliases["email"] = "alice@example.com"
	createUser(t, s, u)
	createUser(t, s, newUser("pool", "bob", "name", "Bob"))
	for _, g := range []string{"admins", "staff"} {
		mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: g}), "CreateGroup")
		mustNil(t, s.AddUserToGroup(ctx, "pool", "alice", g), "AddUserToGroup alice")
		mustNil(t, s.AddUserToGroup(ctx, "pool", "bob", g), "AddUserToGroup bob")
	}

	mustNil(t, s.DeleteUser(ctx, "pool", "alice"), "DeleteUser")
	_, err := s.GetUser(ctx, "pool", "alice")
	wantErr(t, err, store.ErrNotFound, "GetUser after delete")
	_, err = s.GetUserBySub(ctx, "pool", "sub-alice")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub after delete")
	_, err = s.GetUserByAlias(ctx, "pool", "email", "alice@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias after delete")
	if got := listUsers(t, s, "pool", &store.UserFilter{Field: "name", Op: store.FilterPrefix, Value: ""}); !slices.Equal(got, []string{"bob"}) {
		t.Fatalf("name filter after delete: %q", got)
	}
	for _, g := range []string{"admins", "staff"} {
		members := walkAll(t, userKey, func(p store.Page) ([]*store.User, string, error) {
			return s.ListUsersInGroup(ctx, "pool", g, p)
		})
		if !slices.Equal(members, []string{"bob"}) {
			t.Fatalf("members of %s after delete: %q", g, members)
		}
	}
	_, _, err = s.ListGroupsForUser(ctx, "pool", "alice", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListGroupsForUser of a deleted user")
	if n, err := s.CountUsers(ctx, "pool"); err != nil || n != 1 {
		t.Fatalf("CountUsers after delete: %d, %v", n, err)
	}

	// Recreated, the user starts afresh: no memberships, and its key, sub
	// and alias are free.
	createUser(t, s, u)
	groups := walkAll(t, groupName, func(p store.Page) ([]*store.Group, string, error) {
		return s.ListGroupsForUser(ctx, "pool", "alice", p)
	})
	if len(groups) != 0 {
		t.Fatalf("recreated user is in %q", groups)
	}
}

func testUserList(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, _, err := s.ListUsers(ctx, "pool", nil, store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListUsers of a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	if got := listUsers(t, s, "pool", nil); len(got) != 0 {
		t.Fatalf("ListUsers of an empty pool: %q", got)
	}
	keys := []string{"grace", "alice", "frank", "carol", "erin", "bob", "dave"}
	for _, k := range keys {
		createUser(t, s, newUser("pool", k))
	}
	createUser(t, s, newUser("other", "aaron"))
	want := slices.Sorted(slices.Values(keys))
	if got := listUsers(t, s, "pool", nil); !slices.Equal(got, want) {
		t.Fatalf("ListUsers: got %q, want %q", got, want)
	}
	// Exactly a multiple of the page size: the last full page ends it.
	if got := walk(t, 7, userKey, func(p store.Page) ([]*store.User, string, error) {
		return s.ListUsers(ctx, "pool", nil, p)
	}); !slices.Equal(got, want) {
		t.Fatalf("ListUsers limit 7: got %q", got)
	}
	if n, err := s.CountUsers(ctx, "pool"); err != nil || n != int64(len(keys)) {
		t.Fatalf("CountUsers: %d, %v; want %d", n, err, len(keys))
	}
	if _, _, err := s.ListUsers(ctx, "pool", nil, store.Page{After: "%%%"}); err == nil {
		t.Fatal("ListUsers with a bad cursor: no error")
	}
}

func testUserListDefaultLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createUsers(t, s, 61, func(i int) *store.User { return newUser("pool", fmt.Sprintf("user%03d", i)) })
	users, next, err := s.ListUsers(ctx, "pool", nil, store.Page{})
	mustNil(t, err, "ListUsers")
	if len(users) != 60 || next == "" {
		t.Fatalf("first page: %d users, cursor %q; want 60 and a cursor", len(users), next)
	}
	users, next, err = s.ListUsers(ctx, "pool", nil, store.Page{Limit: -1, After: next})
	mustNil(t, err, "ListUsers page 2")
	if len(users) != 1 || users[0].UsernameKey != "user060" || next != "" {
		t.Fatalf("second page: %d users, cursor %q; want user060 alone and no cursor", len(users), next)
	}
}

// createUsers creates n users concurrently.
func createUsers(t *testing.T, s store.Store, n int, mk func(i int) *store.User) {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- s.CreateUser(t.Context(), mk(i))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNil(t, err, "CreateUser")
	}
}

// filterUsers is the fixture of testUserFilters: key, status, enabled, then
// attribute name, value pairs. The names exercise prefixes whose byte-wise
// successor is not UTF-8 ("¿" is C2 BF, DEL is 7F) or has no code point
// successor (U+10FFFF).
var filterUsers = [][]string{
	{"alice", "CONFIRMED", "1", "email", "alice@example.com", "given_name", "Alice", "family_name", "Smith", "name", "Alice Smith"},
	{"alan", "UNCONFIRMED", "1", "email", "alan@example.org", "given_name", "Alan", "family_name", "Smith", "name", "日本語"},
	{"bob", "CONFIRMED", "0", "email", "bob@example.com", "given_name", "Bob", "family_name", "Jones", "name", "日本"},
	{"carol", "FORCE_CHANGE_PASSWORD", "1", "given_name", "José", "family_name", "Smith", "name", "日曜"},
	{"dave", "CONFIRMED", "1", "email", "dave@example.com", "given_name", "Joan", "family_name", "Jönsson", "name", "¿Qué?"},
	{"erin", "RESET_REQUIRED", "0", "email", "erin@example.com", "given_name", "John", "family_name", "Smith", "name", "Àlex"},
	{"frank", "CONFIRMED", "1", "email", "frank@example.com", "given_name", "Frank", "family_name", "Müller", "name", "a\U0010FFFFz"},
	{"grace", "CONFIRMED", "1", "email", "grace@example.com", "name", "\u007fgrace"},
	{"heidi", "UNCONFIRMED", "1", "email", "heidi@example.com", "given_name", "Heidi", "family_name", "Smith", "name", "b"},
	{"ivan", "CONFIRMED", "1", "email", "ivan@example.com", "name", "日", "custom:team", "red"},
	{"judy", "CONFIRMED", "1", "phone_number", "+15550100", "preferred_username", "jj"},
}

func testUserFilters(t *testing.T, s store.Store) {
	createPool(t, s, "pool")
	createPool(t, s, "other")
	all := make([]string, 0, len(filterUsers))
	for _, f := range filterUsers {
		u := newUser("pool", f[0], f[3:]...)
		u.Status, u.Enabled = f[1], f[2] == "1"
		createUser(t, s, u)
		all = append(all, f[0])
		// A twin in another pool must never show up.
		twin := newUser("other", f[0], f[3:]...)
		twin.Status, twin.Enabled = f[1], f[2] == "1"
		createUser(t, s, twin)
	}
	eq := func(field, value string) store.UserFilter { return store.UserFilter{Field: field, Value: value} }
	pre := func(field, value string) store.UserFilter {
		return store.UserFilter{Field: field, Op: store.FilterPrefix, Value: value}
	}
	for _, c := range []struct {
		filter store.UserFilter
		want   []string // in any order, unless ordered
		sorted bool     // listed in username key order
	}{
		{filter: eq("email", "bob@example.com"), want: []string{"bob"}},
		{filter: eq("email", "nobody@example.com")},
		{filter: eq("email", "BOB@EXAMPLE.COM")},
		{filter: pre("email", "a"), want: []string{"alan", "alice"}},
		{filter: pre("email", "alice@example.com"), want: []string{"alice"}},
		{filter: pre("email", "alice@example.comx")},
		{filter: pre("email", ""), want: without(all, "carol", "judy")},
		{filter: eq("family_name", "Smith"), want: []string{"alan", "alice", "carol", "erin", "heidi"}},
		{filter: pre("family_name", "J"), want: []string{"bob", "dave"}},
		{filter: pre("family_name", "Jö"), want: []string{"dave"}},
		{filter: pre("given_name", "Jo"), want: []string{"carol", "dave", "erin"}},
		{filter: pre("given_name", "Jos"), want: []string{"carol"}},
		{filter: eq("given_name", "José"), want: []string{"carol"}},
		{filter: pre("name", "日"), want: []string{"alan", "bob", "carol", "ivan"}},
		{filter: pre("name", "日本"), want: []string{"alan", "bob"}},
		{filter: eq("name", "日本"), want: []string{"bob"}},
		{filter: pre("name", "¿"), want: []string{"dave"}},
		{filter: pre("name", "a\U0010FFFF"), want: []string{"frank"}},
		{filter: pre("name", "\u007f"), want: []string{"grace"}},
		{filter: pre("name", "\u00ff")},
		{filter: eq("phone_number", "+15550100"), want: []string{"judy"}},
		{filter: pre("preferred_username", "j"), want: []string{"judy"}},
		{filter: eq("username", "bob"), want: []string{"bob"}},
		{filter: eq("username", "bo")},
		{filter: pre("username", "a"), want: []string{"alan", "alice"}, sorted: true},
		{filter: pre("username", ""), want: all, sorted: true},
		{filter: pre("username", "zz")},
		{filter: eq("sub", "sub-carol"), want: []string{"carol"}},
		{filter: pre("sub", "sub-a"), want: []string{"alan", "alice"}},
		{filter: eq("cognito:user_status", "CONFIRMED"), want: []string{"alice", "bob", "dave", "frank", "grace", "ivan", "judy"}, sorted: true},
		{filter: eq("cognito:user_status", "CONFIRM")},
		{filter: pre("cognito:user_status", "FORCE"), want: []string{"carol"}},
		{filter: pre("cognito:user_status", "UN"), want: []string{"alan", "heidi"}},
		{filter: pre("cognito:user_status", ""), want: all},
		{filter: eq("status", "Disabled"), want: []string{"bob", "erin"}, sorted: true},
		{filter: eq("status", "Enabled"), want: without(all, "bob", "erin"), sorted: true},
		{filter: eq("status", "enabled")},
		{filter: pre("status", "Dis"), want: []string{"bob", "erin"}, sorted: true},
		{filter: pre("status", ""), want: all, sorted: true},
		{filter: pre("status", "X")},
	} {
		t.Run(fmt.Sprintf("%s%s%q", c.filter.Field, map[store.FilterOp]string{store.FilterEquals: "=", store.FilterPrefix: "^="}[c.filter.Op], c.filter.Value), func(t *testing.T) {
			got := listUsers(t, s, "pool", &c.filter)
			if c.sorted && !slices.IsSorted(got) {
				t.Fatalf("not in username order: %q", got)
			}
			if !sameSet(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}

	// Only the indexed attributes and the named fields can be filtered on.
	for _, field := range []string{"custom:team", "locale", "nonsense"} {
		if _, _, err := s.ListUsers(t.Context(), "pool", &store.UserFilter{Field: field, Value: "red"}, store.Page{}); err == nil {
			t.Errorf("filter on %q: no error", field)
		}
	}
}

func without(all []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(k string) bool { return slices.Contains(drop, k) })
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func testUserConcurrentUpdates(t *testing.T, s store.Store) {
	const workers, rounds = 8, 25
	createPool(t, s, "pool")
	createUser(t, s, newUser("pool", "alice", "custom:counter", "0"))
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				_, err := s.UpdateUser(t.Context(), "pool", "alice", func(u *store.User) error {
					n, err := strconv.Atoi(u.Attributes["custom:counter"])
					if err != nil {
						return err
					}
					u.Attributes["custom:counter"] = strconv.Itoa(n + 1)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("UpdateUser: %v", err)
	}
	if got := getUser(t, s, "pool", "alice").Attributes["custom:counter"]; got != strconv.Itoa(workers*rounds) {
		t.Fatalf("counter after %d concurrent increments: %s", workers*rounds, got)
	}
}

// testUserConcurrentCreates races creates for one username and for one
// alias: exactly one of each wins, and every loser learns why.
func testUserConcurrentCreates(t *testing.T, s store.Store) {
	const racers = 8
	createPool(t, s, "pool")
	race := func(mk func(i int) *store.User) (wins int, losses []error) {
		errs := make(chan error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() { errs <- s.CreateUser(t.Context(), mk(i)) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err == nil {
				wins++
			} else {
				losses = append(losses, err)
			}
		}
		return wins, losses
	}

	wins, losses := race(func(i int) *store.User {
		u := newUser("pool", "same")
		u.Sub = fmt.Sprintf("sub-%d", i)
		return u
	})
	if wins != 1 {
		t.Fatalf("same username: %d creates succeeded", wins)
	}
	for _, err := range losses {
		wantErr(t, err, store.ErrExists, "losing create of the same username")
	}

	wins, losses = race(func(i int) *store.User {
		u := newUser("pool", fmt.Sprintf("racer%d", i))
		u.Aliases["email"] = "contested@example.com"
		return u
	})
	if wins != 1 {
		t.Fatalf("same alias: %d creates succeeded", wins)
	}
	for _, err := range losses {
		var ac *store.AliasConflictError
		if !errors.As(err, &ac) && !errors.Is(err, store.ErrExists) {
			t.Fatalf("losing create of the same alias: %v, want an alias conflict or ErrExists", err)
		}
	}
	if n, err := s.CountUsers(t.Context(), "pool"); err != nil || n != 2 {
		t.Fatalf("CountUsers after the races: %d, %v; want 2", n, err)
	}
}
