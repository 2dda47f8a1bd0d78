package server

import (
	"context"
	"fmt"
	"io"

	"github.com/cogito-idp/cogito/internal/config"
)

// Demo ids are fixed so a demo app can hard-code them.
const (
	demoPoolSuffix = "_CogitoDemo"
	demoClientID   = "cogitodemoappclient0000001"
	demoUser       = "demo@example.com"
	demoPassword   = "Passw0rd!"
)

// SeedDemo creates (or keeps) a demo pool with an app client and a user,
// and prints how to use them.
func (s *Server) SeedDemo(ctx context.Context, w io.Writer) error {
	poolID := s.opts.Region + demoPoolSuffix
	f := &config.File{Pools: []config.Pool{{
		ID:   poolID,
		Name: "cogito-demo",
		Settings: map[string]any{
			"UsernameAttributes":     []string{"email"},
			"AutoVerifiedAttributes": []string{"email"},
		},
		Clients: []config.Client{{
			ID: demoClientID, Name: "demo-app",
			Settings: map[string]any{"ExplicitAuthFlows": []string{
				"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
		}},
		Users: []config.User{{Username: demoUser, Password: demoPassword,
			Attributes: map[string]string{"email_verified": "true"}}},
	}}}
	if err := f.Validate(); err != nil {
		return err
	}
	if err := f.Apply(ctx, s.pools, s.users, s.log); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	fmt.Fprintf(w, "Demo pool %s, app client %s, user %s with password %s\n", poolID, demoClientID, demoUser, demoPassword)
	fmt.Fprintf(w, "  issuer %s (JWKS and discovery under /.well-known/)\n", s.Issuer(poolID))
	return nil
}
