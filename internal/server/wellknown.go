package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/tokens"
)

// Issuer is a pool's issuer URL: {public-url}/{poolId}.
func (s *Server) Issuer(poolID string) string { return s.opts.PublicURL + "/" + poolID }

// jwksMaxAge lets verifiers cache the key set; they refetch on an unknown
// kid, and a retired key stays published a day past its last token.
const jwksMaxAge = "public, max-age=900"

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool")
	if _, err := s.pools.GetPool(r.Context(), poolID); err != nil {
		s.notFound(w, err)
		return
	}
	doc, err := s.keys.JWKS(r.Context(), poolID)
	if err != nil {
		s.log.Error("jwks", "pool", poolID, "err", err)
		http.Error(w, `{"message":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", jwksMaxAge)
	w.Write(doc)
}

// discovery is the OpenID Connect discovery document. It advertises only
// what the pool serves.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool")
	if _, err := s.pools.GetPool(r.Context(), poolID); err != nil {
		s.notFound(w, err)
		return
	}
	iss := s.Issuer(poolID)
	doc := map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "token_use",
			"cognito:username", "cognito:groups", "email", "email_verified", "phone_number",
			"phone_number_verified", "name", "given_name", "family_name"},
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(doc)
}

func (s *Server) notFound(w http.ResponseWriter, err error) {
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
