package server_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

func TestGroups(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		t.Run("CRUD", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			role := "arn:aws:iam::123456789012:role/admins"
			cr, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins"),
				Description: aws.String("Administrators"), Precedence: aws.Int32(1), RoleArn: aws.String(role)})
			must(t, err, "CreateGroup")
			g, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			must(t, err, "GetGroup")
			for label, gt := range map[string]*types.GroupType{"create": cr.Group, "get": g.Group} {
				if aws.ToString(gt.GroupName) != "admins" || aws.ToString(gt.UserPoolId) != p || aws.ToString(gt.Description) != "Administrators" ||
					aws.ToInt32(gt.Precedence) != 1 || aws.ToString(gt.RoleArn) != role || gt.CreationDate == nil || gt.LastModifiedDate == nil {
					t.Errorf("%s: group %s", label, jsonOf(gt))
				}
			}
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			wantErr[*types.GroupExistsException](t, err, "duplicate CreateGroup")
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), GroupName: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "CreateGroup unknown pool")
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("bad"), RoleArn: aws.String("not-an-arn")})
			wantErr[*types.InvalidParameterException](t, err, "CreateGroup bad RoleArn")
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("bad2"), Precedence: aws.Int32(-1)})
			wantErr[*types.InvalidParameterException](t, err, "CreateGroup negative precedence")
			_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("nope")})
			wantErr[*types.ResourceNotFoundException](t, err, "GetGroup unknown")

			up, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins"),
				Description: aws.String("Admins v2"), Precedence: aws.Int32(5)})
			must(t, err, "UpdateGroup")
			if aws.ToString(up.Group.Description) != "Admins v2" || aws.ToInt32(up.Group.Precedence) != 5 {
				t.Errorf("UpdateGroup reply %s", jsonOf(up.Group))
			}
			g, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			must(t, err, "GetGroup")
			// Fields the update omits stay (the API reference's UpdateGroup
			// example omits RoleArn and gets the existing one back).
			if aws.ToString(g.Group.Description) != "Admins v2" || aws.ToInt32(g.Group.Precedence) != 5 || aws.ToString(g.Group.RoleArn) != role {
				t.Errorf("GetGroup after update %s", jsonOf(g.Group))
			}
			_, err = c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("nope"), Description: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "UpdateGroup unknown")

			_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			must(t, err, "DeleteGroup")
			_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			wantErr[*types.ResourceNotFoundException](t, err, "GetGroup after delete")
			_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			wantErr[*types.ResourceNotFoundException](t, err, "DeleteGroup twice")
			// The name is free again.
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("admins")})
			must(t, err, "CreateGroup after delete")
		})

		t.Run("ListPagination", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			want := []string{"g-one", "g-three", "g-two"}
			for _, n := range want {
				_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String(n)})
				must(t, err, "CreateGroup "+n)
			}
			var got []string
			var token *string
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatal("ListGroups does not end")
				}
				out, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(p), Limit: aws.Int32(1), NextToken: token})
				must(t, err, "ListGroups")
				if len(out.Groups) > 1 {
					t.Fatalf("page of %d with Limit 1", len(out.Groups))
				}
				for _, g := range out.Groups {
					got = append(got, aws.ToString(g.GroupName))
				}
				if out.NextToken == nil {
					break
				}
				token = out.NextToken
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("ListGroups walked %v, want %v", got, want)
			}
			all, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(p)})
			must(t, err, "ListGroups")
			if len(all.Groups) != 3 || all.NextToken != nil {
				t.Errorf("ListGroups without Limit: %d groups, token %v", len(all.Groups), all.NextToken)
			}
			_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "ListGroups unknown pool")
			_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(p), Limit: aws.Int32(61)})
			wantErr[*types.InvalidParameterException](t, err, "ListGroups Limit 61")
		})

		t.Run("Membership", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			for _, n := range []string{"ga", "gb", "gc"} {
				_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String(n)})
				must(t, err, "CreateGroup "+n)
			}
			createUser(t, c, p, "member")
			createUser(t, c, p, "other")
			add := func(user, group string) error {
				_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(p), Username: aws.String(user), GroupName: aws.String(group)})
				return err
			}
			groupsOf := func(user string, limit int32) []string {
				t.Helper()
				var names []string
				var token *string
				for page := 0; page < 10; page++ {
					in := &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p), Username: aws.String(user), NextToken: token}
					if limit > 0 {
						in.Limit = aws.Int32(limit)
					}
					out, err := c.AdminListGroupsForUser(ctx, in)
					must(t, err, "AdminListGroupsForUser")
					for _, g := range out.Groups {
						names = append(names, aws.ToString(g.GroupName))
					}
					if out.NextToken == nil {
						break
					}
					token = out.NextToken
				}
				slices.Sort(names)
				return names
			}
			usersIn := func(group string) []string {
				t.Helper()
				out, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String(group)})
				must(t, err, "ListUsersInGroup")
				var names []string
				for _, u := range out.Users {
					names = append(names, aws.ToString(u.Username))
					if u.UserStatus == "" || len(u.Attributes) == 0 {
						t.Errorf("ListUsersInGroup user incomplete: %s", jsonOf(u))
					}
				}
				slices.Sort(names)
				return names
			}
			must(t, add("member", "ga"), "add member to ga")
			must(t, add("member", "gb"), "add member to gb")
			must(t, add("member", "gb"), "add member to gb again")
			must(t, add("other", "ga"), "add other to ga")
			if got := groupsOf("member", 0); !slices.Equal(got, []string{"ga", "gb"}) {
				t.Errorf("groups of member %v", got)
			}
			if got := groupsOf("member", 1); !slices.Equal(got, []string{"ga", "gb"}) {
				t.Errorf("groups of member, Limit 1 pages: %v", got)
			}
			if got := usersIn("ga"); !slices.Equal(got, []string{"member", "other"}) {
				t.Errorf("users in ga %v", got)
			}
			if got := usersIn("gb"); !slices.Equal(got, []string{"member"}) {
				t.Errorf("users in gb %v", got)
			}
			pg, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("ga"), Limit: aws.Int32(1)})
			must(t, err, "ListUsersInGroup Limit 1")
			if len(pg.Users) != 1 || pg.NextToken == nil {
				t.Errorf("ListUsersInGroup Limit 1: %d users, token %v", len(pg.Users), pg.NextToken)
			} else {
				pg2, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("ga"), Limit: aws.Int32(1), NextToken: pg.NextToken})
				must(t, err, "ListUsersInGroup page 2")
				if len(pg2.Users) != 1 || aws.ToString(pg2.Users[0].Username) == aws.ToString(pg.Users[0].Username) {
					t.Errorf("ListUsersInGroup page 2: %s", jsonOf(pg2.Users))
				}
			}

			_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(p), Username: aws.String("member"), GroupName: aws.String("gb")})
			must(t, err, "AdminRemoveUserFromGroup")
			if got := groupsOf("member", 0); !slices.Equal(got, []string{"ga"}) {
				t.Errorf("groups of member after remove %v", got)
			}

			// Unknown group or user.
			wantErr[*types.ResourceNotFoundException](t, add("member", "nope"), "add to unknown group")
			wantErr[*types.UserNotFoundException](t, add("nobody-here", "ga"), "add unknown user")
			_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(p), Username: aws.String("member"), GroupName: aws.String("nope")})
			wantErr[*types.ResourceNotFoundException](t, err, "remove from unknown group")
			_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(p), Username: aws.String("nobody-here"), GroupName: aws.String("ga")})
			wantErr[*types.UserNotFoundException](t, err, "remove unknown user")
			_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("nope")})
			wantErr[*types.ResourceNotFoundException](t, err, "ListUsersInGroup unknown group")
			_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p), Username: aws.String("nobody-here")})
			wantErr[*types.UserNotFoundException](t, err, "AdminListGroupsForUser unknown user")

			// Deleting a group removes its memberships.
			_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("ga")})
			must(t, err, "DeleteGroup ga")
			if got := groupsOf("member", 0); len(got) != 0 {
				t.Errorf("groups of member after deleting ga: %v", got)
			}
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("ga")})
			must(t, err, "recreate ga")
			if got := usersIn("ga"); len(got) != 0 {
				t.Errorf("recreated group ga has members %v", got)
			}

			// Deleting a user removes its memberships.
			must(t, add("other", "gc"), "add other to gc")
			_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p), Username: aws.String("other")})
			must(t, err, "AdminDeleteUser")
			if got := usersIn("gc"); len(got) != 0 {
				t.Errorf("gc members after deleting the user: %v", got)
			}
			createUser(t, c, p, "other")
			if got := groupsOf("other", 0); len(got) != 0 {
				t.Errorf("recreated user inherits groups %v", got)
			}
		})
	})
}
