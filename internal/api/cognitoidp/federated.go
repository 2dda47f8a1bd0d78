package cognitoidp

// AdminLinkProviderForUser and AdminDisableProviderForUser: links between
// the pool's users and the identities of its third-party providers.

import (
	"context"

	"github.com/cogito-idp/cogito/internal/users"
)

func init() {
	register(map[string]operation{
		"AdminLinkProviderForUser":    op(adminLinkProviderForUser),
		"AdminDisableProviderForUser": op(adminDisableProviderForUser),
	})
}

// providerUserIdentifier is Cognito's ProviderUserIdentifierType.
type providerUserIdentifier struct {
	ProviderName           string
	ProviderAttributeName  string
	ProviderAttributeValue string
}

func (p *providerUserIdentifier) toUsers() *users.ProviderUser {
	if p == nil {
		return nil
	}
	return &users.ProviderUser{ProviderName: p.ProviderName, ProviderAttributeName: p.ProviderAttributeName,
		ProviderAttributeValue: p.ProviderAttributeValue}
}

type adminLinkProviderForUserRequest struct {
	UserPoolId      string
	DestinationUser *providerUserIdentifier
	SourceUser      *providerUserIdentifier
}

func adminLinkProviderForUser(ctx context.Context, h *Handler, req *adminLinkProviderForUserRequest) (any, error) {
	return nil, h.Users.AdminLinkProviderForUser(ctx, req.UserPoolId, req.DestinationUser.toUsers(), req.SourceUser.toUsers())
}

type adminDisableProviderForUserRequest struct {
	UserPoolId string
	User       *providerUserIdentifier
}

func adminDisableProviderForUser(ctx context.Context, h *Handler, req *adminDisableProviderForUserRequest) (any, error) {
	return nil, h.Users.AdminDisableProviderForUser(ctx, req.UserPoolId, req.User.toUsers())
}
