package federation

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// discoveryTimeout bounds the discovery request made from AuthCodeURL,
// which has no context of its own.
const discoveryTimeout = 15 * time.Second

// oidcConnector serves OIDC, Google and SignInWithApple providers: id tokens
// verified with go-oidc, code exchange with x/oauth2.
type oidcConnector struct {
	p        Provider
	hc       *http.Client
	clientID string
	// secret returns the client secret to send (Apple's is a signed JWT).
	secret func(now time.Time) (string, error)
	scopes []string

	issuer   string
	explicit *oidc.ProviderConfig // nil: discover from issuer
	// userInfoURL overrides the discovered userinfo endpoint.
	userInfoURL string
	// userInfoMethod is GET or POST (attributes_request_method).
	userInfoMethod string

	// pkce: send code_challenge / code_verifier upstream.
	pkce bool
	// authParams are added to the authorization request.
	authParams map[string]string

	mu   sync.Mutex
	prov *oidc.Provider
}

func staticSecret(s string) func(time.Time) (string, error) {
	return func(time.Time) (string, error) { return s, nil }
}

// newOIDCConnector builds a generic OIDC connector from Cognito's details.
func newOIDCConnector(p Provider, hc *http.Client) (Connector, error) {
	d := p.Details
	issuer := d["oidc_issuer"]
	if issuer == "" {
		return nil, configError(p, "missing detail oidc_issuer")
	}
	method := strings.ToUpper(d["attributes_request_method"])
	switch method {
	case "":
		method = http.MethodGet
	case http.MethodGet, http.MethodPost:
	default:
		return nil, configError(p, "attributes_request_method must be GET or POST, not %q", d["attributes_request_method"])
	}
	c := &oidcConnector{
		p: p, hc: hc, clientID: d["client_id"], secret: staticSecret(d["client_secret"]),
		scopes: withScope(scopes(p, []string{oidc.ScopeOpenID}), oidc.ScopeOpenID),
		issuer: issuer, userInfoURL: d["attributes_url"], userInfoMethod: method, pkce: true,
	}
	if d["authorize_url"] != "" || d["token_url"] != "" || d["jwks_uri"] != "" {
		// Cognito keeps the endpoints it discovered (or was given) in the
		// details; when they are there they are used as they are.
		for _, k := range []string{"authorize_url", "token_url", "jwks_uri"} {
			if d[k] == "" {
				return nil, configError(p, "detail %s is needed when authorize_url, token_url or jwks_uri is given", k)
			}
		}
		c.explicit = &oidc.ProviderConfig{
			IssuerURL: issuer, AuthURL: d["authorize_url"], TokenURL: d["token_url"],
			UserInfoURL: d["attributes_url"], JWKSURL: d["jwks_uri"],
		}
	}
	return c, nil
}

// newWellKnownOIDC builds a Google connector (or any OIDC connector located
// by Endpoints).
func newWellKnownOIDC(p Provider, e Endpoints, hc *http.Client) (*oidcConnector, error) {
	if e.Issuer == "" {
		return nil, configError(p, "no issuer for provider type")
	}
	c := &oidcConnector{
		p: p, hc: hc, clientID: p.Details["client_id"], secret: staticSecret(p.Details["client_secret"]),
		scopes: withScope(scopes(p, []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile}), oidc.ScopeOpenID),
		issuer: e.Issuer, userInfoURL: e.UserInfoURL, userInfoMethod: http.MethodGet, pkce: true,
	}
	if e.AuthorizeURL != "" && e.TokenURL != "" && e.JWKSURL != "" {
		c.explicit = &oidc.ProviderConfig{
			IssuerURL: e.Issuer, AuthURL: e.AuthorizeURL, TokenURL: e.TokenURL,
			UserInfoURL: e.UserInfoURL, JWKSURL: e.JWKSURL,
		}
	}
	return c, nil
}

// newAppleConnector builds a Sign in with Apple connector. Apple's client
// secret is a short-lived ES256 JWT signed with the key (team_id, key_id,
// private_key); a literal client_secret detail is used instead when given.
func newAppleConnector(p Provider, e Endpoints, hc *http.Client) (Connector, error) {
	c, err := newWellKnownOIDC(p, e, hc)
	if err != nil {
		return nil, err
	}
	c.scopes = scopes(p, []string{"email", "name"})
	// Apple posts the response back (required when scopes are asked for)
	// and does not document PKCE.
	c.authParams = map[string]string{"response_mode": "form_post"}
	c.pkce = false
	if s := p.Details["client_secret"]; s != "" {
		c.secret = staticSecret(s)
		return c, nil
	}
	d := p.Details
	for _, k := range []string{"team_id", "key_id", "private_key"} {
		if d[k] == "" {
			return nil, configError(p, "missing detail %s", k)
		}
	}
	key, err := parseECKey(d["private_key"])
	if err != nil {
		return nil, configError(p, "private_key: %v", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", d["key_id"]))
	if err != nil {
		return nil, configError(p, "private_key: %v", err)
	}
	teamID, clientID, aud := d["team_id"], d["client_id"], e.Issuer
	c.secret = func(now time.Time) (string, error) {
		return jwt.Signed(signer).Claims(jwt.Claims{
			Issuer:   teamID,
			Subject:  clientID,
			Audience: jwt.Audience{aud},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(5 * time.Minute)),
		}).Serialize()
	}
	return c, nil
}

// parseECKey reads a PEM (PKCS #8 or SEC 1) P-256 private key, with or
// without its PEM armour as the console accepts it.
func parseECKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "-----BEGIN") {
		s = "-----BEGIN PRIVATE KEY-----\n" + s + "\n-----END PRIVATE KEY-----"
	}
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("not a PEM private key")
	}
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an EC private key")
		}
		return ec, nil
	}
	return x509.ParseECPrivateKey(b.Bytes)
}

// provider discovers (once successfully) or builds the go-oidc provider.
func (c *oidcConnector) provider(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prov != nil {
		return c.prov, nil
	}
	ctx = oidc.ClientContext(ctx, c.hc)
	if c.explicit != nil {
		c.prov = c.explicit.NewProvider(ctx)
		return c.prov, nil
	}
	prov, err := oidc.NewProvider(ctx, c.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: provider %q: discovery from %s: %w", ErrUpstream, c.p.Name, c.issuer, err)
	}
	c.prov = prov
	return prov, nil
}

func (c *oidcConnector) config(prov *oidc.Provider, redirectURI, secret string) *oauth2.Config {
	ep := prov.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams // Cognito uses client_secret_post
	return &oauth2.Config{
		ClientID: c.clientID, ClientSecret: secret, Endpoint: ep,
		RedirectURL: redirectURI, Scopes: c.scopes,
	}
}

func (c *oidcConnector) AuthCodeURL(state, nonce, codeChallenge, redirectURI string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	prov, err := c.provider(ctx)
	if err != nil {
		return "", err
	}
	var opts []oauth2.AuthCodeOption
	if nonce != "" {
		opts = append(opts, oidc.Nonce(nonce))
	}
	if codeChallenge != "" && c.pkce {
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", codeChallenge),
			oauth2.SetAuthURLParam("code_challenge_method", "S256"))
	}
	for k, v := range c.authParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return c.config(prov, redirectURI, "").AuthCodeURL(state, opts...), nil
}

func (c *oidcConnector) Exchange(ctx context.Context, code, codeVerifier, redirectURI, nonce string) (*Identity, error) {
	if code == "" {
		return nil, upstreamError(c.p.Name, "no authorization code")
	}
	prov, err := c.provider(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := c.secret(time.Now())
	if err != nil {
		return nil, configError(c.p, "client secret: %v", err)
	}
	var opts []oauth2.AuthCodeOption
	if codeVerifier != "" && c.pkce {
		opts = append(opts, oauth2.VerifierOption(codeVerifier))
	}
	tok, err := c.config(prov, redirectURI, secret).Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.hc), code, opts...)
	if err != nil {
		return nil, exchangeError(c.p.Name, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, upstreamError(c.p.Name, "token response has no id_token")
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: c.clientID}).Verify(oidc.ClientContext(ctx, c.hc), raw)
	if err != nil {
		return nil, fmt.Errorf("%w: provider %q: id token: %w", ErrUpstream, c.p.Name, err)
	}
	if nonce != "" && idt.Nonce != nonce {
		return nil, upstreamError(c.p.Name, "id token nonce does not match the request")
	}
	if idt.AccessTokenHash != "" && tok.AccessToken != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("%w: provider %q: id token at_hash: %w", ErrUpstream, c.p.Name, err)
		}
	}
	if idt.Subject == "" {
		return nil, upstreamError(c.p.Name, "id token has no sub")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: provider %q: id token claims: %w", ErrUpstream, c.p.Name, err)
	}
	uiURL := c.userInfoURL
	if uiURL == "" {
		uiURL = prov.UserInfoEndpoint()
	}
	// Cognito reads a provider's attributes from its userInfo endpoint at
	// every sign-in (attributes_request_method says how); Apple has none.
	if uiURL != "" && tok.AccessToken != "" && c.p.Type != TypeSignInWithApple {
		ui, err := fetchJSON(ctx, c.hc, c.p.Name, c.userInfoMethod, uiURL, tok.AccessToken, nil)
		if err != nil {
			return nil, err
		}
		if s, ok := ui["sub"]; ok && claimString(s) != idt.Subject {
			return nil, upstreamError(c.p.Name, "userinfo sub does not match the id token")
		}
		// The verified id token wins; userinfo fills in what it lacks.
		for k, v := range ui {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	return &Identity{ProviderName: c.p.Name, ProviderType: c.p.Type, Subject: idt.Subject, Claims: claims}, nil
}

// exchangeError reports a refused or failed code exchange, keeping the
// upstream's OAuth error code when there is one.
func exchangeError(name string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		msg := re.ErrorCode
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
		return fmt.Errorf("%w: provider %q: token exchange refused: %s: %w", ErrUpstream, name, msg, err)
	}
	return fmt.Errorf("%w: provider %q: token exchange: %w", ErrUpstream, name, err)
}
