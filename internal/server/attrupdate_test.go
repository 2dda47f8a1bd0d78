package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

func attrOf(list []types.AttributeType, name string) string {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// With AttributesRequireVerificationBeforeUpdate, a changed email takes
// effect only once the user verifies it; until then the old, verified email
// stays (and keeps working for sign-in and recovery).
func TestEmailChangeRequiresVerification(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		ctx := context.Background()
		c := env.Client
		pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName:               aws.String("verify-before-update"),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
		})
		if err != nil {
			t.Fatal(err)
		}
		poolID := pool.UserPool.Id
		client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID,
			ClientName: aws.String("app"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
				types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("bo"),
			MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String("Tmp0rary!Pass"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("old@example.com")},
				{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID,
			Username: aws.String("bo"), Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
		auth, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: poolID,
			ClientId: client.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "bo", "PASSWORD": "Passw0rd!"}})
		if err != nil {
			t.Fatal(err)
		}
		token := auth.AuthenticationResult.AccessToken
		upd, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("new@example.com")}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(upd.CodeDeliveryDetailsList) != 1 {
			t.Fatalf("CodeDeliveryDetailsList %+v", upd.CodeDeliveryDetailsList)
		}
		me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if e, v := attrOf(me.UserAttributes, "email"), attrOf(me.UserAttributes, "email_verified"); e != "old@example.com" || v != "true" {
			t.Fatalf("before verification: email %q verified %q, want the old verified email", e, v)
		}
		msgs := env.Outbox(t, "bo", "")
		if len(msgs) == 0 || msgs[0].Destination != "new@example.com" {
			t.Fatalf("no code sent to the new email: %+v", msgs)
		}
		if _, err := c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: token,
			AttributeName: aws.String("email"), Code: aws.String(msgs[0].Code)}); err != nil {
			t.Fatal(err)
		}
		me, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if e, v := attrOf(me.UserAttributes, "email"), attrOf(me.UserAttributes, "email_verified"); e != "new@example.com" || v != "true" {
			t.Fatalf("after verification: email %q verified %q", e, v)
		}
	})
}
