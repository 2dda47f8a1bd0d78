package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateUserPoolDomain":   op(createUserPoolDomain),
		"DescribeUserPoolDomain": op(describeUserPoolDomain),
		"UpdateUserPoolDomain":   op(updateUserPoolDomain),
		"DeleteUserPoolDomain":   op(deleteUserPoolDomain),
	})
}

type domainRequest struct {
	Domain              string
	UserPoolId          string
	CustomDomainConfig  *userpool.CustomDomainConfig
	ManagedLoginVersion *int32
}

func (r *domainRequest) input() userpool.DomainInput {
	return userpool.DomainInput{CustomDomainConfig: r.CustomDomainConfig, ManagedLoginVersion: r.ManagedLoginVersion}
}

// domainResult is the reply of CreateUserPoolDomain and UpdateUserPoolDomain:
// CloudFrontDomain only for a custom domain (a prefix domain has none to
// point DNS at).
func domainResult(d *userpool.Domain) map[string]any {
	out := map[string]any{"ManagedLoginVersion": d.Config.ManagedLoginVersion}
	if d.Custom {
		out["CloudFrontDomain"] = d.CloudFrontDomain()
	}
	return out
}

func createUserPoolDomain(ctx context.Context, h *Handler, req *domainRequest) (any, error) {
	d, err := h.Pools.CreateDomain(ctx, req.UserPoolId, req.Domain, req.input())
	if err != nil {
		return nil, err
	}
	return domainResult(d), nil
}

// domainDescriptionType is Cognito's DomainDescriptionType.
type domainDescriptionType struct {
	UserPoolId             string                       `json:"UserPoolId,omitempty"`
	AWSAccountId           string                       `json:"AWSAccountId,omitempty"`
	Domain                 string                       `json:"Domain,omitempty"`
	S3Bucket               string                       `json:"S3Bucket,omitempty"`
	CloudFrontDistribution string                       `json:"CloudFrontDistribution,omitempty"`
	Version                string                       `json:"Version,omitempty"`
	Status                 string                       `json:"Status,omitempty"`
	CustomDomainConfig     *userpool.CustomDomainConfig `json:"CustomDomainConfig,omitempty"`
	ManagedLoginVersion    int32                        `json:"ManagedLoginVersion,omitempty"`
}

// describeUserPoolDomain answers an unknown domain with an empty
// DomainDescription, not an error, as Cognito does (clients such as the
// Terraform provider test for a missing Status).
func describeUserPoolDomain(ctx context.Context, h *Handler, req *domainRequest) (any, error) {
	d, err := h.Pools.GetDomain(ctx, req.Domain)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return map[string]any{"DomainDescription": domainDescriptionType{}}, nil
	}
	return map[string]any{"DomainDescription": domainDescriptionType{
		UserPoolId: d.PoolID, AWSAccountId: h.Pools.Account, Domain: d.Domain, S3Bucket: h.Pools.S3Bucket(),
		CloudFrontDistribution: d.CloudFrontDomain(), Version: d.Config.Version, Status: "ACTIVE",
		CustomDomainConfig: d.Config.CustomDomainConfig, ManagedLoginVersion: d.Config.ManagedLoginVersion,
	}}, nil
}

func updateUserPoolDomain(ctx context.Context, h *Handler, req *domainRequest) (any, error) {
	d, err := h.Pools.UpdateDomain(ctx, req.UserPoolId, req.Domain, req.input())
	if err != nil {
		return nil, err
	}
	return domainResult(d), nil
}

func deleteUserPoolDomain(ctx context.Context, h *Handler, req *domainRequest) (any, error) {
	return nil, h.Pools.DeleteDomain(ctx, req.UserPoolId, req.Domain)
}
