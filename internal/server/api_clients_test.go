package server_test

import (
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

var clientSecretRE = regexp.MustCompile(`^[0-9A-Za-z]{51}$`)

func TestUserPoolClients(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		pool := newPool(t, c, nil)

		t.Run("CreateWithoutSecret", func(t *testing.T) {
			t.Parallel()
			out, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("public-app")})
			must(t, err, "CreateUserPoolClient")
			cl := out.UserPoolClient
			if !clientIDRE.MatchString(aws.ToString(cl.ClientId)) {
				t.Errorf("client id %q does not match %s", aws.ToString(cl.ClientId), clientIDRE)
			}
			if cl.ClientSecret != nil {
				t.Errorf("client without GenerateSecret has secret %q", aws.ToString(cl.ClientSecret))
			}
			if aws.ToString(cl.ClientName) != "public-app" || aws.ToString(cl.UserPoolId) != pool {
				t.Errorf("name %q pool %q", aws.ToString(cl.ClientName), aws.ToString(cl.UserPoolId))
			}
			if cl.CreationDate == nil || cl.LastModifiedDate == nil {
				t.Error("dates missing")
			}
			if cl.RefreshTokenValidity != 30 {
				t.Errorf("RefreshTokenValidity %d, want 30", cl.RefreshTokenValidity)
			}
			if aws.ToBool(cl.AllowedOAuthFlowsUserPoolClient) {
				t.Error("AllowedOAuthFlowsUserPoolClient true by default")
			}
			if !aws.ToBool(cl.EnableTokenRevocation) {
				t.Error("EnableTokenRevocation not true by default")
			}
			if aws.ToInt32(cl.AuthSessionValidity) != 3 {
				t.Errorf("AuthSessionValidity %d, want 3", aws.ToInt32(cl.AuthSessionValidity))
			}
			d, err := c.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.ClientId})
			must(t, err, "DescribeUserPoolClient")
			if aws.ToString(d.UserPoolClient.ClientId) != aws.ToString(cl.ClientId) || aws.ToString(d.UserPoolClient.ClientName) != "public-app" ||
				d.UserPoolClient.ClientSecret != nil {
				t.Errorf("describe %s", jsonOf(d.UserPoolClient))
			}
		})

		t.Run("CreateWithSecret", func(t *testing.T) {
			t.Parallel()
			out, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool),
				ClientName: aws.String("server-app"), GenerateSecret: true})
			must(t, err, "CreateUserPoolClient")
			secret := aws.ToString(out.UserPoolClient.ClientSecret)
			if !clientSecretRE.MatchString(secret) {
				t.Errorf("client secret %q (%d chars) does not match %s", secret, len(secret), clientSecretRE)
			}
			d, err := c.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: out.UserPoolClient.ClientId})
			must(t, err, "DescribeUserPoolClient")
			if aws.ToString(d.UserPoolClient.ClientSecret) != secret {
				t.Errorf("DescribeUserPoolClient secret %q, want %q", aws.ToString(d.UserPoolClient.ClientSecret), secret)
			}
		})

		t.Run("NotFound", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), ClientName: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "CreateUserPoolClient unknown pool")
			_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPoolClient unknown client")
			_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPoolClient unknown pool")
			_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "UpdateUserPoolClient unknown client")
			_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "DeleteUserPoolClient unknown client")
			_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "ListUserPoolClients unknown pool")
			_, err = c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "ListUserPoolClientSecrets unknown client")
			_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
			wantErr[*types.ResourceNotFoundException](t, err, "AddUserPoolClientSecret unknown client")
			// A client of another pool is not found through this pool.
			other := newPool(t, c, nil)
			oc, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(other), ClientName: aws.String("other")})
			must(t, err, "CreateUserPoolClient other pool")
			_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: oc.UserPoolClient.ClientId})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPoolClient through the wrong pool")
		})

		t.Run("UpdateResetsOmittedSettings", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("orig"),
				ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				AccessTokenValidity:        aws.Int32(2),
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
				ReadAttributes:             []string{"email", "name"},
			})
			must(t, err, "CreateUserPoolClient")
			id := out.UserPoolClient.ClientId
			if !slices.Equal(out.UserPoolClient.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}) {
				t.Errorf("ExplicitAuthFlows at create %v", out.UserPoolClient.ExplicitAuthFlows)
			}
			up, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id, IdTokenValidity: aws.Int32(3)})
			must(t, err, "UpdateUserPoolClient")
			d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
			must(t, err, "DescribeUserPoolClient")
			for label, cl := range map[string]*types.UserPoolClientType{"update reply": up.UserPoolClient, "describe": d.UserPoolClient} {
				if aws.ToString(cl.ClientName) != "orig" {
					t.Errorf("%s: ClientName %q after an update without it", label, aws.ToString(cl.ClientName))
				}
				if len(cl.ExplicitAuthFlows) != 0 {
					t.Errorf("%s: ExplicitAuthFlows %v after an update that omitted them", label, cl.ExplicitAuthFlows)
				}
				if cl.AccessTokenValidity != nil {
					t.Errorf("%s: AccessTokenValidity %d kept after an update that omitted it", label, aws.ToInt32(cl.AccessTokenValidity))
				}
				if aws.ToInt32(cl.IdTokenValidity) != 3 {
					t.Errorf("%s: IdTokenValidity %d, want 3", label, aws.ToInt32(cl.IdTokenValidity))
				}
				if cl.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled {
					t.Errorf("%s: PreventUserExistenceErrors kept ENABLED after an update that omitted it", label)
				}
				if len(cl.ReadAttributes) != 0 {
					t.Errorf("%s: ReadAttributes %v kept after an update that omitted them", label, cl.ReadAttributes)
				}
				if aws.ToString(cl.ClientId) != aws.ToString(id) {
					t.Errorf("%s: ClientId changed", label)
				}
			}
			_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id, ClientName: aws.String("renamed")})
			must(t, err, "UpdateUserPoolClient rename")
			d, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
			must(t, err, "DescribeUserPoolClient")
			if aws.ToString(d.UserPoolClient.ClientName) != "renamed" {
				t.Errorf("ClientName %q after rename", aws.ToString(d.UserPoolClient.ClientName))
			}
		})

		t.Run("Delete", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("doomed")})
			must(t, err, "CreateUserPoolClient")
			_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: out.UserPoolClient.ClientId})
			must(t, err, "DeleteUserPoolClient")
			_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: out.UserPoolClient.ClientId})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPoolClient after delete")
			_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: out.UserPoolClient.ClientId})
			wantErr[*types.ResourceNotFoundException](t, err, "DeleteUserPoolClient twice")
		})

		t.Run("ListPagination", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			want := map[string]string{}
			for i := range 3 {
				name := []string{"alpha", "beta", "gamma"}[i]
				out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(p), ClientName: aws.String(name)})
				must(t, err, "CreateUserPoolClient")
				want[aws.ToString(out.UserPoolClient.ClientId)] = name
			}
			got := map[string]string{}
			var token *string
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatal("ListUserPoolClients does not end")
				}
				out, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(p), MaxResults: aws.Int32(1), NextToken: token})
				must(t, err, "ListUserPoolClients")
				if len(out.UserPoolClients) > 1 {
					t.Fatalf("page of %d with MaxResults 1", len(out.UserPoolClients))
				}
				for _, d := range out.UserPoolClients {
					if _, dup := got[aws.ToString(d.ClientId)]; dup {
						t.Errorf("client listed twice")
					}
					if aws.ToString(d.UserPoolId) != p {
						t.Errorf("UserPoolId %q", aws.ToString(d.UserPoolId))
					}
					got[aws.ToString(d.ClientId)] = aws.ToString(d.ClientName)
				}
				if out.NextToken == nil {
					break
				}
				token = out.NextToken
			}
			if !maps.Equal(got, want) {
				t.Errorf("listed %v, want %v", got, want)
			}
			all, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(p)})
			must(t, err, "ListUserPoolClients without MaxResults")
			if len(all.UserPoolClients) != 3 || all.NextToken != nil {
				t.Errorf("ListUserPoolClients without MaxResults: %d clients, token %v", len(all.UserPoolClients), all.NextToken)
			}
			_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(p), MaxResults: aws.Int32(61)})
			wantErr[*types.InvalidParameterException](t, err, "ListUserPoolClients MaxResults 61")
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			create := func(in cip.CreateUserPoolClientInput) error {
				in.UserPoolId = aws.String(pool)
				if in.ClientName == nil {
					in.ClientName = aws.String("v")
				}
				_, err := c.CreateUserPoolClient(ctx, &in)
				return err
			}
			err := create(cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(2),
				TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays}})
			wantErr[*types.InvalidParameterException](t, err, "AccessTokenValidity 2 days")
			err = create(cip.CreateUserPoolClientInput{IdTokenValidity: aws.Int32(4),
				TokenValidityUnits: &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes}})
			wantErr[*types.InvalidParameterException](t, err, "IdTokenValidity 4 minutes")
			must(t, create(cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(5),
				TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}}), "AccessTokenValidity 5 minutes")
			err = create(cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"api/read"}})
			wantErr[*types.InvalidOAuthFlowException](t, err, "client_credentials without a secret")
			err = create(cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, CallbackURLs: []string{"https://example.com/cb"},
				AllowedOAuthScopes: []string{"openid", "myapi/read"}})
			wantErr[*types.ScopeDoesNotExistException](t, err, "undefined custom scope")
			err = create(cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, CallbackURLs: []string{"http://example.com/cb"},
				AllowedOAuthScopes: []string{"openid"}})
			wantErr[*types.InvalidParameterException](t, err, "http callback off localhost")
			err = create(cip.CreateUserPoolClientInput{CallbackURLs: []string{"https://example.com/cb#frag"}})
			wantErr[*types.InvalidParameterException](t, err, "callback with a fragment")
			must(t, create(cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, CallbackURLs: []string{"http://localhost:3000/cb"},
				LogoutURLs: []string{"http://localhost:3000/bye"}, AllowedOAuthScopes: []string{"openid", "email"}}), "http://localhost callback")
			err = create(cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_EVERYTHING"}})
			wantErr[*types.InvalidParameterException](t, err, "bad ExplicitAuthFlows")
			err = create(cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
				types.ExplicitAuthFlowsTypeUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
			wantErr[*types.InvalidParameterException](t, err, "legacy and ALLOW_ flows mixed")
			err = create(cip.CreateUserPoolClientInput{ClientName: aws.String("")})
			wantErr[*types.InvalidParameterException](t, err, "empty ClientName")
			err = create(cip.CreateUserPoolClientInput{ReadAttributes: []string{"custom:nope"}})
			wantErr[*types.InvalidParameterException](t, err, "unknown read attribute")
			err = create(cip.CreateUserPoolClientInput{WriteAttributes: []string{"sub"}})
			wantErr[*types.InvalidParameterException](t, err, "sub as a write attribute")
		})

		t.Run("SecretRotation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("rotating"), GenerateSecret: true})
			must(t, err, "CreateUserPoolClient")
			id := out.UserPoolClient.ClientId
			first := aws.ToString(out.UserPoolClient.ClientSecret)
			list := func() []types.ClientSecretDescriptorType {
				t.Helper()
				l, err := c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(pool), ClientId: id})
				must(t, err, "ListUserPoolClientSecrets")
				for _, s := range l.ClientSecrets {
					if s.ClientSecretValue != nil {
						t.Errorf("ListUserPoolClientSecrets reveals a secret value")
					}
					if s.ClientSecretId == nil || s.ClientSecretCreateDate == nil {
						t.Errorf("secret descriptor incomplete: %s", jsonOf(s))
					}
				}
				return l.ClientSecrets
			}
			if l := list(); len(l) != 1 {
				t.Fatalf("%d secrets after create, want 1", len(l))
			}
			added, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id})
			must(t, err, "AddUserPoolClientSecret")
			second := aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)
			if !clientSecretRE.MatchString(second) || second == first {
				t.Errorf("generated secret %q (first %q)", second, first)
			}
			if added.ClientSecretDescriptor.ClientSecretId == nil || added.ClientSecretDescriptor.ClientSecretCreateDate == nil {
				t.Errorf("descriptor incomplete: %s", jsonOf(added.ClientSecretDescriptor))
			}
			_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id})
			wantErr[*types.LimitExceededException](t, err, "third secret")
			secrets := list()
			if len(secrets) != 2 {
				t.Fatalf("%d secrets, want 2", len(secrets))
			}
			// Delete the original; the added one remains and is the one described.
			var firstID string
			for _, s := range secrets {
				if aws.ToString(s.ClientSecretId) != aws.ToString(added.ClientSecretDescriptor.ClientSecretId) {
					firstID = aws.ToString(s.ClientSecretId)
				}
			}
			_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id, ClientSecretId: aws.String(firstID)})
			must(t, err, "DeleteUserPoolClientSecret")
			if l := list(); len(l) != 1 || aws.ToString(l[0].ClientSecretId) != aws.ToString(added.ClientSecretDescriptor.ClientSecretId) {
				t.Errorf("after delete: %s", jsonOf(l))
			}
			d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
			must(t, err, "DescribeUserPoolClient")
			if aws.ToString(d.UserPoolClient.ClientSecret) != second {
				t.Errorf("described secret %q, want the remaining one %q", aws.ToString(d.UserPoolClient.ClientSecret), second)
			}
			_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id,
				ClientSecretId: added.ClientSecretDescriptor.ClientSecretId})
			if err == nil {
				t.Error("deleting the last client secret succeeded")
			} else {
				wantErr[*types.InvalidParameterException](t, err, "delete last secret")
			}
			_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id,
				ClientSecretId: aws.String(firstID)})
			wantErr[*types.ResourceNotFoundException](t, err, "delete an already deleted secret")

			// A secret of the caller's choosing is accepted but not echoed back.
			custom := "my_custom_secret_value_0123456789"
			added, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id, ClientSecret: aws.String(custom)})
			must(t, err, "AddUserPoolClientSecret custom")
			if added.ClientSecretDescriptor.ClientSecretValue != nil {
				t.Errorf("custom secret echoed back")
			}
			_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: id, ClientSecret: aws.String("short")})
			if err == nil {
				t.Error("a 5-character custom secret was accepted")
			}

			// A public client has no secret to rotate.
			pub, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("public")})
			must(t, err, "CreateUserPoolClient public")
			_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: pub.UserPoolClient.ClientId})
			if err == nil {
				t.Error("AddUserPoolClientSecret on a client without a secret succeeded")
			}
		})
	})
}
