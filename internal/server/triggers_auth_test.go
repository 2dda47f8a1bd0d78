package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/lambdatest"
)

// startWithLambda runs Cogito with triggers sent to a Lambda Invoke API
// double, signed with its credentials.
func startWithLambda(t *testing.T, opts server.Options) (*cogitotest.Env, *lambdatest.Server) {
	lt := lambdatest.Start(t)
	opts.LambdaEndpoint = lt.URL
	opts.LambdaAccessKeyID, opts.LambdaSecretAccessKey = lambdatest.AccessKeyID, lambdatest.SecretAccessKey
	return cogitotest.Start(t, opts), lt
}

// triggerPool makes a pool with the given LambdaConfig, a client and a
// confirmed user "ann".
func triggerPool(t *testing.T, c *cip.Client, lc *types.LambdaConfigType) (poolID, clientID string) {
	return triggerPoolTB(t, c, lc)
}

// triggerPoolB is triggerPool for benchmarks.
func triggerPoolB(b *testing.B, env *cogitotest.Env, lc *types.LambdaConfigType) (poolID, clientID string) {
	return triggerPoolTB(b, env.Client, lc)
}

func triggerPoolTB(t testing.TB, c *cip.Client, lc *types.LambdaConfigType) (poolID, clientID string) {
	ctx := context.Background()
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("triggers"), LambdaConfig: lc})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: p.UserPool.Id, Username: aws.String("ann"),
		TemporaryPassword: aws.String("Tmp0rary!Pass"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: p.UserPool.Id, Username: aws.String("ann"),
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(p.UserPool.Id), aws.ToString(cl.UserPoolClient.ClientId)
}

func annSignIn(c *cip.Client, clientID string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
	return c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String(clientID),
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientMetadata: meta,
		AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Passw0rd!"}})
}

func TestSignInTriggers(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env, lt := startWithLambda(t, opts)
		lt.Handle("preauth", func(ev lambdatest.Event) (lambdatest.Event, error) {
			if vd, _ := lambdatest.Request(ev)["validationData"].(map[string]any); vd["deny"] == "yes" {
				return nil, errors.New("sign-in refused by policy")
			}
			return ev, nil
		})
		lt.Handle("postauth", func(ev lambdatest.Event) (lambdatest.Event, error) { return ev, nil })
		lt.Handle("pretoken", func(ev lambdatest.Event) (lambdatest.Event, error) {
			lambdatest.Response(ev)["claimsOverrideDetails"] = map[string]any{
				"claimsToAddOrOverride": map[string]any{"tenant": "acme", "iss": "evil"},
				"claimsToSuppress":      []any{"email"},
				"groupOverrideDetails":  map[string]any{"groupsToOverride": []any{"injected"}},
			}
			return ev, nil
		})
		poolID, clientID := triggerPool(t, env.Client, &types.LambdaConfigType{
			PreAuthentication: aws.String(lambdatest.ARN("preauth")), PostAuthentication: aws.String(lambdatest.ARN("postauth")),
			PreTokenGeneration: aws.String(lambdatest.ARN("pretoken"))})

		out, err := annSignIn(env.Client, clientID, map[string]string{"app": "web"})
		if err != nil {
			t.Fatal(err)
		}
		id := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken))
		if id["tenant"] != "acme" || id["email"] != nil || !strings.HasSuffix(id["iss"].(string), poolID) {
			t.Fatalf("V1 overrides not applied as Cognito does: %v", id)
		}
		if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "injected" {
			t.Fatalf("group override: %v", id["cognito:groups"])
		}
		access := claimsOf(t, aws.ToString(out.AuthenticationResult.AccessToken))
		if access["tenant"] != nil {
			t.Fatal("V1 must not change the access token's claims")
		}
		pre := lt.Calls("preauth")
		if len(pre) != 1 {
			t.Fatalf("PreAuthentication calls: %d", len(pre))
		}
		ev := pre[0]
		req := lambdatest.Request(ev)
		attrs, _ := req["userAttributes"].(map[string]any)
		if ev["triggerSource"] != "PreAuthentication_Authentication" || ev["userPoolId"] != poolID || ev["userName"] != "ann" ||
			ev["region"] != "us-east-1" || ev["version"] != "1" || attrs["email"] != "ann@example.com" ||
			attrs["cognito:user_status"] != "CONFIRMED" || attrs["sub"] == nil {
			t.Fatalf("PreAuthentication event: %v", ev)
		}
		if cc, _ := ev["callerContext"].(map[string]any); cc["clientId"] != clientID {
			t.Fatalf("callerContext %v", ev["callerContext"])
		}
		if vd, _ := req["validationData"].(map[string]any); vd["app"] != "web" {
			t.Fatalf("ClientMetadata must reach PreAuthentication as validationData: %v", req)
		}
		if post := lt.Calls("postauth"); len(post) != 1 || post[0]["triggerSource"] != "PostAuthentication_Authentication" {
			t.Fatalf("PostAuthentication calls: %v", post)
		}
		if tok := lt.Calls("pretoken"); len(tok) != 1 || tok[0]["triggerSource"] != "TokenGeneration_Authentication" {
			t.Fatalf("PreTokenGeneration calls: %v", tok)
		}

		// A refresh runs PreTokenGeneration with its own source.
		if _, err := env.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String(clientID),
			AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)}}); err != nil {
			t.Fatal(err)
		}
		if tok := lt.Calls("pretoken"); len(tok) != 2 || tok[1]["triggerSource"] != "TokenGeneration_RefreshTokens" {
			t.Fatalf("refresh PreTokenGeneration: %v", tok)
		}

		// A PreAuthentication failure refuses the sign-in with the function's message.
		_, err = annSignIn(env.Client, clientID, map[string]string{"deny": "yes"})
		var le *types.UserLambdaValidationException
		if !errors.As(err, &le) || !strings.Contains(aws.ToString(le.Message), "sign-in refused by policy") {
			t.Fatalf("want UserLambdaValidationException with the function's message, got %v", err)
		}
		if n := len(lt.Calls("postauth")); n != 1 {
			t.Fatalf("PostAuthentication must not run for a refused sign-in (%d calls)", n)
		}
	})
}

func TestPreTokenGenerationV2(t *testing.T) {
	env, lt := startWithLambda(t, server.Options{})
	lt.Handle("pretoken2", func(ev lambdatest.Event) (lambdatest.Event, error) {
		if ev["version"] != "2" {
			return nil, errors.New("expected a version 2 event")
		}
		lambdatest.Response(ev)["claimsAndScopeOverrideDetails"] = map[string]any{
			"idTokenGeneration":     map[string]any{"claimsToAddOrOverride": map[string]any{"plan": "gold"}},
			"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme"}, "scopesToAdd": []any{"api/read"}},
		}
		return ev, nil
	})
	_, clientID := triggerPool(t, env.Client, &types.LambdaConfigType{
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(lambdatest.ARN("pretoken2")), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}})
	out, err := annSignIn(env.Client, clientID, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken))
	access := claimsOf(t, aws.ToString(out.AuthenticationResult.AccessToken))
	if id["plan"] != "gold" || access["tenant"] != "acme" || !strings.Contains(access["scope"].(string), "api/read") {
		t.Fatalf("V2 overrides: id %v access %v", id, access)
	}
}

// A failing PostAuthentication function fails the sign-in; a missing
// function is UnexpectedLambdaException.
func TestTriggerFailures(t *testing.T) {
	env, lt := startWithLambda(t, server.Options{})
	lt.Handle("postfail", func(ev lambdatest.Event) (lambdatest.Event, error) { return nil, errors.New("audit log down") })
	_, clientID := triggerPool(t, env.Client, &types.LambdaConfigType{PostAuthentication: aws.String(lambdatest.ARN("postfail"))})
	_, err := annSignIn(env.Client, clientID, nil)
	var le *types.UserLambdaValidationException
	if !errors.As(err, &le) || !strings.Contains(aws.ToString(le.Message), "PostAuthentication failed with error audit log down") {
		t.Fatalf("got %v", err)
	}
	_, clientID = triggerPool(t, env.Client, &types.LambdaConfigType{PreAuthentication: aws.String(lambdatest.ARN("missing"))})
	_, err = annSignIn(env.Client, clientID, nil)
	var ue *types.UnexpectedLambdaException
	if !errors.As(err, &ue) {
		t.Fatalf("want UnexpectedLambdaException, got %v", err)
	}
}

// CustomEmailSender delivers the sign-up code instead of Cogito; the code
// reaches it base64-encoded (Cognito would KMS-encrypt it).
func TestCustomEmailSender(t *testing.T) {
	env, lt := startWithLambda(t, server.Options{})
	lt.Handle("sender", func(ev lambdatest.Event) (lambdatest.Event, error) { return ev, nil })
	ctx := context.Background()
	p, err := env.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sender"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig: &types.LambdaConfigType{
			KMSKeyID:          aws.String("arn:aws:kms:us-east-1:123456789012:key/abcd"),
			CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String(lambdatest.ARN("sender")), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10},
		}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := env.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.SignUp(ctx, &cip.SignUpInput{ClientId: cl.UserPoolClient.ClientId, Username: aws.String("bea"),
		Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bea@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	calls := lt.Calls("sender")
	if len(calls) != 1 || calls[0]["triggerSource"] != "CustomEmailSender_SignUp" {
		t.Fatalf("CustomEmailSender calls: %v", calls)
	}
	req := lambdatest.Request(calls[0])
	code, _ := base64.StdEncoding.DecodeString(req["code"].(string))
	out := env.Outbox(t, "bea", "")
	if req["type"] != "customEmailSenderRequestV1" || len(out) == 0 || string(code) != out[0].Code {
		t.Fatalf("custom sender request %v, outbox %+v", req, out)
	}
}

// A V3_0 pre token generation function shapes machine-to-machine tokens.
func TestPreTokenGenerationV3ClientCredentials(t *testing.T) {
	env, lt := startWithLambda(t, server.Options{})
	lt.Handle("m2m", func(ev lambdatest.Event) (lambdatest.Event, error) {
		lambdatest.Response(ev)["claimsAndScopeOverrideDetails"] = map[string]any{
			"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme"}}}
		return ev, nil
	})
	ctx := context.Background()
	p, err := env.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("m2m"), LambdaConfig: &types.LambdaConfigType{
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(lambdatest.ARN("m2m")),
			LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV30}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: p.UserPool.Id, Identifier: aws.String("api"),
		Name: aws.String("API"), Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}}); err != nil {
		t.Fatal(err)
	}
	cl, err := env.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("svc"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"api/read"}})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/"+aws.ToString(p.UserPool.Id)+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(aws.ToString(cl.UserPoolClient.ClientId), aws.ToString(cl.UserPoolClient.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token reply %d: %v", resp.StatusCode, err)
	}
	if c := claimsOf(t, tok.AccessToken); c["tenant"] != "acme" || c["scope"] != "api/read" {
		t.Fatalf("M2M token claims %v", c)
	}
	if calls := lt.Calls("m2m"); len(calls) != 1 || calls[0]["triggerSource"] != "TokenGeneration_ClientCredentials" || calls[0]["version"] != "3" {
		t.Fatalf("V3 calls %v", calls)
	}
}
