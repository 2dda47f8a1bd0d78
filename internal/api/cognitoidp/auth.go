package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/auth"
)

func init() {
	register(map[string]operation{
		"InitiateAuth":                publicOp(initiateAuth),
		"AdminInitiateAuth":           op(adminInitiateAuth),
		"RespondToAuthChallenge":      publicOp(respondToAuthChallenge),
		"AdminRespondToAuthChallenge": op(adminRespondToAuthChallenge),
		"GetTokensFromRefreshToken":   publicOp(getTokensFromRefreshToken),
		"RevokeToken":                 publicOp(revokeToken),
		"GlobalSignOut":               publicOp(globalSignOut),
		"AdminUserGlobalSignOut":      op(adminUserGlobalSignOut),
	})
}

// authenticationResult is Cognito's AuthenticationResultType.
type authenticationResult struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	ExpiresIn    int32  `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
}

func resultOf(t *auth.TokenSet) *authenticationResult {
	if t == nil {
		return nil
	}
	return &authenticationResult{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, TokenType: t.TokenType,
		RefreshToken: t.RefreshToken, IdToken: t.IdToken}
}

// authReply is InitiateAuth's and RespondToAuthChallenge's response.
type authReply struct {
	ChallengeName        string                `json:"ChallengeName,omitempty"`
	Session              string                `json:"Session,omitempty"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
	AuthenticationResult *authenticationResult `json:"AuthenticationResult,omitempty"`
}

func reply(r *auth.Result) *authReply {
	params := r.ChallengeParameters
	if params == nil {
		params = map[string]string{}
	}
	return &authReply{ChallengeName: r.ChallengeName, Session: r.Session, ChallengeParameters: params,
		AuthenticationResult: resultOf(r.Tokens)}
}

type initiateAuthRequest struct {
	UserPoolId     string
	ClientId       string
	AuthFlow       string
	AuthParameters map[string]string
	ClientMetadata map[string]string
}

func initiateAuth(ctx context.Context, h *Handler, req *initiateAuthRequest) (any, error) {
	r, err := h.Auth.Initiate(ctx, &auth.Request{ClientID: req.ClientId, AuthFlow: req.AuthFlow,
		Params: req.AuthParameters, ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return reply(r), nil
}

func adminInitiateAuth(ctx context.Context, h *Handler, req *initiateAuthRequest) (any, error) {
	if err := required("userPoolId", req.UserPoolId); err != nil {
		return nil, err
	}
	r, err := h.Auth.Initiate(ctx, &auth.Request{Admin: true, PoolID: req.UserPoolId, ClientID: req.ClientId,
		AuthFlow: req.AuthFlow, Params: req.AuthParameters, ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return reply(r), nil
}

type respondRequest struct {
	UserPoolId         string
	ClientId           string
	ChallengeName      string
	Session            string
	ChallengeResponses map[string]string
	ClientMetadata     map[string]string
}

func respondToAuthChallenge(ctx context.Context, h *Handler, req *respondRequest) (any, error) {
	r, err := h.Auth.Respond(ctx, &auth.Response{ClientID: req.ClientId, ChallengeName: req.ChallengeName,
		Session: req.Session, Responses: req.ChallengeResponses, ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return reply(r), nil
}

func adminRespondToAuthChallenge(ctx context.Context, h *Handler, req *respondRequest) (any, error) {
	if err := required("userPoolId", req.UserPoolId); err != nil {
		return nil, err
	}
	r, err := h.Auth.Respond(ctx, &auth.Response{Admin: true, PoolID: req.UserPoolId, ClientID: req.ClientId,
		ChallengeName: req.ChallengeName, Session: req.Session, Responses: req.ChallengeResponses,
		ClientMetadata: req.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return reply(r), nil
}

type refreshRequest struct {
	RefreshToken   string
	ClientId       string
	ClientSecret   string
	DeviceKey      string
	ClientMetadata map[string]string
}

func getTokensFromRefreshToken(ctx context.Context, h *Handler, req *refreshRequest) (any, error) {
	t, err := h.Auth.RefreshWithSecret(ctx, req.ClientId, req.ClientSecret, req.RefreshToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": resultOf(t)}, nil
}

type revokeRequest struct {
	Token        string
	ClientId     string
	ClientSecret string
}

func revokeToken(ctx context.Context, h *Handler, req *revokeRequest) (any, error) {
	return nil, h.Auth.RevokeToken(ctx, req.ClientId, req.ClientSecret, req.Token)
}

type accessTokenRequest struct{ AccessToken string }

func globalSignOut(ctx context.Context, h *Handler, req *accessTokenRequest) (any, error) {
	at, err := h.Auth.CheckAccessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, h.Auth.GlobalSignOut(ctx, at)
}

func adminUserGlobalSignOut(ctx context.Context, h *Handler, req *userRequest) (any, error) {
	return nil, h.Auth.AdminGlobalSignOut(ctx, req.UserPoolId, req.Username)
}
