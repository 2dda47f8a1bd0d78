package server_test

// Integration tests of sign-in through the AWS SDK for Go v2 against the
// real server on both stores: the password and SRP flows, challenges,
// tokens and their claims (checked against the published JWKS with go-jose
// and with the project's verifier package), refresh and revocation, the
// access-token operations and signing-key rotation.

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/go-jose/go-jose/v4"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/users"
	"github.com/cogito-idp/cogito/verifier"
)

// ---------------------------------------------------------------------------
// Helpers

// allFlows enables every flow these tests use.
var allFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
}

// newPassword is a second password that meets the default policy.
const newPassword = "N3w-Passw0rd!x"

// authClient creates an app client with every flow these tests use unless
// in names its own, and returns its id and secret.
func authClient(t *testing.T, c *cip.Client, pool string, in *cip.CreateUserPoolClientInput) (string, string) {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolClientInput{}
	}
	if in.ExplicitAuthFlows == nil {
		in.ExplicitAuthFlows = allFlows
	}
	return suClient(t, c, pool, in)
}

// confirmedUser creates a CONFIRMED user with password pw.
func confirmedUser(t *testing.T, c *cip.Client, pool, username, pw string, attrs ...types.AttributeType) *types.UserType {
	t.Helper()
	u := createUser(t, c, pool, username, attrs...)
	_, err := c.AdminSetUserPassword(t.Context(), &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool),
		Username: u.Username, Password: aws.String(pw), Permanent: true})
	must(t, err, "AdminSetUserPassword "+username)
	return u
}

// passwordAuth is InitiateAuth USER_PASSWORD_AUTH; extra are more
// parameters as name, value pairs.
func passwordAuth(t *testing.T, c *cip.Client, client, username, pw string, extra ...string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	params := map[string]string{"USERNAME": username, "PASSWORD": pw}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
}

// signIn signs in with USER_PASSWORD_AUTH and returns the tokens.
func signIn(t *testing.T, c *cip.Client, client, username, pw string, extra ...string) *types.AuthenticationResultType {
	t.Helper()
	out, err := passwordAuth(t, c, client, username, pw, extra...)
	must(t, err, "InitiateAuth USER_PASSWORD_AUTH "+username)
	if out.AuthenticationResult == nil {
		t.Fatalf("sign-in of %s: challenge %s instead of tokens", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// srpAuth runs USER_SRP_AUTH with the test client: InitiateAuth, then the
// PASSWORD_VERIFIER answer for pw. It returns the answer's reply.
func srpAuth(t *testing.T, c *cip.Client, pool, client, username, pw string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	sc := newSRPClient(pool)
	out, err := c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": sc.AHex()}})
	if err != nil {
		return nil, err
	}
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("USER_SRP_AUTH %s: challenge %q, want PASSWORD_VERIFIER", username, out.ChallengeName)
	}
	p, err := sc.prove(out.ChallengeParameters, pw, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses(), Session: out.Session})
}

// wantMsg asserts err is a T whose message is msg.
func wantMsg[T error](t *testing.T, err error, msg, what string) {
	t.Helper()
	wantErr[T](t, err, what)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != msg {
		t.Errorf("%s: message %q, want %q", what, ae.ErrorMessage(), msg)
	}
}

// jwtParts decodes a JWT's header and claims without verifying it.
func jwtParts(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWS in compact form", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
	}
	return header, claims
}

func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	_, c := jwtParts(t, tok)
	return c
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	h, _ := jwtParts(t, tok)
	kid, _ := h["kid"].(string)
	return kid
}

// fetchJWKS gets the pool's published keys and checks the reply's headers.
func fetchJWKS(t *testing.T, env *cogitotest.Env, pool string) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(env.URL + "/" + pool + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET jwks.json: %s", resp.Status)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("jwks.json Cache-Control %q, want a max-age", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("jwks.json Content-Type %q", ct)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("decode jwks.json: %v", err)
	}
	for _, k := range set.Keys {
		if _, ok := k.Key.(*rsa.PublicKey); !ok || k.Algorithm != "RS256" || k.Use != "sig" || k.KeyID == "" || !k.IsPublic() {
			t.Errorf("JWKS key %q: alg %q use %q public %v type %T", k.KeyID, k.Algorithm, k.Use, k.IsPublic(), k.Key)
		}
		if k.Key.(*rsa.PublicKey).N.BitLen() < 2048 {
			t.Errorf("JWKS key %q has %d bits", k.KeyID, k.Key.(*rsa.PublicKey).N.BitLen())
		}
	}
	return set
}

func jwksKids(set jose.JSONWebKeySet) []string {
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

// joseVerify checks tok's RS256 signature with the JWKS key its kid names
// and returns its claims.
func joseVerify(t *testing.T, set jose.JSONWebKeySet, tok string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS %v", kid, len(keys), jwksKids(set))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature of a token with kid %q: %v", kid, err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// newVerifier is the project's verifier for the pool's tokens to client.
func newVerifier(t *testing.T, env *cogitotest.Env, pool, client string) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Config{Issuer: env.URL + "/" + pool, ClientIDs: []string{client},
		MinRefetchInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func sortedStrs(v any) []string {
	s := strs(v)
	sort.Strings(s)
	return s
}

// getUserErr calls GetUser and returns only its error.
func getUserErr(t *testing.T, c *cip.Client, access string) error {
	t.Helper()
	_, err := c.GetUser(t.Context(), &cip.GetUserInput{AccessToken: aws.String(access)})
	return err
}

func refreshAuth(t *testing.T, c *cip.Client, client, refresh string, extra ...string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	params := map[string]string{"REFRESH_TOKEN": refresh}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params})
}

// secondStore opens the server's database a second time, as another node
// would, for the few states no API call can reach.
func secondStore(t *testing.T, env *cogitotest.Env) store.Store {
	t.Helper()
	var st store.Store
	var err error
	if env.Opts.DB != "" {
		st, err = sqlstore.OpenPostgres(t.Context(), env.Opts.DB)
	} else {
		st, err = sqlstore.OpenSQLite(t.Context(), env.DataDir+"/cogito.db")
	}
	if err != nil {
		t.Fatalf("open the store a second time: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// ---------------------------------------------------------------------------
// Tests

func TestAuth(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)

		t.Run("PasswordFlowsAndClaims", func(t *testing.T) {
			t.Parallel()
			testPasswordFlowsAndClaims(t, env)
		})
		t.Run("FlowErrors", func(t *testing.T) {
			t.Parallel()
			testFlowErrors(t, env)
		})
		t.Run("SecretHash", func(t *testing.T) {
			t.Parallel()
			testSecretHash(t, env)
		})
		t.Run("UserStates", func(t *testing.T) {
			t.Parallel()
			testUserStates(t, env)
		})
		t.Run("Lockout", func(t *testing.T) {
			t.Parallel()
			testLockout(t, env)
		})
		t.Run("Aliases", func(t *testing.T) {
			t.Parallel()
			testAliases(t, env)
		})
		t.Run("NewPasswordRequired", func(t *testing.T) {
			t.Parallel()
			testNewPasswordRequired(t, env)
		})
		t.Run("SRP", func(t *testing.T) {
			t.Parallel()
			testSRP(t, env)
		})
		t.Run("Refresh", func(t *testing.T) {
			t.Parallel()
			testRefresh(t, env)
		})
		t.Run("RefreshRotation", func(t *testing.T) {
			t.Parallel()
			testRefreshRotation(t, env)
		})
		t.Run("Revocation", func(t *testing.T) {
			t.Parallel()
			testRevocation(t, env)
		})
		t.Run("AccessTokenCalls", func(t *testing.T) {
			t.Parallel()
			testAccessTokenCalls(t, env)
		})
		t.Run("BadAccessTokens", func(t *testing.T) {
			t.Parallel()
			testBadAccessTokens(t, env)
		})
		t.Run("KeyRotation", func(t *testing.T) {
			t.Parallel()
			testKeyRotation(t, env)
		})
		t.Run("SingleUse", func(t *testing.T) {
			t.Parallel()
			testSingleUse(t, env)
		})
	})
}

func testPasswordFlowsAndClaims(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}})
	client, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{
		AccessTokenValidity: aws.Int32(10), IdTokenValidity: aws.Int32(2),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeHours},
	})
	created := confirmedUser(t, c, pool, "alice", goodPassword, attr("email", "alice@example.com"),
		attr("email_verified", "true"), attr("name", "Alice"), attr("custom:tenant", "acme"))
	sub := attrMap(created.Attributes)["sub"]
	roleAdmin := "arn:aws:iam::000000000000:role/admins"
	roleUser := "arn:aws:iam::000000000000:role/users"
	for _, g := range []cip.CreateGroupInput{
		{GroupName: aws.String("admins"), Precedence: aws.Int32(1), RoleArn: aws.String(roleAdmin)},
		{GroupName: aws.String("users"), Precedence: aws.Int32(5), RoleArn: aws.String(roleUser)},
		{GroupName: aws.String("plain")},
	} {
		g.UserPoolId = aws.String(pool)
		_, err := c.CreateGroup(ctx, &g)
		must(t, err, "CreateGroup")
		_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
			Username: aws.String("alice"), GroupName: g.GroupName})
		must(t, err, "AdminAddUserToGroup")
	}
	iss := env.URL + "/" + pool
	v := newVerifier(t, env, pool, client)

	sign := map[string]func() (*types.AuthenticationResultType, error){
		"USER_PASSWORD_AUTH": func() (*types.AuthenticationResultType, error) {
			out, err := passwordAuth(t, c, client, "alice", goodPassword)
			if err != nil {
				return nil, err
			}
			return out.AuthenticationResult, nil
		},
	}
	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeAdminUserPasswordAuth, types.AuthFlowTypeAdminNoSrpAuth} {
		sign[string(flow)] = func() (*types.AuthenticationResultType, error) {
			out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
				AuthFlow: flow, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": goodPassword}})
			if err != nil {
				return nil, err
			}
			if len(out.ChallengeParameters) != 0 || out.ChallengeName != "" {
				t.Errorf("%s: challenge %q %v alongside tokens", flow, out.ChallengeName, out.ChallengeParameters)
			}
			return out.AuthenticationResult, nil
		}
	}
	for flow, fn := range sign {
		t.Run(flow, func(t *testing.T) {
			before := time.Now().Unix()
			res, err := fn()
			must(t, err, flow)
			after := time.Now().Unix()
			if res == nil || aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" || aws.ToString(res.RefreshToken) == "" {
				t.Fatalf("%s: incomplete AuthenticationResult %s", flow, jsonOf(res))
			}
			if aws.ToString(res.TokenType) != "Bearer" || res.ExpiresIn != 600 {
				t.Errorf("TokenType %q ExpiresIn %d, want Bearer 600", aws.ToString(res.TokenType), res.ExpiresIn)
			}
			if strings.Count(aws.ToString(res.RefreshToken), ".") == 2 {
				if _, err := jose.ParseSigned(aws.ToString(res.RefreshToken), []jose.SignatureAlgorithm{jose.RS256}); err == nil {
					t.Errorf("refresh token is a readable JWS; it must be opaque")
				}
			}
			set := fetchJWKS(t, env, pool)
			id := joseVerify(t, set, aws.ToString(res.IdToken))
			access := joseVerify(t, set, aws.ToString(res.AccessToken))

			// ID token.
			wantStr := map[string]string{"sub": sub, "aud": client, "iss": iss, "token_use": "id",
				"cognito:username": "alice", "email": "alice@example.com", "name": "Alice", "custom:tenant": "acme",
				"cognito:preferred_role": roleAdmin}
			for k, want := range wantStr {
				if got, _ := id[k].(string); got != want {
					t.Errorf("id token %s = %#v, want %q", k, id[k], want)
				}
			}
			if ev, ok := id["email_verified"].(bool); !ok || !ev {
				t.Errorf("id token email_verified = %#v, want the boolean true", id["email_verified"])
			}
			if got := sortedStrs(id["cognito:groups"]); !slices.Equal(got, []string{"admins", "plain", "users"}) {
				t.Errorf("id token cognito:groups %v", id["cognito:groups"])
			}
			if got := sortedStrs(id["cognito:roles"]); !slices.Equal(got, []string{roleAdmin, roleUser}) {
				t.Errorf("id token cognito:roles %v", id["cognito:roles"])
			}
			if got := num(id["exp"]) - num(id["iat"]); got != 7200 {
				t.Errorf("id token exp-iat = %d, want 7200 (2 hours)", got)
			}
			// Access token.
			wantStr = map[string]string{"sub": sub, "iss": iss, "token_use": "access", "client_id": client,
				"scope": "aws.cognito.signin.user.admin", "username": "alice"}
			for k, want := range wantStr {
				if got, _ := access[k].(string); got != want {
					t.Errorf("access token %s = %#v, want %q", k, access[k], want)
				}
			}
			for _, k := range []string{"aud", "email", "cognito:username", "custom:tenant"} {
				if _, ok := access[k]; ok {
					t.Errorf("access token carries %s = %#v", k, access[k])
				}
			}
			if got := sortedStrs(access["cognito:groups"]); !slices.Equal(got, []string{"admins", "plain", "users"}) {
				t.Errorf("access token cognito:groups %v", access["cognito:groups"])
			}
			if got := num(access["exp"]) - num(access["iat"]); got != 600 {
				t.Errorf("access token exp-iat = %d, want 600 (10 minutes)", got)
			}
			// Shared claims.
			for name, cl := range map[string]map[string]any{"id": id, "access": access} {
				for _, k := range []string{"iat", "auth_time"} {
					if n := num(cl[k]); n < before-1 || n > after+1 {
						t.Errorf("%s token %s = %v, want about %d", name, k, cl[k], before)
					}
				}
				for _, k := range []string{"jti", "origin_jti", "event_id"} {
					if s, _ := cl[k].(string); !uuidRE.MatchString(s) {
						t.Errorf("%s token %s = %#v, want a UUID", name, k, cl[k])
					}
				}
			}
			if id["jti"] == access["jti"] {
				t.Errorf("id and access tokens share jti %v", id["jti"])
			}
			if id["origin_jti"] != access["origin_jti"] || id["event_id"] != access["event_id"] {
				t.Errorf("origin_jti %v/%v event_id %v/%v differ between id and access token",
					id["origin_jti"], access["origin_jti"], id["event_id"], access["event_id"])
			}
			// The verifier package agrees.
			vc, err := v.Verify(ctx, aws.ToString(res.IdToken))
			if err != nil {
				t.Fatalf("verifier: id token: %v", err)
			}
			if vc.TokenUse != "id" || vc.Subject != sub || vc.Username != "alice" || vc.ClientID != client || !vc.InGroup("admins") {
				t.Errorf("verifier: id claims %+v", vc)
			}
			vc, err = v.Verify(ctx, aws.ToString(res.AccessToken))
			if err != nil {
				t.Fatalf("verifier: access token: %v", err)
			}
			if vc.TokenUse != "access" || vc.Subject != sub || vc.Username != "alice" || vc.ClientID != client ||
				!vc.HasScope("aws.cognito.signin.user.admin") {
				t.Errorf("verifier: access claims %+v", vc)
			}
			if vc.ExpiresAt.Sub(vc.IssuedAt) != 10*time.Minute {
				t.Errorf("verifier: access lifetime %v", vc.ExpiresAt.Sub(vc.IssuedAt))
			}
		})
	}

	t.Run("ValidityUnits", func(t *testing.T) {
		for _, tc := range []struct {
			name              string
			in                cip.CreateUserPoolClientInput
			access, id, expIn int64
		}{
			{"defaults", cip.CreateUserPoolClientInput{}, 3600, 3600, 3600},
			{"seconds-days", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(300), IdTokenValidity: aws.Int32(1),
				TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeSeconds, IdToken: types.TimeUnitsTypeDays}},
				300, 86400, 300},
			{"hours-by-default", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(24), IdTokenValidity: aws.Int32(5)},
				86400, 18000, 86400},
		} {
			id, _ := authClient(t, c, pool, &tc.in)
			res := signIn(t, c, id, "alice", goodPassword)
			if int64(res.ExpiresIn) != tc.expIn {
				t.Errorf("%s: ExpiresIn %d, want %d", tc.name, res.ExpiresIn, tc.expIn)
			}
			a, i := claimsOf(t, aws.ToString(res.AccessToken)), claimsOf(t, aws.ToString(res.IdToken))
			if got := num(a["exp"]) - num(a["iat"]); got != tc.access {
				t.Errorf("%s: access lifetime %d, want %d", tc.name, got, tc.access)
			}
			if got := num(i["exp"]) - num(i["iat"]); got != tc.id {
				t.Errorf("%s: id lifetime %d, want %d", tc.name, got, tc.id)
			}
		}
	})

	t.Run("ReadAttributesLimitIDToken", func(t *testing.T) {
		id, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ReadAttributes: []string{"email", "email_verified"}})
		res := signIn(t, c, id, "alice", goodPassword)
		claims := claimsOf(t, aws.ToString(res.IdToken))
		if claims["email"] != "alice@example.com" || claims["email_verified"] != true {
			t.Errorf("readable attributes missing: email %v email_verified %v", claims["email"], claims["email_verified"])
		}
		for _, k := range []string{"name", "custom:tenant"} {
			if _, ok := claims[k]; ok {
				t.Errorf("id token of a client that cannot read %s carries it: %v", k, claims[k])
			}
		}
		if claims["sub"] != sub || claims["cognito:username"] != "alice" || claims["aud"] != id {
			t.Errorf("identity claims missing under ReadAttributes: %v", claims)
		}
	})

	t.Run("Discovery", func(t *testing.T) {
		resp, err := http.Get(iss + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc["issuer"] != iss || doc["jwks_uri"] != iss+"/.well-known/jwks.json" {
			t.Errorf("discovery issuer %v jwks_uri %v", doc["issuer"], doc["jwks_uri"])
		}
		r2, err := http.Get(env.URL + "/us-east-1_nosuchpoo/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusNotFound {
			t.Errorf("JWKS of an unknown pool: %s, want 404", r2.Status)
		}
	})
}

func testFlowErrors(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	confirmedUser(t, c, pool, "erin", goodPassword)
	srpOnly, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	all, _ := authClient(t, c, pool, nil)

	_, err := passwordAuth(t, c, srpOnly, "erin", goodPassword)
	wantErr[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH on a client without ALLOW_USER_PASSWORD_AUTH")
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(srpOnly),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "ADMIN_USER_PASSWORD_AUTH on a client without ALLOW_ADMIN_USER_PASSWORD_AUTH")
	passwordOnly, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(passwordOnly), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "erin", "SRP_A": newSRPClient(pool).AHex()}})
	wantErr[*types.InvalidParameterException](t, err, "USER_SRP_AUTH on a client without ALLOW_USER_SRP_AUTH")

	// A client created without ExplicitAuthFlows gets Cognito's defaults:
	// ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH.
	defaults, _ := suClient(t, c, pool, nil)
	_, err = passwordAuth(t, c, defaults, "erin", goodPassword)
	wantErr[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH on a client with the default flows")
	r, err := srpAuth(t, c, pool, defaults, "erin", goodPassword)
	must(t, err, "USER_SRP_AUTH on a client with the default flows")
	_, err = refreshAuth(t, c, defaults, aws.ToString(r.AuthenticationResult.RefreshToken))
	must(t, err, "REFRESH_TOKEN_AUTH on a client with the default flows")
	// The legacy names enable their flows (and refresh).
	legacyNames, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAdminNoSrpAuth, types.ExplicitAuthFlowsTypeUserPasswordAuth}})
	res := signIn(t, c, legacyNames, "erin", goodPassword)
	_, err = refreshAuth(t, c, legacyNames, aws.ToString(res.RefreshToken))
	must(t, err, "refresh on a client with legacy flow names")
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(legacyNames),
		AuthFlow: types.AuthFlowTypeAdminNoSrpAuth, AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	must(t, err, "ADMIN_NO_SRP_AUTH on a client with legacy flow names")

	// Flows offered by the other API.
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(all), AuthFlow: types.AuthFlowTypeAdminNoSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "ADMIN_NO_SRP_AUTH through InitiateAuth")
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(all), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "ADMIN_USER_PASSWORD_AUTH through InitiateAuth")
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(all),
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH through AdminInitiateAuth")
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(all), AuthFlow: types.AuthFlowType("NO_SUCH_FLOW"),
		AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "unknown AuthFlow")

	// Unknown client; client of another pool in AdminInitiateAuth.
	_, err = passwordAuth(t, c, "nosuchclient0000000000000a", "erin", goodPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "unknown client")
	other := newPool(t, c, nil)
	otherClient, _ := authClient(t, c, other, nil)
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(otherClient),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": goodPassword}})
	wantErr[*types.ResourceNotFoundException](t, err, "AdminInitiateAuth with another pool's client")

	// Missing parameters.
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(all), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "erin"}})
	wantErr[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH without PASSWORD")
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(all), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"PASSWORD": goodPassword}})
	wantErr[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH without USERNAME")

	// Wrong password; unknown user, with and without PreventUserExistenceErrors.
	_, err = passwordAuth(t, c, all, "erin", "Wr0ng-Password!")
	wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "wrong password")
	legacy, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesLegacy})
	_, err = passwordAuth(t, c, legacy, "nobody", goodPassword)
	wantErr[*types.UserNotFoundException](t, err, "unknown user, LEGACY")
	prevent, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	_, err = passwordAuth(t, c, prevent, "nobody", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "unknown user, PreventUserExistenceErrors")
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(prevent),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "nobody", "PASSWORD": goodPassword}})
	wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "unknown user, admin flow, PreventUserExistenceErrors")
	_, err = passwordAuth(t, c, prevent, "erin", "Wr0ng-Password!")
	wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "wrong password, PreventUserExistenceErrors")
}

func testSecretHash(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	confirmedUser(t, c, pool, "frank", goodPassword)
	client, secret := authClient(t, c, pool, &cip.CreateUserPoolClientInput{GenerateSecret: true})
	if secret == "" {
		t.Fatal("no secret generated")
	}
	_, err := passwordAuth(t, c, client, "frank", goodPassword)
	wantErr[*types.NotAuthorizedException](t, err, "no SECRET_HASH")
	_, err = passwordAuth(t, c, client, "frank", goodPassword, "SECRET_HASH", suSecretHash(secret, "frank", client+"x"))
	wantErr[*types.NotAuthorizedException](t, err, "wrong SECRET_HASH")
	_, err = passwordAuth(t, c, client, "frank", goodPassword, "SECRET_HASH", suSecretHash(secret, "someone", client))
	wantErr[*types.NotAuthorizedException](t, err, "SECRET_HASH of another username")
	res := signIn(t, c, client, "frank", goodPassword, "SECRET_HASH", suSecretHash(secret, "frank", client))

	// Both secrets work while a second one is live.
	added, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(pool), ClientId: aws.String(client)})
	must(t, err, "AddUserPoolClientSecret")
	second := aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)
	if second == "" || second == secret {
		t.Fatalf("second secret %q", second)
	}
	for i, s := range []string{secret, second} {
		signIn(t, c, client, "frank", goodPassword, "SECRET_HASH", suSecretHash(s, "frank", client))
		out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "frank",
				"PASSWORD": goodPassword, "SECRET_HASH": suSecretHash(s, "frank", client)}})
		must(t, err, fmt.Sprintf("AdminInitiateAuth with secret %d", i))
		if out.AuthenticationResult == nil {
			t.Errorf("secret %d: no tokens", i)
		}
	}
	// Refresh with SECRET_HASH; GetTokensFromRefreshToken with ClientSecret.
	refresh := aws.ToString(res.RefreshToken)
	_, err = refreshAuth(t, c, client, refresh)
	wantErr[*types.NotAuthorizedException](t, err, "REFRESH_TOKEN_AUTH without SECRET_HASH")
	_, err = refreshAuth(t, c, client, refresh, "SECRET_HASH", suSecretHash(second, "frank", client))
	must(t, err, "REFRESH_TOKEN_AUTH with SECRET_HASH")
	_, err = c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client), RefreshToken: aws.String(refresh)})
	wantErr[*types.NotAuthorizedException](t, err, "GetTokensFromRefreshToken without ClientSecret")
	_, err = c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client), RefreshToken: aws.String(refresh),
		ClientSecret: aws.String(secret + "x")})
	wantErr[*types.NotAuthorizedException](t, err, "GetTokensFromRefreshToken with a wrong ClientSecret")
	for i, s := range []string{secret, second} {
		out, err := c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client),
			RefreshToken: aws.String(refresh), ClientSecret: aws.String(s)})
		must(t, err, fmt.Sprintf("GetTokensFromRefreshToken with secret %d", i))
		if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
			t.Errorf("GetTokensFromRefreshToken: %s", jsonOf(out.AuthenticationResult))
		}
	}
	// SRP with SECRET_HASH in both steps.
	sc := newSRPClient(pool)
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "frank", "SRP_A": sc.AHex()}})
	wantErr[*types.NotAuthorizedException](t, err, "USER_SRP_AUTH without SECRET_HASH")
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "frank", "SRP_A": sc.AHex(), "SECRET_HASH": suSecretHash(secret, "frank", client)}})
	must(t, err, "USER_SRP_AUTH with SECRET_HASH")
	p, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp := p.Responses()
	resp["SECRET_HASH"] = suSecretHash(secret, "frank", client)
	r, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: resp})
	must(t, err, "PASSWORD_VERIFIER with SECRET_HASH")
	if r.AuthenticationResult == nil {
		t.Errorf("PASSWORD_VERIFIER with SECRET_HASH: no tokens")
	}
}

func testUserStates(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)

	// UNCONFIRMED (SignUp): the right password says so; a wrong one does not.
	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("gina"), Password: aws.String(goodPassword),
		UserAttributes: []types.AttributeType{attr("email", "gina@example.com")}})
	must(t, err, "SignUp")
	_, err = passwordAuth(t, c, client, "gina", goodPassword)
	wantErr[*types.UserNotConfirmedException](t, err, "UNCONFIRMED user, right password")
	_, err = passwordAuth(t, c, client, "gina", "Wr0ng-Password!")
	wantErr[*types.NotAuthorizedException](t, err, "UNCONFIRMED user, wrong password")
	_, err = srpAuth(t, c, pool, client, "gina", goodPassword)
	wantErr[*types.UserNotConfirmedException](t, err, "UNCONFIRMED user, SRP")

	// RESET_REQUIRED.
	confirmedUser(t, c, pool, "hank", goodPassword, attr("email", "hank@example.com"), attr("email_verified", "true"))
	_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("hank")})
	must(t, err, "AdminResetUserPassword")
	_, err = passwordAuth(t, c, client, "hank", goodPassword)
	wantErr[*types.PasswordResetRequiredException](t, err, "RESET_REQUIRED user")

	// Disabled, then enabled again.
	confirmedUser(t, c, pool, "ivy", goodPassword)
	_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("ivy")})
	must(t, err, "AdminDisableUser")
	_, err = passwordAuth(t, c, client, "ivy", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, "User is disabled.", "disabled user")
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ivy", "PASSWORD": goodPassword}})
	wantMsg[*types.NotAuthorizedException](t, err, "User is disabled.", "disabled user, admin flow")
	_, err = srpAuth(t, c, pool, client, "ivy", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, "User is disabled.", "disabled user, SRP")
	_, err = c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("ivy")})
	must(t, err, "AdminEnableUser")
	signIn(t, c, client, "ivy", goodPassword)
}

func testLockout(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)
	confirmedUser(t, c, pool, "jack", goodPassword)
	const wrong = "Wr0ng-Password!"
	const exceeded = "Password attempts exceeded"
	for i := 1; i <= 5; i++ {
		_, err := passwordAuth(t, c, client, "jack", wrong)
		wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", fmt.Sprintf("wrong password %d", i))
	}
	// Locked for about a second: even the right password is refused.
	_, err := passwordAuth(t, c, client, "jack", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, exceeded, "right password right after 5 failures")
	_, err = srpAuth(t, c, pool, client, "jack", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, exceeded, "SRP right after 5 failures")
	time.Sleep(1200 * time.Millisecond)
	// A sixth failure locks for about two seconds.
	_, err = passwordAuth(t, c, client, "jack", wrong)
	wantMsg[*types.NotAuthorizedException](t, err, exceeded, "6th wrong password")
	time.Sleep(1200 * time.Millisecond)
	_, err = passwordAuth(t, c, client, "jack", goodPassword)
	wantMsg[*types.NotAuthorizedException](t, err, exceeded, "right password 1.2 s into a 2 s lockout")
	time.Sleep(1000 * time.Millisecond)
	signIn(t, c, client, "jack", goodPassword)
	// Success resets the count.
	_, err = passwordAuth(t, c, client, "jack", wrong)
	wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "wrong password after a success")
	signIn(t, c, client, "jack", goodPassword)
}

func testAliases(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()

	t.Run("AliasAttributes", func(t *testing.T) {
		pool := newPool(t, c, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail,
			types.AliasAttributeTypePreferredUsername}})
		client, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesLegacy})
		kim := confirmedUser(t, c, pool, "kim", goodPassword, attr("email", "kim@example.com"), attr("email_verified", "true"),
			attr("preferred_username", "kimmy"))
		confirmedUser(t, c, pool, "lee", goodPassword, attr("email", "lee@example.com"))
		for _, name := range []string{"kim", "kim@example.com", "kimmy"} {
			res := signIn(t, c, client, name, goodPassword)
			claims := claimsOf(t, aws.ToString(res.IdToken))
			if claims["cognito:username"] != "kim" || claims["sub"] != attrMap(kim.Attributes)["sub"] {
				t.Errorf("sign-in as %s: cognito:username %v", name, claims["cognito:username"])
			}
			if claimsOf(t, aws.ToString(res.AccessToken))["username"] != "kim" {
				t.Errorf("sign-in as %s: access username %v", name, claimsOf(t, aws.ToString(res.AccessToken))["username"])
			}
		}
		out, err := srpAuth(t, c, pool, client, "kim@example.com", goodPassword)
		must(t, err, "SRP by alias")
		if out.AuthenticationResult == nil {
			t.Errorf("SRP by alias: no tokens")
		}
		// An unverified email is no alias; nor is the sub.
		_, err = passwordAuth(t, c, client, "lee@example.com", goodPassword)
		wantErr[*types.UserNotFoundException](t, err, "sign-in by an unverified email alias")
		_, err = passwordAuth(t, c, client, attrMap(kim.Attributes)["sub"], goodPassword)
		wantErr[*types.UserNotFoundException](t, err, "sign-in by sub")
		signIn(t, c, client, "lee", goodPassword)
	})

	t.Run("EmailAsUsername", func(t *testing.T) {
		pool := newPool(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
		client, _ := authClient(t, c, pool, nil)
		u := confirmedUser(t, c, pool, "mia@example.com", goodPassword)
		stored := aws.ToString(u.Username)
		if !uuidRE.MatchString(stored) {
			t.Fatalf("username in an email-as-username pool %q, want a UUID", stored)
		}
		res := signIn(t, c, client, "mia@example.com", goodPassword)
		id, access := claimsOf(t, aws.ToString(res.IdToken)), claimsOf(t, aws.ToString(res.AccessToken))
		if id["cognito:username"] != stored || access["username"] != stored || id["email"] != "mia@example.com" {
			t.Errorf("claims: cognito:username %v username %v email %v", id["cognito:username"], access["username"], id["email"])
		}
		// SRP: USER_ID_FOR_SRP is the stored username, which x is built on.
		sc := newSRPClient(pool)
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "mia@example.com", "SRP_A": sc.AHex()}})
		must(t, err, "USER_SRP_AUTH by email")
		if out.ChallengeParameters["USER_ID_FOR_SRP"] != stored {
			t.Errorf("USER_ID_FOR_SRP %q, want %q", out.ChallengeParameters["USER_ID_FOR_SRP"], stored)
		}
		p, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
			ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses()})
		must(t, err, "PASSWORD_VERIFIER for an email-as-username user")
		if r.AuthenticationResult == nil {
			t.Error("no tokens")
		}
	})
}

func testNewPasswordRequired(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}}})
	client, _ := authClient(t, c, pool, nil)
	other, _ := authClient(t, c, pool, nil)

	challenge := func(t *testing.T, username string) *cip.InitiateAuthOutput {
		t.Helper()
		out, err := passwordAuth(t, c, client, username, goodPassword)
		must(t, err, "sign-in with the temporary password")
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
			t.Fatalf("want NEW_PASSWORD_REQUIRED with a Session, got %s", jsonOf(out))
		}
		return out
	}
	respond := func(t *testing.T, clientID, session string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
		t.Helper()
		resp := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			resp[kv[i]] = kv[i+1]
		}
		return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aws.String(session), ChallengeResponses: resp})
	}

	t.Run("ChallengeAndRetry", func(t *testing.T) {
		createUser(t, c, pool, "nina", attr("name", "Nina"), attr("email", "nina@example.com"))
		out := challenge(t, "nina")
		p := out.ChallengeParameters
		if p["USER_ID_FOR_SRP"] != "nina" {
			t.Errorf("USER_ID_FOR_SRP %q", p["USER_ID_FOR_SRP"])
		}
		var required []string
		if err := json.Unmarshal([]byte(p["requiredAttributes"]), &required); err != nil || len(required) != 0 {
			t.Errorf("requiredAttributes %q, want [] (name is set)", p["requiredAttributes"])
		}
		var ua map[string]string
		if err := json.Unmarshal([]byte(p["userAttributes"]), &ua); err != nil {
			t.Errorf("userAttributes %q is not a JSON object of strings: %v", p["userAttributes"], err)
		}
		if ua["name"] != "Nina" || ua["email"] != "nina@example.com" {
			t.Errorf("userAttributes %v", ua)
		}
		session := aws.ToString(out.Session)
		// A weak password: the same session can try again.
		_, err := respond(t, client, session, "USERNAME", "nina", "NEW_PASSWORD", "weak")
		wantErr[*types.InvalidPasswordException](t, err, "weak NEW_PASSWORD")
		_, err = respond(t, client, session, "USERNAME", "nina")
		wantErr[*types.InvalidParameterException](t, err, "no NEW_PASSWORD")
		// Another client cannot use the session.
		_, err = respond(t, other, session, "USERNAME", "nina", "NEW_PASSWORD", newPassword)
		wantErr[*types.NotAuthorizedException](t, err, "the session on another client")
		r, err := respond(t, client, session, "USERNAME", "nina", "NEW_PASSWORD", newPassword)
		must(t, err, "NEW_PASSWORD after a weak one")
		if r.AuthenticationResult == nil || aws.ToString(r.AuthenticationResult.RefreshToken) == "" {
			t.Fatalf("no tokens: %s", jsonOf(r))
		}
		if claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))["cognito:username"] != "nina" {
			t.Errorf("id token of the wrong user")
		}
		// The session is used up.
		_, err = respond(t, client, session, "USERNAME", "nina", "NEW_PASSWORD", "An0ther-Passw0rd!")
		wantErr[*types.NotAuthorizedException](t, err, "second use of a session")
		if u := getUser(t, c, pool, "nina"); u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status %s after the new password, want CONFIRMED", u.UserStatus)
		}
		_, err = passwordAuth(t, c, client, "nina", goodPassword)
		wantErr[*types.NotAuthorizedException](t, err, "the temporary password after the change")
		signIn(t, c, client, "nina", newPassword)
		_, err = respond(t, client, "not-a-session", "USERNAME", "nina", "NEW_PASSWORD", newPassword)
		wantErr[*types.NotAuthorizedException](t, err, "made-up session")
	})

	t.Run("AdminRespond", func(t *testing.T) {
		createUser(t, c, pool, "omar", attr("name", "Omar"))
		out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "omar", "PASSWORD": goodPassword}})
		must(t, err, "AdminInitiateAuth")
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("challenge %q", out.ChallengeName)
		}
		_, err = c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "omar", "NEW_PASSWORD": "short"}})
		wantErr[*types.InvalidPasswordException](t, err, "admin: weak NEW_PASSWORD")
		r, err := c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "omar", "NEW_PASSWORD": newPassword, "userAttributes.nickname": "O"}})
		must(t, err, "AdminRespondToAuthChallenge")
		if r.AuthenticationResult == nil {
			t.Fatalf("no tokens: %s", jsonOf(r))
		}
		if got := claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))["nickname"]; got != "O" {
			t.Errorf("nickname set in the answer: id token has %v", got)
		}
		if got := attrMap(getUser(t, c, pool, "omar").UserAttributes)["nickname"]; got != "O" {
			t.Errorf("nickname stored %q", got)
		}
		signIn(t, c, client, "omar", newPassword)
	})

	t.Run("SRP", func(t *testing.T) {
		createUser(t, c, pool, "pia", attr("name", "Pia"))
		r, err := srpAuth(t, c, pool, client, "pia", goodPassword)
		must(t, err, "SRP with the temporary password")
		if r.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(r.Session) == "" {
			t.Fatalf("want NEW_PASSWORD_REQUIRED, got %s", jsonOf(r))
		}
		r2, err := respond(t, client, aws.ToString(r.Session), "USERNAME", "pia", "NEW_PASSWORD", newPassword)
		must(t, err, "NEW_PASSWORD after SRP")
		if r2.AuthenticationResult == nil {
			t.Fatal("no tokens")
		}
		out, err := srpAuth(t, c, pool, client, "pia", newPassword)
		must(t, err, "SRP with the new password")
		if out.AuthenticationResult == nil {
			t.Error("no tokens")
		}
	})

	t.Run("TemporaryPasswordExpired", func(t *testing.T) {
		// TemporaryPasswordValidityDays is 7: move the password's date back.
		createUser(t, c, pool, "rex", attr("name", "Rex"))
		p, err := env.Srv.Pools().GetPool(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := secondStore(t, env).UpdateUser(ctx, pool, users.Key(&p.Config, "rex"), func(u *store.User) error {
			u.PasswordSet = time.Now().Add(-8 * 24 * time.Hour)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, err = passwordAuth(t, c, client, "rex", goodPassword)
		wantMsg[*types.NotAuthorizedException](t, err, "Temporary password has expired and must be reset by an administrator.",
			"expired temporary password")
		// An administrator's new temporary password works again.
		_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("rex"),
			Password: aws.String(goodPassword)})
		must(t, err, "AdminSetUserPassword (temporary)")
		challenge(t, "rex")
	})

	t.Run("RequiredAttributeMissing", func(t *testing.T) {
		// No API call creates a user without a required attribute; an
		// imported one can lack it. Remove it behind the server's back.
		createUser(t, c, pool, "quinn", attr("name", "Quinn"))
		st := secondStore(t, env)
		p, err := env.Srv.Pools().GetPool(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateUser(ctx, pool, users.Key(&p.Config, "quinn"), func(u *store.User) error {
			delete(u.Attributes, "name")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		out := challenge(t, "quinn")
		var required []string
		if err := json.Unmarshal([]byte(out.ChallengeParameters["requiredAttributes"]), &required); err != nil ||
			!slices.Equal(required, []string{"userAttributes.name"}) {
			t.Errorf("requiredAttributes %q, want [\"userAttributes.name\"]", out.ChallengeParameters["requiredAttributes"])
		}
		session := aws.ToString(out.Session)
		_, err = respond(t, client, session, "USERNAME", "quinn", "NEW_PASSWORD", newPassword)
		wantErr[*types.InvalidParameterException](t, err, "required attribute missing from the answer")
		r, err := respond(t, client, session, "USERNAME", "quinn", "NEW_PASSWORD", newPassword, "userAttributes.name", "Quinn Q")
		must(t, err, "answer with the required attribute")
		if r.AuthenticationResult == nil {
			t.Fatal("no tokens")
		}
		if got := claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))["name"]; got != "Quinn Q" {
			t.Errorf("id token name %v", got)
		}
	})
}

func testSRP(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesLegacy})
	prevent, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	u := confirmedUser(t, c, pool, "rita", goodPassword, attr("email", "rita@example.com"))

	initiate := func(t *testing.T, clientID, username, A string) (*cip.InitiateAuthOutput, error) {
		t.Helper()
		return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": username, "SRP_A": A}})
	}
	answer := func(t *testing.T, clientID string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
		t.Helper()
		return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: resp})
	}
	challenge := func(t *testing.T, username string) (*srpClient, map[string]string) {
		t.Helper()
		sc := newSRPClient(pool)
		out, err := initiate(t, client, username, sc.AHex())
		must(t, err, "InitiateAuth USER_SRP_AUTH")
		return sc, out.ChallengeParameters
	}

	t.Run("Success", func(t *testing.T) {
		sc, p := challenge(t, "rita")
		for _, k := range []string{"SALT", "SRP_B", "SECRET_BLOCK"} {
			if p[k] == "" {
				t.Errorf("challenge parameter %s missing: %v", k, p)
			}
		}
		if p["USER_ID_FOR_SRP"] != "rita" || p["USERNAME"] != "rita" {
			t.Errorf("USER_ID_FOR_SRP %q USERNAME %q", p["USER_ID_FOR_SRP"], p["USERNAME"])
		}
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r, err := answer(t, client, proof.Responses())
		must(t, err, "PASSWORD_VERIFIER")
		if r.AuthenticationResult == nil || aws.ToString(r.AuthenticationResult.RefreshToken) == "" {
			t.Fatalf("no tokens: %s", jsonOf(r))
		}
		id := claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))
		if id["sub"] != attrMap(u.Attributes)["sub"] || id["cognito:username"] != "rita" || id["email"] != "rita@example.com" {
			t.Errorf("id token claims %v", id)
		}
		// The same through AdminInitiateAuth / AdminRespondToAuthChallenge.
		sc = newSRPClient(pool)
		out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "rita", "SRP_A": sc.AHex()}})
		must(t, err, "AdminInitiateAuth USER_SRP_AUTH")
		proof, err = sc.prove(out.ChallengeParameters, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ar, err := c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(pool),
			ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: proof.Responses()})
		must(t, err, "AdminRespondToAuthChallenge PASSWORD_VERIFIER")
		if ar.AuthenticationResult == nil {
			t.Error("admin SRP: no tokens")
		}
		// Many sign-ins: every A, B, u and S shape (sign bytes, short
		// values) must agree between client and server.
		for i := range 12 {
			r, err := srpAuth(t, c, pool, client, "rita", goodPassword)
			must(t, err, fmt.Sprintf("SRP sign-in %d", i))
			if r.AuthenticationResult == nil {
				t.Errorf("SRP sign-in %d: no tokens", i)
			}
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		_, err := srpAuth(t, c, pool, client, "rita", "Wr0ng-Password!")
		wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "SRP with a wrong password")
	})

	t.Run("IllegalA", func(t *testing.T) {
		n := srpN.Text(16)
		twoN := new(big.Int).Lsh(srpN, 1).Text(16)
		for name, A := range map[string]string{"0": "0", "00": "000000", "N": n, "2N": twoN} {
			_, err := initiate(t, client, "rita", A)
			wantErr[*types.NotAuthorizedException](t, err, "SRP_A = "+name)
		}
		for name, A := range map[string]string{"not hex": "xyz", "empty": ""} {
			_, err := initiate(t, client, "rita", A)
			if err == nil {
				t.Errorf("SRP_A %s accepted", name)
			}
		}
	})

	t.Run("TamperedSignature", func(t *testing.T) {
		sc, p := challenge(t, "rita")
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := base64.StdEncoding.DecodeString(proof.Signature)
		sig[0] ^= 1
		resp := proof.Responses()
		resp["PASSWORD_CLAIM_SIGNATURE"] = base64.StdEncoding.EncodeToString(sig)
		_, err = answer(t, client, resp)
		wantErr[*types.NotAuthorizedException](t, err, "tampered PASSWORD_CLAIM_SIGNATURE")

		// A signature over another timestamp than the one sent.
		sc, p = challenge(t, "rita")
		proof, err = sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp = proof.Responses()
		resp["TIMESTAMP"] = srpTimestamp(time.Now().Add(-time.Second))
		if resp["TIMESTAMP"] == proof.Timestamp {
			resp["TIMESTAMP"] = srpTimestamp(time.Now().Add(-2 * time.Second))
		}
		_, err = answer(t, client, resp)
		wantErr[*types.NotAuthorizedException](t, err, "signature over another TIMESTAMP")

		// A secret block that is not the one the server gave.
		sc, p = challenge(t, "rita")
		p["SECRET_BLOCK"] = base64.StdEncoding.EncodeToString([]byte("forged block"))
		proof, err = sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, err = answer(t, client, proof.Responses())
		wantErr[*types.NotAuthorizedException](t, err, "forged SECRET_BLOCK")
	})

	t.Run("StaleTimestamp", func(t *testing.T) {
		for _, d := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
			sc, p := challenge(t, "rita")
			proof, err := sc.prove(p, goodPassword, time.Now().Add(d))
			if err != nil {
				t.Fatal(err)
			}
			_, err = answer(t, client, proof.Responses())
			wantErr[*types.NotAuthorizedException](t, err, fmt.Sprintf("TIMESTAMP %v away", d))
		}
	})

	t.Run("MalformedTimestamp", func(t *testing.T) {
		sc, p := challenge(t, "rita")
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, ts := range []string{"yesterday", time.Now().UTC().Format(time.RFC3339), "Tue Sep 3 24:04:05 UTC 2024"} {
			resp := proof.Responses()
			resp["TIMESTAMP"] = ts
			_, err = answer(t, client, resp)
			wantErr[*types.InvalidParameterException](t, err, fmt.Sprintf("TIMESTAMP %q", ts))
		}
		// The block was not used up by unreadable answers.
		r, err := answer(t, client, proof.Responses())
		must(t, err, "the right answer after malformed ones")
		if r.AuthenticationResult == nil {
			t.Error("no tokens")
		}
	})

	t.Run("Replay", func(t *testing.T) {
		sc, p := challenge(t, "rita")
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, err = answer(t, client, proof.Responses())
		must(t, err, "first answer")
		_, err = answer(t, client, proof.Responses())
		wantErr[*types.NotAuthorizedException](t, err, "the same PASSWORD_VERIFIER answer again")

		// A wrong answer uses the block up too.
		sc, p = challenge(t, "rita")
		bad, _ := sc.prove(p, "Wr0ng-Password!", time.Now())
		_, err = answer(t, client, bad.Responses())
		wantErr[*types.NotAuthorizedException](t, err, "wrong answer")
		good, _ := sc.prove(p, goodPassword, time.Now())
		_, err = answer(t, client, good.Responses())
		wantErr[*types.NotAuthorizedException](t, err, "right answer on a block a wrong answer used")

		// Another client cannot answer.
		other, _ := authClient(t, c, pool, nil)
		sc, p = challenge(t, "rita")
		good, _ = sc.prove(p, goodPassword, time.Now())
		_, err = answer(t, other, good.Responses())
		wantErr[*types.NotAuthorizedException](t, err, "answer sent to another client")
	})

	// Cognito requires USERNAME in every challenge answer.
	t.Run("AnswerWithoutUsername", func(t *testing.T) {
		sc, p := challenge(t, "rita")
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp := proof.Responses()
		delete(resp, "USERNAME")
		_, err = answer(t, client, resp)
		wantErr[*types.InvalidParameterException](t, err, "PASSWORD_VERIFIER answer without USERNAME")
	})

	t.Run("UnknownUser", func(t *testing.T) {
		sc := newSRPClient(pool)
		_, err := initiate(t, client, "nobody", sc.AHex())
		wantErr[*types.UserNotFoundException](t, err, "unknown user, LEGACY")
		out, err := initiate(t, prevent, "nobody", sc.AHex())
		must(t, err, "unknown user, PreventUserExistenceErrors")
		p := out.ChallengeParameters
		if out.ChallengeName != types.ChallengeNameTypePasswordVerifier || p["SALT"] == "" || p["SRP_B"] == "" || p["SECRET_BLOCK"] == "" {
			t.Fatalf("decoy challenge %s", jsonOf(out))
		}
		if p["USER_ID_FOR_SRP"] != "nobody" || p["USERNAME"] != "nobody" {
			t.Errorf("decoy USER_ID_FOR_SRP %q USERNAME %q", p["USER_ID_FOR_SRP"], p["USERNAME"])
		}
		proof, err := sc.prove(p, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, err = answer(t, prevent, proof.Responses())
		wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "answer for an unknown user")
		// A real user's wrong password looks the same on that client.
		_, err = srpAuth(t, c, pool, prevent, "rita", "Wr0ng-Password!")
		wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "wrong password, PreventUserExistenceErrors")
	})
}

func testRefresh(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)
	confirmedUser(t, c, pool, "sam", goodPassword, attr("email", "sam@example.com"))
	first := signIn(t, c, client, "sam", goodPassword)
	firstID := claimsOf(t, aws.ToString(first.IdToken))
	time.Sleep(1100 * time.Millisecond) // so iat moves

	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeRefreshTokenAuth, types.AuthFlowTypeRefreshToken} {
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: flow,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(first.RefreshToken)}})
		must(t, err, string(flow))
		res := out.AuthenticationResult
		if res == nil || aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" {
			t.Fatalf("%s: %s", flow, jsonOf(out))
		}
		if res.RefreshToken != nil {
			t.Errorf("%s returned a refresh token without rotation", flow)
		}
		if res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" {
			t.Errorf("%s: ExpiresIn %d TokenType %q", flow, res.ExpiresIn, aws.ToString(res.TokenType))
		}
		id, access := claimsOf(t, aws.ToString(res.IdToken)), claimsOf(t, aws.ToString(res.AccessToken))
		for name, cl := range map[string]map[string]any{"id": id, "access": access} {
			if cl["origin_jti"] != firstID["origin_jti"] {
				t.Errorf("%s: %s token origin_jti %v, want the sign-in's %v", flow, name, cl["origin_jti"], firstID["origin_jti"])
			}
			if num(cl["auth_time"]) != num(firstID["auth_time"]) {
				t.Errorf("%s: %s token auth_time %v, want the sign-in's %v", flow, name, cl["auth_time"], firstID["auth_time"])
			}
			if num(cl["iat"]) <= num(firstID["iat"]) {
				t.Errorf("%s: %s token iat %v not after the sign-in's %v", flow, name, cl["iat"], firstID["iat"])
			}
			if cl["jti"] == firstID["jti"] {
				t.Errorf("%s: %s token reuses jti", flow, name)
			}
		}
		if id["email"] != "sam@example.com" || id["cognito:username"] != "sam" {
			t.Errorf("%s: refreshed id token %v", flow, id)
		}
		must(t, getUserErr(t, c, aws.ToString(res.AccessToken)), "GetUser with a refreshed access token")
	}
	// Through AdminInitiateAuth, and GetTokensFromRefreshToken without a secret.
	out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(first.RefreshToken)}})
	must(t, err, "AdminInitiateAuth REFRESH_TOKEN_AUTH")
	if out.AuthenticationResult == nil || out.AuthenticationResult.RefreshToken != nil {
		t.Errorf("admin refresh: %s", jsonOf(out))
	}
	gt, err := c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client),
		RefreshToken: first.RefreshToken})
	must(t, err, "GetTokensFromRefreshToken")
	if gt.AuthenticationResult == nil || gt.AuthenticationResult.RefreshToken != nil {
		t.Errorf("GetTokensFromRefreshToken without rotation: %s", jsonOf(gt))
	}
	// Changes to the user show in the next refresh.
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("sam"),
		UserAttributes: []types.AttributeType{attr("name", "Samuel")}})
	must(t, err, "AdminUpdateUserAttributes")
	r, err := refreshAuth(t, c, client, aws.ToString(first.RefreshToken))
	must(t, err, "refresh after an attribute change")
	if got := claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))["name"]; got != "Samuel" {
		t.Errorf("refreshed id token name %v, want Samuel", got)
	}

	// Bad refresh tokens.
	_, err = refreshAuth(t, c, client, "not-a-refresh-token")
	wantErr[*types.NotAuthorizedException](t, err, "made-up refresh token")
	_, err = refreshAuth(t, c, client, aws.ToString(first.AccessToken))
	wantErr[*types.NotAuthorizedException](t, err, "access token as refresh token")
	other, _ := authClient(t, c, pool, nil)
	_, err = refreshAuth(t, c, other, aws.ToString(first.RefreshToken))
	wantErr[*types.NotAuthorizedException](t, err, "refresh token of another client")
	_, err = refreshAuth(t, c, client, "")
	wantErr[*types.InvalidParameterException](t, err, "empty REFRESH_TOKEN")
}

func testRefreshRotation(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	confirmedUser(t, c, pool, "tess", goodPassword)
	rotating := func(grace int32) string {
		id, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{RefreshTokenRotation: &types.RefreshTokenRotationType{
			Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace)}})
		return id
	}
	getTokens := func(client, refresh string) (*types.AuthenticationResultType, error) {
		out, err := c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client),
			RefreshToken: aws.String(refresh)})
		if err != nil {
			return nil, err
		}
		return out.AuthenticationResult, nil
	}

	t.Run("NoGrace", func(t *testing.T) {
		client := rotating(0)
		first := signIn(t, c, client, "tess", goodPassword)
		origin := claimsOf(t, aws.ToString(first.IdToken))["origin_jti"]
		res, err := getTokens(client, aws.ToString(first.RefreshToken))
		must(t, err, "GetTokensFromRefreshToken with rotation")
		next := aws.ToString(res.RefreshToken)
		if next == "" || next == aws.ToString(first.RefreshToken) {
			t.Fatalf("rotation returned refresh token %q", next)
		}
		if got := claimsOf(t, aws.ToString(res.AccessToken))["origin_jti"]; got != origin {
			t.Errorf("origin_jti %v after rotation, want %v", got, origin)
		}
		_, err = getTokens(client, aws.ToString(first.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "rotated-out refresh token, no grace period")
		res2, err := getTokens(client, next)
		must(t, err, "the new refresh token")
		if aws.ToString(res2.RefreshToken) == "" || aws.ToString(res2.RefreshToken) == next {
			t.Errorf("second rotation returned %q", aws.ToString(res2.RefreshToken))
		}
	})

	t.Run("Grace", func(t *testing.T) {
		client := rotating(2)
		first := signIn(t, c, client, "tess", goodPassword)
		old := aws.ToString(first.RefreshToken)
		res, err := getTokens(client, old)
		must(t, err, "GetTokensFromRefreshToken with rotation")
		// Within the grace period the old token still works.
		_, err = getTokens(client, old)
		must(t, err, "the old refresh token within the grace period")
		time.Sleep(2500 * time.Millisecond)
		_, err = getTokens(client, old)
		wantErr[*types.NotAuthorizedException](t, err, "the old refresh token after the grace period")
		_, err = getTokens(client, aws.ToString(res.RefreshToken))
		must(t, err, "the new refresh token after the grace period")
	})

	t.Run("RevokeRotatedFamily", func(t *testing.T) {
		client := rotating(0)
		first := signIn(t, c, client, "tess", goodPassword)
		res, err := getTokens(client, aws.ToString(first.RefreshToken))
		must(t, err, "rotate")
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: res.RefreshToken})
		must(t, err, "RevokeToken")
		_, err = getTokens(client, aws.ToString(res.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "revoked rotated token")
		wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(first.AccessToken)), "GetUser with the family's first access token")
	})

	// Cognito: "You can't authenticate with REFRESH_TOKEN_AUTH in app
	// clients with refresh token rotation enabled"; rotation goes through
	// GetTokensFromRefreshToken only.
	t.Run("RefreshTokenAuthRefused", func(t *testing.T) {
		client := rotating(0)
		first := signIn(t, c, client, "tess", goodPassword)
		_, err := refreshAuth(t, c, client, aws.ToString(first.RefreshToken))
		if err == nil {
			t.Errorf("REFRESH_TOKEN_AUTH on a client with rotation enabled succeeded")
		}
	})
}

func testRevocation(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)

	t.Run("RevokeToken", func(t *testing.T) {
		confirmedUser(t, c, pool, "uma", goodPassword)
		a := signIn(t, c, client, "uma", goodPassword)
		b := signIn(t, c, client, "uma", goodPassword)
		r, err := refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		must(t, err, "refresh before revoking")
		refreshedAccess := aws.ToString(r.AuthenticationResult.AccessToken)
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.AccessToken})
		wantErr[*types.UnsupportedTokenTypeException](t, err, "RevokeToken with an access token")
		other, _ := authClient(t, c, pool, nil)
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(other), Token: a.RefreshToken})
		wantErr[*types.UnauthorizedException](t, err, "RevokeToken by another client")
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.RefreshToken})
		must(t, err, "RevokeToken")
		_, err = refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "refresh with a revoked token")
		for name, tok := range map[string]string{"sign-in": aws.ToString(a.AccessToken), "refreshed": refreshedAccess} {
			wantMsg[*types.NotAuthorizedException](t, getUserErr(t, c, tok), "Access Token has been revoked",
				"GetUser with the revoked family's "+name+" access token")
		}
		// The other sign-in is untouched.
		must(t, getUserErr(t, c, aws.ToString(b.AccessToken)), "GetUser with another sign-in's token")
		_, err = refreshAuth(t, c, client, aws.ToString(b.RefreshToken))
		must(t, err, "refresh of another sign-in")
		noRevoke, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{EnableTokenRevocation: aws.Bool(false)})
		nr := signIn(t, c, noRevoke, "uma", goodPassword)
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(noRevoke), Token: nr.RefreshToken})
		wantErr[*types.UnsupportedOperationException](t, err, "RevokeToken on a client with EnableTokenRevocation false")
		// Revoking again, or an unknown token, is not an error.
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.RefreshToken})
		must(t, err, "RevokeToken twice")
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: aws.String("unknown-token")})
		must(t, err, "RevokeToken of an unknown token")
	})

	t.Run("RevokeTokenWithSecret", func(t *testing.T) {
		confirmedUser(t, c, pool, "uli", goodPassword)
		sc, secret := authClient(t, c, pool, &cip.CreateUserPoolClientInput{GenerateSecret: true})
		res := signIn(t, c, sc, "uli", goodPassword, "SECRET_HASH", suSecretHash(secret, "uli", sc))
		_, err := c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(sc), Token: res.RefreshToken})
		wantErr[*types.UnauthorizedException](t, err, "RevokeToken without the client secret")
		_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(sc), Token: res.RefreshToken, ClientSecret: aws.String(secret)})
		must(t, err, "RevokeToken with the client secret")
		wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(res.AccessToken)), "GetUser after RevokeToken")
	})

	t.Run("GlobalSignOut", func(t *testing.T) {
		confirmedUser(t, c, pool, "vic", goodPassword)
		a := signIn(t, c, client, "vic", goodPassword)
		b := signIn(t, c, client, "vic", goodPassword)
		_, err := c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		must(t, err, "GlobalSignOut")
		for name, res := range map[string]*types.AuthenticationResultType{"a": a, "b": b} {
			wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(res.AccessToken)), "GetUser after GlobalSignOut, sign-in "+name)
			_, err = refreshAuth(t, c, client, aws.ToString(res.RefreshToken))
			wantErr[*types.NotAuthorizedException](t, err, "refresh after GlobalSignOut, sign-in "+name)
		}
		_, err = c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		wantErr[*types.NotAuthorizedException](t, err, "GlobalSignOut with a signed-out token")
		// A new sign-in works.
		must(t, getUserErr(t, c, aws.ToString(signIn(t, c, client, "vic", goodPassword).AccessToken)), "GetUser after signing in again")
	})

	t.Run("AdminUserGlobalSignOut", func(t *testing.T) {
		confirmedUser(t, c, pool, "wes", goodPassword)
		a := signIn(t, c, client, "wes", goodPassword)
		_, err := c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("wes")})
		must(t, err, "AdminUserGlobalSignOut")
		wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(a.AccessToken)), "GetUser after AdminUserGlobalSignOut")
		_, err = refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "refresh after AdminUserGlobalSignOut")
		_, err = c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
		wantErr[*types.UserNotFoundException](t, err, "AdminUserGlobalSignOut of an unknown user")
	})

	t.Run("Disabled", func(t *testing.T) {
		confirmedUser(t, c, pool, "xena", goodPassword)
		a := signIn(t, c, client, "xena", goodPassword)
		_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("xena")})
		must(t, err, "AdminDisableUser")
		_, err = refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "refresh of a disabled user")
		wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(a.AccessToken)), "GetUser of a disabled user")
		// AdminDisableUser revokes the user's tokens: enabling the user
		// again does not bring them back.
		_, err = c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("xena")})
		must(t, err, "AdminEnableUser")
		_, err = refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "refresh of a token from before the user was disabled")
		wantErr[*types.NotAuthorizedException](t, getUserErr(t, c, aws.ToString(a.AccessToken)), "GetUser with a token from before the user was disabled")
		must(t, getUserErr(t, c, aws.ToString(signIn(t, c, client, "xena", goodPassword).AccessToken)), "GetUser after signing in again")
	})

	t.Run("Deleted", func(t *testing.T) {
		confirmedUser(t, c, pool, "yan", goodPassword)
		a := signIn(t, c, client, "yan", goodPassword)
		_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("yan")})
		must(t, err, "AdminDeleteUser")
		err = getUserErr(t, c, aws.ToString(a.AccessToken))
		if err == nil {
			t.Errorf("GetUser of a deleted user succeeded")
		} else {
			wantErr[*types.UserNotFoundException](t, err, "GetUser of a deleted user")
		}
		_, err = refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		wantErr[*types.NotAuthorizedException](t, err, "refresh of a deleted user")
	})

	// A new user of a deleted user's name is someone else (another sub):
	// the deleted user's tokens must not work for them. Refresh tokens are
	// stored against the username key, so they do.
	t.Run("DeletedNameReused", func(t *testing.T) {
		first := confirmedUser(t, c, pool, "yara", goodPassword)
		a := signIn(t, c, client, "yara", goodPassword)
		_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("yara")})
		must(t, err, "AdminDeleteUser")
		second := confirmedUser(t, c, pool, "yara", goodPassword)
		if err := getUserErr(t, c, aws.ToString(a.AccessToken)); err == nil {
			t.Errorf("a deleted user's access token works for the new user of the same name")
		}
		r, err := refreshAuth(t, c, client, aws.ToString(a.RefreshToken))
		if err == nil {
			t.Errorf("the deleted user's (sub %s) refresh token issued tokens for sub %v (the new user's is %s)",
				attrMap(first.Attributes)["sub"], claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken))["sub"],
				attrMap(second.Attributes)["sub"])
		} else {
			wantErr[*types.NotAuthorizedException](t, err, "refresh of a deleted user's token after the name is reused")
		}
	})
}

func testAccessTokenCalls(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	client, _ := authClient(t, c, pool, nil)
	u := confirmedUser(t, c, pool, "zoe", goodPassword, attr("email", "zoe@example.com"), attr("email_verified", "true"),
		attr("name", "Zoe"))
	res := signIn(t, c, client, "zoe", goodPassword)
	access := res.AccessToken

	got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	must(t, err, "GetUser")
	attrs := attrMap(got.UserAttributes)
	if aws.ToString(got.Username) != "zoe" || attrs["sub"] != attrMap(u.Attributes)["sub"] || attrs["email"] != "zoe@example.com" ||
		attrs["email_verified"] != "true" || attrs["name"] != "Zoe" {
		t.Errorf("GetUser: %s %v", aws.ToString(got.Username), attrs)
	}

	// A new email is unverified and gets a code.
	up, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: access,
		UserAttributes: []types.AttributeType{attr("email", "zoe@new.example.com"), attr("nickname", "Z")}})
	must(t, err, "UpdateUserAttributes")
	if len(up.CodeDeliveryDetailsList) != 1 || aws.ToString(up.CodeDeliveryDetailsList[0].AttributeName) != "email" ||
		up.CodeDeliveryDetailsList[0].DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Errorf("CodeDeliveryDetailsList %s", jsonOf(up.CodeDeliveryDetailsList))
	}
	got, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	must(t, err, "GetUser after the update")
	attrs = attrMap(got.UserAttributes)
	if attrs["email"] != "zoe@new.example.com" || attrs["email_verified"] != "false" || attrs["nickname"] != "Z" {
		t.Errorf("after UpdateUserAttributes: %v", attrs)
	}
	code := suCode(t, env, pool, "zoe@new.example.com", "UpdateUserAttribute")
	_, err = c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(suWrong(code))})
	wantErr[*types.CodeMismatchException](t, err, "VerifyUserAttribute with a wrong code")
	_, err = c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(code)})
	must(t, err, "VerifyUserAttribute")
	if attrs := attrMap(getUser(t, c, pool, "zoe").UserAttributes); attrs["email_verified"] != "true" {
		t.Errorf("email_verified %q after VerifyUserAttribute", attrs["email_verified"])
	}
	// The next id token carries the change.
	r, err := refreshAuth(t, c, client, aws.ToString(res.RefreshToken))
	must(t, err, "refresh")
	if id := claimsOf(t, aws.ToString(r.AuthenticationResult.IdToken)); id["email"] != "zoe@new.example.com" || id["email_verified"] != true {
		t.Errorf("id token after the email change: email %v email_verified %v", id["email"], id["email_verified"])
	}

	// GetUserAttributeVerificationCode sends a fresh code.
	gv, err := c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: access, AttributeName: aws.String("email")})
	must(t, err, "GetUserAttributeVerificationCode")
	if gv.CodeDeliveryDetails == nil || aws.ToString(gv.CodeDeliveryDetails.AttributeName) != "email" {
		t.Errorf("CodeDeliveryDetails %s", jsonOf(gv.CodeDeliveryDetails))
	}
	code = suCode(t, env, pool, "zoe@new.example.com", "VerifyUserAttribute")
	_, err = c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(code)})
	must(t, err, "VerifyUserAttribute with the code of GetUserAttributeVerificationCode")

	// DeleteUserAttributes.
	_, err = c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: access, UserAttributeNames: []string{"nickname"}})
	must(t, err, "DeleteUserAttributes")
	if attrs := attrMap(getUser(t, c, pool, "zoe").UserAttributes); attrs["nickname"] != "" || attrs["name"] != "Zoe" {
		t.Errorf("after DeleteUserAttributes: %v", attrs)
	}

	// ChangePassword.
	_, err = c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String("Wr0ng-Password!"),
		ProposedPassword: aws.String(newPassword)})
	wantErr[*types.NotAuthorizedException](t, err, "ChangePassword with a wrong previous password")
	_, err = c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String(goodPassword),
		ProposedPassword: aws.String("alllowercase")})
	wantErr[*types.InvalidPasswordException](t, err, "ChangePassword to a password the policy refuses")
	_, err = c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String(goodPassword),
		ProposedPassword: aws.String(newPassword)})
	must(t, err, "ChangePassword")
	_, err = passwordAuth(t, c, client, "zoe", goodPassword)
	wantErr[*types.NotAuthorizedException](t, err, "the old password after ChangePassword")
	signIn(t, c, client, "zoe", newPassword)
	out, err := srpAuth(t, c, pool, client, "zoe", newPassword)
	must(t, err, "SRP with the changed password")
	if out.AuthenticationResult == nil {
		t.Error("SRP after ChangePassword: no tokens")
	}

	// DeleteUser.
	_, err = c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: access})
	must(t, err, "DeleteUser")
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("zoe")})
	wantErr[*types.UserNotFoundException](t, err, "AdminGetUser after DeleteUser")
	if err := getUserErr(t, c, aws.ToString(access)); err == nil {
		t.Errorf("GetUser after DeleteUser succeeded")
	}
}

func testBadAccessTokens(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	other := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)
	otherClient, _ := authClient(t, c, other, nil)
	u := confirmedUser(t, c, pool, "abe", goodPassword)
	confirmedUser(t, c, other, "abe", goodPassword)
	res := signIn(t, c, client, "abe", goodPassword)
	access := aws.ToString(res.AccessToken)
	must(t, getUserErr(t, c, access), "GetUser with a good token")
	otherRes := signIn(t, c, otherClient, "abe", goodPassword)
	claims := claimsOf(t, access)
	parts := strings.Split(access, ".")

	flip := func(s string) string {
		b := []byte(s)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	payload := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	withClaims := func(change map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range claims {
			m[k] = v
		}
		for k, v := range change {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	// signed signs claims with a pool's real key (through the keyring).
	signed := func(poolID string, m map[string]any) string {
		tok, err := env.Srv.Keys().Sign(ctx, poolID, m)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	randomKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	foreignSigner, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: randomKey},
		(&jose.SignerOptions{}).WithHeader("kid", kidOf(t, access)))
	if err != nil {
		t.Fatal(err)
	}
	forged := func() string {
		p, _ := base64.RawURLEncoding.DecodeString(parts[1])
		j, err := foreignSigner.Sign(p)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := j.CompactSerialize()
		return s
	}()
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + kidOf(t, access) + `"}`))
	hsHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"` + kidOf(t, access) + `"}`))

	for name, tok := range map[string]string{
		"garbage":              "not-a-token",
		"two parts":            parts[0] + "." + parts[1],
		"tampered payload":     parts[0] + "." + payload(withClaims(map[string]any{"username": "root"})) + "." + parts[2],
		"tampered signature":   parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"alg none":             noneHeader + "." + parts[1] + ".",
		"alg HS256":            hsHeader + "." + parts[1] + "." + parts[2],
		"signed by a stranger": forged,
		"id token":             aws.ToString(res.IdToken),
		"refresh token":        aws.ToString(res.RefreshToken),
		"expired (real key)":   signed(pool, withClaims(map[string]any{"exp": time.Now().Add(-time.Minute).Unix(), "iat": time.Now().Add(-time.Hour).Unix()})),
		"other issuer (real key)": signed(pool, withClaims(map[string]any{
			"iss": "https://cognito-idp.us-east-1.amazonaws.com/" + pool})),
		"other pool's key, this pool's iss": signed(other, withClaims(nil)),
		"no scope (real key)":               signed(pool, withClaims(map[string]any{"scope": nil})),
		"token_use id (real key)":           signed(pool, withClaims(map[string]any{"token_use": "id"})),
		"unknown sub (real key)":            signed(pool, withClaims(map[string]any{"sub": "00000000-0000-4000-8000-000000000000"})),
	} {
		err := getUserErr(t, c, tok)
		if name == "unknown sub (real key)" {
			if err == nil {
				t.Errorf("GetUser with %s succeeded", name)
			}
			continue
		}
		wantErr[*types.NotAuthorizedException](t, err, "GetUser with "+name)
	}
	wantMsg[*types.NotAuthorizedException](t, getUserErr(t, c, signed(pool, withClaims(map[string]any{"exp": time.Now().Add(-time.Second).Unix()}))),
		"Access Token has expired", "GetUser with an expired token")
	// Each pool's own token works only as itself: the other pool's token
	// is for that pool's abe.
	got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: otherRes.AccessToken})
	must(t, err, "GetUser with the other pool's token")
	if attrMap(got.UserAttributes)["sub"] == attrMap(u.Attributes)["sub"] {
		t.Errorf("the other pool's token resolved to this pool's user")
	}
	// The same claims re-signed by the pool's key are accepted (the
	// forgeries above fail for their flaw, not for being re-signed).
	must(t, getUserErr(t, c, signed(pool, withClaims(nil))), "GetUser with the claims re-signed by the pool's key")
	wantRawError(t, rawCall(t, env.URL, targetPrefix+"GetUser", []byte(`{}`)), 400, "InvalidParameterException", "GetUser without AccessToken")
	wantRawError(t, rawCall(t, env.URL, targetPrefix+"GetUser", []byte(`{"AccessToken":""}`)), 400, "InvalidParameterException",
		"GetUser with an empty AccessToken")
	_, err = c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(forged),
		UserAttributes: []types.AttributeType{attr("name", "x")}})
	wantErr[*types.NotAuthorizedException](t, err, "UpdateUserAttributes with a forged token")
	_, err = c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(forged), PreviousPassword: aws.String(goodPassword),
		ProposedPassword: aws.String(newPassword)})
	wantErr[*types.NotAuthorizedException](t, err, "ChangePassword with a forged token")
	_, err = c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(forged)})
	wantErr[*types.NotAuthorizedException](t, err, "GlobalSignOut with a forged token")
	_, err = c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(forged)})
	wantErr[*types.NotAuthorizedException](t, err, "DeleteUser with a forged token")
	must(t, getUserErr(t, c, access), "GetUser after the forgeries")
}

func testKeyRotation(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)
	confirmedUser(t, c, pool, "bea", goodPassword)
	v := newVerifier(t, env, pool, client)

	before := signIn(t, c, client, "bea", goodPassword)
	oldKid := kidOf(t, aws.ToString(before.AccessToken))
	if kidOf(t, aws.ToString(before.IdToken)) != oldKid {
		t.Errorf("id and access tokens signed with different keys")
	}
	if _, err := v.Verify(ctx, aws.ToString(before.AccessToken)); err != nil {
		t.Fatalf("verifier before rotation: %v", err)
	}
	if kids := jwksKids(fetchJWKS(t, env, pool)); !slices.Equal(kids, []string{oldKid}) {
		t.Errorf("JWKS before rotation %v, want [%s]", kids, oldKid)
	}
	if err := env.Srv.RotateSigningKey(ctx, pool); err != nil {
		t.Fatal(err)
	}
	after := signIn(t, c, client, "bea", goodPassword)
	newKid := kidOf(t, aws.ToString(after.AccessToken))
	if newKid == oldKid || kidOf(t, aws.ToString(after.IdToken)) != newKid {
		t.Errorf("after rotation: access kid %s id kid %s, old kid %s", newKid, kidOf(t, aws.ToString(after.IdToken)), oldKid)
	}
	set := fetchJWKS(t, env, pool)
	kids := jwksKids(set)
	if len(kids) != 2 || !slices.Contains(kids, oldKid) || !slices.Contains(kids, newKid) {
		t.Errorf("JWKS after rotation %v, want %s and %s", kids, oldKid, newKid)
	}
	for name, res := range map[string]*types.AuthenticationResultType{"before": before, "after": after} {
		joseVerify(t, set, aws.ToString(res.AccessToken))
		joseVerify(t, set, aws.ToString(res.IdToken))
		must(t, getUserErr(t, c, aws.ToString(res.AccessToken)), "GetUser with a token signed "+name+" rotation")
		// The verifier fetched the JWKS before the rotation; it must pick
		// up the new key by itself.
		for _, tok := range []string{aws.ToString(res.AccessToken), aws.ToString(res.IdToken)} {
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Errorf("verifier, token signed %s rotation: %v", name, err)
			}
		}
	}
	// Refreshing a pre-rotation sign-in gives tokens under the new key.
	r, err := refreshAuth(t, c, client, aws.ToString(before.RefreshToken))
	must(t, err, "refresh after rotation")
	if k := kidOf(t, aws.ToString(r.AuthenticationResult.AccessToken)); k != newKid {
		t.Errorf("refreshed token kid %s, want %s", k, newKid)
	}
	// Other pools keep their own keys.
	otherPool := newPool(t, c, nil)
	otherClient, _ := authClient(t, c, otherPool, nil)
	confirmedUser(t, c, otherPool, "bea", goodPassword)
	o := signIn(t, c, otherClient, "bea", goodPassword)
	if k := kidOf(t, aws.ToString(o.AccessToken)); k == oldKid || k == newKid {
		t.Errorf("another pool signs with this pool's key %s", k)
	}
}

// testSingleUse sends the same one-time answer several times at once: only
// one may win (a session, a PASSWORD_VERIFIER secret block, a refresh token
// under rotation without grace period).
func testSingleUse(t *testing.T, env *cogitotest.Env) {
	c := env.Client
	ctx := t.Context()
	pool := newPool(t, c, nil)
	client, _ := authClient(t, c, pool, nil)
	const n = 6
	race := func(t *testing.T, what string, fn func() error) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = fn() })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantErr[*types.NotAuthorizedException](t, err, what)
		}
		if ok != 1 {
			t.Errorf("%s: %d of %d concurrent uses succeeded, want 1", what, ok, n)
		}
	}

	t.Run("NewPasswordSession", func(t *testing.T) {
		createUser(t, c, pool, "cara")
		out, err := passwordAuth(t, c, client, "cara", goodPassword)
		must(t, err, "sign-in")
		race(t, "NEW_PASSWORD_REQUIRED answers", func() error {
			_, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
				ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "cara", "NEW_PASSWORD": newPassword}})
			return err
		})
	})

	t.Run("PasswordVerifier", func(t *testing.T) {
		confirmedUser(t, c, pool, "dora", goodPassword)
		sc := newSRPClient(pool)
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "dora", "SRP_A": sc.AHex()}})
		must(t, err, "InitiateAuth")
		proof, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		race(t, "PASSWORD_VERIFIER answers", func() error {
			_, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: proof.Responses()})
			return err
		})
	})

	t.Run("RotatedRefreshToken", func(t *testing.T) {
		rot, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{RefreshTokenRotation: &types.RefreshTokenRotationType{
			Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}})
		confirmedUser(t, c, pool, "edda", goodPassword)
		res := signIn(t, c, rot, "edda", goodPassword)
		race(t, "GetTokensFromRefreshToken with one token", func() error {
			_, err := c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rot), RefreshToken: res.RefreshToken})
			return err
		})
	})
}
