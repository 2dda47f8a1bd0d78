package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/config"
	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

const example = `
pools:
  - id: us-east-1_Example01
    name: example
    settings:
      UsernameAttributes: [email]
      AutoVerifiedAttributes: [email]
      Schema:
        - {Name: tenant, AttributeDataType: String, Mutable: true}
    clients:
      - id: exampleappclient0000000001
        name: web
        settings:
          ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      - name: backend
        secret: aFixedSecretOf24To64Chars0001
        settings:
          ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    groups:
      - {name: admins, precedence: 1}
    users:
      - username: alice@example.com
        password: Passw0rd!
        attributes: {email_verified: "true", "custom:tenant": acme}
        groups: [admins]
`

func TestValidateReportsEveryProblem(t *testing.T) {
	_, err := config.Parse([]byte(`
pools:
  - id: not-an-id
    settings: {PoolNam: x}
    clients:
      - settings: {ExplicitAuthFlow: []}
    users:
      - username: bob
        groups: [nope]
`))
	if err == nil {
		t.Fatal("expected problems")
	}
	for _, want := range []string{"name is required", `id "not-an-id"`, "PoolNam", "clients[0]: name is required",
		"ExplicitAuthFlow", "password is required", `group "nope"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := config.Parse([]byte("pools: [{name: x, colour: red}]")); err == nil {
		t.Error("an unknown key in an entry must be refused")
	}
	if f, err := config.Parse(nil); err != nil || len(f.Pools) != 0 {
		t.Errorf("an empty file is an empty configuration: %v", err)
	}
}

// The file is applied at every start; a second start with the same file
// changes nothing and a user's changed password survives it.
func TestApplyIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cogito.yaml")
	if err := os.WriteFile(file, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := server.Options{DataDir: filepath.Join(dir, "data"), ConfigFile: file}
	env := cogitotest.Start(t, opts)
	c := env.Client
	pool, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Example01")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(pool.UserPool.Name) != "example" {
		t.Fatalf("pool name %q", aws.ToString(pool.UserPool.Name))
	}
	clients, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String("us-east-1_Example01"), MaxResults: aws.Int32(60)})
	if err != nil || len(clients.UserPoolClients) != 2 {
		t.Fatalf("clients %+v %v", clients, err)
	}
	login := func(pw string) error {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String("exampleappclient0000000001"),
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice@example.com", "PASSWORD": pw}})
		return err
	}
	if err := login("Passw0rd!"); err != nil {
		t.Fatalf("the declared user cannot sign in: %v", err)
	}
	g, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String("us-east-1_Example01"), Username: aws.String("alice@example.com")})
	if err != nil || len(g.Groups) != 1 || aws.ToString(g.Groups[0].GroupName) != "admins" {
		t.Fatalf("groups %+v %v", g, err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String("us-east-1_Example01"),
		Username: aws.String("alice@example.com"), Password: aws.String("Changed1!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	env.Stop()

	env = cogitotest.Start(t, opts)
	c = env.Client
	pools, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil || len(pools.UserPools) != 1 {
		t.Fatalf("after a second start: %d pools, %v", len(pools.UserPools), err)
	}
	clients, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String("us-east-1_Example01"), MaxResults: aws.Int32(60)})
	if err != nil || len(clients.UserPoolClients) != 2 {
		t.Fatalf("after a second start: clients %+v %v", clients, err)
	}
	users, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_Example01")})
	if err != nil || len(users.Users) != 1 {
		t.Fatalf("after a second start: users %+v %v", users, err)
	}
	if err := login("Changed1!"); err != nil {
		t.Fatalf("the changed password did not survive a restart: %v", err)
	}
}

func TestSeedDemo(t *testing.T) {
	env := cogitotest.Start(t, server.Options{})
	var out strings.Builder
	if err := env.Srv.SeedDemo(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if err := env.Srv.SeedDemo(context.Background(), &out); err != nil {
		t.Fatalf("a second seed must be a no-op: %v", err)
	}
	if !strings.Contains(out.String(), "us-east-1_CogitoDemo") {
		t.Fatalf("seed output %q", out.String())
	}
	_, err := env.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String("cogitodemoappclient0000001"),
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "demo@example.com", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatalf("demo sign-in: %v", err)
	}
}
