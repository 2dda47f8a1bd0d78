package cognitoidp

import (
	"context"

	"github.com/cogito-idp/cogito/internal/userpool"
)

func init() {
	register(map[string]operation{
		"SetUICustomization": op(setUICustomization),
		"GetUICustomization": op(getUICustomization),
	})
}

// uiCustomizationType is Cognito's UICustomizationType.
type uiCustomizationType struct {
	UserPoolId       string `json:"UserPoolId"`
	ClientId         string `json:"ClientId"`
	ImageUrl         string `json:"ImageUrl,omitempty"`
	CSS              string `json:"CSS,omitempty"`
	CSSVersion       string `json:"CSSVersion,omitempty"`
	LastModifiedDate *epoch `json:"LastModifiedDate,omitempty"`
	CreationDate     *epoch `json:"CreationDate,omitempty"`
}

func toUICustomizationType(poolID string, u *userpool.UICustomization) uiCustomizationType {
	out := uiCustomizationType{UserPoolId: poolID, ClientId: u.ClientID, CSS: u.CSS, CSSVersion: u.CSSVersion}
	if len(u.Image) > 0 && userpool.ImageURL != nil {
		out.ImageUrl = userpool.ImageURL(poolID, u.ClientID, u.CSSVersion)
	}
	if !u.Created.IsZero() {
		c, m := epoch(u.Created), epoch(u.Modified)
		out.CreationDate, out.LastModifiedDate = &c, &m
	}
	return out
}

type uiCustomizationRequest struct {
	UserPoolId string
	ClientId   string
	CSS        string
	ImageFile  []byte // base64 in the JSON body
}

func setUICustomization(ctx context.Context, h *Handler, req *uiCustomizationRequest) (any, error) {
	u, err := h.Pools.SetUICustomization(ctx, req.UserPoolId, userpool.UICustomizationInput{
		ClientID: req.ClientId, CSS: req.CSS, Image: req.ImageFile})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": toUICustomizationType(req.UserPoolId, u)}, nil
}

func getUICustomization(ctx context.Context, h *Handler, req *uiCustomizationRequest) (any, error) {
	u, err := h.Pools.UICustomization(ctx, req.UserPoolId, req.ClientId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": toUICustomizationType(req.UserPoolId, u)}, nil
}
