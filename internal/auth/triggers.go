package auth

import (
	"context"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// The sign-in triggers: PreAuthentication, PostAuthentication and
// PreTokenGeneration. UserMigration runs in checkPassword; USER_SRP_AUTH
// never migrates, because SRP does not send the password (as in Cognito,
// clients that migrate users sign in with USER_PASSWORD_AUTH).

// eventAttributes are a user's attributes as triggers see them: with sub
// and cognito:user_status.
func eventAttributes(u *store.User) triggers.Attributes {
	a := triggers.Attributes{}
	for k, v := range u.Attributes {
		a[k] = v
	}
	a["sub"] = u.Sub
	a["cognito:user_status"] = u.Status
	return a
}

func (s *Service) region() string { return s.Pools.Region }

// preAuthentication lets the pool's function refuse a sign-in before the
// password is checked.
func (s *Service) preAuthentication(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, meta map[string]string) error {
	lc := pool.Config.LambdaConfig
	if lc == nil || lc.PreAuthentication == "" {
		return nil
	}
	ev := triggers.NewEvent(triggers.PreAuthenticationAuthentication, s.region(), pool.ID, c.ID, u.Username)
	var resp triggers.EmptyResponse
	// InitiateAuth's ClientMetadata reaches this trigger as validationData,
	// as Cognito documents.
	return triggers.Call(ctx, s.Triggers, lc.PreAuthentication, ev,
		&triggers.PreAuthenticationRequest{UserAttributes: eventAttributes(u), ValidationData: meta}, &resp)
}

// signedIn completes an authentication: PostAuthentication runs (its
// failure fails the sign-in, as in Cognito) and the step carries the user.
func (s *Service) signedIn(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, authTime time.Time, meta map[string]string, source string) (*Step, error) {
	if lc := pool.Config.LambdaConfig; lc != nil && lc.PostAuthentication != "" {
		ev := triggers.NewEvent(triggers.PostAuthenticationAuthentication, s.region(), pool.ID, c.ID, u.Username)
		var resp triggers.EmptyResponse
		if err := triggers.Call(ctx, s.Triggers, lc.PostAuthentication, ev,
			&triggers.PostAuthenticationRequest{UserAttributes: eventAttributes(u), ClientMetadata: meta}, &resp); err != nil {
			return nil, err
		}
	}
	return &Step{User: u, AuthTime: authTime, Source: source, ClientMetadata: meta}, nil
}

// protectedClaims cannot be added, changed or suppressed by a pre token
// generation function; Cognito ignores such overrides.
var protectedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "auth_time": true, "azp": true, "c_hash": true, "exp": true,
	"iat": true, "iss": true, "jti": true, "nbf": true, "nonce": true, "origin_jti": true, "token_use": true,
	"sub": true, "aud": true, "client_id": true, "event_id": true, "cognito:username": true, "username": true,
	"scope": true, "version": true, "identities": true,
}

// tokenClaims are the claims about to be signed, for PreTokenGeneration to
// change.
type tokenClaims struct {
	id, access map[string]any
	scopes     []string
	groups     []*store.Group
}

// preTokenGeneration runs the pool's function on the claims of a sign-in's
// tokens: V1 changes the ID token and groups, V2 and V3 both tokens and the
// access token's scopes.
func (s *Service) preTokenGeneration(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, source string, meta map[string]string, tc *tokenClaims) error {
	lc := pool.Config.LambdaConfig
	if lc == nil || lc.PreTokenGeneration == "" {
		return nil
	}
	version := "V1_0"
	if lc.PreTokenGenerationConfig != nil && lc.PreTokenGenerationConfig.LambdaVersion != "" {
		version = lc.PreTokenGenerationConfig.LambdaVersion
	}
	if source == "" {
		source = triggers.TokenGenerationAuthentication
	}
	ev := triggers.NewEvent(source, s.region(), pool.ID, c.ID, u.Username)
	ev.Version = triggers.PreTokenGenerationVersion(version)
	roles, preferred := groupRoles(tc.groups)
	gc := triggers.GroupConfiguration{GroupsToOverride: groupNames(tc.groups), IAMRolesToOverride: roles}
	if gc.IAMRolesToOverride == nil {
		gc.IAMRolesToOverride = []string{}
	}
	if preferred != "" {
		gc.PreferredRole = &preferred
	}
	if version == "V1_0" {
		var resp triggers.PreTokenGenerationResponse
		if err := triggers.Call(ctx, s.Triggers, lc.PreTokenGeneration, ev, &triggers.PreTokenGenerationRequest{
			UserAttributes: eventAttributes(u), GroupConfiguration: gc, ClientMetadata: meta}, &resp); err != nil {
			return err
		}
		if d := resp.ClaimsOverrideDetails; d != nil {
			for k, v := range d.ClaimsToAddOrOverride {
				if !protectedClaims[k] {
					tc.id[k] = v
				}
			}
			for _, k := range d.ClaimsToSuppress {
				if !protectedClaims[k] {
					delete(tc.id, k)
				}
			}
			applyGroupOverride(tc, d.GroupOverrideDetails)
		}
		return nil
	}
	var resp triggers.PreTokenGenerationV2Response
	if err := triggers.Call(ctx, s.Triggers, lc.PreTokenGeneration, ev, &triggers.PreTokenGenerationV2Request{
		UserAttributes: eventAttributes(u), GroupConfiguration: &gc, Scopes: tc.scopes, ClientMetadata: meta}, &resp); err != nil {
		return err
	}
	d := resp.ClaimsAndScopeOverrideDetails
	if d == nil {
		return nil
	}
	if g := d.IDTokenGeneration; g != nil && tc.id != nil {
		override(tc.id, g.ClaimsToAddOrOverride, g.ClaimsToSuppress)
	}
	if g := d.AccessTokenGeneration; g != nil {
		override(tc.access, g.ClaimsToAddOrOverride, g.ClaimsToSuppress)
		scopes := tc.scopes
		for _, sc := range g.ScopesToSuppress {
			scopes = without(scopes, sc)
		}
		for _, sc := range g.ScopesToAdd {
			if !hasScope(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
		tc.scopes = scopes
	}
	applyGroupOverride(tc, d.GroupOverrideDetails)
	return nil
}

func override(claims map[string]any, add map[string]any, suppress []string) {
	for k, v := range add {
		if !protectedClaims[k] {
			claims[k] = v
		}
	}
	for _, k := range suppress {
		if !protectedClaims[k] {
			delete(claims, k)
		}
	}
}

// applyGroupOverride replaces the groups, roles and preferred role the
// tokens carry.
func applyGroupOverride(tc *tokenClaims, g *triggers.GroupConfiguration) {
	if g == nil {
		return
	}
	for _, claims := range []map[string]any{tc.id, tc.access} {
		if claims == nil {
			continue
		}
		if g.GroupsToOverride != nil {
			if len(g.GroupsToOverride) == 0 {
				delete(claims, "cognito:groups")
			} else {
				claims["cognito:groups"] = g.GroupsToOverride
			}
		}
	}
	if tc.id != nil {
		if g.IAMRolesToOverride != nil {
			if len(g.IAMRolesToOverride) == 0 {
				delete(tc.id, "cognito:roles")
			} else {
				tc.id["cognito:roles"] = g.IAMRolesToOverride
			}
		}
		if g.PreferredRole != nil {
			tc.id["cognito:preferred_role"] = *g.PreferredRole
		}
	}
}

func without(list []string, s string) []string {
	out := list[:0:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// machineTokenGeneration runs a V3_0 pre token generation function on a
// machine-to-machine access token (client credentials); V1 and V2
// functions are not called for those, as in Cognito.
func (s *Service) machineTokenGeneration(ctx context.Context, pool *userpool.Pool, c *userpool.Client, access map[string]any, scopes []string) ([]string, error) {
	lc := pool.Config.LambdaConfig
	if lc == nil || lc.PreTokenGeneration == "" || lc.PreTokenGenerationConfig == nil || lc.PreTokenGenerationConfig.LambdaVersion != "V3_0" {
		return scopes, nil
	}
	ev := triggers.NewEvent(triggers.TokenGenerationClientCredentials, s.region(), pool.ID, c.ID, "")
	ev.Version = triggers.PreTokenGenerationVersion("V3_0")
	var resp triggers.PreTokenGenerationV2Response
	if err := triggers.Call(ctx, s.Triggers, lc.PreTokenGeneration, ev,
		&triggers.PreTokenGenerationV2Request{Scopes: scopes}, &resp); err != nil {
		return nil, err
	}
	tc := &tokenClaims{access: access, scopes: scopes}
	if d := resp.ClaimsAndScopeOverrideDetails; d != nil && d.AccessTokenGeneration != nil {
		g := d.AccessTokenGeneration
		override(tc.access, g.ClaimsToAddOrOverride, g.ClaimsToSuppress)
		for _, sc := range g.ScopesToSuppress {
			tc.scopes = without(tc.scopes, sc)
		}
		for _, sc := range g.ScopesToAdd {
			if !hasScope(tc.scopes, sc) {
				tc.scopes = append(tc.scopes, sc)
			}
		}
	}
	return tc.scopes, nil
}
