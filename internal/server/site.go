package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// A pool's site is its OAuth 2.0 endpoints, hosted UI, JWKS and discovery.
// It answers under the issuer ({public-url}/{poolId}/...) and, for the
// pool's domains, at the root of their Host, as Cognito's domains do.

// byPoolPath serves /{pool}/{rest...} from the site mux.
func (s *Server) byPoolPath(site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		poolID := r.PathValue("pool")
		pool, err := s.pools.GetPool(r.Context(), poolID)
		if err != nil {
			s.siteNotFound(w, err)
			return
		}
		r2 := r.Clone(oauth.WithSite(r.Context(), &oauth.Site{Pool: pool, Base: s.Issuer(pool.ID)}))
		r2.URL.Path = "/" + r.PathValue("rest")
		r2.URL.RawPath = ""
		site.ServeHTTP(w, r2)
	})
}

// byHost sends requests for a pool's domain to the site mux, everything
// else to next.
func (s *Server) byHost(site, next http.Handler) http.Handler {
	own := hostname(s.opts.PublicURL)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		if host == "" || host == own || host == "localhost" || net.ParseIP(host) != nil {
			next.ServeHTTP(w, r)
			return
		}
		pool, err := s.domains.lookup(r.Context(), host, s.pools)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		scheme := "http"
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			scheme = "https"
		}
		r2 := r.WithContext(oauth.WithSite(r.Context(), &oauth.Site{Pool: pool, Base: scheme + "://" + r.Host}))
		site.ServeHTTP(w, r2)
	})
}

func (s *Server) siteNotFound(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	if e, ok := errs.As(err); ok && (e.Type == errs.ResourceNotFound || e.Type == errs.InvalidParameter) {
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": "User pool not found"})
		return
	}
	s.log.Error("pool lookup", "err", err)
	w.WriteHeader(http.StatusInternalServerError)
	json.NewEncoder(w).Encode(map[string]string{"message": "internal error"})
}

func hostname(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// domainCache remembers which pool a Host belongs to for a few seconds, so
// requests to a domain do not each cost a store lookup. Safe to lose; a
// deleted domain stops answering within the TTL on every node.
type domainCache struct {
	mu      sync.Mutex
	entries map[string]domainEntry
}

type domainEntry struct {
	poolID  string
	expires time.Time
}

const domainCacheTTL = 10 * time.Second

func (c *domainCache) lookup(ctx context.Context, host string, pools *userpool.Service) (*userpool.Pool, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[host]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		if e.poolID == "" {
			return nil, errs.NotFound("no pool for %s", host)
		}
		return pools.GetPool(ctx, e.poolID)
	}
	pool, err := pools.PoolForHost(ctx, host)
	entry := domainEntry{expires: now.Add(domainCacheTTL)}
	if err == nil {
		entry.poolID = pool.ID
	} else if !errs.Is(err, errs.ResourceNotFound) {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = map[string]domainEntry{}
	}
	c.entries[host] = entry
	c.mu.Unlock()
	return pool, err
}
