package federation

// SAML 2.0 identity providers: Cogito as a service provider (SP) with the
// entity ID urn:amazon:cognito:sp:{poolId} and the assertion consumer
// service {site}/saml2/idpresponse, as in Amazon Cognito. The heavy lifting
// (XML signatures, decryption, conditions) is github.com/crewjam/saml's
// ServiceProvider; this file configures it from a pool's provider details
// and turns a verified assertion into an Identity.

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/cogito-idp/cogito/internal/store"
)

// TypeSAML is the provider type of SAML 2.0 identity providers.
const TypeSAML = "SAML"

// SAMLEntityID is the SP entity ID (audience) Cognito uses for a pool.
func SAMLEntityID(poolID string) string { return "urn:amazon:cognito:sp:" + poolID }

// samlMetadataTTL is how long metadata fetched from MetadataURL is used
// before it is fetched again (the old copy stays in use when that fails).
const samlMetadataTTL = time.Hour

// SAMLConnector is the service provider side of one pool's SAML provider.
type SAMLConnector struct {
	provider Provider
	sp       saml.ServiceProvider // IDPMetadata guarded by mu
	client   *http.Client
	metaURL  string
	// requireEncrypted refuses assertions that were not encrypted
	// (EncryptedResponses "true").
	requireEncrypted bool

	// Replay, when set, records every accepted assertion until its
	// NotOnOrAfter so that it is accepted once across all nodes sharing
	// the store; nil means no replay protection.
	Replay *SAMLReplayStore

	mu      sync.Mutex
	fetched time.Time
}

// NewSAML returns the service provider for a SAML provider. Its details
// are Cognito's: MetadataFile (the IdP's metadata XML) or MetadataURL
// (fetched with httpClient), IDPInit, EncryptedResponses,
// RequestSigningAlgorithm. spKey and spCert sign requests and decrypt
// assertions.
func NewSAML(p Provider, spEntityID, acsURL string, spKey *rsa.PrivateKey, spCert *x509.Certificate, httpClient *http.Client) (*SAMLConnector, error) {
	if p.Name == "" {
		return nil, configError(p, "no provider name")
	}
	if spKey == nil || spCert == nil {
		return nil, configError(p, "the service provider has no key")
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	acs, err := url.Parse(acsURL)
	if err != nil || acs.Scheme == "" || acs.Host == "" {
		return nil, configError(p, "bad assertion consumer service URL %q", acsURL)
	}
	c := &SAMLConnector{provider: p, client: httpClient,
		requireEncrypted: strings.EqualFold(p.Details["EncryptedResponses"], "true")}
	c.sp = saml.ServiceProvider{
		EntityID:          spEntityID,
		Key:               spKey,
		Certificate:       spCert,
		AcsURL:            *acs,
		AllowIDPInitiated: strings.EqualFold(p.Details["IDPInit"], "true"),
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
		Clock:             nil,
	}
	switch strings.ToLower(p.Details["RequestSigningAlgorithm"]) {
	case "":
	case "rsa-sha256":
		c.sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	default:
		return nil, configError(p, "unsupported RequestSigningAlgorithm %q", p.Details["RequestSigningAlgorithm"])
	}
	switch {
	case strings.TrimSpace(p.Details["MetadataFile"]) != "":
		md, err := samlsp.ParseMetadata([]byte(p.Details["MetadataFile"]))
		if err != nil {
			return nil, configError(p, "MetadataFile: %v", err)
		}
		c.sp.IDPMetadata = md
	case p.Details["MetadataURL"] != "":
		c.metaURL = p.Details["MetadataURL"]
		if err := c.refresh(context.Background()); err != nil {
			return nil, err
		}
	default:
		return nil, configError(p, "missing detail MetadataFile or MetadataURL")
	}
	if c.sp.GetSSOBindingLocation(saml.HTTPRedirectBinding) == "" {
		return nil, configError(p, "the metadata has no HTTP-Redirect SingleSignOnService")
	}
	return c, nil
}

// refresh (re)fetches MetadataURL when it is due.
func (c *SAMLConnector) refresh(ctx context.Context) error {
	if c.metaURL == "" {
		return nil
	}
	c.mu.Lock()
	due := c.sp.IDPMetadata == nil || time.Since(c.fetched) > samlMetadataTTL
	c.mu.Unlock()
	if !due {
		return nil
	}
	u, err := url.Parse(c.metaURL)
	if err != nil {
		return configError(c.provider, "bad MetadataURL")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	md, err := samlsp.FetchMetadata(ctx, c.client, *u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.sp.IDPMetadata != nil {
			return nil // keep the copy we have
		}
		return upstreamError(c.provider.Name, "cannot fetch the metadata: %v", err)
	}
	c.sp.IDPMetadata, c.fetched = md, time.Now()
	return nil
}

// serviceProvider is a copy of the configured ServiceProvider, current
// metadata included.
func (c *SAMLConnector) serviceProvider(ctx context.Context) (saml.ServiceProvider, error) {
	if err := c.refresh(ctx); err != nil {
		return saml.ServiceProvider{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sp, nil
}

// SAMLRequest is an AuthnRequest about to be sent: its ID is known before
// the URL (and the RelayState in it) is made.
type SAMLRequest struct {
	ID  string
	req *saml.AuthnRequest
	sp  saml.ServiceProvider
	c   *SAMLConnector
}

// NewAuthnRequest makes an AuthnRequest for the IdP's HTTP-Redirect single
// sign-on service.
func (c *SAMLConnector) NewAuthnRequest(ctx context.Context) (*SAMLRequest, error) {
	sp, err := c.serviceProvider(ctx)
	if err != nil {
		return nil, err
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return nil, upstreamError(c.provider.Name, "cannot make the request: %v", err)
	}
	return &SAMLRequest{ID: req.ID, req: req, sp: sp, c: c}, nil
}

// URL is where to send the browser: the single sign-on service with the
// request (signed when RequestSigningAlgorithm is set) and relayState.
func (r *SAMLRequest) URL(relayState string) (string, error) {
	u, err := r.req.Redirect(relayState, &r.sp)
	if err != nil {
		return "", upstreamError(r.c.provider.Name, "cannot make the request: %v", err)
	}
	return u.String(), nil
}

// AuthnRequestURL returns the IdP's single sign-on URL with a new
// AuthnRequest (HTTP-Redirect binding, signed when RequestSigningAlgorithm
// is set) and relayState, and the request's ID, which the response must
// answer.
func (c *SAMLConnector) AuthnRequestURL(relayState string) (string, string, error) {
	r, err := c.NewAuthnRequest(context.Background())
	if err != nil {
		return "", "", err
	}
	u, err := r.URL(relayState)
	return u, r.ID, err
}

// ParseResponse verifies the SAMLResponse posted in r (r.ParseForm done):
// signed by the IdP, for this SP (audience, destination), in its time
// bounds, answering one of possibleRequestIDs (or unsolicited, when
// IDPInit is "true"), not seen before; an EncryptedAssertion is decrypted
// with the SP key. The identity's Subject is the NameID and its Claims the
// assertion's attributes by name: the value, or for several values a
// comma-separated list.
func (c *SAMLConnector) ParseResponse(r *http.Request, possibleRequestIDs []string) (*Identity, error) {
	sp, err := c.serviceProvider(r.Context())
	if err != nil {
		return nil, err
	}
	if r.Form.Get("SAMLResponse") == "" {
		return nil, upstreamError(c.provider.Name, "no SAMLResponse")
	}
	if r.Form.Get("SAMLart") != "" {
		return nil, upstreamError(c.provider.Name, "the artifact binding is not supported")
	}
	if c.requireEncrypted && !encryptedResponse(r.Form.Get("SAMLResponse")) {
		return nil, upstreamError(c.provider.Name, "the assertion is not encrypted")
	}
	if c.Replay != nil {
		sp.ReplayCache = &replayCache{ctx: r.Context(), st: c.Replay, provider: c.provider.Name}
	}
	a, err := sp.ParseResponse(r, possibleRequestIDs)
	if err != nil {
		return nil, upstreamError(c.provider.Name, "%s", samlErrorText(err))
	}
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return nil, upstreamError(c.provider.Name, "the assertion has no NameID")
	}
	id := &Identity{ProviderName: c.provider.Name, ProviderType: TypeSAML,
		Subject: a.Subject.NameID.Value, Claims: map[string]any{}}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if at.Name == "" || len(at.Values) == 0 {
				continue
			}
			vals := make([]string, 0, len(at.Values))
			for _, v := range at.Values {
				vals = append(vals, v.Value)
			}
			if _, dup := id.Claims[at.Name]; !dup {
				id.Claims[at.Name] = strings.Join(vals, ",")
			}
		}
	}
	return id, nil
}

// encryptedResponse reports whether a SAMLResponse carries its assertion
// encrypted: an EncryptedAssertion and no plain Assertion under Response.
func encryptedResponse(b64 string) bool {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return false
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return false
	}
	enc := false
	for _, el := range doc.Root().ChildElements() {
		switch el.Tag {
		case "Assertion":
			return false
		case "EncryptedAssertion":
			enc = true
		}
	}
	return enc
}

// samlErrorText is why crewjam refused a response (its Error() is
// deliberately vague; the private error says what failed).
func samlErrorText(err error) string {
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		err = ire.PrivateErr
	}
	if errors.Is(err, saml.ErrAssertionReplayed) {
		return "the SAML assertion has already been used"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return "invalid SAML response: " + msg
}

// SAMLReplayStore keeps the IDs of accepted assertions of a pool as auth
// sessions, so that every node sharing the store refuses a replay.
type SAMLReplayStore struct {
	Store  store.Store
	PoolID string
}

type replayCache struct {
	ctx      context.Context
	st       *SAMLReplayStore
	provider string
}

// Consume implements saml.AssertionReplayCache.
func (c *replayCache) Consume(assertionID string, expiresAt time.Time) error {
	sum := sha256.Sum256([]byte("saml-assertion:" + c.st.PoolID + "/" + c.provider + ":" + assertionID))
	if min := time.Now().Add(time.Minute); expiresAt.Before(min) {
		expiresAt = min
	}
	err := c.st.Store.CreateAuthSession(c.ctx, &store.AuthSession{
		ID: hex.EncodeToString(sum[:]), PoolID: c.st.PoolID, ClientID: "-", Expires: expiresAt,
		State: []byte(`{"kind":"saml-assertion"}`),
	})
	if errors.Is(err, store.ErrExists) {
		return saml.ErrAssertionReplayed
	}
	if err != nil {
		return fmt.Errorf("record assertion: %w", err)
	}
	return nil
}

// SAMLMetadata returns the SP metadata of a pool's site: entity ID, the
// assertion consumer service (HTTP-POST) and the signing and encryption
// certificate.
func SAMLMetadata(spEntityID, acsURL string, spKey *rsa.PrivateKey, spCert *x509.Certificate) ([]byte, error) {
	acs, err := url.Parse(acsURL)
	if err != nil {
		return nil, err
	}
	// AuthnRequestsSigned stays false (signing is a per-provider choice,
	// RequestSigningAlgorithm); LogoutSignatureMethod gets the signing
	// certificate published all the same.
	sp := saml.ServiceProvider{EntityID: spEntityID, Key: spKey, Certificate: spCert, AcsURL: *acs,
		LogoutSignatureMethod:            dsig.RSASHA256SignatureMethod,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		AuthnNameIDFormat:                saml.UnspecifiedNameIDFormat,
		MetadataOmitValidUntil:           true}
	out, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}
