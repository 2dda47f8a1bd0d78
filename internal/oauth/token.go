package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// TokenRequest is a /oauth2/token request, its client credentials taken
// from HTTP Basic (ViaBasic) or from the form.
type TokenRequest struct {
	GrantType    string
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
	Scope        string
	ClientID     string
	ClientSecret string
	ViaBasic     bool
}

// TokenResponse is the token endpoint's success reply.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int32  `json:"expires_in"`
}

// grants is the dispatch table of grant_type; every grant runs after the
// shared client authentication.
var grants = map[string]func(s *Service, ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *TokenRequest) (*TokenResponse, error){
	"authorization_code": (*Service).codeGrant,
	"refresh_token":      (*Service).refreshGrant,
	"client_credentials": (*Service).credentialsGrant,
}

// Token runs the token endpoint. pool is the endpoint's pool, or nil when
// the request reached a path that names none (the client then decides).
// Failures are *Error values.
func (s *Service) Token(ctx context.Context, pool *userpool.Pool, r *TokenRequest) (*TokenResponse, error) {
	grant, ok := grants[r.GrantType]
	if r.GrantType == "" {
		return nil, oauthErr("invalid_request", "Required parameter grant_type is missing.")
	}
	if !ok {
		return nil, oauthErr("unsupported_grant_type", "The grant type %s is not supported.", r.GrantType)
	}
	c, err := s.authenticateClient(ctx, pool, r)
	if err != nil {
		return nil, err
	}
	if pool == nil {
		if pool, err = s.Pools.GetPool(ctx, c.PoolID); err != nil {
			return nil, err
		}
	}
	return grant(s, ctx, pool, c, r)
}

// authenticateClient checks the client: a confidential client proves its
// secret (either live secret during a rotation), a public client names
// itself.
func (s *Service) authenticateClient(ctx context.Context, pool *userpool.Pool, r *TokenRequest) (*userpool.Client, error) {
	if r.ClientID == "" {
		return nil, oauthErr("invalid_client", "Client authentication is required.")
	}
	c, err := s.Pools.FindClient(ctx, r.ClientID)
	if err != nil {
		if errs.Is(err, errs.ResourceNotFound) || errs.Is(err, errs.InvalidParameter) {
			return nil, oauthErr("invalid_client", "The client is not known.")
		}
		return nil, err
	}
	if pool != nil && c.PoolID != pool.ID {
		return nil, oauthErr("invalid_client", "The client is not known.")
	}
	if len(c.Secrets) == 0 {
		if r.ClientSecret != "" {
			return nil, oauthErr("invalid_client", "The client has no secret.")
		}
		return c, nil
	}
	for _, sec := range c.Secrets {
		if r.ClientSecret != "" && subtle.ConstantTimeCompare([]byte(sec.Value), []byte(r.ClientSecret)) == 1 {
			return c, nil
		}
	}
	return nil, oauthErr("invalid_client", "Client authentication failed.")
}

// codeGrant redeems an authorization code: once, by the client it was
// issued to, with the same redirect URI and, when the request used PKCE,
// the verifier of its challenge.
func (s *Service) codeGrant(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *TokenRequest) (*TokenResponse, error) {
	if r.Code == "" {
		return nil, oauthErr("invalid_request", "Required parameter code is missing.")
	}
	if !contains(c.Config.AllowedOAuthFlows, "code") {
		return nil, oauthErr("unauthorized_client", "The client may not use the authorization code flow.")
	}
	as, g, err := s.load(ctx, r.Code, kindCode, true)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauthErr("invalid_grant", "The authorization code is invalid, expired or already used.")
	}
	if err != nil {
		return nil, err
	}
	if as.ClientID != c.ID || as.PoolID != pool.ID {
		return nil, oauthErr("invalid_grant", "The authorization code was issued to another client.")
	}
	if r.RedirectURI != g.RedirectURI {
		return nil, oauthErr("invalid_grant", "The redirect_uri does not match the authorization request.")
	}
	if g.Challenge != "" {
		if r.CodeVerifier == "" {
			return nil, oauthErr("invalid_request", "Required parameter code_verifier is missing.")
		}
		if !verifierMatches(g.ChallengeMeth, g.Challenge, r.CodeVerifier) {
			return nil, oauthErr("invalid_grant", "The code_verifier does not match the code_challenge.")
		}
	}
	u, err := s.Store.GetUser(ctx, pool.ID, as.UsernameKey)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.Enabled || u.Sub != g.Sub)) {
		return nil, oauthErr("invalid_grant", "The user can no longer sign in.")
	}
	if err != nil {
		return nil, err
	}
	tok, err := s.Auth.Issue(ctx, pool, c, u, auth.IssueOptions{AuthTime: g.AuthTime, Scopes: g.Scopes, Nonce: g.Nonce,
		Source: triggers.TokenGenerationHostedAuth})
	if err != nil {
		return nil, err
	}
	return response(tok), nil
}

// verifierMatches checks a PKCE verifier (RFC 7636 §4.6) in constant time.
func verifierMatches(method, challenge, verifier string) bool {
	if !validVerifier(verifier) {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (s *Service) refreshGrant(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *TokenRequest) (*TokenResponse, error) {
	if r.RefreshToken == "" {
		return nil, oauthErr("invalid_request", "Required parameter refresh_token is missing.")
	}
	tok, err := s.Auth.Refresh(ctx, pool, c, r.RefreshToken)
	if err != nil {
		if e, ok := errs.As(err); ok {
			if e.Type == errs.InvalidParameter {
				return nil, oauthErr("unauthorized_client", "%s", e.Message)
			}
			return nil, oauthErr("invalid_grant", "%s", e.Message)
		}
		return nil, err
	}
	return response(tok), nil
}

// credentialsGrant is the client-credentials grant: a confidential client
// gets an access token for resource-server scopes.
func (s *Service) credentialsGrant(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *TokenRequest) (*TokenResponse, error) {
	if len(c.Secrets) == 0 || !contains(c.Config.AllowedOAuthFlows, "client_credentials") ||
		c.Config.AllowedOAuthFlowsUserPoolClient == nil || !*c.Config.AllowedOAuthFlowsUserPoolClient {
		return nil, oauthErr("unauthorized_client", "The client may not use the client credentials flow.")
	}
	scopes, err := credentialScopes(c, strings.Fields(r.Scope))
	if err != nil {
		return nil, err
	}
	tok, err := s.Auth.ClientCredentials(ctx, pool, c, scopes)
	if err != nil {
		return nil, err
	}
	return response(tok), nil
}

// credentialScopes: the requested scopes, each allowed to the client; none
// requested means all the client's scopes.
func credentialScopes(c *userpool.Client, requested []string) ([]string, error) {
	if len(requested) == 0 {
		if len(c.Config.AllowedOAuthScopes) == 0 {
			return nil, oauthErr("invalid_scope", "The client has no scopes to grant.")
		}
		return append([]string(nil), c.Config.AllowedOAuthScopes...), nil
	}
	var out []string
	for _, sc := range requested {
		if !contains(c.Config.AllowedOAuthScopes, sc) {
			return nil, oauthErr("invalid_scope", "The scope %s is not allowed for this client.", sc)
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// ClientToken is the JSON API's GetClientToken: the client-credentials
// grant for clients whose only flow is ALLOW_CLIENT_TOKEN_AUTH.
func (s *Service) ClientToken(ctx context.Context, clientID, secret string, scopes []string) (*auth.TokenSet, error) {
	if clientID == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	}
	if secret == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'secret' failed to satisfy constraint: Member must not be null")
	}
	c, err := s.Pools.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !contains(c.Config.ExplicitAuthFlows, "ALLOW_CLIENT_TOKEN_AUTH") {
		return nil, errs.Param("CLIENT_TOKEN_AUTH flow not enabled for this client")
	}
	if _, err := s.authenticateClient(ctx, nil, &TokenRequest{ClientID: clientID, ClientSecret: secret}); err != nil || len(c.Secrets) == 0 {
		return nil, errs.New(errs.NotAuthorized, "Client authentication failed.")
	}
	granted, err := credentialScopes(c, scopes)
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			return nil, errs.New(errs.ScopeDoesNotExist, "%s", oe.Description)
		}
		return nil, err
	}
	pool, err := s.Pools.GetPool(ctx, c.PoolID)
	if err != nil {
		return nil, err
	}
	return s.Auth.ClientCredentials(ctx, pool, c, granted)
}

func response(t *auth.TokenSet) *TokenResponse {
	return &TokenResponse{AccessToken: t.AccessToken, IDToken: t.IdToken, RefreshToken: t.RefreshToken,
		TokenType: t.TokenType, ExpiresIn: t.ExpiresIn}
}
