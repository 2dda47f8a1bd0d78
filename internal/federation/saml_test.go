package federation

// The SAML service provider against a crewjam/saml identity provider
// (samltest): a signed response signs in; unsigned, wrong-audience,
// replayed, unsolicited or mismatched responses are refused; an encrypted
// assertion is decrypted with the SP key, and EncryptedResponses "true"
// refuses a plain one.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/cogito-idp/cogito/internal/testutil/samltest"
)

const (
	samlPool = "us-east-1_Test"
	samlACS  = "https://pool.auth.localhost/saml2/idpresponse"
)

type samlFixture struct {
	idp  *samltest.IdP
	conn *SAMLConnector
}

func newSAMLFixture(t *testing.T, details map[string]string) *samlFixture {
	t.Helper()
	idp := samltest.Start(t)
	key, cert := samltest.KeyPair(t, "sp")
	md, err := SAMLMetadata(SAMLEntityID(samlPool), samlACS, key, cert)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), SAMLEntityID(samlPool)) || !strings.Contains(string(md), samlACS) {
		t.Fatalf("SP metadata lacks the entity ID or ACS:\n%s", md)
	}
	idp.AddSP(t, md)
	d := map[string]string{"MetadataFile": idp.Metadata()}
	for k, v := range details {
		d[k] = v
	}
	c, err := NewSAML(Provider{Name: "MySAML", Type: TypeSAML, Details: d,
		AttributeMapping: map[string]string{"email": "email"}}, SAMLEntityID(samlPool), samlACS, key, cert, nil)
	if err != nil {
		t.Fatalf("NewSAML: %v", err)
	}
	c.Replay = &SAMLReplayStore{Store: openStore(t), PoolID: samlPool}
	return &samlFixture{idp: idp, conn: c}
}

// login sends an AuthnRequest to the IdP and returns its form and the
// request ID.
func (f *samlFixture) login(t *testing.T, relay string) (samltest.Form, string) {
	t.Helper()
	u, id, err := f.conn.AuthnRequestURL(relay)
	if err != nil {
		t.Fatalf("AuthnRequestURL: %v", err)
	}
	if !strings.HasPrefix(u, f.idp.URL+"/sso?") || id == "" {
		t.Fatalf("AuthnRequestURL = %s, %q", u, id)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var form samltest.Form
	if resp.StatusCode != 200 || json.Unmarshal(body, &form) != nil {
		t.Fatalf("IdP answered %d: %s", resp.StatusCode, body)
	}
	if form.URL != samlACS || form.RelayState != relay {
		t.Fatalf("IdP form %s relay %q", form.URL, form.RelayState)
	}
	return form, id
}

func (f *samlFixture) post(form samltest.Form, ids ...string) (*Identity, error) {
	r := httptest.NewRequest(http.MethodPost, samlACS, strings.NewReader(form.Values().Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ParseForm()
	return f.conn.ParseResponse(r, ids)
}

func TestSAMLSignIn(t *testing.T) {
	f := newSAMLFixture(t, nil)
	f.idp.Update(func(s *samltest.Settings) {
		s.NameID = "alice@corp"
		s.Attributes = map[string][]string{"email": {"alice@saml.example"}, "groups": {"a", "b"}}
	})
	form, id := f.login(t, "relay-1")
	ident, err := f.post(form, id)
	if err != nil {
		t.Fatalf("ParseResponse: %v", err)
	}
	if ident.Subject != "alice@corp" || ident.ProviderName != "MySAML" || ident.ProviderType != TypeSAML {
		t.Errorf("identity %+v", ident)
	}
	if ident.Claims["email"] != "alice@saml.example" || ident.Claims["groups"] != "a,b" {
		t.Errorf("claims %v", ident.Claims)
	}
	if got := Map(Provider{Name: "MySAML", AttributeMapping: map[string]string{"email": "email"}}, ident); got["email"] != "alice@saml.example" {
		t.Errorf("mapped %v", got)
	}
	// The same response again is a replay.
	if _, err := f.post(form, id); err == nil || !strings.Contains(err.Error(), "already been used") {
		t.Errorf("replayed response: %v, want refused as used", err)
	}
}

func TestSAMLRefusals(t *testing.T) {
	f := newSAMLFixture(t, nil)
	t.Run("unsigned", func(t *testing.T) {
		f.idp.Update(func(s *samltest.Settings) { s.Unsigned = true })
		defer f.idp.Update(func(s *samltest.Settings) { s.Unsigned = false })
		form, id := f.login(t, "r")
		if _, err := f.post(form, id); err == nil {
			t.Error("unsigned response accepted")
		} else {
			t.Log(err)
		}
	})
	t.Run("audience", func(t *testing.T) {
		f.idp.Update(func(s *samltest.Settings) {
			s.Mutate = func(a *saml.Assertion) {
				a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "urn:amazon:cognito:sp:other"}}}
			}
		})
		defer f.idp.Update(func(s *samltest.Settings) { s.Mutate = nil })
		form, id := f.login(t, "r")
		if _, err := f.post(form, id); err == nil {
			t.Error("assertion for another audience accepted")
		} else {
			t.Log(err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		f.idp.Update(func(s *samltest.Settings) {
			s.Mutate = func(a *saml.Assertion) {
				past := time.Now().Add(-10 * time.Minute)
				a.Conditions.NotOnOrAfter = past
				for i := range a.Subject.SubjectConfirmations {
					if d := a.Subject.SubjectConfirmations[i].SubjectConfirmationData; d != nil {
						d.NotOnOrAfter = past
					}
				}
			}
		})
		defer f.idp.Update(func(s *samltest.Settings) { s.Mutate = nil })
		form, id := f.login(t, "r")
		if _, err := f.post(form, id); err == nil {
			t.Error("expired assertion accepted")
		} else {
			t.Log(err)
		}
	})
	t.Run("request id", func(t *testing.T) {
		form, _ := f.login(t, "r")
		if _, err := f.post(form, "id-someotherrequest"); err == nil {
			t.Error("response to another request accepted")
		}
		if _, err := f.post(form); err == nil {
			t.Error("unsolicited response accepted without IDPInit")
		}
	})
	t.Run("not encrypted", func(t *testing.T) {
		g := newSAMLFixture(t, map[string]string{"EncryptedResponses": "true"})
		form, id := g.login(t, "r")
		if _, err := g.post(form, id); err == nil || !strings.Contains(err.Error(), "not encrypted") {
			t.Errorf("plain assertion with EncryptedResponses: %v", err)
		}
	})
}

func TestSAMLEncryptedAndSigned(t *testing.T) {
	f := newSAMLFixture(t, map[string]string{"EncryptedResponses": "true", "RequestSigningAlgorithm": "rsa-sha256"})
	f.idp.Update(func(s *samltest.Settings) { s.Encrypt = true })
	u, _, err := f.conn.AuthnRequestURL("x")
	if err != nil || !strings.Contains(u, "Signature=") || !strings.Contains(u, "SigAlg=") {
		t.Errorf("signed AuthnRequest URL %s (%v)", u, err)
	}
	form, id := f.login(t, "relay")
	if !encryptedResponse(form.SAMLResponse) {
		t.Fatal("the IdP did not encrypt")
	}
	ident, err := f.post(form, id)
	if err != nil {
		t.Fatalf("encrypted assertion: %v", err)
	}
	if ident.Subject != "alice" || ident.Claims["email"] != "alice@saml.example" {
		t.Errorf("identity %+v", ident)
	}
}

func TestSAMLIdPInitiated(t *testing.T) {
	unsolicited := func(t *testing.T, f *samlFixture) samltest.Form {
		resp, err := http.Get(f.idp.URL + "/init?sp=" + SAMLEntityID(samlPool) + "&RelayState=x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var form samltest.Form
		if err := json.NewDecoder(resp.Body).Decode(&form); err != nil || resp.StatusCode != 200 {
			t.Fatalf("IdP-initiated: %d %v", resp.StatusCode, err)
		}
		return form
	}
	on := newSAMLFixture(t, map[string]string{"IDPInit": "true"})
	if id, err := on.post(unsolicited(t, on)); err != nil || id.Subject != "alice" {
		t.Errorf("IDPInit true: %v %v", id, err)
	}
	off := newSAMLFixture(t, nil)
	if _, err := off.post(unsolicited(t, off)); err == nil {
		t.Error("IDPInit unset: unsolicited response accepted")
	}
}

func TestSAMLConfig(t *testing.T) {
	key, cert := samltest.KeyPair(t, "sp")
	for name, d := range map[string]map[string]string{
		"no metadata":   {},
		"bad metadata":  {"MetadataFile": "<nope/>"},
		"bad algorithm": {"MetadataFile": samltest.Start(t).Metadata(), "RequestSigningAlgorithm": "rsa-sha1"},
	} {
		if _, err := NewSAML(Provider{Name: "S", Type: TypeSAML, Details: d}, SAMLEntityID(samlPool), samlACS, key, cert, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// MetadataURL is fetched.
	idp := samltest.Start(t)
	c, err := NewSAML(Provider{Name: "S", Type: TypeSAML, Details: map[string]string{"MetadataURL": idp.URL + "/metadata"}},
		SAMLEntityID(samlPool), samlACS, key, cert, nil)
	if err != nil {
		t.Fatalf("MetadataURL: %v", err)
	}
	if u, _, err := c.AuthnRequestURL("r"); err != nil || !strings.HasPrefix(u, idp.URL+"/sso?") {
		t.Errorf("AuthnRequestURL %s %v", u, err)
	}
}
