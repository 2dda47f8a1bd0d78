package oauth

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// AuthorizeRequest is a checked /oauth2/authorize request.
type AuthorizeRequest struct {
	Pool                *userpool.Pool
	Client              *userpool.Client
	ResponseType        string // code or token
	RedirectURI         string
	State               string
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	IdentityProvider    string
	IdpIdentifier       string
	Prompt              string // login, none, or empty
	LoginHint           string
	Lang                string
	// Provider is the third-party identity provider the request names
	// (identity_provider or idp_identifier), resolved and checked against
	// the client; nil for sign-in with the user pool itself.
	Provider *userpool.IdentityProvider
}

// Query renders the request back into its parameters, so the hosted UI's
// pages can carry it from page to page and back to /oauth2/authorize.
func (r *AuthorizeRequest) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("client_id", r.Client.ID)
	set("response_type", r.ResponseType)
	set("redirect_uri", r.RedirectURI)
	set("state", r.State)
	set("scope", strings.Join(r.Scopes, " "))
	set("nonce", r.Nonce)
	set("code_challenge", r.CodeChallenge)
	set("code_challenge_method", r.CodeChallengeMethod)
	set("identity_provider", r.IdentityProvider)
	set("idp_identifier", r.IdpIdentifier)
	set("login_hint", r.LoginHint)
	set("lang", r.Lang)
	return q
}

// ParseAuthorize checks an authorization request. The client and redirect
// URI are checked first and fail with *PageError (no redirect to an
// unverified place); later problems are *Error values to send back to the
// redirect URI. pool is the pool the endpoint belongs to, or nil when the
// request reached a path that names none.
func (s *Service) ParseAuthorize(ctx context.Context, pool *userpool.Pool, q url.Values) (*AuthorizeRequest, error) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, &PageError{Code: "invalid_request", Message: "Required parameter client_id is missing."}
	}
	c, err := s.Pools.FindClient(ctx, clientID)
	if err != nil {
		if errs.Is(err, errs.ResourceNotFound) || errs.Is(err, errs.InvalidParameter) {
			return nil, &PageError{Code: "invalid_request", Message: "The client_id is not known."}
		}
		return nil, err
	}
	if pool != nil && c.PoolID != pool.ID {
		return nil, &PageError{Code: "invalid_request", Message: "The client does not belong to this user pool."}
	}
	if pool == nil {
		if pool, err = s.Pools.GetPool(ctx, c.PoolID); err != nil {
			return nil, err
		}
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		redirect = c.Config.DefaultRedirectURI
	}
	if redirect == "" || !contains(c.Config.CallbackURLs, redirect) {
		return nil, &PageError{Code: "redirect_mismatch", Message: "The redirect_uri is not one of the client's callback URLs."}
	}
	r := &AuthorizeRequest{Pool: pool, Client: c, RedirectURI: redirect, State: q.Get("state"),
		ResponseType: q.Get("response_type"), Nonce: q.Get("nonce"), CodeChallenge: q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"), IdentityProvider: q.Get("identity_provider"),
		IdpIdentifier: q.Get("idp_identifier"), Prompt: q.Get("prompt"), LoginHint: q.Get("login_hint"),
		Lang: q.Get("lang")}
	if c.Config.AllowedOAuthFlowsUserPoolClient == nil || !*c.Config.AllowedOAuthFlowsUserPoolClient {
		return r, oauthErr("unauthorized_client", "The client is not enabled for OAuth flows.")
	}
	switch r.ResponseType {
	case "code":
		if !contains(c.Config.AllowedOAuthFlows, "code") {
			return r, oauthErr("unauthorized_client", "The client may not use the authorization code flow.")
		}
	case "token":
		if !contains(c.Config.AllowedOAuthFlows, "implicit") {
			return r, oauthErr("unauthorized_client", "The client may not use the implicit flow.")
		}
	case "":
		return r, oauthErr("invalid_request", "Required parameter response_type is missing.")
	default:
		return r, oauthErr("unsupported_response_type", "response_type must be code or token.")
	}
	scopes, err := grantScopes(c, q.Get("scope"))
	if err != nil {
		return r, err
	}
	r.Scopes = scopes
	if r.CodeChallenge != "" {
		if r.ResponseType != "code" {
			return r, oauthErr("invalid_request", "PKCE applies to the authorization code flow only.")
		}
		if r.CodeChallengeMethod == "" {
			r.CodeChallengeMethod = "plain" // RFC 7636 §4.3
		}
		if r.CodeChallengeMethod != "S256" && r.CodeChallengeMethod != "plain" {
			return r, oauthErr("invalid_request", "code_challenge_method must be S256 or plain.")
		}
		if !validVerifier(r.CodeChallenge) {
			return r, oauthErr("invalid_request", "code_challenge is malformed.")
		}
	} else if r.CodeChallengeMethod != "" {
		return r, oauthErr("invalid_request", "code_challenge_method without code_challenge.")
	}
	switch r.Prompt {
	case "", "login", "none", "select_account", "consent":
	default:
		return r, oauthErr("invalid_request", "Unsupported prompt value.")
	}
	if err := resolveProvider(r); err != nil {
		return r, err
	}
	if r.Provider != nil {
		return r, nil
	}
	if len(c.Config.SupportedIdentityProviders) > 0 && !contains(c.Config.SupportedIdentityProviders, "COGNITO") {
		return r, oauthErr("invalid_request", "The client does not allow sign-in with the user pool.")
	}
	return r, nil
}

// resolveProvider finds the identity provider an authorization request
// names: identity_provider (a provider name, or COGNITO for the pool
// itself) or else idp_identifier (one of a provider's IdpIdentifiers). The
// provider must be one of the client's SupportedIdentityProviders; the
// browser flow supports them all (OIDC, SAML and the social providers).
func resolveProvider(r *AuthorizeRequest) error {
	cfg := &r.Pool.Config
	var p *userpool.IdentityProvider
	switch {
	case r.IdentityProvider == userpool.ProviderCognito:
		return nil
	case r.IdentityProvider != "":
		found, ok := cfg.IdentityProvider(r.IdentityProvider)
		if !ok || !contains(r.Client.Config.SupportedIdentityProviders, found.ProviderName) {
			return oauthErr("invalid_request", "The identity provider %s is not configured for this client.", r.IdentityProvider)
		}
		p = found
	case r.IdpIdentifier != "":
		found, ok := cfg.IdentityProviderByIdentifier(r.IdpIdentifier)
		if !ok || !contains(r.Client.Config.SupportedIdentityProviders, found.ProviderName) {
			return oauthErr("invalid_request", "No identity provider of this client has the identifier %s.", r.IdpIdentifier)
		}
		p = found
	default:
		return nil
	}
	r.Provider = p
	return nil
}

// grantScopes resolves the requested scopes against the client's: none
// requested means all the client may have.
func grantScopes(c *userpool.Client, requested string) ([]string, error) {
	allowed := c.Config.AllowedOAuthScopes
	if strings.TrimSpace(requested) == "" {
		return append([]string(nil), allowed...), nil
	}
	var out []string
	for _, sc := range strings.Fields(requested) {
		if !contains(allowed, sc) {
			return nil, oauthErr("invalid_scope", "The scope %s is not allowed for this client.", sc)
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	for _, sc := range out {
		if (sc == "email" || sc == "phone" || sc == "profile") && !contains(out, "openid") {
			return nil, oauthErr("invalid_scope", "The scope %s requires openid.", sc)
		}
	}
	return out, nil
}

// validVerifier: RFC 7636 §4.1 characters and length (the challenge of the
// plain method is the verifier itself; an S256 challenge is 43 characters).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

// Complete answers an authorization request for a signed-in user: a code
// (stored, single use, five minutes) or, for the implicit flow, the tokens,
// in the redirect URL it returns.
func (s *Service) Complete(ctx context.Context, r *AuthorizeRequest, u *store.User, authTime time.Time) (string, error) {
	target, err := url.Parse(r.RedirectURI)
	if err != nil {
		return "", err
	}
	if r.ResponseType == "token" {
		tok, err := s.Auth.Issue(ctx, r.Pool, r.Client, u, auth.IssueOptions{AuthTime: authTime, Scopes: r.Scopes,
			Nonce: r.Nonce, NoRefreshToken: true, Source: triggers.TokenGenerationHostedAuth})
		if err != nil {
			return "", err
		}
		f := url.Values{}
		f.Set("access_token", tok.AccessToken)
		if tok.IdToken != "" {
			f.Set("id_token", tok.IdToken)
		}
		f.Set("token_type", tok.TokenType)
		f.Set("expires_in", strconv.Itoa(int(tok.ExpiresIn)))
		if r.State != "" {
			f.Set("state", r.State)
		}
		target.Fragment = ""
		target.RawFragment = ""
		return target.String() + "#" + f.Encode(), nil
	}
	code, err := s.save(ctx, r.Pool.ID, r.Client.ID, u.UsernameKey, CodeTTL, &grant{Kind: kindCode,
		RedirectURI: r.RedirectURI, Scopes: r.Scopes, Nonce: r.Nonce, Challenge: r.CodeChallenge,
		ChallengeMeth: r.CodeChallengeMethod, AuthTime: authTime, Sub: u.Sub})
	if err != nil {
		return "", err
	}
	q := target.Query()
	q.Set("code", code)
	if r.State != "" {
		q.Set("state", r.State)
	}
	target.RawQuery = q.Encode()
	return target.String(), nil
}

// ErrorRedirect is where an *Error goes for a request whose redirect URI
// was verified: the error in the query (code flow) or fragment (implicit).
func ErrorRedirect(r *AuthorizeRequest, e *Error) string {
	target, err := url.Parse(r.RedirectURI)
	if err != nil {
		return ""
	}
	v := url.Values{}
	v.Set("error", e.Code)
	v.Set("error_description", e.Description)
	if r.State != "" {
		v.Set("state", r.State)
	}
	if r.ResponseType == "token" {
		return target.String() + "#" + v.Encode()
	}
	q := target.Query()
	for k, vals := range v {
		q[k] = vals
	}
	target.RawQuery = q.Encode()
	return target.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
