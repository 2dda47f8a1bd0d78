package server_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// TestProtocol speaks the AWS JSON 1.1 protocol by hand, without the SDK.
func TestProtocol(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)

		t.Run("Health", func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(env.URL + "/health")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /health: %s", resp.Status)
			}
		})

		t.Run("Success", func(t *testing.T) {
			t.Parallel()
			r := rawCall(t, env.URL, targetPrefix+"ListUserPools", []byte(`{"MaxResults": 5}`))
			if r.Status != 200 {
				t.Fatalf("ListUserPools: %d %s", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId header")
			}
			if _, ok := r.JSON["UserPools"]; !ok {
				t.Errorf("no UserPools in %s", r.Body)
			}
			// An empty body is an empty request.
			r = rawCall(t, env.URL, targetPrefix+"CreateUserPool", nil)
			wantRawError(t, r, 400, "InvalidParameterException", "CreateUserPool with no body")
		})

		t.Run("UnknownOperation", func(t *testing.T) {
			t.Parallel()
			r := rawCall(t, env.URL, targetPrefix+"NoSuchOperation", []byte(`{}`))
			wantRawError(t, r, 400, "UnknownOperationException", "unknown operation")
			r = rawCall(t, env.URL, "SomeOtherService.ListUserPools", []byte(`{"MaxResults": 1}`))
			wantRawError(t, r, 400, "UnknownOperationException", "wrong target prefix")
			r = rawCall(t, env.URL, "", []byte(`{}`))
			wantRawError(t, r, 400, "UnknownOperationException", "no X-Amz-Target")
		})

		t.Run("MalformedJSON", func(t *testing.T) {
			t.Parallel()
			for _, body := range []string{`{"PoolName":`, `not json`, `{"PoolName":"a"} {"x":1}`, `[1,2]`} {
				r := rawCall(t, env.URL, targetPrefix+"CreateUserPool", []byte(body))
				wantRawError(t, r, 400, "SerializationException", "body "+body)
				if strings.Contains(string(r.Body), "PoolName") && strings.Contains(body, "PoolName") && strings.Contains(string(r.Body), `"a"`) {
					t.Errorf("error echoes the request body: %s", r.Body)
				}
			}
		})

		t.Run("WrongFieldType", func(t *testing.T) {
			t.Parallel()
			for target, body := range map[string]string{
				"ListUserPools":  `{"MaxResults":"ten"}`,
				"CreateUserPool": `{"PoolName":42}`,
				"AdminGetUser":   `{"UserPoolId":["us-east-1_abcdefghi"],"Username":"x"}`,
				"ListUsers":      `{"UserPoolId":"us-east-1_abcdefghi","Limit":1.5}`,
			} {
				r := rawCall(t, env.URL, targetPrefix+target, []byte(body))
				wantRawError(t, r, 400, "SerializationException", target+" "+body)
			}
		})

		t.Run("BodyTooLarge", func(t *testing.T) {
			t.Parallel()
			big := append([]byte(`{"PoolName":"`), bytes.Repeat([]byte("a"), 1<<20+10)...)
			big = append(big, `"}`...)
			r := rawCall(t, env.URL, targetPrefix+"CreateUserPool", big)
			if r.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("body over 1 MiB: status %d, want 413 (body %.200s)", r.Status, r.Body)
			}
			if r.Header.Get("x-amzn-ErrorType") == "" || r.JSON["__type"] == nil || r.JSON["message"] == nil {
				t.Errorf("413 reply is not an AWS error: headers %v body %.200s", r.Header, r.Body)
			}
			// The server is still fine afterwards.
			r = rawCall(t, env.URL, targetPrefix+"ListUserPools", []byte(`{"MaxResults":1}`))
			if r.Status != 200 {
				t.Errorf("after a large body: %d %s", r.Status, r.Body)
			}
		})

		t.Run("DomainErrorShape", func(t *testing.T) {
			t.Parallel()
			r := rawCall(t, env.URL, targetPrefix+"DescribeUserPool", []byte(`{"UserPoolId":"us-east-1_nosuchpoo"}`))
			wantRawError(t, r, 400, "ResourceNotFoundException", "DescribeUserPool unknown pool")
			r = rawCall(t, env.URL, targetPrefix+"AdminGetUser", []byte(`{"UserPoolId":"bad id","Username":"x"}`))
			wantRawError(t, r, 400, "InvalidParameterException", "AdminGetUser malformed pool id")
		})

		t.Run("GETIsNotAnOperation", func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(env.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("GET /: %s, want a 4xx", resp.Status)
			}
		})
	})
}

// TestRestartDurability writes a little of everything, restarts the server
// on the same store and reads it all back.
func TestRestartDurability(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		ctx := t.Context()
		env := cogitotest.Start(t, opts)
		c := env.Client
		pool := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("durable"),
			Schema:       []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
			UserPoolTags: map[string]string{"k": "v"}, MfaConfiguration: types.UserPoolMfaTypeOff})
		cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
			GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		must(t, err, "CreateUserPoolClient")
		u := createUser(t, c, pool, "durable-user", attr("email", "d@example.com"), attr("custom:tenant", "acme"))
		_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("durable-user"),
			Password: aws.String(goodPassword), Permanent: true})
		must(t, err, "AdminSetUserPassword")
		_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("durable-user")})
		must(t, err, "AdminDisableUser")
		_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g"), Description: aws.String("desc"), Precedence: aws.Int32(3)})
		must(t, err, "CreateGroup")
		_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("durable-user"), GroupName: aws.String("g")})
		must(t, err, "AdminAddUserToGroup")

		env.Stop()
		// The stopped server no longer answers.
		if resp, err := http.Get(env.URL + "/health"); err == nil {
			resp.Body.Close()
			t.Errorf("stopped server still answers /health: %s", resp.Status)
		}

		env2 := cogitotest.Start(t, server.Options{DataDir: env.DataDir, DB: opts.DB})
		c = env2.Client
		p := describePool(t, c, pool)
		if aws.ToString(p.Name) != "durable" || p.UserPoolTags["k"] != "v" || p.EstimatedNumberOfUsers != 1 {
			t.Errorf("pool after restart: name %q tags %v users %d", aws.ToString(p.Name), p.UserPoolTags, p.EstimatedNumberOfUsers)
		}
		if _, ok := schemaAttr(p.SchemaAttributes, "custom:tenant"); !ok {
			t.Error("custom:tenant lost in restart")
		}
		d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.UserPoolClient.ClientId})
		must(t, err, "DescribeUserPoolClient after restart")
		if aws.ToString(d.UserPoolClient.ClientSecret) != aws.ToString(cl.UserPoolClient.ClientSecret) || aws.ToString(d.UserPoolClient.ClientName) != "app" ||
			len(d.UserPoolClient.ExplicitAuthFlows) != 2 {
			t.Errorf("client after restart: %s", jsonOf(d.UserPoolClient))
		}
		g := getUser(t, c, pool, "durable-user")
		a := attrMap(g.UserAttributes)
		if a["sub"] != attrMap(u.Attributes)["sub"] || a["email"] != "d@example.com" || a["custom:tenant"] != "acme" ||
			g.UserStatus != types.UserStatusTypeConfirmed || g.Enabled {
			t.Errorf("user after restart: %s", jsonOf(g))
		}
		gr, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")})
		must(t, err, "GetGroup after restart")
		if aws.ToString(gr.Group.Description) != "desc" || aws.ToInt32(gr.Group.Precedence) != 3 {
			t.Errorf("group after restart: %s", jsonOf(gr.Group))
		}
		lg, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("durable-user")})
		must(t, err, "AdminListGroupsForUser after restart")
		if len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupName) != "g" {
			t.Errorf("memberships after restart: %s", jsonOf(lg.Groups))
		}
	})
}

// TestSigV4 checks that a server with management credentials verifies
// every management call's signature.
func TestSigV4(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		opts.AccessKeyID, opts.SecretAccessKey = "AKIDEXAMPLE", "secret"
		env := cogitotest.Start(t, opts)
		ctx := t.Context()

		_, err := env.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
		must(t, err, "ListUserPools with the right credentials")
		pool := newPool(t, env.Client, nil)
		createUser(t, env.Client, pool, "signed")

		_, err = env.NewClient("AKIDEXAMPLE", "wrong-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
		wantCode(t, err, "InvalidSignatureException", "wrong secret")
		_, err = env.NewClient("AKIDUNKNOWN", "secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
		wantCode(t, err, "UnrecognizedClientException", "unknown access key")
		_, err = env.NewClient("AKIDEXAMPLE", "wrong-secret").AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("signed")})
		wantCode(t, err, "InvalidSignatureException", "wrong secret on AdminGetUser")

		// Unsigned management calls are refused.
		r := rawCall(t, env.URL, targetPrefix+"ListUserPools", []byte(`{"MaxResults":1}`))
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("unsigned ListUserPools: status %d body %s", r.Status, r.Body)
		}
		if typ, _ := r.JSON["__type"].(string); typ != "MissingAuthenticationTokenException" {
			t.Errorf("unsigned ListUserPools: __type %q, want MissingAuthenticationTokenException", typ)
		}
	})
}

// TestRefuseOffLoopbackWithoutCredentials: a server reachable from other
// machines must verify signatures, so it will not start without credentials.
func TestRefuseOffLoopbackWithoutCredentials(t *testing.T) {
	t.Parallel()
	srv, err := server.New(context.Background(), server.Options{Addr: "0.0.0.0:0", DataDir: t.TempDir()}, cogitotest.Logger(t))
	if err == nil {
		srv.Close()
		t.Fatal("server.New on 0.0.0.0 without credentials succeeded")
	}
	// With credentials it starts (and is closed at once without serving).
	srv, err = server.New(context.Background(), server.Options{Addr: "0.0.0.0:0", DataDir: t.TempDir(),
		AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, cogitotest.Logger(t))
	if err != nil {
		t.Fatalf("server.New on 0.0.0.0 with credentials: %v", err)
	}
	srv.Close()
	// Production mode requires credentials on loopback too.
	srv, err = server.New(context.Background(), server.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Production: true}, cogitotest.Logger(t))
	if err == nil {
		srv.Close()
		t.Fatal("server.New in production mode without credentials succeeded")
	}
}

// TestBadPaginationTokens: a token the server did not issue is the caller's
// error (InvalidParameterException) on every listing, never a 500.
func TestBadPaginationTokens(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		t.Run("BadPaginationToken", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			bad := aws.String("garbage-token")
			_, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1), NextToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "ListUserPools bad NextToken")
			_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), PaginationToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "ListUsers bad PaginationToken")
			_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(p), NextToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "ListUserPoolClients bad NextToken")
			_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(p), NextToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "ListGroups bad NextToken")
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("g")})
			must(t, err, "CreateGroup")
			_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("g"), NextToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "ListUsersInGroup bad NextToken")
			createUser(t, c, p, "u")
			_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p), Username: aws.String("u"), NextToken: bad})
			wantErr[*types.InvalidParameterException](t, err, "AdminListGroupsForUser bad NextToken")
		})
	})
}
