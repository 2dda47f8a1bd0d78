package oauth

import (
	"context"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
)

// UserInfo answers the userInfo endpoint for an access token with the
// openid scope: sub and username always, then the attributes its scopes
// grant (email, phone, profile: all the attributes the client may read).
func (s *Service) UserInfo(ctx context.Context, accessToken string) (map[string]any, error) {
	at, err := s.Auth.CheckAccessTokenScope(ctx, accessToken, "openid")
	if err != nil {
		if e, ok := errs.As(err); ok {
			return nil, &Error{Code: "invalid_token", Description: e.Message, Status: 401}
		}
		return nil, err
	}
	scope, _ := at.Claims["scope"].(string)
	scopes := strings.Fields(scope)
	u := at.User
	out := map[string]any{"sub": u.Sub, "username": u.Username}
	readable := map[string]bool{}
	if c, err := s.Pools.FindClient(ctx, at.ClientID()); err == nil && len(c.Config.ReadAttributes) > 0 {
		for _, a := range c.Config.ReadAttributes {
			readable[a] = true
		}
	}
	may := func(name string) bool { return len(readable) == 0 || readable[name] }
	add := func(name string) {
		if v, ok := u.Attributes[name]; ok && may(name) && !strings.HasPrefix(name, "dev:") {
			out[name] = v
		}
	}
	if contains(scopes, "email") {
		add("email")
		add("email_verified")
	}
	if contains(scopes, "phone") {
		add("phone_number")
		add("phone_number_verified")
	}
	if contains(scopes, "profile") || contains(scopes, "aws.cognito.signin.user.admin") {
		for name := range u.Attributes {
			add(name)
		}
	}
	if _, ok := u.Attributes["identities"]; ok {
		add("identities")
	}
	return out, nil
}

// Revoke is the revocation endpoint (RFC 7009): a refresh token and the
// access tokens minted from it stop working.
func (s *Service) Revoke(ctx context.Context, r *TokenRequest, token string) error {
	if token == "" {
		return oauthErr("invalid_request", "Required parameter token is missing.")
	}
	c, err := s.authenticateClient(ctx, nil, r)
	if err != nil {
		return err
	}
	err = s.Auth.RevokeToken(ctx, c.ID, r.ClientSecret, token)
	if e, ok := errs.As(err); ok {
		switch e.Type {
		case "UnsupportedTokenTypeException":
			return oauthErr("unsupported_token_type", "%s", e.Message)
		case "UnsupportedOperationException":
			return oauthErr("invalid_request", "%s", e.Message)
		default:
			return oauthErr("invalid_client", "%s", e.Message)
		}
	}
	return err
}
