package oauth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/federation"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// FederatedSigner signs in (creating or updating) the pool user behind an
// identity a provider vouched for: users.Service.FederatedSignIn.
type FederatedSigner interface {
	FederatedSignIn(ctx context.Context, pool *userpool.Pool, clientID string, p *userpool.IdentityProvider, id *federation.Identity) (*store.User, error)
}

// Federation runs the browser side of federated sign-in: the trip from
// /oauth2/authorize to the identity provider and back to
// /oauth2/idpresponse.
type Federation struct {
	OAuth *Service
	Users FederatedSigner
	// Overrides relocate the well-known providers (tests, air-gapped
	// sites); nil means their public endpoints.
	Overrides federation.Overrides
	// HTTPClient talks to the providers; nil means a client with a
	// 15-second timeout.
	HTTPClient *http.Client

	// SAMLKey and SAMLCert are the service provider's key pair for SAML
	// providers (request signing, assertion decryption); nil refuses SAML.
	SAMLKey  *rsa.PrivateKey
	SAMLCert *x509.Certificate

	mu         sync.Mutex
	connectors map[string]federation.Connector
	saml       map[string]*federation.SAMLConnector
}

// FederationStateTTL bounds the trip to the provider and back.
const FederationStateTTL = 15 * time.Minute

// FederationCookie binds a trip to the browser that started it (login
// CSRF: a state and code obtained by someone else cannot be replayed into
// another browser).
const FederationCookie = "cognito-fed"

// IdpResponsePath is where providers send the browser back, under the
// site's base URL.
const IdpResponsePath = "/oauth2/idpresponse"

// pendingSignIn is what NewState keeps: the round trip and the hash of the
// browser's binding cookie.
type pendingSignIn struct {
	federation.RoundTrip
	Browser string `json:"browser,omitempty"`
	// SAMLRequest is the ID of the AuthnRequest sent to a SAML provider.
	SAMLRequest string `json:"saml_request,omitempty"`
}

// SAMLResponsePath is the assertion consumer service of SAML providers,
// under the site's base URL.
const SAMLResponsePath = "/saml2/idpresponse"

// samlConnector returns the (cached) service provider of a pool's SAML
// provider on the site at base.
func (f *Federation) samlConnector(pool *userpool.Pool, p *userpool.IdentityProvider, base string) (*federation.SAMLConnector, error) {
	if f.SAMLKey == nil || f.SAMLCert == nil {
		return nil, fmt.Errorf("%w: SAML sign-in is not available (no service provider key)", federation.ErrConfig)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	acs := strings.TrimRight(base, "/") + SAMLResponsePath
	sum := sha256.Sum256(append([]byte(pool.ID+"\x00"+acs+"\x00"), raw...))
	key := hex.EncodeToString(sum[:])
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.saml[key]; ok {
		return c, nil
	}
	hc := f.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c, err := federation.NewSAML(ProviderOf(p), federation.SAMLEntityID(pool.ID), acs, f.SAMLKey, f.SAMLCert, hc)
	if err != nil {
		return nil, err
	}
	c.Replay = &federation.SAMLReplayStore{Store: f.OAuth.Store, PoolID: pool.ID}
	if f.saml == nil || len(f.saml) > 1000 {
		f.saml = map[string]*federation.SAMLConnector{}
	}
	f.saml[key] = c
	return c, nil
}

// SAMLMetadata is the SP metadata of a pool's site at base.
func (f *Federation) SAMLMetadata(pool *userpool.Pool, base string) ([]byte, error) {
	if f.SAMLKey == nil || f.SAMLCert == nil {
		return nil, errors.New("oauth: SAML sign-in is not available")
	}
	return federation.SAMLMetadata(federation.SAMLEntityID(pool.ID), strings.TrimRight(base, "/")+SAMLResponsePath, f.SAMLKey, f.SAMLCert)
}

// startSAML is Start for a SAML provider: an AuthnRequest whose
// RelayState is the state, the request's ID kept with it.
func (f *Federation) startSAML(ctx context.Context, r *AuthorizeRequest, base, browser string, q url.Values) (string, error) {
	conn, err := f.samlConnector(r.Pool, r.Provider, base)
	if err != nil {
		if errors.Is(err, federation.ErrConfig) {
			return "", oauthErr("invalid_request", "The identity provider %s is not configured correctly.", r.Provider.ProviderName)
		}
		return "", upstreamErr(r.Provider.ProviderName, err)
	}
	areq, err := conn.NewAuthnRequest(ctx)
	if err != nil {
		return "", upstreamErr(r.Provider.ProviderName, err)
	}
	state, err := federation.NewState(ctx, f.OAuth.Store, r.Pool.ID, r.Client.ID, pendingSignIn{
		RoundTrip:   federation.RoundTrip{Request: q.Encode(), Provider: r.Provider.ProviderName},
		Browser:     hashBrowser(browser),
		SAMLRequest: areq.ID,
	}, FederationStateTTL)
	if err != nil {
		return "", err
	}
	to, err := areq.URL(state)
	if err != nil {
		return "", upstreamErr(r.Provider.ProviderName, err)
	}
	return to, nil
}

// ProviderOf is the federation package's view of a pool's identity
// provider.
func ProviderOf(p *userpool.IdentityProvider) federation.Provider {
	return federation.Provider{Name: p.ProviderName, Type: p.ProviderType,
		Details: p.ProviderDetails, AttributeMapping: p.AttributeMapping}
}

// connector returns the (cached) connector of a pool's provider. The cache
// key covers the whole provider, so an update takes effect at once.
func (f *Federation) connector(pool *userpool.Pool, p *userpool.IdentityProvider) (federation.Connector, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte(pool.ID+"\x00"), raw...))
	key := hex.EncodeToString(sum[:])
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.connectors[key]; ok {
		return c, nil
	}
	hc := f.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c, err := federation.New(ProviderOf(p), f.Overrides, hc)
	if err != nil {
		return nil, err
	}
	if f.connectors == nil || len(f.connectors) > 1000 {
		f.connectors = map[string]federation.Connector{}
	}
	f.connectors[key] = c
	return c, nil
}

// hashBrowser is the stored form of a binding cookie value.
func hashBrowser(v string) string {
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("federation-browser:" + v))
	return hex.EncodeToString(sum[:])
}

// NewBrowserBinding returns a fresh value for FederationCookie.
func NewBrowserBinding() string { return federation.NewNonce() }

// Start begins a federated sign-in for r (r.Provider set): it stores a
// single-use state and returns the provider's authorization URL. base is
// the site's base URL; browser the value of the browser's binding cookie.
// A provider that cannot be used as configured is an *Error for the
// client's redirect URI.
func (f *Federation) Start(ctx context.Context, r *AuthorizeRequest, base, browser string) (string, error) {
	if r.Provider == nil {
		return "", errors.New("oauth: federated sign-in without a provider")
	}
	q := r.Query()
	// The trip back must land on the same provider, whichever parameter
	// named it.
	q.Set("identity_provider", r.Provider.ProviderName)
	q.Del("idp_identifier")
	if r.Provider.ProviderType == userpool.ProviderSAML {
		return f.startSAML(ctx, r, base, browser, q)
	}
	conn, err := f.connector(r.Pool, r.Provider)
	if err != nil {
		if errors.Is(err, federation.ErrConfig) {
			return "", oauthErr("invalid_request", "The identity provider %s is not configured correctly.", r.Provider.ProviderName)
		}
		return "", err
	}
	nonce := federation.NewNonce()
	verifier, challenge := federation.NewPKCE()
	state, err := federation.NewState(ctx, f.OAuth.Store, r.Pool.ID, r.Client.ID, pendingSignIn{
		RoundTrip: federation.RoundTrip{Request: q.Encode(), Provider: r.Provider.ProviderName, Nonce: nonce, CodeVerifier: verifier},
		Browser:   hashBrowser(browser),
	}, FederationStateTTL)
	if err != nil {
		return "", err
	}
	to, err := conn.AuthCodeURL(state, nonce, challenge, strings.TrimRight(base, "/")+IdpResponsePath)
	if err != nil {
		return "", upstreamErr(r.Provider.ProviderName, err)
	}
	return to, nil
}

// FederatedSignIn is a finished trip: the request it belongs to and the
// user signed in.
type FederatedSignIn struct {
	Request  *AuthorizeRequest
	User     *store.User
	AuthTime time.Time
}

// Finish completes the trip at /oauth2/idpresponse: params are the
// provider's response (state, and code or error). It fails with
// *PageError when the state is unknown, used, expired, from another
// browser, or its request no longer holds (nothing to redirect to safely),
// and with the request and an *Error (for the client's redirect URI) when
// the provider refused or its answer does not verify, or the user cannot
// be signed in.
func (f *Federation) Finish(ctx context.Context, pool *userpool.Pool, base, browser string, params url.Values) (*FederatedSignIn, error) {
	rt, out, err := f.takeTrip(ctx, pool, browser, params.Get("state"))
	if err != nil {
		return out, err
	}
	r := out.Request
	if r.Provider.ProviderType == userpool.ProviderSAML {
		return out, oauthErr("invalid_request", "The identity provider %s answers at %s.", r.Provider.ProviderName, SAMLResponsePath)
	}
	name := r.Provider.ProviderName
	if e := params.Get("error"); e != "" {
		// Cognito passes a provider's standard error on to the callback,
		// the provider's name and the error in the description.
		desc := name + " Error - " + clipText(e, 64)
		if d := params.Get("error_description"); d != "" {
			desc += " " + clipText(d, 256)
		}
		return out, oauthErr("invalid_request", "%s", desc)
	}
	conn, err := f.connector(pool, r.Provider)
	if err != nil {
		if errors.Is(err, federation.ErrConfig) {
			return out, oauthErr("invalid_request", "The identity provider %s is not configured correctly.", name)
		}
		return out, err
	}
	id, err := conn.Exchange(ctx, params.Get("code"), rt.CodeVerifier, strings.TrimRight(base, "/")+IdpResponsePath, rt.Nonce)
	if err != nil {
		return out, upstreamErr(name, err)
	}
	return f.signIn(ctx, pool, out, id)
}

// FinishSAML completes a SAML trip at /saml2/idpresponse: r is the
// IdP's POST (form parsed) with SAMLResponse and RelayState (the state).
// It fails as Finish does; a response that does not verify (unsigned, for
// another audience, expired, replayed, answering another request) is an
// *Error for the client's redirect URI, and signs nobody in.
func (f *Federation) FinishSAML(ctx context.Context, pool *userpool.Pool, base, browser string, req *http.Request) (*FederatedSignIn, error) {
	rt, out, err := f.takeTrip(ctx, pool, browser, req.Form.Get("RelayState"))
	if err != nil {
		return out, err
	}
	r := out.Request
	name := r.Provider.ProviderName
	if r.Provider.ProviderType != userpool.ProviderSAML || rt.SAMLRequest == "" {
		return out, oauthErr("invalid_request", "The identity provider %s is not a SAML provider.", name)
	}
	conn, err := f.samlConnector(pool, r.Provider, base)
	if err != nil {
		if errors.Is(err, federation.ErrConfig) {
			return out, oauthErr("invalid_request", "The identity provider %s is not configured correctly.", name)
		}
		return out, upstreamErr(name, err)
	}
	id, err := conn.ParseResponse(req, []string{rt.SAMLRequest})
	if err != nil {
		return out, upstreamErr(name, err)
	}
	return f.signIn(ctx, pool, out, id)
}

// signIn signs in the user behind a verified identity.
func (f *Federation) signIn(ctx context.Context, pool *userpool.Pool, out *FederatedSignIn, id *federation.Identity) (*FederatedSignIn, error) {
	r := out.Request
	u, err := f.Users.FederatedSignIn(ctx, pool, r.Client.ID, r.Provider, id)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Type != errs.InternalError {
			return out, oauthErr("invalid_request", "%s", e.Message)
		}
		return out, err
	}
	out.User, out.AuthTime = u, f.OAuth.now()
	return out, nil
}

// takeTrip uses up a state and restores the request it belongs to, checked
// against the browser and the pool's current configuration.
func (f *Federation) takeTrip(ctx context.Context, pool *userpool.Pool, browser, state string) (*pendingSignIn, *FederatedSignIn, error) {
	var rt pendingSignIn
	if err := federation.TakeState(ctx, f.OAuth.Store, state, &rt); err != nil {
		if errors.Is(err, federation.ErrState) {
			return nil, nil, &PageError{Code: "invalid_request", Message: "The sign-in request is unknown, already used or expired. Please start again."}
		}
		return nil, nil, err
	}
	if rt.Browser != "" && hashBrowser(browser) != rt.Browser {
		return nil, nil, &PageError{Code: "invalid_request", Message: "The sign-in was started in another browser. Please start again."}
	}
	q, err := url.ParseQuery(rt.Request)
	if err != nil {
		return nil, nil, &PageError{Code: "invalid_request", Message: "The sign-in request is malformed."}
	}
	r, err := f.OAuth.ParseAuthorize(ctx, pool, q)
	var pe *PageError
	if errors.As(err, &pe) {
		return nil, nil, pe
	}
	out := &FederatedSignIn{Request: r}
	if err != nil {
		return nil, out, err // an *Error for r's redirect URI, or a fault
	}
	if r.Provider == nil || r.Provider.ProviderName != rt.Provider {
		return nil, out, oauthErr("invalid_request", "The identity provider %s is no longer configured for this client.", rt.Provider)
	}
	return &rt, out, nil
}

// upstreamErr is a provider failure as the client's callback sees it.
func upstreamErr(name string, err error) *Error {
	msg := err.Error()
	for _, p := range []string{federation.ErrUpstream.Error() + ": ", federation.ErrConfig.Error() + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	msg = strings.TrimPrefix(msg, fmt.Sprintf("provider %q: ", name))
	return oauthErr("invalid_request", "%s", clipText(fmt.Sprintf("%s Error - %s", name, msg), 300))
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
