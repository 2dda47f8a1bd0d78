package hostedui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// customization returns the CSS and logo URL SetUICustomization gave the
// client (else the pool's ALL customization). Pages without a client use
// the pool-wide one. A failure only costs the branding, never the page.
func (h *Handler) customization(r *http.Request, site *oauth.Site, clientID string) (css, logoURL string) {
	if h.Pools == nil {
		return "", ""
	}
	if clientID == "" {
		clientID = userpool.AllClients
	}
	c, err := h.Pools.UICustomization(r.Context(), site.Pool.ID, clientID)
	if err != nil || c == nil {
		return "", ""
	}
	if len(c.Image) > 0 {
		logoURL = basePath(site) + "/_logo/" + url.PathEscape(clientID) + "?v=" + url.QueryEscape(c.CSSVersion)
	}
	return safeCSS(c.CSS), logoURL
}

// safeCSS makes customization CSS safe to place inside a <style> element:
// SetUICustomization already restricts it to the -customizable classes and
// refuses scripts, but a "</style>" inside a string would still end the
// element. CSS reads the escape \3c  as "<" inside strings, so nothing a
// valid style sheet means is lost.
func safeCSS(css string) string {
	return strings.ReplaceAll(css, "<", `\3c `)
}
