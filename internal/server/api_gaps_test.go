package server_test

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// knownGap skips a subtest that asserts Cognito's behaviour where Cogito is
// known to differ, so the suite stays green while the gap is open. Run them
// with COGITO_TEST_KNOWN_GAPS=1; delete the knownGap call once fixed.
func knownGap(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("COGITO_TEST_KNOWN_GAPS") == "" {
		t.Skipf("known gap: %s (set COGITO_TEST_KNOWN_GAPS=1 to run)", what)
	}
}

func TestKnownGaps(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		// AdminUpdateUserAttributes models AliasExistsException, not
		// UsernameExistsException; Cognito answers a taken email with it in
		// email-as-username pools too.
		t.Run("EmailTakenOnUpdateIsAliasExists", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
			createUser(t, c, p, "first@example.com")
			createUser(t, c, p, "second@example.com")
			_, err := c.AdminUpdateUserAttributes(t.Context(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(p),
				Username: aws.String("second@example.com"), UserAttributes: []types.AttributeType{attr("email", "first@example.com")}})
			wantErr[*types.AliasExistsException](t, err, "email taken by another user")
		})

		// Cognito rejects OAuth flow/scope combinations with
		// InvalidOAuthFlowException, e.g. "openid is not supported with
		// client_credentials flow".
		t.Run("ClientCredentialsWithStandardScopeIsInvalidOAuthFlow", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			_, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(p), ClientName: aws.String("m2m"),
				GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"openid"}})
			wantErr[*types.InvalidOAuthFlowException](t, err, "client_credentials with openid")
		})
	})
}
