package cognitoidp

import (
	"context"
	"errors"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateUserPoolClient":       op(createUserPoolClient),
		"DescribeUserPoolClient":     op(describeUserPoolClient),
		"UpdateUserPoolClient":       op(updateUserPoolClient),
		"DeleteUserPoolClient":       op(deleteUserPoolClient),
		"ListUserPoolClients":        op(listUserPoolClients),
		"AddUserPoolClientSecret":    op(addUserPoolClientSecret),
		"ListUserPoolClientSecrets":  op(listUserPoolClientSecrets),
		"DeleteUserPoolClientSecret": op(deleteUserPoolClientSecret),
	})
}

// badToken maps a pagination token the store did not issue to Cognito's error.
func badToken(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return errs.Param("Invalid pagination token.")
	}
	return err
}

// userPoolClientType is Cognito's UserPoolClientType.
type userPoolClientType struct {
	UserPoolId       string `json:"UserPoolId"`
	ClientName       string `json:"ClientName"`
	ClientId         string `json:"ClientId"`
	ClientSecret     string `json:"ClientSecret,omitempty"`
	CreationDate     epoch  `json:"CreationDate"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	userpool.ClientConfig
}

func clientType(c *userpool.Client) *userPoolClientType {
	return &userPoolClientType{UserPoolId: c.PoolID, ClientName: c.Name, ClientId: c.ID, ClientSecret: c.Secret(),
		CreationDate: epoch(c.Created), LastModifiedDate: epoch(c.Modified), ClientConfig: c.Config}
}

type createClientRequest struct {
	UserPoolId     string
	ClientName     string
	GenerateSecret bool
	userpool.ClientConfig
}

func createUserPoolClient(ctx context.Context, h *Handler, req *createClientRequest) (any, error) {
	c, err := h.Pools.CreateClient(ctx, req.UserPoolId, userpool.ClientInput{
		ClientName: req.ClientName, GenerateSecret: req.GenerateSecret, ClientConfig: req.ClientConfig})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": clientType(c)}, nil
}

type clientRequest struct {
	UserPoolId string
	ClientId   string
}

func describeUserPoolClient(ctx context.Context, h *Handler, req *clientRequest) (any, error) {
	c, err := h.Pools.GetClient(ctx, req.UserPoolId, req.ClientId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": clientType(c)}, nil
}

type updateClientRequest struct {
	UserPoolId string
	ClientId   string
	ClientName string
	userpool.ClientConfig
}

func updateUserPoolClient(ctx context.Context, h *Handler, req *updateClientRequest) (any, error) {
	c, err := h.Pools.UpdateClient(ctx, req.UserPoolId, req.ClientId, userpool.ClientInput{
		ClientName: req.ClientName, ClientConfig: req.ClientConfig})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": clientType(c)}, nil
}

func deleteUserPoolClient(ctx context.Context, h *Handler, req *clientRequest) (any, error) {
	return nil, h.Pools.DeleteClient(ctx, req.UserPoolId, req.ClientId)
}

type listClientsRequest struct {
	UserPoolId string
	MaxResults *int32
	NextToken  string
}

func listUserPoolClients(ctx context.Context, h *Handler, req *listClientsRequest) (any, error) {
	n, err := limit("maxResults", req.MaxResults, 60, 60, false)
	if err != nil {
		return nil, err
	}
	cs, next, err := h.Pools.ListClients(ctx, req.UserPoolId, n, req.NextToken)
	if err != nil {
		return nil, badToken(err)
	}
	type description struct {
		ClientId   string `json:"ClientId"`
		UserPoolId string `json:"UserPoolId"`
		ClientName string `json:"ClientName"`
	}
	out := make([]description, 0, len(cs))
	for _, c := range cs {
		out = append(out, description{ClientId: c.ID, UserPoolId: c.PoolID, ClientName: c.Name})
	}
	return pageOut("UserPoolClients", out, "NextToken", next), nil
}

type addSecretRequest struct {
	UserPoolId   string
	ClientId     string
	ClientSecret string
}

func addUserPoolClientSecret(ctx context.Context, h *Handler, req *addSecretRequest) (any, error) {
	sec, generated, err := h.Pools.AddClientSecret(ctx, req.UserPoolId, req.ClientId, req.ClientSecret)
	if err != nil {
		return nil, err
	}
	d := map[string]any{"ClientSecretId": sec.ID, "ClientSecretCreateDate": epoch(sec.Created)}
	if generated {
		d["ClientSecretValue"] = sec.Value
	}
	return map[string]any{"ClientSecretDescriptor": d}, nil
}

func listUserPoolClientSecrets(ctx context.Context, h *Handler, req *clientRequest) (any, error) {
	c, err := h.Pools.GetClient(ctx, req.UserPoolId, req.ClientId)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(c.Secrets))
	for _, s := range c.Secrets {
		out = append(out, map[string]any{"ClientSecretId": s.ID, "ClientSecretCreateDate": epoch(s.Created)})
	}
	return map[string]any{"ClientSecrets": out}, nil
}

type deleteSecretRequest struct {
	UserPoolId     string
	ClientId       string
	ClientSecretId string
}

func deleteUserPoolClientSecret(ctx context.Context, h *Handler, req *deleteSecretRequest) (any, error) {
	return nil, h.Pools.DeleteClientSecret(ctx, req.UserPoolId, req.ClientId, req.ClientSecretId)
}
