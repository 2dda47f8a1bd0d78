package server_test

// Identity-provider management (CreateIdentityProvider ... and the app
// clients' SupportedIdentityProviders) through the AWS SDK for Go v2, on
// both stores.

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

const testSAMLMetadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`

func oidcDetails() map[string]string {
	return map[string]string{
		"client_id": "oidc-client", "client_secret": "oidc-secret", "attributes_request_method": "GET",
		"oidc_issuer": "https://auth.example.com", "authorize_scopes": "openid email profile",
		"authorize_url": "https://auth.example.com/authorize", "token_url": "https://auth.example.com/token",
		"attributes_url": "https://auth.example.com/userinfo", "jwks_uri": "https://auth.example.com/jwks.json",
	}
}

func socialDetails() map[string]string {
	return map[string]string{"client_id": "app-id", "client_secret": "app-secret", "authorize_scopes": "email profile openid"}
}

func createIdP(t *testing.T, c *cip.Client, pool, name string, typ types.IdentityProviderTypeType, details map[string]string, mapping map[string]string, ids ...string) *types.IdentityProviderType {
	t.Helper()
	out, err := c.CreateIdentityProvider(t.Context(), &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool),
		ProviderName: aws.String(name), ProviderType: typ, ProviderDetails: details, AttributeMapping: mapping, IdpIdentifiers: ids})
	must(t, err, "CreateIdentityProvider "+name)
	return out.IdentityProvider
}

func wantMessage(t *testing.T, err error, sub, what string) {
	t.Helper()
	var ae smithy.APIError
	if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), sub) {
		t.Errorf("%s: message %q, want it to contain %q", what, ae.ErrorMessage(), sub)
	}
}

func TestIdentityProviders(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		t.Run("OIDCLifecycle", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			p := createIdP(t, c, pool, "MyOIDC", types.IdentityProviderTypeTypeOidc, oidcDetails(),
				map[string]string{"email": "email", "given_name": "given_name"}, "example.com", "MyIdP")
			if aws.ToString(p.UserPoolId) != pool || aws.ToString(p.ProviderName) != "MyOIDC" || p.ProviderType != types.IdentityProviderTypeTypeOidc ||
				p.CreationDate == nil || p.LastModifiedDate == nil || !slices.Equal(p.IdpIdentifiers, []string{"example.com", "MyIdP"}) {
				t.Errorf("created: %s", jsonOf(p))
			}
			for k, v := range oidcDetails() {
				if p.ProviderDetails[k] != v {
					t.Errorf("ProviderDetails[%s] = %q, want %q (client_secret is returned as given)", k, p.ProviderDetails[k], v)
				}
			}
			if p.ProviderDetails["attributes_url_add_attributes"] != "false" {
				t.Errorf("attributes_url_add_attributes %q, want false", p.ProviderDetails["attributes_url_add_attributes"])
			}
			if p.AttributeMapping["username"] != "sub" || p.AttributeMapping["email"] != "email" {
				t.Errorf("AttributeMapping %v, want username=sub and the given mapping", p.AttributeMapping)
			}

			d, err := c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			must(t, err, "DescribeIdentityProvider")
			if jsonOf(d.IdentityProvider) != jsonOf(p) {
				t.Errorf("describe %s, want %s", jsonOf(d.IdentityProvider), jsonOf(p))
			}
			g, err := c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: aws.String(pool), IdpIdentifier: aws.String("example.com")})
			must(t, err, "GetIdentityProviderByIdentifier")
			if aws.ToString(g.IdentityProvider.ProviderName) != "MyOIDC" {
				t.Errorf("by identifier: %s", jsonOf(g.IdentityProvider))
			}
			_, err = c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: aws.String(pool), IdpIdentifier: aws.String("other.com")})
			wantErr[*types.ResourceNotFoundException](t, err, "unknown identifier")

			// Update: details replaced whole and validated; omitted parts kept.
			nd := oidcDetails()
			nd["attributes_request_method"] = "POST"
			nd["authorize_scopes"] = "openid"
			up, err := c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC"),
				ProviderDetails: nd, IdpIdentifiers: []string{"example.org"}})
			must(t, err, "UpdateIdentityProvider")
			if up.IdentityProvider.ProviderDetails["attributes_request_method"] != "POST" || up.IdentityProvider.AttributeMapping["email"] != "email" ||
				!slices.Equal(up.IdentityProvider.IdpIdentifiers, []string{"example.org"}) || !up.IdentityProvider.CreationDate.Equal(*p.CreationDate) {
				t.Errorf("updated: %s", jsonOf(up.IdentityProvider))
			}
			_, err = c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: aws.String(pool), IdpIdentifier: aws.String("example.com")})
			wantErr[*types.ResourceNotFoundException](t, err, "replaced identifier")
			up, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC"),
				AttributeMapping: map[string]string{"name": "name"}})
			must(t, err, "UpdateIdentityProvider mapping")
			if _, ok := up.IdentityProvider.AttributeMapping["email"]; ok || up.IdentityProvider.AttributeMapping["name"] != "name" ||
				up.IdentityProvider.ProviderDetails["attributes_request_method"] != "POST" {
				t.Errorf("mapping replaced: %s", jsonOf(up.IdentityProvider))
			}
			_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC"),
				ProviderDetails: map[string]string{"client_id": "x"}})
			wantErr[*types.InvalidParameterException](t, err, "update with partial OIDC details")
			_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("Nope")})
			wantErr[*types.ResourceNotFoundException](t, err, "update unknown provider")

			// Duplicates.
			_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
			wantErr[*types.DuplicateProviderException](t, err, "duplicate name")
			wantMessage(t, err, "MyOIDC already exists in user pool "+pool, "duplicate name")
			_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("Other"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), IdpIdentifiers: []string{"example.org"}})
			wantErr[*types.DuplicateProviderException](t, err, "identifier of another provider")

			_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			must(t, err, "DeleteIdentityProvider")
			_, err = c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			wantErr[*types.ResourceNotFoundException](t, err, "describe deleted provider")
			_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			wantErr[*types.ResourceNotFoundException](t, err, "delete twice")
			_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("COGNITO")})
			wantErr[*types.UnsupportedIdentityProviderException](t, err, "delete COGNITO")
		})

		t.Run("SocialProviders", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			g := createIdP(t, c, pool, "Google", types.IdentityProviderTypeTypeGoogle, socialDetails(), map[string]string{"email": "email"})
			want := map[string]string{"authorize_url": "https://accounts.google.com/o/oauth2/v2/auth", "token_url": "https://www.googleapis.com/oauth2/v4/token",
				"attributes_url": "https://people.googleapis.com/v1/people/me?personFields=", "attributes_url_add_attributes": "true",
				"oidc_issuer": "https://accounts.google.com", "token_request_method": "POST", "client_secret": "app-secret"}
			for k, v := range want {
				if g.ProviderDetails[k] != v {
					t.Errorf("Google ProviderDetails[%s] = %q, want %q", k, g.ProviderDetails[k], v)
				}
			}
			if g.AttributeMapping["username"] != "sub" {
				t.Errorf("Google username mapping %q, want sub", g.AttributeMapping["username"])
			}
			fd := socialDetails()
			fd["api_version"] = "v17.0"
			f := createIdP(t, c, pool, "Facebook", types.IdentityProviderTypeTypeFacebook, fd, nil)
			if f.ProviderDetails["authorize_url"] != "https://www.facebook.com/v17.0/dialog/oauth" || f.ProviderDetails["token_request_method"] != "GET" ||
				f.ProviderDetails["token_url"] != "https://graph.facebook.com/v17.0/oauth/access_token" || f.AttributeMapping["username"] != "id" {
				t.Errorf("Facebook: %s", jsonOf(f))
			}
			a := createIdP(t, c, pool, "LoginWithAmazon", types.IdentityProviderTypeTypeLoginWithAmazon, socialDetails(), nil)
			if a.ProviderDetails["authorize_url"] != "https://www.amazon.com/ap/oa" || a.AttributeMapping["username"] != "user_id" {
				t.Errorf("LoginWithAmazon: %s", jsonOf(a))
			}
			apple := createIdP(t, c, pool, "SignInWithApple", types.IdentityProviderTypeTypeSignInWithApple, map[string]string{
				"client_id": "com.example.app", "team_id": "TEAM", "key_id": "KEY", "private_key": "-----BEGIN PRIVATE KEY-----", "authorize_scopes": "email name"}, nil)
			if _, ok := apple.ProviderDetails["private_key"]; ok || apple.ProviderDetails["oidc_issuer"] != "https://appleid.apple.com" || apple.ProviderDetails["team_id"] != "TEAM" {
				t.Errorf("SignInWithApple (private_key never returned): %s", jsonOf(apple))
			}
			// An update without the private key keeps it.
			_, err := c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("SignInWithApple"),
				ProviderDetails: apple.ProviderDetails})
			must(t, err, "UpdateIdentityProvider Apple without private_key")

			// Social providers are named after their type, once per pool.
			_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("NameOfGP"),
				ProviderType: types.IdentityProviderTypeTypeGoogle, ProviderDetails: socialDetails()})
			wantErr[*types.InvalidParameterException](t, err, "Google under another name")
			wantMessage(t, err, "Provider NameOfGP cannot be of type Google.", "Google under another name")
			_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("Google"),
				ProviderType: types.IdentityProviderTypeTypeGoogle, ProviderDetails: socialDetails()})
			wantErr[*types.DuplicateProviderException](t, err, "second Google")
			for _, name := range []string{"Google", "COGNITO"} {
				_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String(name),
					ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
				wantErr[*types.InvalidParameterException](t, err, "OIDC named "+name)
			}
			_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("Facebook"),
				ProviderType: types.IdentityProviderTypeTypeFacebook, ProviderDetails: map[string]string{"client_id": "x"}})
			wantErr[*types.InvalidParameterException](t, err, "Facebook without secret")

			// List: names in order, paginated.
			var names []string
			var token *string
			for {
				out, err := c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(3), NextToken: token})
				must(t, err, "ListIdentityProviders")
				if len(out.Providers) > 3 {
					t.Fatalf("page of %d", len(out.Providers))
				}
				for _, p := range out.Providers {
					if p.CreationDate == nil || p.LastModifiedDate == nil || p.ProviderType == "" {
						t.Errorf("listed: %s", jsonOf(p))
					}
					names = append(names, aws.ToString(p.ProviderName))
				}
				if token = out.NextToken; token == nil {
					break
				}
			}
			if !slices.Equal(names, []string{"Facebook", "Google", "LoginWithAmazon", "SignInWithApple"}) {
				t.Errorf("listed %v", names)
			}
			_, err = c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(61)})
			wantErr[*types.InvalidParameterException](t, err, "MaxResults 61")
			_, err = c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "list in unknown pool")
		})

		t.Run("SAML", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			s := createIdP(t, c, pool, "Corp", types.IdentityProviderTypeTypeSaml, map[string]string{
				"MetadataFile": testSAMLMetadata, "IDPSignout": "true", "RequestSigningAlgorithm": "rsa-sha256"},
				map[string]string{"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}, "corp.example.com")
			if s.ProviderDetails["SSORedirectBindingURI"] != "https://idp.example.com/sso" || s.ProviderDetails["SLORedirectBindingURI"] != "https://idp.example.com/slo" {
				t.Errorf("SAML endpoints: %v", s.ProviderDetails)
			}
			if _, ok := s.AttributeMapping["username"]; ok {
				t.Errorf("SAML has no username mapping: %v", s.AttributeMapping)
			}
			createIdP(t, c, pool, "CorpURL", types.IdentityProviderTypeTypeSaml, map[string]string{"MetadataURL": "https://idp.example.com/metadata"}, nil)
			for what, details := range map[string]map[string]string{
				"neither metadata":    {"IDPSignout": "true"},
				"both metadata":       {"MetadataURL": "https://idp.example.com/metadata", "MetadataFile": testSAMLMetadata},
				"bad flag":            {"MetadataURL": "https://idp.example.com/metadata", "IDPInit": "yes"},
				"bad algorithm":       {"MetadataURL": "https://idp.example.com/metadata", "RequestSigningAlgorithm": "rsa-sha1"},
				"unparsable metadata": {"MetadataFile": "<not xml"},
			} {
				_, err := c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("Bad"),
					ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: details})
				wantErr[*types.InvalidParameterException](t, err, what)
			}
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}})
			createIdP(t, c, pool, "Custom", types.IdentityProviderTypeTypeOidc, oidcDetails(), map[string]string{"custom:tenant": "tid"})
			// A missing ProviderType or ProviderDetails is refused by the SDK itself.
			cases := map[string]*cip.CreateIdentityProviderInput{
				"name too long":     {ProviderName: aws.String(strings.Repeat("a", 33)), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()},
				"name underscore":   {ProviderName: aws.String("_abc"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()},
				"name space":        {ProviderName: aws.String("a b c"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()},
				"bad type":          {ProviderName: aws.String("BadType"), ProviderType: "Twitter", ProviderDetails: oidcDetails()},
				"bad method":        {ProviderName: aws.String("BadMethod"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: func() map[string]string { d := oidcDetails(); d["attributes_request_method"] = "PUT"; return d }()},
				"no issuer":         {ProviderName: aws.String("NoIssuer"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: func() map[string]string { d := oidcDetails(); delete(d, "oidc_issuer"); return d }()},
				"unknown attribute": {ProviderName: aws.String("BadMap"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), AttributeMapping: map[string]string{"custom:nope": "x"}},
				"username not sub":  {ProviderName: aws.String("BadUser"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), AttributeMapping: map[string]string{"username": "email"}},
				"bad identifier":    {ProviderName: aws.String("BadId"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), IdpIdentifiers: []string{"a/b"}},
				"dup identifier":    {ProviderName: aws.String("DupId"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), IdpIdentifiers: []string{"x", "x"}},
				"51 identifiers": {ProviderName: aws.String("ManyIds"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(),
					IdpIdentifiers: func() []string {
						var ids []string
						for i := range 51 {
							ids = append(ids, "id"+strings.Repeat("x", i%30)+string(rune('a'+i%26))+string(rune('a'+i/26)))
						}
						return ids
					}()},
			}
			for what, in := range cases {
				in.UserPoolId = aws.String(pool)
				_, err := c.CreateIdentityProvider(ctx, in)
				wantErr[*types.InvalidParameterException](t, err, what)
			}
			_, err := c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), ProviderName: aws.String("X1x"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
			wantErr[*types.ResourceNotFoundException](t, err, "unknown pool")
		})

		t.Run("ClientsAndPool", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
				SupportedIdentityProviders: []string{"COGNITO", "MyOIDC"}})
			wantErr[*types.InvalidParameterException](t, err, "client naming a missing provider")
			wantMessage(t, err, "The provider MyOIDC does not exist for User Pool "+pool+".", "client naming a missing provider")

			createIdP(t, c, pool, "MyOIDC", types.IdentityProviderTypeTypeOidc, oidcDetails(), nil)
			createIdP(t, c, pool, "Google", types.IdentityProviderTypeTypeGoogle, socialDetails(), nil)
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
				SupportedIdentityProviders: []string{"COGNITO", "MyOIDC", "Google"}})
			must(t, err, "CreateUserPoolClient with providers")
			clientID := out.UserPoolClient.ClientId

			// DescribeUserPool shows no providers and UpdateUserPool keeps them.
			dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
			must(t, err, "DescribeUserPool")
			if strings.Contains(jsonOf(dp.UserPool), "IdentityProviders") || strings.Contains(jsonOf(dp.UserPool), "MyOIDC") {
				t.Errorf("DescribeUserPool shows providers: %s", jsonOf(dp.UserPool))
			}
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOff})
			must(t, err, "UpdateUserPool")
			_, err = c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			must(t, err, "DescribeIdentityProvider after UpdateUserPool")

			// Deleting a provider takes it out of the clients.
			_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: aws.String(pool), ProviderName: aws.String("MyOIDC")})
			must(t, err, "DeleteIdentityProvider")
			dc, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: clientID})
			must(t, err, "DescribeUserPoolClient")
			if !slices.Equal(dc.UserPoolClient.SupportedIdentityProviders, []string{"COGNITO", "Google"}) {
				t.Errorf("SupportedIdentityProviders after delete: %v", dc.UserPoolClient.SupportedIdentityProviders)
			}
		})
	})
}
