// Package federation is the upstream side of federated sign-in: it talks to
// the identity providers configured on a user pool (generic OpenID Connect,
// Google, Facebook, Login with Amazon, Sign in with Apple), turns what they
// say about a user into an Identity, and maps that identity onto pool
// attributes the way Amazon Cognito does (username Provider_sub, the
// identities attribute, AttributeMapping).
//
// The hosted UI drives it: it stores a round-trip record with NewState,
// sends the browser to Connector.AuthCodeURL, and on /oauth2/idpresponse
// takes the record back with TakeState and calls Connector.Exchange.
package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Provider types, as Cognito's IdentityProviderType.ProviderType spells them.
const (
	TypeOIDC            = "OIDC"
	TypeGoogle          = "Google"
	TypeFacebook        = "Facebook"
	TypeLoginWithAmazon = "LoginWithAmazon"
	TypeSignInWithApple = "SignInWithApple"
)

// Provider mirrors Cognito's IdentityProviderType: one identity provider of
// a pool.
type Provider struct {
	Name string
	Type string // OIDC, Google, Facebook, LoginWithAmazon, SignInWithApple
	// Details are Cognito's ProviderDetails: client_id, client_secret,
	// authorize_scopes, and per type oidc_issuer, attributes_request_method,
	// authorize_url, token_url, attributes_url, jwks_uri (OIDC), api_version
	// (Facebook), team_id, key_id, private_key (SignInWithApple).
	Details map[string]string
	// AttributeMapping maps a pool attribute to a provider claim.
	AttributeMapping map[string]string
}

// Endpoints locate a well-known provider. Empty fields fall back to the
// defaults; Issuer without AuthorizeURL, TokenURL and JWKSURL means
// "discover the rest from Issuer".
type Endpoints struct {
	AuthorizeURL string
	TokenURL     string
	UserInfoURL  string
	Issuer       string
	JWKSURL      string
}

// Overrides replace the default endpoints of the well-known providers, keyed
// by provider type (Google, Facebook, LoginWithAmazon, SignInWithApple), so
// tests and air-gapped sites can point them at a local provider.
type Overrides map[string]Endpoints

// DefaultFacebookAPIVersion is the Graph API version used when a Facebook
// provider has no api_version detail.
const DefaultFacebookAPIVersion = "v21.0"

// DefaultEndpoints returns the public endpoints of a well-known provider
// type (false for OIDC and unknown types). Facebook's include the Graph API
// version.
func DefaultEndpoints(providerType, facebookAPIVersion string) (Endpoints, bool) {
	switch providerType {
	case TypeGoogle:
		return Endpoints{
			Issuer:       "https://accounts.google.com",
			AuthorizeURL: "https://accounts.google.com/o/oauth2/v2/auth",
			TokenURL:     "https://oauth2.googleapis.com/token",
			UserInfoURL:  "https://openidconnect.googleapis.com/v1/userinfo",
			JWKSURL:      "https://www.googleapis.com/oauth2/v3/certs",
		}, true
	case TypeFacebook:
		v := facebookAPIVersion
		if v == "" {
			v = DefaultFacebookAPIVersion
		}
		return Endpoints{
			AuthorizeURL: "https://www.facebook.com/" + v + "/dialog/oauth",
			TokenURL:     "https://graph.facebook.com/" + v + "/oauth/access_token",
			UserInfoURL:  "https://graph.facebook.com/" + v + "/me",
		}, true
	case TypeLoginWithAmazon:
		return Endpoints{
			AuthorizeURL: "https://www.amazon.com/ap/oa",
			TokenURL:     "https://api.amazon.com/auth/o2/token",
			UserInfoURL:  "https://api.amazon.com/user/profile",
		}, true
	case TypeSignInWithApple:
		return Endpoints{
			Issuer:       "https://appleid.apple.com",
			AuthorizeURL: "https://appleid.apple.com/auth/authorize",
			TokenURL:     "https://appleid.apple.com/auth/token",
			JWKSURL:      "https://appleid.apple.com/auth/keys",
		}, true
	}
	return Endpoints{}, false
}

// endpointsFor merges an override over the defaults of a type.
func endpointsFor(p Provider, o Overrides) Endpoints {
	e, _ := DefaultEndpoints(p.Type, p.Details["api_version"])
	ov, ok := o[p.Type]
	if !ok {
		return e
	}
	if ov.Issuer != "" && ov.AuthorizeURL == "" && ov.TokenURL == "" && ov.JWKSURL == "" {
		// Discovery from the overriding issuer: forget the default
		// endpoints, which belong to the default issuer.
		return Endpoints{Issuer: ov.Issuer, UserInfoURL: ov.UserInfoURL}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&e.AuthorizeURL, ov.AuthorizeURL)
	set(&e.TokenURL, ov.TokenURL)
	set(&e.UserInfoURL, ov.UserInfoURL)
	set(&e.Issuer, ov.Issuer)
	set(&e.JWKSURL, ov.JWKSURL)
	return e
}

// Identity is what a provider said about the signed-in user.
type Identity struct {
	ProviderName string
	ProviderType string
	// Subject is the provider's user id: the id token's sub (OIDC, Google,
	// Apple), Facebook's id, Amazon's user_id.
	Subject string
	// Claims are the id token's claims merged with the userinfo/profile
	// response.
	Claims map[string]any
}

// Connector talks to one upstream provider.
type Connector interface {
	// AuthCodeURL is where to send the browser. nonce and codeChallenge
	// (PKCE S256) are left out when empty.
	AuthCodeURL(state, nonce, codeChallenge, redirectURI string) (string, error)
	// Exchange redeems the code the provider sent back to redirectURI and
	// returns who signed in. codeVerifier and nonce must be the ones behind
	// the AuthCodeURL call; an id token whose nonce differs is refused.
	Exchange(ctx context.Context, code, codeVerifier, redirectURI, nonce string) (*Identity, error)
}

// ErrConfig marks a provider that cannot be used as configured.
var ErrConfig = errors.New("federation: invalid provider configuration")

// ErrUpstream marks a failure reported by (or in talking to) the upstream
// provider, such as a refused code exchange or a bad id token.
var ErrUpstream = errors.New("federation: upstream provider error")

func configError(p Provider, format string, args ...any) error {
	return fmt.Errorf("%w: provider %q (%s): %s", ErrConfig, p.Name, p.Type, fmt.Sprintf(format, args...))
}

func upstreamError(name string, format string, args ...any) error {
	return fmt.Errorf("%w: provider %q: %s", ErrUpstream, name, fmt.Sprintf(format, args...))
}

// New returns the connector for a provider, chosen by its Type. overrides
// may be nil; httpClient nil means http.DefaultClient.
func New(p Provider, overrides Overrides, httpClient *http.Client) (Connector, error) {
	if p.Name == "" {
		return nil, configError(p, "no provider name")
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	if p.Details["client_id"] == "" {
		return nil, configError(p, "missing detail client_id")
	}
	switch p.Type {
	case TypeOIDC:
		return newOIDCConnector(p, httpClient)
	case TypeGoogle:
		if p.Details["client_secret"] == "" {
			return nil, configError(p, "missing detail client_secret")
		}
		return newWellKnownOIDC(p, endpointsFor(p, overrides), httpClient)
	case TypeSignInWithApple:
		return newAppleConnector(p, endpointsFor(p, overrides), httpClient)
	case TypeFacebook, TypeLoginWithAmazon:
		if p.Details["client_secret"] == "" {
			return nil, configError(p, "missing detail client_secret")
		}
		return newOAuthConnector(p, endpointsFor(p, overrides), httpClient)
	case "SAML":
		return nil, configError(p, "SAML providers are not OAuth connectors")
	case "":
		return nil, configError(p, "no provider type")
	}
	return nil, configError(p, "unsupported provider type")
}

// scopes splits authorize_scopes, which Cognito documents as space
// separated but which are often written comma separated for Facebook.
func scopes(p Provider, def []string) []string {
	f := strings.FieldsFunc(p.Details["authorize_scopes"], func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '\n'
	})
	if len(f) == 0 {
		return append([]string(nil), def...)
	}
	return f
}

func withScope(s []string, want string) []string {
	for _, v := range s {
		if v == want {
			return s
		}
	}
	return append([]string{want}, s...)
}
