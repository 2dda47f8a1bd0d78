package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateResourceServer":   op(createResourceServer),
		"DescribeResourceServer": op(describeResourceServer),
		"UpdateResourceServer":   op(updateResourceServer),
		"DeleteResourceServer":   op(deleteResourceServer),
		"ListResourceServers":    op(listResourceServers),
	})
}

// resourceServerType is Cognito's ResourceServerType.
type resourceServerType struct {
	UserPoolId string                         `json:"UserPoolId"`
	Identifier string                         `json:"Identifier"`
	Name       string                         `json:"Name"`
	Scopes     []userpool.ResourceServerScope `json:"Scopes"`
}

func toResourceServerType(poolID string, rs *userpool.ResourceServer) resourceServerType {
	scopes := rs.Scopes
	if scopes == nil {
		scopes = []userpool.ResourceServerScope{}
	}
	return resourceServerType{UserPoolId: poolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: scopes}
}

type resourceServerRequest struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []userpool.ResourceServerScope
}

func (r *resourceServerRequest) server() userpool.ResourceServer {
	return userpool.ResourceServer{Identifier: r.Identifier, Name: r.Name, Scopes: r.Scopes}
}

func createResourceServer(ctx context.Context, h *Handler, req *resourceServerRequest) (any, error) {
	rs, err := h.Pools.CreateResourceServer(ctx, req.UserPoolId, req.server())
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": toResourceServerType(req.UserPoolId, rs)}, nil
}

func describeResourceServer(ctx context.Context, h *Handler, req *resourceServerRequest) (any, error) {
	rs, err := h.Pools.GetResourceServer(ctx, req.UserPoolId, req.Identifier)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": toResourceServerType(req.UserPoolId, rs)}, nil
}

func updateResourceServer(ctx context.Context, h *Handler, req *resourceServerRequest) (any, error) {
	rs, err := h.Pools.UpdateResourceServer(ctx, req.UserPoolId, req.server())
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": toResourceServerType(req.UserPoolId, rs)}, nil
}

func deleteResourceServer(ctx context.Context, h *Handler, req *resourceServerRequest) (any, error) {
	return nil, h.Pools.DeleteResourceServer(ctx, req.UserPoolId, req.Identifier)
}

type listResourceServersRequest struct {
	UserPoolId string
	MaxResults *int32
	NextToken  string
}

// listResourceServers: MaxResults is optional (API reference: range 1-50).
func listResourceServers(ctx context.Context, h *Handler, req *listResourceServersRequest) (any, error) {
	if err := userpool.ValidatePoolID(req.UserPoolId); err != nil {
		return nil, err
	}
	if req.MaxResults != nil && *req.MaxResults < 1 {
		return nil, errs.Param("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", *req.MaxResults)
	}
	n, err := limit("maxResults", req.MaxResults, 50, 50, false)
	if err != nil {
		return nil, err
	}
	list, next, err := h.Pools.ListResourceServers(ctx, req.UserPoolId, n, req.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]resourceServerType, 0, len(list))
	for i := range list {
		out = append(out, toResourceServerType(req.UserPoolId, &list[i]))
	}
	return pageOut("ResourceServers", out, "NextToken", next), nil
}
