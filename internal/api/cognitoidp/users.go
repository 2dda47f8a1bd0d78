package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/users"
)

func init() {
	register(map[string]operation{
		"AdminCreateUser":           op(adminCreateUser),
		"AdminGetUser":              op(adminGetUser),
		"AdminDeleteUser":           op(adminDeleteUser),
		"AdminUpdateUserAttributes": op(adminUpdateUserAttributes),
		"AdminDeleteUserAttributes": op(adminDeleteUserAttributes),
		"AdminDisableUser":          op(adminDisableUser),
		"AdminEnableUser":           op(adminEnableUser),
		"AdminSetUserPassword":      op(adminSetUserPassword),
		"AdminResetUserPassword":    op(adminResetUserPassword),
		"AdminConfirmSignUp":        op(adminConfirmSignUp),
		"ListUsers":                 op(listUsers),
	})
}

// userType is Cognito's UserType (ListUsers, AdminCreateUser).
type userType struct {
	Username             string            `json:"Username"`
	Attributes           []users.Attribute `json:"Attributes"`
	UserCreateDate       epoch             `json:"UserCreateDate"`
	UserLastModifiedDate epoch             `json:"UserLastModifiedDate"`
	Enabled              bool              `json:"Enabled"`
	UserStatus           string            `json:"UserStatus"`
}

func toUserType(u *store.User, attrs []string) userType {
	return userType{Username: u.Username, Attributes: users.AttributeList(u, attrs), UserCreateDate: epoch(u.Created),
		UserLastModifiedDate: epoch(u.Modified), Enabled: u.Enabled, UserStatus: u.Status}
}

type adminCreateUserRequest struct {
	UserPoolId             string
	Username               string
	UserAttributes         []users.Attribute
	ValidationData         []users.Attribute
	TemporaryPassword      string
	ForceAliasCreation     bool
	MessageAction          string
	DesiredDeliveryMediums []string
	ClientMetadata         map[string]string
}

func adminCreateUser(ctx context.Context, h *Handler, req *adminCreateUserRequest) (any, error) {
	u, err := h.Users.AdminCreateUser(ctx, req.UserPoolId, users.CreateInput{
		Username: req.Username, UserAttributes: req.UserAttributes, ValidationData: req.ValidationData,
		TemporaryPassword: req.TemporaryPassword, ForceAliasCreation: req.ForceAliasCreation,
		MessageAction: req.MessageAction, DesiredDeliveryMediums: req.DesiredDeliveryMediums,
		ClientMetadata: req.ClientMetadata,
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"User": toUserType(u, nil)}, nil
}

type userRequest struct {
	UserPoolId string
	Username   string
}

func adminGetUser(ctx context.Context, h *Handler, req *userRequest) (any, error) {
	_, u, err := h.Users.Get(ctx, req.UserPoolId, req.Username)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"Username":             u.Username,
		"UserAttributes":       users.AttributeList(u, nil),
		"UserCreateDate":       epoch(u.Created),
		"UserLastModifiedDate": epoch(u.Modified),
		"Enabled":              u.Enabled,
		"UserStatus":           u.Status,
	}, nil
}

func adminDeleteUser(ctx context.Context, h *Handler, req *userRequest) (any, error) {
	return nil, h.Users.AdminDeleteUser(ctx, req.UserPoolId, req.Username)
}

type updateAttributesRequest struct {
	UserPoolId     string
	Username       string
	UserAttributes []users.Attribute
	ClientMetadata map[string]string
}

func adminUpdateUserAttributes(ctx context.Context, h *Handler, req *updateAttributesRequest) (any, error) {
	_, err := h.Users.AdminUpdateUserAttributes(ctx, req.UserPoolId, req.Username, req.UserAttributes, users.AdminCaller(req.ClientMetadata))
	return nil, err
}

type deleteAttributesRequest struct {
	UserPoolId         string
	Username           string
	UserAttributeNames []string
}

func adminDeleteUserAttributes(ctx context.Context, h *Handler, req *deleteAttributesRequest) (any, error) {
	_, err := h.Users.AdminDeleteUserAttributes(ctx, req.UserPoolId, req.Username, req.UserAttributeNames)
	return nil, err
}

func adminDisableUser(ctx context.Context, h *Handler, req *userRequest) (any, error) {
	return nil, h.Users.SetEnabled(ctx, req.UserPoolId, req.Username, false)
}

func adminEnableUser(ctx context.Context, h *Handler, req *userRequest) (any, error) {
	return nil, h.Users.SetEnabled(ctx, req.UserPoolId, req.Username, true)
}

type setPasswordRequest struct {
	UserPoolId string
	Username   string
	Password   string
	Permanent  bool
}

func adminSetUserPassword(ctx context.Context, h *Handler, req *setPasswordRequest) (any, error) {
	return nil, h.Users.AdminSetUserPassword(ctx, req.UserPoolId, req.Username, req.Password, req.Permanent)
}

type resetPasswordRequest struct {
	UserPoolId     string
	Username       string
	ClientMetadata map[string]string
}

func adminResetUserPassword(ctx context.Context, h *Handler, req *resetPasswordRequest) (any, error) {
	return nil, h.Users.AdminResetUserPassword(ctx, req.UserPoolId, req.Username, users.AdminCaller(req.ClientMetadata))
}

type confirmSignUpRequest struct {
	UserPoolId     string
	Username       string
	ClientMetadata map[string]string
}

func adminConfirmSignUp(ctx context.Context, h *Handler, req *confirmSignUpRequest) (any, error) {
	return nil, h.Users.AdminConfirmSignUp(ctx, req.UserPoolId, req.Username, users.AdminCaller(req.ClientMetadata))
}

type listUsersRequest struct {
	UserPoolId      string
	AttributesToGet []string
	Limit           *int32
	PaginationToken string
	Filter          string
}

func listUsers(ctx context.Context, h *Handler, req *listUsersRequest) (any, error) {
	n, err := limit("limit", req.Limit, 60, 60, false)
	if err != nil {
		return nil, err
	}
	list, next, err := h.Users.ListUsers(ctx, req.UserPoolId, req.Filter, n, req.PaginationToken, req.AttributesToGet)
	if err != nil {
		return nil, err
	}
	out := make([]userType, 0, len(list))
	for _, u := range list {
		out = append(out, toUserType(u, req.AttributesToGet))
	}
	return pageOut("Users", out, "PaginationToken", next), nil
}
