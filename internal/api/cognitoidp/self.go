package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/users"
)

// The operations users call on their own account with an access token.
func init() {
	register(map[string]operation{
		"GetUser":                          publicOp(getUser),
		"UpdateUserAttributes":             publicOp(updateUserAttributes),
		"DeleteUserAttributes":             publicOp(deleteUserAttributes),
		"ChangePassword":                   publicOp(changePassword),
		"DeleteUser":                       publicOp(deleteUser),
		"GetUserAttributeVerificationCode": publicOp(getUserAttributeVerificationCode),
		"VerifyUserAttribute":              publicOp(verifyUserAttribute),
	})
}

func getUser(ctx context.Context, h *Handler, req *accessTokenRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"Username":       at.User.Username,
		"UserAttributes": users.AttributeList(at.User, nil),
	}, nil
}

// codeDelivery is Cognito's CodeDeliveryDetailsType.
func codeDelivery(d users.Delivery) users.CodeDeliveryDetails {
	return users.CodeDeliveryDetails{Destination: users.MaskDestination(d.Channel, d.Destination),
		DeliveryMedium: d.Channel, AttributeName: d.Attribute}
}

type updateOwnAttributesRequest struct {
	AccessToken    string
	UserAttributes []users.Attribute
	ClientMetadata map[string]string
}

func updateUserAttributes(ctx context.Context, h *Handler, req *updateOwnAttributesRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := h.Pools.FindClient(ctx, at.ClientID())
	if err != nil {
		return nil, err
	}
	sent, err := h.Users.UpdateOwnAttributes(ctx, at.Pool, c, at.User, req.UserAttributes,
		users.Caller{ClientID: c.ID, ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	list := make([]users.CodeDeliveryDetails, 0, len(sent))
	for _, d := range sent {
		list = append(list, codeDelivery(d))
	}
	return map[string]any{"CodeDeliveryDetailsList": list}, nil
}

type deleteOwnAttributesRequest struct {
	AccessToken        string
	UserAttributeNames []string
}

func deleteUserAttributes(ctx context.Context, h *Handler, req *deleteOwnAttributesRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := h.Pools.FindClient(ctx, at.ClientID())
	if err != nil {
		return nil, err
	}
	return nil, h.Users.DeleteOwnAttributes(ctx, at.Pool, c, at.User, req.UserAttributeNames)
}

type changePasswordRequest struct {
	AccessToken      string
	PreviousPassword string
	ProposedPassword string
}

func changePassword(ctx context.Context, h *Handler, req *changePasswordRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, h.Users.ChangePassword(ctx, at.Pool, at.User, req.PreviousPassword, req.ProposedPassword)
}

func deleteUser(ctx context.Context, h *Handler, req *accessTokenRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, h.Users.AdminDeleteUser(ctx, at.Pool.ID, at.User.Username)
}

type verificationCodeRequest struct {
	AccessToken    string
	AttributeName  string
	Code           string
	ClientMetadata map[string]string
}

func getUserAttributeVerificationCode(ctx context.Context, h *Handler, req *verificationCodeRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := h.Users.SendVerificationCode(ctx, at.Pool, at.User, req.AttributeName,
		users.Caller{ClientID: at.ClientID(), ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": codeDelivery(d)}, nil
}

func verifyUserAttribute(ctx context.Context, h *Handler, req *verificationCodeRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, h.Users.VerifyAttribute(ctx, at.Pool, at.User, req.AttributeName, req.Code)
}
