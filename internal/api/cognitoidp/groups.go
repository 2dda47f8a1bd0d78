package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateGroup":              op(createGroup),
		"GetGroup":                 op(getGroup),
		"UpdateGroup":              op(updateGroup),
		"DeleteGroup":              op(deleteGroup),
		"ListGroups":               op(listGroups),
		"AdminAddUserToGroup":      op(adminAddUserToGroup),
		"AdminRemoveUserFromGroup": op(adminRemoveUserFromGroup),
		"AdminListGroupsForUser":   op(adminListGroupsForUser),
		"ListUsersInGroup":         op(listUsersInGroup),
	})
}

// groupType is Cognito's GroupType.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolId       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int32 `json:"Precedence,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

func toGroupType(g *store.Group) groupType {
	return groupType{GroupName: g.Name, UserPoolId: g.PoolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, LastModifiedDate: epoch(g.Modified), CreationDate: epoch(g.Created)}
}

func groupList(gs []*store.Group) []groupType {
	out := make([]groupType, 0, len(gs))
	for _, g := range gs {
		out = append(out, toGroupType(g))
	}
	return out
}

type groupRequest struct {
	UserPoolId  string
	GroupName   string
	Description *string
	Precedence  *int32
	RoleArn     *string
}

func (r *groupRequest) input() userpool.GroupInput {
	return userpool.GroupInput{Description: r.Description, Precedence: r.Precedence, RoleArn: r.RoleArn}
}

func createGroup(ctx context.Context, h *Handler, req *groupRequest) (any, error) {
	g, err := h.Pools.CreateGroup(ctx, req.UserPoolId, req.GroupName, req.input())
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": toGroupType(g)}, nil
}

func getGroup(ctx context.Context, h *Handler, req *groupRequest) (any, error) {
	g, err := h.Pools.GetGroup(ctx, req.UserPoolId, req.GroupName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": toGroupType(g)}, nil
}

func updateGroup(ctx context.Context, h *Handler, req *groupRequest) (any, error) {
	g, err := h.Pools.UpdateGroup(ctx, req.UserPoolId, req.GroupName, req.input())
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": toGroupType(g)}, nil
}

func deleteGroup(ctx context.Context, h *Handler, req *groupRequest) (any, error) {
	return nil, h.Pools.DeleteGroup(ctx, req.UserPoolId, req.GroupName)
}

type listGroupsRequest struct {
	UserPoolId string
	Limit      *int32
	NextToken  string
}

func listGroups(ctx context.Context, h *Handler, req *listGroupsRequest) (any, error) {
	n, err := limit("limit", req.Limit, 60, 60, false)
	if err != nil {
		return nil, err
	}
	gs, next, err := h.Pools.ListGroups(ctx, req.UserPoolId, n, req.NextToken)
	if err != nil {
		return nil, badToken(err)
	}
	return pageOut("Groups", groupList(gs), "NextToken", next), nil
}

type membershipRequest struct {
	UserPoolId string
	Username   string
	GroupName  string
}

func adminAddUserToGroup(ctx context.Context, h *Handler, req *membershipRequest) (any, error) {
	return nil, h.Users.AddToGroup(ctx, req.UserPoolId, req.Username, req.GroupName)
}

func adminRemoveUserFromGroup(ctx context.Context, h *Handler, req *membershipRequest) (any, error) {
	return nil, h.Users.RemoveFromGroup(ctx, req.UserPoolId, req.Username, req.GroupName)
}

type groupsForUserRequest struct {
	UserPoolId string
	Username   string
	Limit      *int32
	NextToken  string
}

func adminListGroupsForUser(ctx context.Context, h *Handler, req *groupsForUserRequest) (any, error) {
	n, err := limit("limit", req.Limit, 60, 60, false)
	if err != nil {
		return nil, err
	}
	gs, next, err := h.Users.GroupsForUser(ctx, req.UserPoolId, req.Username, n, req.NextToken)
	if err != nil {
		return nil, err
	}
	return pageOut("Groups", groupList(gs), "NextToken", next), nil
}

type usersInGroupRequest struct {
	UserPoolId string
	GroupName  string
	Limit      *int32
	NextToken  string
}

func listUsersInGroup(ctx context.Context, h *Handler, req *usersInGroupRequest) (any, error) {
	n, err := limit("limit", req.Limit, 60, 60, false)
	if err != nil {
		return nil, err
	}
	us, next, err := h.Users.UsersInGroup(ctx, req.UserPoolId, req.GroupName, n, req.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]userType, 0, len(us))
	for _, u := range us {
		out = append(out, toUserType(u, nil))
	}
	return pageOut("Users", out, "NextToken", next), nil
}
