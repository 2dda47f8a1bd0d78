package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateIdentityProvider":          op(createIdentityProvider),
		"DescribeIdentityProvider":        op(describeIdentityProvider),
		"UpdateIdentityProvider":          op(updateIdentityProvider),
		"DeleteIdentityProvider":          op(deleteIdentityProvider),
		"ListIdentityProviders":           op(listIdentityProviders),
		"GetIdentityProviderByIdentifier": op(getIdentityProviderByIdentifier),
	})
}

// identityProviderType is Cognito's IdentityProviderType.
type identityProviderType struct {
	UserPoolId       string            `json:"UserPoolId"`
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`
	LastModifiedDate epoch             `json:"LastModifiedDate"`
	CreationDate     epoch             `json:"CreationDate"`
}

func toIdentityProviderType(poolID string, p *userpool.IdentityProvider) identityProviderType {
	mapping := p.AttributeMapping
	if mapping == nil {
		mapping = map[string]string{}
	}
	ids := p.IdpIdentifiers
	if ids == nil {
		ids = []string{}
	}
	return identityProviderType{UserPoolId: poolID, ProviderName: p.ProviderName, ProviderType: p.ProviderType,
		ProviderDetails: p.PublicDetails(), AttributeMapping: mapping, IdpIdentifiers: ids,
		LastModifiedDate: epoch(p.LastModifiedDate), CreationDate: epoch(p.CreationDate)}
}

// providerDescription is Cognito's ProviderDescription (ListIdentityProviders).
type providerDescription struct {
	ProviderName     string `json:"ProviderName"`
	ProviderType     string `json:"ProviderType"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

type identityProviderRequest struct {
	UserPoolId       string
	ProviderName     string
	ProviderType     string
	ProviderDetails  map[string]string
	AttributeMapping map[string]string
	IdpIdentifiers   []string
}

func (r *identityProviderRequest) input() userpool.IdentityProviderInput {
	return userpool.IdentityProviderInput{ProviderName: r.ProviderName, ProviderType: r.ProviderType,
		ProviderDetails: r.ProviderDetails, AttributeMapping: r.AttributeMapping, IdpIdentifiers: r.IdpIdentifiers}
}

func identityProviderOut(poolID string, p *userpool.IdentityProvider) any {
	return map[string]any{"IdentityProvider": toIdentityProviderType(poolID, p)}
}

func createIdentityProvider(ctx context.Context, h *Handler, req *identityProviderRequest) (any, error) {
	p, err := h.Pools.CreateIdentityProvider(ctx, req.UserPoolId, req.input())
	if err != nil {
		return nil, err
	}
	return identityProviderOut(req.UserPoolId, p), nil
}

func describeIdentityProvider(ctx context.Context, h *Handler, req *identityProviderRequest) (any, error) {
	p, err := h.Pools.GetIdentityProvider(ctx, req.UserPoolId, req.ProviderName)
	if err != nil {
		return nil, err
	}
	return identityProviderOut(req.UserPoolId, p), nil
}

func updateIdentityProvider(ctx context.Context, h *Handler, req *identityProviderRequest) (any, error) {
	p, err := h.Pools.UpdateIdentityProvider(ctx, req.UserPoolId, req.input())
	if err != nil {
		return nil, err
	}
	return identityProviderOut(req.UserPoolId, p), nil
}

func deleteIdentityProvider(ctx context.Context, h *Handler, req *identityProviderRequest) (any, error) {
	return nil, h.Pools.DeleteIdentityProvider(ctx, req.UserPoolId, req.ProviderName)
}

type getIdentityProviderByIdentifierRequest struct {
	UserPoolId    string
	IdpIdentifier string
}

func getIdentityProviderByIdentifier(ctx context.Context, h *Handler, req *getIdentityProviderByIdentifierRequest) (any, error) {
	p, err := h.Pools.GetIdentityProviderByIdentifier(ctx, req.UserPoolId, req.IdpIdentifier)
	if err != nil {
		return nil, err
	}
	return identityProviderOut(req.UserPoolId, p), nil
}

type listIdentityProvidersRequest struct {
	UserPoolId string
	MaxResults *int32
	NextToken  string
}

// listIdentityProviders: MaxResults is optional (API reference: range 0-60).
func listIdentityProviders(ctx context.Context, h *Handler, req *listIdentityProvidersRequest) (any, error) {
	if err := userpool.ValidatePoolID(req.UserPoolId); err != nil {
		return nil, err
	}
	if req.MaxResults != nil && *req.MaxResults < 0 {
		return nil, errs.Param("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0", *req.MaxResults)
	}
	n, err := limit("maxResults", req.MaxResults, 60, 60, false)
	if err != nil {
		return nil, err
	}
	list, next, err := h.Pools.ListIdentityProviders(ctx, req.UserPoolId, n, req.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]providerDescription, 0, len(list))
	for _, p := range list {
		out = append(out, providerDescription{ProviderName: p.ProviderName, ProviderType: p.ProviderType,
			LastModifiedDate: epoch(p.LastModifiedDate), CreationDate: epoch(p.CreationDate)})
	}
	return pageOut("Providers", out, "NextToken", next), nil
}
