// Package samltest runs a SAML 2.0 identity provider for tests, built on
// github.com/crewjam/saml's IdentityProvider: it signs every user in at
// once as the configured NameID with the configured attributes, and
// instead of an auto-posting HTML page answers the SSO request with the
// HTTP-POST form as JSON (Form), which the test then posts itself.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// Settings shape the next responses.
type Settings struct {
	NameID     string
	Attributes map[string][]string
	// Encrypt encrypts assertions to the SP's encryption certificate (else
	// the SP metadata's encryption key is ignored).
	Encrypt bool
	// Unsigned sends the assertion and response without signatures.
	Unsigned bool
	// Mutate changes the assertion before it is signed.
	Mutate func(*saml.Assertion)
}

// Form is the HTTP-POST binding form the IdP would auto-submit.
type Form struct {
	URL          string `json:"url"`
	SAMLResponse string `json:"SAMLResponse"`
	RelayState   string `json:"RelayState"`
}

// Values is the form's body.
func (f Form) Values() url.Values {
	return url.Values{"SAMLResponse": {f.SAMLResponse}, "RelayState": {f.RelayState}}
}

// IdP is a running test identity provider.
type IdP struct {
	URL string
	IDP *saml.IdentityProvider

	mu       sync.Mutex
	settings Settings
	sps      map[string]*saml.EntityDescriptor
	// Last is the last form sent.
	last Form
}

// Start runs an IdP until the test ends.
func Start(t testing.TB) *IdP {
	t.Helper()
	key, cert := KeyPair(t, "Test SAML IdP")
	p := &IdP{sps: map[string]*saml.EntityDescriptor{},
		settings: Settings{NameID: "alice", Attributes: map[string][]string{"email": {"alice@saml.example"}}}}
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	mdURL, _ := url.Parse(srv.URL + "/metadata")
	ssoURL, _ := url.Parse(srv.URL + "/sso")
	p.IDP = &saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *mdURL, SSOURL: *ssoURL,
		ServiceProviderProvider: p, SessionProvider: p, AssertionMaker: p, ResponseWriter: p,
		OnError: func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			http.Error(w, err.Error(), status)
		}}
	mux := http.NewServeMux()
	mux.HandleFunc("/metadata", p.IDP.ServeMetadata)
	mux.HandleFunc("/sso", p.IDP.ServeSSO)
	// /init?sp=ENTITYID&RelayState=X sends an unsolicited response.
	mux.HandleFunc("/init", func(w http.ResponseWriter, r *http.Request) {
		p.IDP.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("RelayState"))
	})
	srv.Config.Handler = mux
	return p
}

// KeyPair makes an RSA key and a self-signed certificate.
func KeyPair(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// Metadata is the IdP's metadata XML.
func (p *IdP) Metadata() string {
	b, err := xml.MarshalIndent(p.IDP.Metadata(), "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// AddSP registers a service provider's metadata XML (what its
// /saml2/metadata serves).
func (p *IdP) AddSP(t testing.TB, metadata []byte) {
	t.Helper()
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(metadata, &md); err != nil {
		t.Fatalf("SP metadata: %v", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sps[md.EntityID] = &md
}

// Update changes the settings.
func (p *IdP) Update(f func(*Settings)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.settings)
}

// Last is the last form the IdP sent.
func (p *IdP) Last() Form {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func (p *IdP) current() Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.settings
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (p *IdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	md, ok := p.sps[id]
	enc := p.settings.Encrypt
	p.mu.Unlock()
	if !ok {
		return nil, os.ErrNotExist
	}
	cp := *md
	cp.SPSSODescriptors = append([]saml.SPSSODescriptor(nil), md.SPSSODescriptors...)
	if !enc {
		for i := range cp.SPSSODescriptors {
			var kds []saml.KeyDescriptor
			for _, kd := range cp.SPSSODescriptors[i].KeyDescriptors {
				if kd.Use != "encryption" {
					kds = append(kds, kd)
				}
			}
			cp.SPSSODescriptors[i].KeyDescriptors = kds
		}
	}
	return &cp, nil
}

// GetSession implements saml.SessionProvider: everyone is signed in.
func (p *IdP) GetSession(_ http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	s := p.current()
	sess := &saml.Session{ID: "s-" + s.NameID, CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour),
		Index: "1", NameID: s.NameID, NameIDFormat: string(saml.UnspecifiedNameIDFormat)}
	for name, vals := range s.Attributes {
		a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range vals {
			a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		sess.CustomAttributes = append(sess.CustomAttributes, a)
	}
	return sess
}

// MakeAssertion implements saml.AssertionMaker.
func (p *IdP) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	if m := p.current().Mutate; m != nil {
		m(req.Assertion)
	}
	return nil
}

// WriteResponse implements saml.ResponseWriter: the form as JSON.
func (p *IdP) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	var form Form
	if p.current().Unsigned {
		resp := &saml.Response{Destination: req.ACSEndpoint.Location, ID: fmt.Sprintf("id-%d", time.Now().UnixNano()),
			InResponseTo: req.Request.ID, IssueInstant: time.Now(), Version: "2.0",
			Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: req.IDP.MetadataURL.String()},
			Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}}}
		el := resp.Element()
		el.AddChild(req.Assertion.Element())
		doc := etree.NewDocument()
		doc.SetRoot(el)
		b, err := doc.WriteToBytes()
		if err != nil {
			return err
		}
		form = Form{URL: req.ACSEndpoint.Location, SAMLResponse: base64.StdEncoding.EncodeToString(b), RelayState: req.RelayState}
	} else {
		f, err := req.PostBinding()
		if err != nil {
			return err
		}
		form = Form{URL: f.URL, SAMLResponse: f.SAMLResponse, RelayState: f.RelayState}
	}
	p.mu.Lock()
	p.last = form
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(form)
}
