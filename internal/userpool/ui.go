package userpool

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
)

// UICustomization is the hosted UI (classic) branding of one app client, or
// of every client without its own (ClientID "ALL"): SetUICustomization's CSS
// and logo. Stored in the pool's Config document under its ClientID.
type UICustomization struct {
	ClientID   string    `json:"ClientId"`
	CSS        string    `json:"CSS,omitempty"`
	CSSVersion string    `json:"CSSVersion,omitempty"`
	Image      []byte    `json:"Image,omitempty"` // the logo; base64 in the JSON document
	ImageType  string    `json:"ImageType,omitempty"`
	Created    time.Time `json:"Created"`
	Modified   time.Time `json:"Modified"`
}

// AllClients is the ClientId of the pool-wide customization.
const AllClients = "ALL"

// ImageURL, when set (by the hosted UI), gives the URL at which the logo of
// a customization is served; version is its CSSVersion, which changes with
// every SetUICustomization so caches see a new URL. Nil: no ImageUrl.
var ImageURL func(poolID, clientID, version string) string

// Limits from the developer guide ("Customizing hosted UI (classic)
// branding") and the API reference of SetUICustomization.
const (
	MaxLogoBytes = 100 * 1024 // "The logo file must be no larger than 100 KB"
	MaxCSSBytes  = 131072     // CSS: maximum length of 131072
)

// allowedCSSSelectors are the only selectors the hosted UI (classic) takes:
// the -customizable classes of Cognito's CSS template.
var allowedCSSSelectors = map[string]bool{
	".background-customizable":             true,
	".banner-customizable":                 true,
	".errorMessage-customizable":           true,
	".idpButton-customizable":              true,
	".idpButton-customizable:hover":        true,
	".idpDescription-customizable":         true,
	".inputField-customizable":             true,
	".inputField-customizable:focus":       true,
	".label-customizable":                  true,
	".legalText-customizable":              true,
	".logo-customizable":                   true,
	".passwordCheck-valid-customizable":    true,
	".passwordCheck-notValid-customizable": true,
	".redirect-customizable":               true,
	".socialButton-customizable":           true,
	".submitButton-customizable":           true,
	".submitButton-customizable:hover":     true,
	".textDescription-customizable":        true,
}

var (
	cssCommentRE = regexp.MustCompile(`(?s)/\*.*?\*/`)
	cssScriptRE  = regexp.MustCompile(`(?i)javascript:|expression\s*\(|<\s*/?\s*script|behavior\s*:|-moz-binding`)
)

// validateCSS applies the documented restrictions: rules only for the
// allowed class selectors, no @import, @supports, @page or @media (nor any
// other at-rule), no JavaScript.
func validateCSS(css string) error {
	if len(css) > MaxCSSBytes {
		return errs.Param("1 validation error detected: Value at 'css' failed to satisfy constraint: Member must have length less than or equal to %d", MaxCSSBytes)
	}
	bare := cssCommentRE.ReplaceAllString(css, "")
	if strings.Contains(bare, "@") {
		return errs.Param("Invalid CSS: at-rules such as @import, @supports, @page and @media are not allowed.")
	}
	if cssScriptRE.MatchString(bare) {
		return errs.Param("Invalid CSS: JavaScript is not allowed.")
	}
	rest := bare
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.TrimSpace(rest) != "" || strings.Contains(rest, "}") {
				return errs.Param("Invalid CSS: the style sheet could not be parsed.")
			}
			return nil
		}
		closing := strings.IndexByte(rest[open:], '}')
		if closing < 0 || strings.Contains(rest[:open], "}") || strings.Contains(rest[open+1:open+closing], "{") {
			return errs.Param("Invalid CSS: the style sheet could not be parsed.")
		}
		for _, sel := range strings.Split(rest[:open], ",") {
			sel = strings.TrimSpace(sel)
			if !allowedCSSSelectors[sel] {
				return errs.Param("Invalid CSS: the selector %q is not allowed. Only the -customizable classes of the hosted UI CSS template can be customized.", sel)
			}
		}
		rest = rest[open+closing+1:]
	}
}

// imageType recognises the logo formats the hosted UI takes: PNG and JPEG.
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	}
	return ""
}

// UICustomizationInput is SetUICustomization's input.
type UICustomizationInput struct {
	ClientID string // empty or "ALL" for the pool-wide default
	CSS      string
	Image    []byte
}

// SetUICustomization applies SetUICustomization. The CSS and the logo are
// set together: what the request omits is removed. The pool must have a
// domain, as in Cognito.
func (s *Service) SetUICustomization(ctx context.Context, poolID string, in UICustomizationInput) (*UICustomization, error) {
	clientID := in.ClientID
	if clientID == "" {
		clientID = AllClients
	}
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	if clientID != AllClients {
		if _, err := s.GetClient(ctx, poolID, clientID); err != nil {
			return nil, err
		}
	}
	domains, err := s.Store.ListPoolDomains(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if len(domains) == 0 {
		return nil, errs.Param("A domain must be associated with this user pool.")
	}
	if err := validateCSS(in.CSS); err != nil {
		return nil, err
	}
	var typ string
	if len(in.Image) > 0 {
		if len(in.Image) > MaxLogoBytes {
			return nil, errs.Param("The logo image is %d bytes; the maximum is %d bytes (100 KB).", len(in.Image), MaxLogoBytes)
		}
		if typ = imageType(in.Image); typ == "" {
			return nil, errs.Param("The logo image must be a PNG, JPG or JPEG file.")
		}
	}
	var out UICustomization
	_, err = s.ModifyPool(ctx, poolID, func(c *Config) error {
		now := s.now()
		created := now
		if old, ok := c.UICustomizations[clientID]; ok && !old.Created.IsZero() {
			created = old.Created
		}
		out = UICustomization{ClientID: clientID, CSS: in.CSS, CSSVersion: domainVersion(now),
			Image: in.Image, ImageType: typ, Created: created, Modified: now}
		if c.UICustomizations == nil {
			c.UICustomizations = map[string]UICustomization{}
		}
		c.UICustomizations[clientID] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UICustomization is GetUICustomization: the client's own customization,
// else the pool-wide one (ClientId ALL), else an empty one with ClientId
// ALL. An empty or "ALL" clientID asks for the pool-wide one.
func (s *Service) UICustomization(ctx context.Context, poolID, clientID string) (*UICustomization, error) {
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if clientID != "" && clientID != AllClients {
		if _, err := s.GetClient(ctx, poolID, clientID); err != nil {
			return nil, err
		}
		if u, ok := p.Config.UICustomizations[clientID]; ok {
			return &u, nil
		}
	}
	if u, ok := p.Config.UICustomizations[AllClients]; ok {
		return &u, nil
	}
	return &UICustomization{ClientID: AllClients}, nil
}

// UIImage returns the logo the hosted UI shows for a client (its own
// customization's, else the pool-wide one's); ResourceNotFoundException
// when there is none.
func (s *Service) UIImage(ctx context.Context, poolID, clientID string) (contentType string, data []byte, err error) {
	u, err := s.UICustomization(ctx, poolID, clientID)
	if err != nil {
		return "", nil, err
	}
	if len(u.Image) == 0 {
		return "", nil, errs.NotFound("No logo image is set for client %s of user pool %s.", clientID, poolID)
	}
	return u.ImageType, u.Image, nil
}
