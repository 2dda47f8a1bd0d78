package oauth

import (
	"context"
	"errors"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// BrowserCookie names the hosted UI's session cookie, as Cognito names its own.
const BrowserCookie = "cognito"

// StartBrowserSession signs a browser in to the pool's hosted UI for an
// hour and returns the cookie value.
func (s *Service) StartBrowserSession(ctx context.Context, pool *userpool.Pool, u *store.User, authTime time.Time) (string, error) {
	return s.save(ctx, pool.ID, "", u.UsernameKey, BrowserSessionTTL, &grant{Kind: kindBrowser, AuthTime: authTime, Sub: u.Sub})
}

// BrowserSession returns the user a browser session signs in, when it is
// live, belongs to the pool, and the user may still sign in.
func (s *Service) BrowserSession(ctx context.Context, pool *userpool.Pool, cookie string) (*store.User, time.Time, error) {
	as, g, err := s.load(ctx, cookie, kindBrowser, false)
	if err != nil {
		return nil, time.Time{}, errNoSession
	}
	if as.PoolID != pool.ID {
		return nil, time.Time{}, errNoSession
	}
	u, err := s.Store.GetUser(ctx, pool.ID, as.UsernameKey)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.Enabled || u.Sub != g.Sub)) {
		return nil, time.Time{}, errNoSession
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return u, g.AuthTime, nil
}

// EndBrowserSession signs a browser out (logout).
func (s *Service) EndBrowserSession(ctx context.Context, cookie string) {
	if cookie != "" {
		_, _, _ = s.load(ctx, cookie, kindBrowser, true)
	}
}

// IsNoSession reports whether err means there is no usable browser session.
func IsNoSession(err error) bool { return errors.Is(err, errNoSession) }
