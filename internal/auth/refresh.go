package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

var errBadRefresh = errs.New(errs.NotAuthorized, "Invalid Refresh Token")

// refreshFlow is REFRESH_TOKEN_AUTH.
func (s *Service) refreshFlow(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error) {
	raw := req.Params["REFRESH_TOKEN"]
	if raw == "" {
		return nil, errs.Param("Missing required parameter REFRESH_TOKEN")
	}
	if r := c.Config.RefreshTokenRotation; r != nil && r.Feature == "ENABLED" {
		// With rotation, Cognito refreshes only through
		// GetTokensFromRefreshToken (and the OAuth token endpoint).
		return nil, errs.Param("REFRESH_TOKEN_AUTH is not supported when refresh token rotation is enabled for the client; use GetTokensFromRefreshToken.")
	}
	tok, err := s.refresh(ctx, pool, c, raw, func(u *store.User) error {
		if len(c.Secrets) == 0 {
			return nil
		}
		// The hash is over the user's username; with email as username the
		// clients differ on which name they use, so accept any of them.
		hash := req.Params["SECRET_HASH"]
		for _, name := range []string{req.Params["USERNAME"], u.Username, u.Sub, u.Attributes["email"], u.Attributes["phone_number"]} {
			if name != "" && c.CheckSecretHash(name, hash) == nil {
				return nil
			}
		}
		return c.CheckSecretHash(u.Username, hash)
	})
	if err != nil {
		return nil, err
	}
	return &Result{Tokens: tok, ChallengeParameters: map[string]string{}}, nil
}

// Refresh redeems a refresh token for a client that authenticated itself
// (the OAuth token endpoint).
func (s *Service) Refresh(ctx context.Context, pool *userpool.Pool, c *userpool.Client, raw string) (*TokenSet, error) {
	if !c.Config.AllowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
		return nil, errs.Param("REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	return s.refresh(ctx, pool, c, raw, nil)
}

// RefreshWithSecret is GetTokensFromRefreshToken: the client authenticates
// with its secret rather than a SECRET_HASH.
func (s *Service) RefreshWithSecret(ctx context.Context, clientID, clientSecret, raw string) (*TokenSet, error) {
	if raw == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'refreshToken' failed to satisfy constraint: Member must not be null")
	}
	pool, c, err := s.clientFor(ctx, "", clientID)
	if err != nil {
		return nil, err
	}
	if !c.Config.AllowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
		return nil, errs.Param("REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	if err := checkClientSecret(c, clientSecret); err != nil {
		return nil, err
	}
	return s.refresh(ctx, pool, c, raw, nil)
}

// checkClientSecret verifies a client secret sent in clear (any live one).
func checkClientSecret(c *userpool.Client, secret string) error {
	if len(c.Secrets) == 0 {
		return nil
	}
	for _, sec := range c.Secrets {
		if secret != "" && constantEqual(sec.Value, secret) {
			return nil
		}
	}
	return errs.New(errs.NotAuthorized, "Unable to verify secret hash for client %s", c.ID)
}

// refresh redeems a refresh token for new ID and access tokens, rotating
// it when the client asks for rotation.
func (s *Service) refresh(ctx context.Context, pool *userpool.Pool, c *userpool.Client, raw string, checkUser func(*store.User) error) (*TokenSet, error) {
	rt, err := s.Store.GetRefreshToken(ctx, hashHandle(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	rotation := c.Config.RefreshTokenRotation != nil && c.Config.RefreshTokenRotation.Feature == "ENABLED"
	switch {
	case rt.PoolID != pool.ID || rt.ClientID != c.ID:
		return nil, errBadRefresh
	case rt.Revoked:
		return nil, errs.New(errs.NotAuthorized, "Refresh Token has been revoked")
	case !now.Before(rt.Expires):
		return nil, errs.New(errs.NotAuthorized, "Refresh Token has expired")
	case !rt.Rotated.IsZero() && !now.Before(rt.Rotated.Add(gracePeriod(c))):
		return nil, errBadRefresh
	}
	u, err := s.Store.GetUser(ctx, pool.ID, rt.UsernameKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errs.New(errs.NotAuthorized, "User does not exist.")
	}
	if err != nil {
		return nil, err
	}
	var data refreshData
	_ = json.Unmarshal(rt.Data, &data)
	if data.Sub != u.Sub {
		return nil, errs.New(errs.NotAuthorized, "User does not exist.")
	}
	if !u.Enabled {
		return nil, errs.New(errs.NotAuthorized, "User is disabled.")
	}
	if checkUser != nil {
		if err := checkUser(u); err != nil {
			return nil, err
		}
	}
	tok, err := s.Issue(ctx, pool, c, u, IssueOptions{AuthTime: rt.AuthTime, family: rt.Family, Scopes: data.Scopes,
		Source: triggers.TokenGenerationRefreshTokens})
	if err != nil {
		return nil, err
	}
	if rotation {
		next, err := s.rotate(ctx, c, rt, now)
		if err != nil {
			return nil, err
		}
		tok.RefreshToken = next
	}
	return tok, nil
}

// rotate issues the successor of a refresh token in the same family. A
// revocation that races with it must win: the old token is re-checked in
// the update, and again after the successor exists, so a revoked sign-in is
// never brought back by a fresh token.
func (s *Service) rotate(ctx context.Context, c *userpool.Client, rt *store.RefreshToken, now time.Time) (string, error) {
	if _, err := s.Store.UpdateRefreshToken(ctx, rt.Hash, func(t *store.RefreshToken) error {
		if t.Revoked {
			return errs.New(errs.NotAuthorized, "Refresh Token has been revoked")
		}
		// Checked again under the row lock: of concurrent refreshes of one
		// token, only those within the grace period of the first succeed.
		if g := gracePeriod(c); !t.Rotated.IsZero() && (g == 0 || !s.now().Before(t.Rotated.Add(g))) {
			return errBadRefresh
		}
		if t.Rotated.IsZero() {
			t.Rotated = now
		}
		return nil
	}); err != nil {
		return "", err
	}
	next, hash := newRefreshToken()
	_, _, refreshTTL := c.Config.Validity()
	if err := s.Store.CreateRefreshToken(ctx, &store.RefreshToken{Hash: hash, PoolID: rt.PoolID, ClientID: c.ID,
		UsernameKey: rt.UsernameKey, Family: rt.Family, AuthTime: rt.AuthTime, Created: now,
		Expires: now.Add(refreshTTL), Data: rt.Data}); err != nil {
		return "", err
	}
	again, err := s.Store.GetRefreshToken(ctx, rt.Hash)
	if err != nil {
		return "", err
	}
	if again.Revoked {
		if err := s.Store.RevokeFamily(ctx, rt.PoolID, rt.Family); err != nil {
			return "", err
		}
		return "", errs.New(errs.NotAuthorized, "Refresh Token has been revoked")
	}
	return next, nil
}

func gracePeriod(c *userpool.Client) time.Duration {
	if r := c.Config.RefreshTokenRotation; r != nil && r.RetryGracePeriodSeconds != nil {
		return time.Duration(*r.RetryGracePeriodSeconds) * time.Second
	}
	return 0
}

// RevokeToken revokes a refresh token and every token minted from its
// sign-in (RFC 7009 style: an unknown token is not an error).
func (s *Service) RevokeToken(ctx context.Context, clientID, clientSecret, raw string) error {
	if raw == "" {
		return errs.Param("1 validation error detected: Value null at 'token' failed to satisfy constraint: Member must not be null")
	}
	_, c, err := s.clientFor(ctx, "", clientID)
	if err != nil {
		return err
	}
	if c.Config.EnableTokenRevocation != nil && !*c.Config.EnableTokenRevocation {
		return errs.New("UnsupportedOperationException", "Token revocation is not enabled for client %s.", c.ID)
	}
	if len(c.Secrets) > 0 && checkClientSecret(c, clientSecret) != nil {
		return errs.New("UnauthorizedException", "Client secret is missing or incorrect.")
	}
	if strings.Count(raw, ".") == 2 {
		return errs.New("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")
	}
	rt, err := s.Store.GetRefreshToken(ctx, hashHandle(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rt.ClientID != c.ID {
		return errs.New("UnauthorizedException", "The token was not issued to client %s.", c.ID)
	}
	return s.Store.RevokeFamily(ctx, rt.PoolID, rt.Family)
}

// AccessToken is a checked access token of one of the pool's users.
type AccessToken struct {
	Pool   *userpool.Pool
	User   *store.User
	Claims map[string]any
}

var errBadAccess = errs.New(errs.NotAuthorized, "Invalid Access Token")

// CheckAccessToken verifies an access token for Cogito's own API: signed by
// the pool's key, unexpired, not revoked (global sign-out, RevokeToken), of
// a user who still exists and is enabled, with the admin scope.
func (s *Service) CheckAccessToken(ctx context.Context, raw string) (*AccessToken, error) {
	return s.CheckAccessTokenScope(ctx, raw, AdminScope)
}

// CheckAccessTokenScope is CheckAccessToken requiring another scope (the
// userInfo endpoint needs openid).
func (s *Service) CheckAccessTokenScope(ctx context.Context, raw, scope string) (*AccessToken, error) {
	if raw == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'accessToken' failed to satisfy constraint: Member must not be null")
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errBadAccess
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return nil, errBadAccess
	}
	iss, _ := claims["iss"].(string)
	poolID := iss[strings.LastIndexByte(iss, '/')+1:]
	if iss == "" || userpool.ValidatePoolID(poolID) != nil || s.Issuer(poolID) != iss {
		return nil, errBadAccess
	}
	pub, err := s.Keys.PublicKey(ctx, poolID, jws.Signatures[0].Header.KeyID)
	if errors.Is(err, tokens.ErrUnknownKey) {
		return nil, errBadAccess
	}
	if err != nil {
		return nil, err
	}
	if _, err := jws.Verify(pub); err != nil {
		return nil, errBadAccess
	}
	if use, _ := claims["token_use"].(string); use != "access" {
		return nil, errBadAccess
	}
	exp, _ := claims["exp"].(float64)
	if !s.now().Before(time.Unix(int64(exp), 0)) {
		return nil, errs.New(errs.NotAuthorized, "Access Token has expired")
	}
	granted, _ := claims["scope"].(string)
	if !hasScope(strings.Fields(granted), scope) {
		return nil, errs.New(errs.NotAuthorized, "Access Token does not have required scopes")
	}
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return nil, errBadAccess
	}
	sub, _ := claims["sub"].(string)
	u, err := s.Store.GetUserBySub(ctx, poolID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, users.UserNotFound()
	}
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, errs.New(errs.NotAuthorized, "User is disabled.")
	}
	family, _ := claims["origin_jti"].(string)
	revoked, err := s.Store.FamilyRevoked(ctx, poolID, family)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, errs.New(errs.NotAuthorized, "Access Token has been revoked")
	}
	return &AccessToken{Pool: pool, User: u, Claims: claims}, nil
}

// GlobalSignOut revokes every refresh token of the token's user, and so
// every access token minted from them.
func (s *Service) GlobalSignOut(ctx context.Context, at *AccessToken) error {
	return s.Store.RevokeUserTokens(ctx, at.Pool.ID, at.User.UsernameKey)
}

// AdminGlobalSignOut is AdminUserGlobalSignOut.
func (s *Service) AdminGlobalSignOut(ctx context.Context, poolID, username string) error {
	pool, u, err := s.Users.Get(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.Store.RevokeUserTokens(ctx, pool.ID, u.UsernameKey)
}

// ClientID is the app client the token was issued to.
func (a *AccessToken) ClientID() string {
	id, _ := a.Claims["client_id"].(string)
	return id
}
