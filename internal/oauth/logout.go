package oauth

import (
	"context"
	"net/url"

	"github.com/cogito-idp/cogito/internal/userpool"
)

// Logout checks a /logout request and returns where to send the browser:
// the client's registered sign-out URL (logout_uri, matched exactly), or,
// with redirect_uri and response_type, the sign-in page of a new
// authorization request. Anything else is a *PageError: never a redirect to
// an unregistered place.
func (s *Service) Logout(ctx context.Context, pool *userpool.Pool, loginPath string, q url.Values) (string, error) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return "", &PageError{Code: "invalid_request", Message: "Required parameter client_id is missing."}
	}
	c, err := s.Pools.FindClient(ctx, clientID)
	if err != nil || (pool != nil && c.PoolID != pool.ID) {
		return "", &PageError{Code: "invalid_request", Message: "The client_id is not known."}
	}
	if logoutURI := q.Get("logout_uri"); logoutURI != "" {
		if !contains(c.Config.LogoutURLs, logoutURI) {
			return "", &PageError{Code: "invalid_request", Message: "The logout_uri is not one of the client's sign-out URLs."}
		}
		return logoutURI, nil
	}
	if q.Get("redirect_uri") != "" && q.Get("response_type") != "" {
		pool, err := s.Pools.GetPool(ctx, c.PoolID)
		if err != nil {
			return "", err
		}
		r, err := s.ParseAuthorize(ctx, pool, q)
		if err != nil {
			if pe, ok := err.(*PageError); ok {
				return "", pe
			}
			if oe, ok := err.(*Error); ok && r != nil {
				return ErrorRedirect(r, oe), nil
			}
			return "", err
		}
		return loginPath + "?" + r.Query().Encode(), nil
	}
	return "", &PageError{Code: "invalid_request", Message: "Logout needs logout_uri, or redirect_uri and response_type."}
}
