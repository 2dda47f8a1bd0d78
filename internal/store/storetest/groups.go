package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
)

func testGroupCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	prec := int32(5)
	g := &store.Group{PoolID: "pool", Name: "admins", Description: "Administrators", Precedence: &prec,
		RoleArn: "arn:aws:iam::123456789012:role/admin", Created: t0, Modified: t0}
	wantErr(t, s.CreateGroup(ctx, g), store.ErrNotFound, "CreateGroup in a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	mustNil(t, s.CreateGroup(ctx, g), "CreateGroup")
	wantErr(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: "admins"}), store.ErrExists, "CreateGroup duplicate")
	mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "other", Name: "admins"}), "CreateGroup same name in another pool")

	check := func(what string, got *store.Group, err error, want *store.Group) {
		t.Helper()
		mustNil(t, err, what)
		if !reflect.DeepEqual(viewGroup(got), viewGroup(want)) {
			t.Fatalf("%s:\n got %+v\nwant %+v", what, viewGroup(got), viewGroup(want))
		}
	}
	got, err := s.GetGroup(ctx, "pool", "admins")
	check("GetGroup", got, err, g)
	_, err = s.GetGroup(ctx, "pool", "missing")
	wantErr(t, err, store.ErrNotFound, "GetGroup missing")

	want := *g
	want.Description, want.Precedence, want.RoleArn, want.Modified = "Admins", nil, "", t0.Add(time.Hour)
	got, err = s.UpdateGroup(ctx, "pool", "admins", func(g *store.Group) error {
		g.Description, g.Precedence, g.RoleArn, g.Modified = want.Description, nil, "", want.Modified
		return nil
	})
	check("UpdateGroup result", got, err, &want)
	got, err = s.GetGroup(ctx, "pool", "admins")
	check("GetGroup after UpdateGroup", got, err, &want)
	_, err = s.UpdateGroup(ctx, "pool", "admins", func(g *store.Group) error {
		g.Description = "not saved"
		return errTest
	})
	if err != errTest {
		t.Fatalf("UpdateGroup with failing fn: got %v, want the fn's error unchanged", err)
	}
	got, err = s.GetGroup(ctx, "pool", "admins")
	check("GetGroup after failed UpdateGroup", got, err, &want)
	_, err = s.UpdateGroup(ctx, "pool", "missing", func(*store.Group) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateGroup missing")

	mustNil(t, s.DeleteGroup(ctx, "pool", "admins"), "DeleteGroup")
	_, err = s.GetGroup(ctx, "pool", "admins")
	wantErr(t, err, store.ErrNotFound, "GetGroup after delete")
	wantErr(t, s.DeleteGroup(ctx, "pool", "admins"), store.ErrNotFound, "DeleteGroup again")
	_, err = s.GetGroup(ctx, "other", "admins")
	mustNil(t, err, "GetGroup of the other pool's namesake")
}

func testGroupList(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, _, err := s.ListGroups(ctx, "pool", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListGroups of a missing pool")
	createPool(t, s, "pool")
	createPool(t, s, "other")
	page := func(p store.Page) ([]*store.Group, string, error) { return s.ListGroups(ctx, "pool", p) }
	if got := walkAll(t, groupName, page); len(got) != 0 {
		t.Fatalf("ListGroups of an empty pool: %q", got)
	}
	for _, name := range []string{"staff", "admins", "users", "beta", "ops"} {
		mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: name}), "CreateGroup")
	}
	mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "other", Name: "aaa"}), "CreateGroup")
	if got, want := walkAll(t, groupName, page), []string{"admins", "beta", "ops", "staff", "users"}; !slices.Equal(got, want) {
		t.Fatalf("ListGroups: got %q, want %q", got, want)
	}
}

func testGroupMembership(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	for _, k := range []string{"carol", "alice", "bob", "dave"} {
		createUser(t, s, newUser("pool", k))
	}
	for _, g := range []string{"staff", "admins", "ops", "beta"} {
		mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: g}), "CreateGroup")
	}
	groupsOf := func(user string) []string {
		t.Helper()
		return walkAll(t, groupName, func(p store.Page) ([]*store.Group, string, error) {
			return s.ListGroupsForUser(ctx, "pool", user, p)
		})
	}
	membersOf := func(group string) []string {
		t.Helper()
		return walkAll(t, userKey, func(p store.Page) ([]*store.User, string, error) {
			return s.ListUsersInGroup(ctx, "pool", group, p)
		})
	}
	if got := groupsOf("alice"); len(got) != 0 {
		t.Fatalf("groups of a user in none: %q", got)
	}
	if got := membersOf("staff"); len(got) != 0 {
		t.Fatalf("members of an empty group: %q", got)
	}

	for _, m := range [][2]string{
		{"alice", "staff"}, {"alice", "ops"}, {"alice", "admins"}, {"alice", "beta"},
		{"dave", "staff"}, {"carol", "staff"}, {"bob", "staff"}, {"alice", "staff"},
	} {
		mustNil(t, s.AddUserToGroup(ctx, "pool", m[0], m[1]), "AddUserToGroup "+m[0]+" "+m[1])
	}
	mustNil(t, s.AddUserToGroup(ctx, "pool", "alice", "staff"), "AddUserToGroup again")
	wantErr(t, s.AddUserToGroup(ctx, "pool", "nobody", "staff"), store.ErrNotFound, "AddUserToGroup missing user")
	wantErr(t, s.AddUserToGroup(ctx, "pool", "alice", "nothing"), store.ErrNotFound, "AddUserToGroup missing group")
	wantErr(t, s.AddUserToGroup(ctx, "missing", "alice", "staff"), store.ErrNotFound, "AddUserToGroup missing pool")

	if got, want := groupsOf("alice"), []string{"admins", "beta", "ops", "staff"}; !slices.Equal(got, want) {
		t.Fatalf("ListGroupsForUser: got %q, want %q", got, want)
	}
	if got, want := membersOf("staff"), []string{"alice", "bob", "carol", "dave"}; !slices.Equal(got, want) {
		t.Fatalf("ListUsersInGroup: got %q, want %q", got, want)
	}
	// Listed records are whole.
	users, _, err := s.ListUsersInGroup(ctx, "pool", "staff", store.Page{Limit: 1})
	mustNil(t, err, "ListUsersInGroup")
	wantUser(t, users[0], getUser(t, s, "pool", "alice"), "ListUsersInGroup record")
	groups, _, err := s.ListGroupsForUser(ctx, "pool", "alice", store.Page{Limit: 1})
	mustNil(t, err, "ListGroupsForUser")
	if g := must(s.GetGroup(ctx, "pool", "admins")); !reflect.DeepEqual(viewGroup(groups[0]), viewGroup(g)) {
		t.Fatalf("ListGroupsForUser record: %+v", viewGroup(groups[0]))
	}

	mustNil(t, s.RemoveUserFromGroup(ctx, "pool", "alice", "ops"), "RemoveUserFromGroup")
	mustNil(t, s.RemoveUserFromGroup(ctx, "pool", "alice", "ops"), "RemoveUserFromGroup of a non-member")
	wantErr(t, s.RemoveUserFromGroup(ctx, "pool", "nobody", "ops"), store.ErrNotFound, "RemoveUserFromGroup missing user")
	wantErr(t, s.RemoveUserFromGroup(ctx, "pool", "alice", "nothing"), store.ErrNotFound, "RemoveUserFromGroup missing group")
	if got, want := groupsOf("alice"), []string{"admins", "beta", "staff"}; !slices.Equal(got, want) {
		t.Fatalf("ListGroupsForUser after remove: got %q, want %q", got, want)
	}
	if got := membersOf("ops"); len(got) != 0 {
		t.Fatalf("members of ops after remove: %q", got)
	}

	_, _, err = s.ListGroupsForUser(ctx, "pool", "nobody", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListGroupsForUser of a missing user")
	_, _, err = s.ListUsersInGroup(ctx, "pool", "nothing", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListUsersInGroup of a missing group")
}

func testGroupDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, "pool")
	createUser(t, s, newUser("pool", "alice"))
	for _, g := range []string{"admins", "staff"} {
		mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: g}), "CreateGroup")
		mustNil(t, s.AddUserToGroup(ctx, "pool", "alice", g), "AddUserToGroup")
	}
	mustNil(t, s.DeleteGroup(ctx, "pool", "admins"), "DeleteGroup")
	groups := walkAll(t, groupName, func(p store.Page) ([]*store.Group, string, error) {
		return s.ListGroupsForUser(ctx, "pool", "alice", p)
	})
	if !slices.Equal(groups, []string{"staff"}) {
		t.Fatalf("groups after DeleteGroup: %q", groups)
	}
	_, _, err := s.ListUsersInGroup(ctx, "pool", "admins", store.Page{})
	wantErr(t, err, store.ErrNotFound, "ListUsersInGroup of a deleted group")
	// Recreated, the group starts empty.
	mustNil(t, s.CreateGroup(ctx, &store.Group{PoolID: "pool", Name: "admins"}), "CreateGroup again")
	members := walkAll(t, userKey, func(p store.Page) ([]*store.User, string, error) {
		return s.ListUsersInGroup(ctx, "pool", "admins", p)
	})
	if len(members) != 0 {
		t.Fatalf("recreated group has members %q", members)
	}
	_, err = s.GetUser(ctx, "pool", "alice")
	mustNil(t, err, "GetUser after DeleteGroup")
}
