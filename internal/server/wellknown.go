package server

import (
	"context"
	"time"

	"github.com/cogito-idp/cogito/internal/tokens"
)

// Issuer is a pool's issuer URL: {public-url}/{poolId}.
func (s *Server) Issuer(poolID string) string { return s.opts.PublicURL + "/" + poolID }

// prune deletes expired sessions, refresh tokens and keys every ten
// minutes until ctx ends. Every node may do it; the deletes are idempotent.
func (s *Server) prune(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Keep expired refresh tokens a day longer: access tokens minted
			// from them may still be alive, and a family with no stored
			// token reads as revoked.
			if err := s.store.PruneExpired(ctx, time.Now().Add(-tokens.MaxTokenLifetime-time.Hour)); err != nil && ctx.Err() == nil {
				s.log.Warn("prune expired records", "err", err)
			}
		}
	}
}
