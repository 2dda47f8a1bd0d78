package cognitoidp

import (
	"context"
	"regexp"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"CreateUserPool":       op(createUserPool),
		"DescribeUserPool":     op(describeUserPool),
		"UpdateUserPool":       op(updateUserPool),
		"DeleteUserPool":       op(deleteUserPool),
		"ListUserPools":        op(listUserPools),
		"AddCustomAttributes":  op(addCustomAttributes),
		"GetCSVHeader":         op(getCSVHeader),
		"TagResource":          op(tagResource),
		"UntagResource":        op(untagResource),
		"ListTagsForResource":  op(listTagsForResource),
		"GetUserPoolMfaConfig": op(getUserPoolMfaConfig),
		"SetUserPoolMfaConfig": op(setUserPoolMfaConfig),
	})
}

// userPoolType is Cognito's UserPoolType.
type userPoolType struct {
	Id                     string `json:"Id"`
	Name                   string `json:"Name"`
	Arn                    string `json:"Arn"`
	CreationDate           epoch  `json:"CreationDate"`
	LastModifiedDate       epoch  `json:"LastModifiedDate"`
	EstimatedNumberOfUsers int64  `json:"EstimatedNumberOfUsers"`
	Domain                 string `json:"Domain,omitempty"`
	CustomDomain           string `json:"CustomDomain,omitempty"`
	userpool.Config
}

func (h *Handler) poolType(ctx context.Context, p *userpool.Pool, withCount bool) (*userPoolType, error) {
	cfg := p.Config
	// Settings of SetUserPoolMfaConfig are not part of UserPoolType.
	cfg.SmsMfaConfiguration, cfg.SoftwareTokenMfaConfiguration, cfg.EmailMfaConfiguration, cfg.WebAuthnConfiguration = nil, nil, nil, nil
	// Nor are resource servers, UI customizations and identity providers, which have their own operations.
	cfg.ResourceServers, cfg.UICustomizations, cfg.IdentityProviders = nil, nil, nil
	out := &userPoolType{Id: p.ID, Name: p.Name, Arn: h.Pools.Arn(p.ID), CreationDate: epoch(p.Created),
		LastModifiedDate: epoch(p.Modified), Config: cfg}
	// Domain is the prefix domain, CustomDomain the custom one.
	domains, err := h.Pools.Domains(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		if d.Custom {
			out.CustomDomain = d.Domain
		} else {
			out.Domain = d.Domain
		}
	}
	if withCount {
		n, err := h.Pools.Store.CountUsers(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out.EstimatedNumberOfUsers = n
	}
	return out, nil
}

type createUserPoolRequest struct {
	PoolName string
	Schema   []userpool.SchemaAttribute
	userpool.Config
}

func createUserPool(ctx context.Context, h *Handler, req *createUserPoolRequest) (any, error) {
	p, err := h.Pools.CreatePool(ctx, userpool.PoolInput{PoolName: req.PoolName, Schema: req.Schema, Config: req.Config})
	if err != nil {
		return nil, err
	}
	t, err := h.poolType(ctx, p, false)
	return map[string]any{"UserPool": t}, err
}

type poolRequest struct{ UserPoolId string }

func describeUserPool(ctx context.Context, h *Handler, req *poolRequest) (any, error) {
	p, err := h.Pools.GetPool(ctx, req.UserPoolId)
	if err != nil {
		return nil, err
	}
	t, err := h.poolType(ctx, p, true)
	return map[string]any{"UserPool": t}, err
}

type updateUserPoolRequest struct {
	UserPoolId string
	PoolName   string
	userpool.Config
}

func updateUserPool(ctx context.Context, h *Handler, req *updateUserPoolRequest) (any, error) {
	_, err := h.Pools.UpdatePool(ctx, req.UserPoolId, userpool.PoolInput{PoolName: req.PoolName, Config: req.Config})
	return nil, err
}

func deleteUserPool(ctx context.Context, h *Handler, req *poolRequest) (any, error) {
	if err := userpool.ValidatePoolID(req.UserPoolId); err != nil {
		return nil, err
	}
	// Cognito refuses to delete a pool that still has a domain.
	domains, err := h.Pools.Domains(ctx, req.UserPoolId)
	if err != nil {
		return nil, err
	}
	if len(domains) > 0 {
		return nil, errs.Param("User pool cannot be deleted. It has a domain configured that should be deleted first.")
	}
	return nil, h.Pools.DeletePool(ctx, req.UserPoolId)
}

type listUserPoolsRequest struct {
	MaxResults *int32
	NextToken  string
}

func listUserPools(ctx context.Context, h *Handler, req *listUserPoolsRequest) (any, error) {
	n, err := limit("maxResults", req.MaxResults, 60, 60, true)
	if err != nil {
		return nil, err
	}
	pools, next, err := h.Pools.ListPools(ctx, n, req.NextToken)
	if err != nil {
		return nil, badToken(err)
	}
	type description struct {
		Id               string                 `json:"Id"`
		Name             string                 `json:"Name"`
		LambdaConfig     *userpool.LambdaConfig `json:"LambdaConfig,omitempty"`
		Status           string                 `json:"Status,omitempty"`
		CreationDate     epoch                  `json:"CreationDate"`
		LastModifiedDate epoch                  `json:"LastModifiedDate"`
	}
	out := make([]description, 0, len(pools))
	for _, p := range pools {
		out = append(out, description{Id: p.ID, Name: p.Name, LambdaConfig: p.Config.LambdaConfig,
			CreationDate: epoch(p.Created), LastModifiedDate: epoch(p.Modified)})
	}
	return pageOut("UserPools", out, "NextToken", next), nil
}

// pageOut builds a listing reply, leaving the token out on the last page.
func pageOut(listKey string, list any, tokenKey, next string) map[string]any {
	out := map[string]any{listKey: list}
	if next != "" {
		out[tokenKey] = next
	}
	return out
}

type addCustomAttributesRequest struct {
	UserPoolId       string
	CustomAttributes []userpool.SchemaAttribute
}

func addCustomAttributes(ctx context.Context, h *Handler, req *addCustomAttributesRequest) (any, error) {
	_, err := h.Pools.ModifyPool(ctx, req.UserPoolId, func(c *userpool.Config) error {
		return c.AddCustomAttributes(req.CustomAttributes)
	})
	return nil, err
}

func getCSVHeader(ctx context.Context, h *Handler, req *poolRequest) (any, error) {
	p, err := h.Pools.GetPool(ctx, req.UserPoolId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolId": p.ID, "CSVHeader": p.Config.CSVHeader()}, nil
}

var poolArnRE = regexp.MustCompile(`^arn:[\w+=/,.@-]+:cognito-idp:[\w-]*:[0-9]*:userpool/([\w-]+_[0-9a-zA-Z]+)$`)

// poolFromArn finds the pool an ARN names; tags exist only on pools.
func (h *Handler) poolFromArn(arn string) (string, error) {
	if err := required("resourceArn", arn); err != nil {
		return "", err
	}
	m := poolArnRE.FindStringSubmatch(arn)
	if m == nil {
		return "", errs.Param("Invalid ARN: %s", arn)
	}
	return m[1], nil
}

type tagResourceRequest struct {
	ResourceArn string
	Tags        map[string]string
}

func tagResource(ctx context.Context, h *Handler, req *tagResourceRequest) (any, error) {
	id, err := h.poolFromArn(req.ResourceArn)
	if err != nil {
		return nil, err
	}
	_, err = h.Pools.ModifyPool(ctx, id, func(c *userpool.Config) error {
		tags := map[string]string{}
		for k, v := range c.UserPoolTags {
			tags[k] = v
		}
		for k, v := range req.Tags {
			tags[k] = v
		}
		if err := userpool.ValidateTags(tags); err != nil {
			return err
		}
		c.UserPoolTags = tags
		return nil
	})
	return nil, err
}

type untagResourceRequest struct {
	ResourceArn string
	TagKeys     []string
}

func untagResource(ctx context.Context, h *Handler, req *untagResourceRequest) (any, error) {
	id, err := h.poolFromArn(req.ResourceArn)
	if err != nil {
		return nil, err
	}
	_, err = h.Pools.ModifyPool(ctx, id, func(c *userpool.Config) error {
		for _, k := range req.TagKeys {
			delete(c.UserPoolTags, k)
		}
		return nil
	})
	return nil, err
}

type listTagsRequest struct{ ResourceArn string }

func listTagsForResource(ctx context.Context, h *Handler, req *listTagsRequest) (any, error) {
	id, err := h.poolFromArn(req.ResourceArn)
	if err != nil {
		return nil, err
	}
	p, err := h.Pools.GetPool(ctx, id)
	if err != nil {
		return nil, err
	}
	tags := p.Config.UserPoolTags
	if tags == nil {
		tags = map[string]string{}
	}
	return map[string]any{"Tags": tags}, nil
}

type mfaConfig struct {
	SmsMfaConfiguration           *userpool.SmsMfaConfiguration   `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration *userpool.EnabledFlag           `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *userpool.EmailMfaConfiguration `json:"EmailMfaConfiguration,omitempty"`
	WebAuthnConfiguration         *userpool.WebAuthnConfiguration `json:"WebAuthnConfiguration,omitempty"`
	MfaConfiguration              string                          `json:"MfaConfiguration,omitempty"`
}

func mfaOf(c *userpool.Config) mfaConfig {
	return mfaConfig{SmsMfaConfiguration: c.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: c.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: c.EmailMfaConfiguration, WebAuthnConfiguration: c.WebAuthnConfiguration,
		MfaConfiguration: c.MfaConfiguration}
}

func getUserPoolMfaConfig(ctx context.Context, h *Handler, req *poolRequest) (any, error) {
	p, err := h.Pools.GetPool(ctx, req.UserPoolId)
	if err != nil {
		return nil, err
	}
	return mfaOf(&p.Config), nil
}

type setMfaRequest struct {
	UserPoolId string
	mfaConfig
}

func setUserPoolMfaConfig(ctx context.Context, h *Handler, req *setMfaRequest) (any, error) {
	switch req.MfaConfiguration {
	case "", "OFF", "ON", "OPTIONAL":
	default:
		return nil, errs.Param("1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", req.MfaConfiguration)
	}
	p, err := h.Pools.ModifyPool(ctx, req.UserPoolId, func(c *userpool.Config) error {
		if req.SmsMfaConfiguration != nil {
			c.SmsMfaConfiguration = req.SmsMfaConfiguration
		}
		if req.SoftwareTokenMfaConfiguration != nil {
			c.SoftwareTokenMfaConfiguration = req.SoftwareTokenMfaConfiguration
		}
		if req.EmailMfaConfiguration != nil {
			c.EmailMfaConfiguration = req.EmailMfaConfiguration
		}
		if req.WebAuthnConfiguration != nil {
			c.WebAuthnConfiguration = req.WebAuthnConfiguration
		}
		if req.MfaConfiguration != "" {
			c.MfaConfiguration = req.MfaConfiguration
		}
		if c.MfaConfiguration != "OFF" && !mfaFactorEnabled(c) {
			return errs.New(errs.InvalidParameter, "At least one MFA factor must be enabled when MfaConfiguration is %s.", c.MfaConfiguration)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mfaOf(&p.Config), nil
}

func mfaFactorEnabled(c *userpool.Config) bool {
	return c.SmsMfaConfiguration != nil ||
		(c.SoftwareTokenMfaConfiguration != nil && c.SoftwareTokenMfaConfiguration.Enabled != nil && *c.SoftwareTokenMfaConfiguration.Enabled) ||
		c.EmailMfaConfiguration != nil
}
