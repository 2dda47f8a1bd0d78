package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/users"
)

// Self-service sign-up and password recovery. End users call these without
// IAM credentials: the app client id (and SECRET_HASH for clients with a
// secret) is what authorises them.
func init() {
	register(map[string]operation{
		"SignUp":                 publicOp(signUp),
		"ConfirmSignUp":          publicOp(confirmSignUp),
		"ResendConfirmationCode": publicOp(resendConfirmationCode),
		"ForgotPassword":         publicOp(forgotPassword),
		"ConfirmForgotPassword":  publicOp(confirmForgotPassword),
	})
}

type signUpRequest struct {
	ClientId       string
	SecretHash     string
	Username       string
	Password       string
	UserAttributes []users.Attribute
	ValidationData []users.Attribute
	ClientMetadata map[string]string
}

type signUpResponse struct {
	UserConfirmed       bool                       `json:"UserConfirmed"`
	UserSub             string                     `json:"UserSub"`
	CodeDeliveryDetails *users.CodeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

func signUp(ctx context.Context, h *Handler, req *signUpRequest) (any, error) {
	out, err := h.Users.SignUp(ctx, users.SignUpInput{
		ClientID: req.ClientId, SecretHash: req.SecretHash, Username: req.Username, Password: req.Password,
		UserAttributes: req.UserAttributes, ValidationData: req.ValidationData, ClientMetadata: req.ClientMetadata,
		LinkBase: h.PublicURL,
	})
	if err != nil {
		return nil, err
	}
	return signUpResponse{UserConfirmed: out.UserConfirmed, UserSub: out.UserSub, CodeDeliveryDetails: out.CodeDelivery}, nil
}

type confirmSignUpCodeRequest struct {
	ClientId           string
	SecretHash         string
	Username           string
	ConfirmationCode   string
	ForceAliasCreation bool
	ClientMetadata     map[string]string
}

func confirmSignUp(ctx context.Context, h *Handler, req *confirmSignUpCodeRequest) (any, error) {
	_, err := h.Users.ConfirmSignUp(ctx, users.ConfirmSignUpInput{
		ClientID: req.ClientId, SecretHash: req.SecretHash, Username: req.Username,
		ConfirmationCode: req.ConfirmationCode, ForceAliasCreation: req.ForceAliasCreation,
		ClientMetadata: req.ClientMetadata,
	})
	return nil, err
}

type codeRequest struct {
	ClientId       string
	SecretHash     string
	Username       string
	ClientMetadata map[string]string
}

type codeDeliveryResponse struct {
	CodeDeliveryDetails *users.CodeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

func resendConfirmationCode(ctx context.Context, h *Handler, req *codeRequest) (any, error) {
	d, err := h.Users.ResendConfirmationCode(ctx, users.ResendInput{
		ClientID: req.ClientId, SecretHash: req.SecretHash, Username: req.Username,
		ClientMetadata: req.ClientMetadata, LinkBase: h.PublicURL,
	})
	if err != nil {
		return nil, err
	}
	return codeDeliveryResponse{CodeDeliveryDetails: d}, nil
}

func forgotPassword(ctx context.Context, h *Handler, req *codeRequest) (any, error) {
	d, err := h.Users.ForgotPassword(ctx, users.ForgotPasswordInput{
		ClientID: req.ClientId, SecretHash: req.SecretHash, Username: req.Username, ClientMetadata: req.ClientMetadata,
	})
	if err != nil {
		return nil, err
	}
	return codeDeliveryResponse{CodeDeliveryDetails: d}, nil
}

type confirmForgotPasswordRequest struct {
	ClientId         string
	SecretHash       string
	Username         string
	ConfirmationCode string
	Password         string
	ClientMetadata   map[string]string
}

func confirmForgotPassword(ctx context.Context, h *Handler, req *confirmForgotPasswordRequest) (any, error) {
	_, err := h.Users.ConfirmForgotPassword(ctx, users.ConfirmForgotPasswordInput{
		ClientID: req.ClientId, SecretHash: req.SecretHash, Username: req.Username,
		ConfirmationCode: req.ConfirmationCode, Password: req.Password, ClientMetadata: req.ClientMetadata,
	})
	return nil, err
}
