package server_test

// SAML 2.0 federated sign-in through the browser, on both stores:
// /oauth2/authorize?identity_provider=MySAML → the IdP (samltest, a
// crewjam/saml IdentityProvider that imported the pool's
// /saml2/metadata) → POST /saml2/idpresponse → the app's callback with a
// code → tokens with the identities claim and the mapped email. Unsigned,
// wrong-audience, plain-when-encryption-is-required and replayed responses
// sign nobody in.

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/crewjam/saml"
	"golang.org/x/oauth2"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/samltest"
)

type samlFix struct {
	*fedFixture
	idp *samltest.IdP
}

func newSAMLFix(t *testing.T, opts server.Options) *samlFix {
	t.Helper()
	f := &samlFix{fedFixture: &fedFixture{}, idp: samltest.Start(t)}
	f.env = cogitotest.Start(t, opts)
	c := f.env.Client
	f.pool = newPool(t, c, nil)
	f.issuer = f.env.URL + "/" + f.pool
	// The IdP imports the pool's SP metadata.
	md := newOABrowser(t, nil).get(f.issuer + "/saml2/metadata")
	if md.Status != 200 || !strings.Contains(md.Body, "urn:amazon:cognito:sp:"+f.pool) || !strings.Contains(md.Body, f.issuer+"/saml2/idpresponse") {
		t.Fatalf("/saml2/metadata: %d %s", md.Status, clip(md.Body))
	}
	f.idp.AddSP(t, []byte(md.Body))
	createIdP(t, c, f.pool, "MySAML", types.IdentityProviderTypeTypeSaml, map[string]string{
		"MetadataFile": f.idp.Metadata(),
	}, map[string]string{"email": "email"})
	f.client, f.secret = suClient(t, c, f.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("web"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{oaCallbackURL},
		SupportedIdentityProviders: []string{"COGNITO", "MySAML"}})
	var err error
	f.provider, err = oidc.NewProvider(t.Context(), f.issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%s): %v", f.issuer, err)
	}
	return f
}

// toIdP starts a sign-in with MySAML and returns the IdP's form, the app's
// state, PKCE verifier and nonce.
func (f *samlFix) toIdP(t *testing.T, b *oaBrowser) (samltest.Form, string, string, string) {
	t.Helper()
	state, verifier, nonce := randomState(), oauth2.GenerateVerifier(), "n-"+randomState()
	authURL := f.config().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("identity_provider", "MySAML"))
	p := b.get(authURL)
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), f.idp.URL+"/sso?") {
		t.Fatalf("GET %s: status %d, Location %v; want the IdP; body %s", authURL, p.Status, p.Location, clip(p.Body))
	}
	if p.Location.Query().Get("SAMLRequest") == "" || p.Location.Query().Get("RelayState") == "" {
		t.Errorf("AuthnRequest redirect lacks SAMLRequest or RelayState: %s", p.Location)
	}
	idp := b.get(p.Location.String())
	var form samltest.Form
	if idp.Status != 200 || json.Unmarshal([]byte(idp.Body), &form) != nil {
		t.Fatalf("IdP: %d %s", idp.Status, clip(idp.Body))
	}
	if form.URL != f.issuer+"/saml2/idpresponse" {
		t.Errorf("IdP posts to %s, want the pool's ACS", form.URL)
	}
	return form, state, verifier, nonce
}

// refused posts a form that must come back to the app as an error.
func (f *samlFix) refused(t *testing.T, b *oaBrowser, form samltest.Form, state, wantInDesc string) {
	t.Helper()
	p := b.post(form.URL, form.Values())
	if p.Location == nil || !strings.HasPrefix(p.Location.String(), oaCallbackURL+"?") {
		t.Fatalf("idpresponse: status %d, Location %v; want the callback with an error", p.Status, p.Location)
	}
	q := p.Location.Query()
	if q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != state {
		t.Errorf("callback %s: want error=invalid_request, the state, no code", p.Location)
	}
	t.Logf("error_description: %s", q.Get("error_description"))
	if !strings.Contains(q.Get("error_description"), wantInDesc) {
		t.Errorf("error_description %q, want it to mention %q", q.Get("error_description"), wantInDesc)
	}
}

func TestSAMLSignIn(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		f := newSAMLFix(t, opts)

		t.Run("signed", func(t *testing.T) {
			f.idp.Update(func(s *samltest.Settings) {
				s.NameID, s.Attributes = "alice", map[string][]string{"email": {"alice@saml.example"}}
			})
			b := newOABrowser(t, nil)
			form, state, verifier, nonce := f.toIdP(t, b)
			p := b.post(form.URL, form.Values())
			if p.Location == nil {
				t.Fatalf("idpresponse: status %d; body %s", p.Status, clip(p.Body))
			}
			q := oaCallback(t, p.Location, oaCallbackURL, state)
			claims := f.tokens(t, q.Get("code"), verifier, nonce)
			if got := claims["cognito:username"]; got != "MySAML_alice" {
				t.Errorf("cognito:username %v, want MySAML_alice", got)
			}
			if got := claims["email"]; got != "alice@saml.example" {
				t.Errorf("email %v, want the mapped alice@saml.example", got)
			}
			wantIdentity(t, claims, "MySAML", "SAML", "alice")

			// The same response again: its state is used up.
			again := b.post(form.URL, form.Values())
			if again.Location == nil || strings.Contains(again.Location.RawQuery, "code=") || !strings.Contains(again.Location.String(), "error") {
				t.Errorf("replayed response: status %d, Location %v; want an error", again.Status, again.Location)
			}
		})

		t.Run("unsigned", func(t *testing.T) {
			f.idp.Update(func(s *samltest.Settings) { s.NameID, s.Unsigned = "mallory", true })
			defer f.idp.Update(func(s *samltest.Settings) { s.Unsigned = false })
			b := newOABrowser(t, nil)
			form, state, _, _ := f.toIdP(t, b)
			f.refused(t, b, form, state, "MySAML Error")
			f.wantNoUser(t, "MySAML_mallory")
		})

		t.Run("wrong audience", func(t *testing.T) {
			f.idp.Update(func(s *samltest.Settings) {
				s.NameID = "mallory"
				s.Mutate = func(a *saml.Assertion) {
					a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "urn:amazon:cognito:sp:us-east-1_Other"}}}
				}
			})
			defer f.idp.Update(func(s *samltest.Settings) { s.Mutate = nil })
			b := newOABrowser(t, nil)
			form, state, _, _ := f.toIdP(t, b)
			f.refused(t, b, form, state, "AudienceRestriction")
			f.wantNoUser(t, "MySAML_mallory")
		})

		t.Run("forged relay state", func(t *testing.T) {
			f.idp.Update(func(s *samltest.Settings) { s.NameID = "mallory" })
			b := newOABrowser(t, nil)
			form, _, _, _ := f.toIdP(t, b)
			form.RelayState = "not-a-state"
			p := b.post(form.URL, form.Values())
			if p.Location == nil || !strings.HasPrefix(p.Location.String(), f.issuer+"/error?") {
				t.Errorf("unknown RelayState: status %d, Location %v; want the error page", p.Status, p.Location)
			}
			f.wantNoUser(t, "MySAML_mallory")
		})

		t.Run("encrypted", func(t *testing.T) {
			_, err := f.env.Client.UpdateIdentityProvider(t.Context(), &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(f.pool),
				ProviderName: aws.String("MySAML"), ProviderDetails: map[string]string{"MetadataFile": f.idp.Metadata(), "EncryptedResponses": "true"}})
			must(t, err, "UpdateIdentityProvider")
			// A plain assertion is refused now.
			f.idp.Update(func(s *samltest.Settings) { s.NameID, s.Encrypt = "mallory", false })
			b := newOABrowser(t, nil)
			form, state, _, _ := f.toIdP(t, b)
			f.refused(t, b, form, state, "not encrypted")
			f.wantNoUser(t, "MySAML_mallory")

			f.idp.Update(func(s *samltest.Settings) {
				s.NameID, s.Encrypt, s.Attributes = "carol", true, map[string][]string{"email": {"carol@saml.example"}}
			})
			b = newOABrowser(t, nil)
			form, state, verifier, nonce := f.toIdP(t, b)
			if strings.Contains(form.SAMLResponse, "carol") {
				t.Error("the assertion went in the clear")
			}
			p := b.post(form.URL, form.Values())
			if p.Location == nil {
				t.Fatalf("idpresponse: status %d; body %s", p.Status, clip(p.Body))
			}
			q := oaCallback(t, p.Location, oaCallbackURL, state)
			claims := f.tokens(t, q.Get("code"), verifier, nonce)
			if claims["cognito:username"] != "MySAML_carol" || claims["email"] != "carol@saml.example" {
				t.Errorf("claims %v", claims)
			}
		})

		t.Run("request id", func(t *testing.T) {
			// A response to one browser's request cannot finish another's trip.
			f.idp.Update(func(s *samltest.Settings) { s.NameID, s.Encrypt = "mallory", true })
			b1, b2 := newOABrowser(t, nil), newOABrowser(t, nil)
			form1, _, _, _ := f.toIdP(t, b1)
			form2, state2, _, _ := f.toIdP(t, b2)
			form1.RelayState = form2.RelayState
			f.refused(t, b2, form1, state2, "MySAML Error")
			f.wantNoUser(t, "MySAML_mallory")
			_ = url.Values{}
		})
	})
}
