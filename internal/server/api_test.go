package server_test

// Integration tests of the cognito-idp API through the real AWS SDK for Go
// v2, against the real server on both stores (cogitotest.ForEachStore).
// This file holds the shared helpers and the user-pool operations; the other
// api_*_test.go files hold clients, users, groups, and the protocol,
// restart and SigV4 tests.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// ---------------------------------------------------------------------------
// Helpers

// wantErr asserts that err is (or wraps) an error of type T, e.g.
// *types.UserNotFoundException, and returns it.
func wantErr[T error](t *testing.T, err error, what string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Errorf("%s: want %T, got success", what, target)
		return target
	}
	if !errors.As(err, &target) {
		t.Errorf("%s: want %T, got %s", what, target, describeErr(err))
	}
	return target
}

// wantCode asserts the AWS error code of err (for errors the SDK does not
// model, such as SigV4 failures).
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: want %s, got success", what, code)
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: want API error %s, got %v", what, code, err)
		return
	}
	if ae.ErrorCode() != code {
		t.Errorf("%s: want %s, got %s", what, code, describeErr(err))
	}
}

// describeErr names an error's AWS code and message.
func describeErr(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s (%q)", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err.Error()
}

// must fails the test at once when err is not nil.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %s", what, describeErr(err))
	}
}

var nameSeq atomic.Int64

// uniq makes a name unique within the test binary.
func uniq(prefix string) string { return fmt.Sprintf("%s-%d", prefix, nameSeq.Add(1)) }

// newPool creates a pool and returns its id; in may be nil.
func newPool(t *testing.T, c *cip.Client, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.PoolName == nil {
		in.PoolName = aws.String(uniq("pool"))
	}
	out, err := c.CreateUserPool(t.Context(), in)
	must(t, err, "CreateUserPool")
	return aws.ToString(out.UserPool.Id)
}

func describePool(t *testing.T, c *cip.Client, id string) *types.UserPoolType {
	t.Helper()
	out, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	must(t, err, "DescribeUserPool")
	return out.UserPool
}

// attr builds an AttributeType.
func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

// attrMap turns an attribute list into a map.
func attrMap(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// goodPassword satisfies Cognito's default password policy.
const goodPassword = "Corr3ct-Horse!"

// createUser creates a user without sending an invitation, with a known
// temporary password.
func createUser(t *testing.T, c *cip.Client, pool, username string, attrs ...types.AttributeType) *types.UserType {
	t.Helper()
	out, err := c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool), Username: aws.String(username), UserAttributes: attrs,
		MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword),
	})
	must(t, err, "AdminCreateUser "+username)
	return out.User
}

func getUser(t *testing.T, c *cip.Client, pool, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(username)})
	must(t, err, "AdminGetUser "+username)
	return out
}

func schemaAttr(list []types.SchemaAttributeType, name string) (types.SchemaAttributeType, bool) {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return a, true
		}
	}
	return types.SchemaAttributeType{}, false
}

// rawReply is an HTTP reply to a hand-made request.
type rawReply struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// rawCall posts body to the API with X-Amz-Target target (the full header
// value), unsigned, the way the SDK would but without its client-side checks.
func rawCall(t *testing.T, baseURL, target string, body []byte) rawReply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, baseURL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := rawReply{Status: resp.StatusCode, Header: resp.Header, Body: b}
	_ = json.Unmarshal(b, &r.JSON)
	return r
}

const targetPrefix = "AWSCognitoIdentityProviderService."

// wantRawError asserts a raw reply is an AWS JSON error of the given type
// and status, with __type, message and the x-amzn-ErrorType header.
func wantRawError(t *testing.T, r rawReply, status int, typ, what string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d (body %s)", what, r.Status, status, r.Body)
	}
	if got, _ := r.JSON["__type"].(string); got != typ {
		t.Errorf("%s: __type %q, want %q (body %s)", what, got, typ, r.Body)
	}
	if msg, ok := r.JSON["message"].(string); !ok || msg == "" {
		t.Errorf("%s: no message in error body %s", what, r.Body)
	}
	if got := r.Header.Get("x-amzn-ErrorType"); got != typ && !strings.HasPrefix(got, typ+":") {
		t.Errorf("%s: x-amzn-ErrorType %q, want %q", what, got, typ)
	}
}

// ---------------------------------------------------------------------------
// User pools

var (
	poolIDRE   = regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	clientIDRE = regexp.MustCompile(`^[0-9a-z]{26}$`)
)

func TestUserPools(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		t.Run("CreateDefaults", func(t *testing.T) {
			t.Parallel()
			out, err := c.CreateUserPool(t.Context(), &cip.CreateUserPoolInput{
				PoolName: aws.String("defaults"),
				Schema: []types.SchemaAttributeType{
					{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
						StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
					{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber,
						NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("150")}},
				},
			})
			must(t, err, "CreateUserPool")
			for label, p := range map[string]*types.UserPoolType{"create": out.UserPool, "describe": describePool(t, c, aws.ToString(out.UserPool.Id))} {
				id := aws.ToString(p.Id)
				if !poolIDRE.MatchString(id) {
					t.Errorf("%s: pool id %q does not match %s", label, id, poolIDRE)
				}
				if want := "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + id; aws.ToString(p.Arn) != want {
					t.Errorf("%s: Arn %q, want %q", label, aws.ToString(p.Arn), want)
				}
				if aws.ToString(p.Name) != "defaults" {
					t.Errorf("%s: Name %q", label, aws.ToString(p.Name))
				}
				if p.CreationDate == nil || p.LastModifiedDate == nil || p.CreationDate.IsZero() {
					t.Errorf("%s: dates missing: %v %v", label, p.CreationDate, p.LastModifiedDate)
				}
				if p.MfaConfiguration != types.UserPoolMfaTypeOff {
					t.Errorf("%s: MfaConfiguration %q, want OFF", label, p.MfaConfiguration)
				}
				if p.DeletionProtection != types.DeletionProtectionTypeInactive {
					t.Errorf("%s: DeletionProtection %q, want INACTIVE", label, p.DeletionProtection)
				}
				if p.Policies == nil || p.Policies.PasswordPolicy == nil {
					t.Fatalf("%s: no password policy", label)
				}
				pp := p.Policies.PasswordPolicy
				if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers ||
					!pp.RequireSymbols || pp.TemporaryPasswordValidityDays != 7 {
					t.Errorf("%s: password policy %+v, want 8/true/true/true/true/7", label, *pp)
				}
				sub, ok := schemaAttr(p.SchemaAttributes, "sub")
				if !ok || !aws.ToBool(sub.Required) || aws.ToBool(sub.Mutable) || sub.AttributeDataType != types.AttributeDataTypeString {
					t.Errorf("%s: sub schema %+v", label, sub)
				}
				if a, ok := schemaAttr(p.SchemaAttributes, "email"); !ok || a.AttributeDataType != types.AttributeDataTypeString {
					t.Errorf("%s: email schema %+v (present %v)", label, a, ok)
				}
				if a, ok := schemaAttr(p.SchemaAttributes, "email_verified"); !ok || a.AttributeDataType != types.AttributeDataTypeBoolean {
					t.Errorf("%s: email_verified schema %+v (present %v)", label, a, ok)
				}
				tenant, ok := schemaAttr(p.SchemaAttributes, "custom:tenant")
				if !ok {
					t.Errorf("%s: custom:tenant missing from schema", label)
				} else if tenant.AttributeDataType != types.AttributeDataTypeString || aws.ToBool(tenant.Mutable) ||
					tenant.StringAttributeConstraints == nil || aws.ToString(tenant.StringAttributeConstraints.MinLength) != "1" ||
					aws.ToString(tenant.StringAttributeConstraints.MaxLength) != "64" {
					t.Errorf("%s: custom:tenant %+v constraints %+v", label, tenant, tenant.StringAttributeConstraints)
				}
				age, ok := schemaAttr(p.SchemaAttributes, "custom:age")
				if !ok {
					t.Errorf("%s: custom:age missing from schema", label)
				} else if age.AttributeDataType != types.AttributeDataTypeNumber || !aws.ToBool(age.Mutable) ||
					age.NumberAttributeConstraints == nil || aws.ToString(age.NumberAttributeConstraints.MinValue) != "0" ||
					aws.ToString(age.NumberAttributeConstraints.MaxValue) != "150" {
					t.Errorf("%s: custom:age %+v constraints %+v", label, age, age.NumberAttributeConstraints)
				}
				if _, ok := schemaAttr(p.SchemaAttributes, "tenant"); ok {
					t.Errorf("%s: unprefixed custom attribute in schema", label)
				}
			}
		})

		t.Run("PasswordPolicyOmittedBooleansAreFalse", func(t *testing.T) {
			t.Parallel()
			// The SDK leaves false booleans out of the JSON; Cognito reads a
			// missing Require* as false.
			id := newPool(t, c, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{
				PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10), RequireNumbers: true}}})
			pp := describePool(t, c, id).Policies.PasswordPolicy
			if aws.ToInt32(pp.MinimumLength) != 10 || !pp.RequireNumbers || pp.RequireUppercase || pp.RequireLowercase || pp.RequireSymbols {
				t.Errorf("password policy %+v, want length 10, numbers only", *pp)
			}
			if pp.TemporaryPasswordValidityDays != 7 {
				t.Errorf("TemporaryPasswordValidityDays %d, want 7", pp.TemporaryPasswordValidityDays)
			}
		})

		t.Run("CreateValidation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("")})
			wantErr[*types.InvalidParameterException](t, err, "empty PoolName")
			r := rawCall(t, env.URL, targetPrefix+"CreateUserPool", []byte(`{}`))
			wantRawError(t, r, 400, "InvalidParameterException", "missing PoolName")
			_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("both"),
				UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
				AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypePreferredUsername}})
			wantErr[*types.InvalidParameterException](t, err, "UsernameAttributes with AliasAttributes")
			_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("enum"), MfaConfiguration: types.UserPoolMfaType("SOMETIMES")})
			wantErr[*types.InvalidParameterException](t, err, "bad MfaConfiguration enum")
			_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("enum2"), DeletionProtection: types.DeletionProtectionType("MAYBE")})
			wantErr[*types.InvalidParameterException](t, err, "bad DeletionProtection enum")
			_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("short"),
				Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}})
			wantErr[*types.InvalidParameterException](t, err, "MinimumLength 5")
			_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad/name")})
			wantErr[*types.InvalidParameterException](t, err, "PoolName with /")
		})

		t.Run("DescribeCountsUsers", func(t *testing.T) {
			t.Parallel()
			id := newPool(t, c, nil)
			if n := describePool(t, c, id).EstimatedNumberOfUsers; n != 0 {
				t.Errorf("EstimatedNumberOfUsers %d on an empty pool", n)
			}
			createUser(t, c, id, "count-1")
			createUser(t, c, id, "count-2")
			if n := describePool(t, c, id).EstimatedNumberOfUsers; n != 2 {
				t.Errorf("EstimatedNumberOfUsers %d, want 2", n)
			}
			_, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPool unknown")
			_, err = c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("not a pool id")})
			wantErr[*types.InvalidParameterException](t, err, "DescribeUserPool malformed id")
		})

		t.Run("UpdateResetsOmittedSettings", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, &cip.CreateUserPoolInput{
				PoolName:                 aws.String("update-me"),
				AutoVerifiedAttributes:   []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
				UserPoolTags:             map[string]string{"team": "identity"},
				EmailVerificationSubject: aws.String("Verify"),
				AliasAttributes:          []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			})
			_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(id),
				SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}, MfaConfiguration: types.UserPoolMfaTypeOptional})
			must(t, err, "SetUserPoolMfaConfig")
			if p := describePool(t, c, id); p.MfaConfiguration != types.UserPoolMfaTypeOptional {
				t.Fatalf("MfaConfiguration %q after SetUserPoolMfaConfig", p.MfaConfiguration)
			}
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id),
				AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
				DeletionProtection:    types.DeletionProtectionTypeActive})
			must(t, err, "UpdateUserPool")
			p := describePool(t, c, id)
			if p.MfaConfiguration != types.UserPoolMfaTypeOff {
				t.Errorf("MfaConfiguration %q after an update that omitted it, want OFF", p.MfaConfiguration)
			}
			if len(p.AutoVerifiedAttributes) != 0 {
				t.Errorf("AutoVerifiedAttributes %v after an update that omitted them, want none", p.AutoVerifiedAttributes)
			}
			if p.EmailVerificationSubject != nil && aws.ToString(p.EmailVerificationSubject) == "Verify" {
				t.Errorf("EmailVerificationSubject kept after an update that omitted it")
			}
			if p.AdminCreateUserConfig == nil || !p.AdminCreateUserConfig.AllowAdminCreateUserOnly {
				t.Errorf("AllowAdminCreateUserOnly not applied: %+v", p.AdminCreateUserConfig)
			}
			if p.DeletionProtection != types.DeletionProtectionTypeActive {
				t.Errorf("DeletionProtection %q, want ACTIVE", p.DeletionProtection)
			}
			if aws.ToString(p.Name) != "update-me" {
				t.Errorf("Name %q after an update without PoolName", aws.ToString(p.Name))
			}
			if p.UserPoolTags["team"] != "identity" {
				t.Errorf("tags %v after an update without tags", p.UserPoolTags)
			}
			if !slices.Equal(p.AliasAttributes, []types.AliasAttributeType{types.AliasAttributeTypeEmail}) {
				t.Errorf("AliasAttributes %v changed by update", p.AliasAttributes)
			}
			if p.Policies == nil || p.Policies.PasswordPolicy == nil || aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength) != 8 {
				t.Errorf("password policy not at defaults after update: %+v", p.Policies)
			}
			// A rename applies; the next update without DeletionProtection turns it off.
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id), PoolName: aws.String("renamed")})
			must(t, err, "UpdateUserPool rename")
			p = describePool(t, c, id)
			if aws.ToString(p.Name) != "renamed" || p.DeletionProtection != types.DeletionProtectionTypeInactive {
				t.Errorf("after rename: Name %q DeletionProtection %q", aws.ToString(p.Name), p.DeletionProtection)
			}
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "UpdateUserPool unknown")
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id), MfaConfiguration: types.UserPoolMfaType("NOPE")})
			wantErr[*types.InvalidParameterException](t, err, "UpdateUserPool bad enum")
		})

		t.Run("DeleteWithDeletionProtection", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, &cip.CreateUserPoolInput{DeletionProtection: types.DeletionProtectionTypeActive})
			_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
			wantErr[*types.InvalidParameterException](t, err, "DeleteUserPool with protection")
			describePool(t, c, id) // still there
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id), DeletionProtection: types.DeletionProtectionTypeInactive})
			must(t, err, "UpdateUserPool INACTIVE")
			_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
			must(t, err, "DeleteUserPool")
			_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPool after delete")
			_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
			wantErr[*types.ResourceNotFoundException](t, err, "DeleteUserPool twice")
		})

		t.Run("DeleteRemovesContents", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, nil)
			cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("app")})
			must(t, err, "CreateUserPoolClient")
			createUser(t, c, id, "doomed")
			_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(id), GroupName: aws.String("g")})
			must(t, err, "CreateGroup")
			_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(id), Username: aws.String("doomed"), GroupName: aws.String("g")})
			must(t, err, "AdminAddUserToGroup")
			_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
			must(t, err, "DeleteUserPool with contents")
			_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(id), ClientId: cl.UserPoolClient.ClientId})
			wantErr[*types.ResourceNotFoundException](t, err, "DescribeUserPoolClient in deleted pool")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(id), Username: aws.String("doomed")})
			wantErr[*types.ResourceNotFoundException](t, err, "AdminGetUser in deleted pool")
		})

		t.Run("ListPagination", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			mine := map[string]bool{}
			for range 3 {
				mine[newPool(t, c, nil)] = false
			}
			seen := map[string]bool{}
			var token *string
			for page := 0; ; page++ {
				if page > 1000 {
					t.Fatal("ListUserPools does not end")
				}
				out, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1), NextToken: token})
				must(t, err, "ListUserPools")
				if len(out.UserPools) > 1 {
					t.Fatalf("page of %d pools with MaxResults 1", len(out.UserPools))
				}
				for _, p := range out.UserPools {
					id := aws.ToString(p.Id)
					if seen[id] {
						t.Errorf("pool %s listed twice", id)
					}
					seen[id] = true
					if p.Name == nil || p.CreationDate == nil {
						t.Errorf("pool description incomplete: %+v", p)
					}
				}
				if out.NextToken == nil {
					break
				}
				token = out.NextToken
			}
			for id := range mine {
				if !seen[id] {
					t.Errorf("pool %s not listed", id)
				}
			}
			all, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
			must(t, err, "ListUserPools 60")
			if len(all.UserPools) == 0 {
				t.Error("ListUserPools 60 returned nothing")
			}
			r := rawCall(t, env.URL, targetPrefix+"ListUserPools", []byte(`{}`))
			wantRawError(t, r, 400, "InvalidParameterException", "ListUserPools without MaxResults")
			_, err = c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
			wantErr[*types.InvalidParameterException](t, err, "ListUserPools MaxResults 61")
			_, err = c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(0)})
			wantErr[*types.InvalidParameterException](t, err, "ListUserPools MaxResults 0")
		})

		t.Run("AddCustomAttributes", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, nil)
			_, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id),
				CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("dept"), AttributeDataType: types.AttributeDataTypeString,
					StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("32")}}}})
			must(t, err, "AddCustomAttributes")
			a, ok := schemaAttr(describePool(t, c, id).SchemaAttributes, "custom:dept")
			if !ok || a.AttributeDataType != types.AttributeDataTypeString || a.StringAttributeConstraints == nil ||
				aws.ToString(a.StringAttributeConstraints.MaxLength) != "32" {
				t.Errorf("custom:dept after AddCustomAttributes: %+v (present %v)", a, ok)
			}
			for _, name := range []string{"dept", "custom:dept"} {
				_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id),
					CustomAttributes: []types.SchemaAttributeType{{Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString}}})
				wantErr[*types.InvalidParameterException](t, err, "AddCustomAttributes duplicate "+name)
			}
			_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String("us-east-1_nosuchpoo"),
				CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString}}})
			wantErr[*types.ResourceNotFoundException](t, err, "AddCustomAttributes unknown pool")
			// The new attribute is usable at once.
			createUser(t, c, id, "with-dept", attr("custom:dept", "sales"))
			if got := attrMap(getUser(t, c, id, "with-dept").UserAttributes)["custom:dept"]; got != "sales" {
				t.Errorf("custom:dept = %q, want sales", got)
			}
		})

		t.Run("Tags", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTags: map[string]string{"initial": "yes"}})
			arn := describePool(t, c, id).Arn
			_, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}})
			must(t, err, "TagResource")
			lt, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})
			must(t, err, "ListTagsForResource")
			if want := map[string]string{"initial": "yes", "a": "1", "b": "2"}; !reflect.DeepEqual(lt.Tags, want) {
				t.Errorf("tags %v, want %v", lt.Tags, want)
			}
			_, err = c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a", "initial"}})
			must(t, err, "UntagResource")
			lt, err = c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})
			must(t, err, "ListTagsForResource")
			if want := map[string]string{"b": "2"}; !reflect.DeepEqual(lt.Tags, want) {
				t.Errorf("tags after untag %v, want %v", lt.Tags, want)
			}
			if got := describePool(t, c, id).UserPoolTags; !reflect.DeepEqual(got, map[string]string{"b": "2"}) {
				t.Errorf("DescribeUserPool UserPoolTags %v", got)
			}
			_, err = c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_nosuchpoo"),
				Tags: map[string]string{"a": "1"}})
			wantErr[*types.ResourceNotFoundException](t, err, "TagResource unknown pool")
			_, err = c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
			wantErr[*types.InvalidParameterException](t, err, "ListTagsForResource bad ARN")
		})

		t.Run("GetCSVHeader", func(t *testing.T) {
			t.Parallel()
			id := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
				{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString}}})
			out, err := c.GetCSVHeader(t.Context(), &cip.GetCSVHeaderInput{UserPoolId: aws.String(id)})
			must(t, err, "GetCSVHeader")
			if aws.ToString(out.UserPoolId) != id {
				t.Errorf("UserPoolId %q", aws.ToString(out.UserPoolId))
			}
			for _, col := range []string{"name", "email", "email_verified", "phone_number", "cognito:mfa_enabled", "cognito:username", "custom:plan"} {
				if !slices.Contains(out.CSVHeader, col) {
					t.Errorf("CSV header %v lacks %s", out.CSVHeader, col)
				}
			}
			if slices.Contains(out.CSVHeader, "sub") {
				t.Errorf("CSV header %v has sub", out.CSVHeader)
			}
			_, err = c.GetCSVHeader(t.Context(), &cip.GetCSVHeaderInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "GetCSVHeader unknown pool")
		})

		t.Run("MfaConfig", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			id := newPool(t, c, nil)
			got, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(id)})
			must(t, err, "GetUserPoolMfaConfig")
			if got.MfaConfiguration != types.UserPoolMfaTypeOff {
				t.Errorf("default MfaConfiguration %q", got.MfaConfiguration)
			}
			set, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(id),
				SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
				EmailMfaConfiguration:         &types.EmailMfaConfigType{Message: aws.String("Code {####}"), Subject: aws.String("Your code")},
				MfaConfiguration:              types.UserPoolMfaTypeOptional})
			must(t, err, "SetUserPoolMfaConfig")
			got, err = c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(id)})
			must(t, err, "GetUserPoolMfaConfig")
			for label, v := range map[string]struct {
				mfa   types.UserPoolMfaType
				soft  *types.SoftwareTokenMfaConfigType
				email *types.EmailMfaConfigType
			}{"set": {set.MfaConfiguration, set.SoftwareTokenMfaConfiguration, set.EmailMfaConfiguration},
				"get": {got.MfaConfiguration, got.SoftwareTokenMfaConfiguration, got.EmailMfaConfiguration}} {
				if v.mfa != types.UserPoolMfaTypeOptional {
					t.Errorf("%s: MfaConfiguration %q", label, v.mfa)
				}
				if v.soft == nil || !v.soft.Enabled {
					t.Errorf("%s: SoftwareTokenMfaConfiguration %+v", label, v.soft)
				}
				if v.email == nil || aws.ToString(v.email.Message) != "Code {####}" || aws.ToString(v.email.Subject) != "Your code" {
					t.Errorf("%s: EmailMfaConfiguration %+v", label, v.email)
				}
			}
			if p := describePool(t, c, id); p.MfaConfiguration != types.UserPoolMfaTypeOptional {
				t.Errorf("DescribeUserPool MfaConfiguration %q", p.MfaConfiguration)
			}
			_, err = c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "GetUserPoolMfaConfig unknown pool")
		})

		t.Run("SettingsRoundTrip", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			lambda := func(name string) *string {
				return aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name)
			}
			lc := &types.LambdaConfigType{
				PreSignUp: lambda("pre-signup"), CustomMessage: lambda("custom-message"), PostConfirmation: lambda("post-confirm"),
				PreAuthentication: lambda("pre-auth"), PostAuthentication: lambda("post-auth"),
				DefineAuthChallenge: lambda("define"), CreateAuthChallenge: lambda("create"),
				VerifyAuthChallengeResponse: lambda("verify"), UserMigration: lambda("migrate"),
			}
			ec := &types.EmailConfigurationType{
				EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
				SourceArn:           aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"),
				From:                aws.String("Example <no-reply@example.com>"),
				ReplyToEmailAddress: aws.String("support@example.com"),
				ConfigurationSet:    aws.String("my-config-set"),
			}
			sc := &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/cognito-sns"),
				ExternalId: aws.String("external-id"), SnsRegion: aws.String("us-east-1")}
			vt := &types.VerificationMessageTemplateType{
				DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
				EmailMessage:       aws.String("Your code is {####}"), EmailSubject: aws.String("Your code"),
				EmailMessageByLink: aws.String("Click {##Verify Email##}"), EmailSubjectByLink: aws.String("Verify your email"),
				SmsMessage: aws.String("SMS code {####}"),
			}
			ac := &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true,
				InviteMessageTemplate: &types.MessageTemplateType{EmailMessage: aws.String("Hi {username}, password {####}"),
					EmailSubject: aws.String("Welcome"), SMSMessage: aws.String("User {username} pw {####}")}}
			id := newPool(t, c, &cip.CreateUserPoolInput{LambdaConfig: lc, EmailConfiguration: ec, SmsConfiguration: sc,
				VerificationMessageTemplate: vt, AdminCreateUserConfig: ac})
			wantAC := *ac
			wantAC.UnusedAccountValidityDays = 7 // follows TemporaryPasswordValidityDays
			check := func(label string, p *types.UserPoolType, lc *types.LambdaConfigType) {
				t.Helper()
				if !reflect.DeepEqual(p.LambdaConfig, lc) {
					t.Errorf("%s: LambdaConfig\n got %s\nwant %s", label, jsonOf(p.LambdaConfig), jsonOf(lc))
				}
				if !reflect.DeepEqual(p.EmailConfiguration, ec) {
					t.Errorf("%s: EmailConfiguration\n got %s\nwant %s", label, jsonOf(p.EmailConfiguration), jsonOf(ec))
				}
				if !reflect.DeepEqual(p.SmsConfiguration, sc) {
					t.Errorf("%s: SmsConfiguration\n got %s\nwant %s", label, jsonOf(p.SmsConfiguration), jsonOf(sc))
				}
				if !reflect.DeepEqual(p.VerificationMessageTemplate, vt) {
					t.Errorf("%s: VerificationMessageTemplate\n got %s\nwant %s", label, jsonOf(p.VerificationMessageTemplate), jsonOf(vt))
				}
				if !reflect.DeepEqual(p.AdminCreateUserConfig, &wantAC) {
					t.Errorf("%s: AdminCreateUserConfig\n got %s\nwant %s", label, jsonOf(p.AdminCreateUserConfig), jsonOf(&wantAC))
				}
			}
			check("describe after create", describePool(t, c, id), lc)

			// UpdateUserPool replaces the settings wholesale.
			lc2 := &types.LambdaConfigType{PreSignUp: lambda("pre-signup-v2")}
			_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id), LambdaConfig: lc2,
				EmailConfiguration: ec, SmsConfiguration: sc, VerificationMessageTemplate: vt, AdminCreateUserConfig: ac})
			must(t, err, "UpdateUserPool")
			check("describe after update", describePool(t, c, id), lc2)

			// PreTokenGeneration alone is reported with its V1_0 version config too.
			id2 := newPool(t, c, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{PreTokenGeneration: lambda("ptg")}})
			got := describePool(t, c, id2).LambdaConfig
			if got == nil || aws.ToString(got.PreTokenGeneration) != aws.ToString(lambda("ptg")) || got.PreTokenGenerationConfig == nil ||
				aws.ToString(got.PreTokenGenerationConfig.LambdaArn) != aws.ToString(lambda("ptg")) ||
				got.PreTokenGenerationConfig.LambdaVersion != types.PreTokenGenerationLambdaVersionTypeV10 {
				t.Errorf("PreTokenGeneration LambdaConfig %s", jsonOf(got))
			}
		})
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
