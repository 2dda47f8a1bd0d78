package server_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// meetsDefaultPolicy reports whether pw satisfies Cognito's default password
// policy: 8 characters with upper, lower, digit and symbol.
func meetsDefaultPolicy(pw string) bool {
	var up, low, digit, sym bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			low = true
		case unicode.IsDigit(r):
			digit = true
		default:
			sym = true
		}
	}
	return len(pw) >= 8 && up && low && digit && sym
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

func TestUsers(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		}})

		t.Run("CreateWithInvitation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("invitee"),
				UserAttributes:         []types.AttributeType{attr("email", "invitee@example.com"), attr("email_verified", "true")},
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			must(t, err, "AdminCreateUser")
			u := out.User
			if u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled || aws.ToString(u.Username) != "invitee" {
				t.Errorf("created user status %q enabled %v username %q", u.UserStatus, u.Enabled, aws.ToString(u.Username))
			}
			if u.UserCreateDate == nil || u.UserLastModifiedDate == nil {
				t.Error("user dates missing")
			}
			attrs := attrMap(u.Attributes)
			if !uuidRE.MatchString(attrs["sub"]) {
				t.Errorf("sub %q is not a UUID", attrs["sub"])
			}
			if attrs["email"] != "invitee@example.com" || attrs["email_verified"] != "true" {
				t.Errorf("attributes %v", attrs)
			}
			msgs := env.Outbox(t, "invitee", pool)
			if len(msgs) != 1 {
				t.Fatalf("%d outbox messages for invitee, want 1: %+v", len(msgs), msgs)
			}
			m := msgs[0]
			if m.Channel != "EMAIL" || m.Destination != "invitee@example.com" || m.Kind != "AdminCreateUser" {
				t.Errorf("invitation %+v", m)
			}
			if !meetsDefaultPolicy(m.Code) {
				t.Errorf("generated temporary password %q does not meet the default policy", m.Code)
			}
			if !strings.Contains(m.Body, m.Code) || !strings.Contains(m.Body, "invitee") {
				t.Errorf("invitation body %q lacks the username or the password", m.Body)
			}

			// RESEND sends a new temporary password to the same user.
			re, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("invitee"),
				MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			must(t, err, "AdminCreateUser RESEND")
			if aws.ToString(re.User.Username) != "invitee" || attrMap(re.User.Attributes)["sub"] != attrs["sub"] {
				t.Errorf("RESEND returned another user: %s", jsonOf(re.User))
			}
			msgs = env.Outbox(t, "invitee", pool)
			if len(msgs) != 2 {
				t.Fatalf("%d outbox messages after RESEND, want 2", len(msgs))
			}
			if msgs[0].Code == "" || msgs[0].Code == m.Code || msgs[0].Kind != "AdminCreateUser" {
				t.Errorf("resent invitation %+v (first code %q)", msgs[0], m.Code)
			}

			// A second create of the same username fails.
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("invitee"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.UsernameExistsException](t, err, "duplicate AdminCreateUser")

			// RESEND is only for FORCE_CHANGE_PASSWORD users.
			_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("invitee"),
				Password: aws.String(goodPassword), Permanent: true})
			must(t, err, "AdminSetUserPassword")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("invitee"),
				MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			wantErr[*types.UnsupportedUserStateException](t, err, "RESEND to a CONFIRMED user")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here"),
				MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			wantErr[*types.UserNotFoundException](t, err, "RESEND to an unknown user")
		})

		t.Run("CreateSuppressed", func(t *testing.T) {
			t.Parallel()
			u := createUser(t, c, pool, "quiet", attr("email", "quiet@example.com"), attr("phone_number", "+15555550100"))
			if u.UserStatus != types.UserStatusTypeForceChangePassword {
				t.Errorf("status %q", u.UserStatus)
			}
			if msgs := env.Outbox(t, "quiet", pool); len(msgs) != 0 {
				t.Errorf("SUPPRESS sent %d messages: %+v", len(msgs), msgs)
			}
		})

		t.Run("CreateValidation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("weak-temp"),
				TemporaryPassword: aws.String("short"), MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidPasswordException](t, err, "weak temporary password")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("weak-temp")})
			wantErr[*types.UserNotFoundException](t, err, "user after a refused create")

			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bad-attr"),
				UserAttributes: []types.AttributeType{attr("custom:nope", "x")}, MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "unknown custom attribute")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("bad-attr")})
			wantErr[*types.UserNotFoundException](t, err, "user after a refused create")

			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bad-email"),
				UserAttributes: []types.AttributeType{attr("email", "not an email")}, MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "malformed email")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("has space"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "username with a space")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("sub-writer"),
				UserAttributes: []types.AttributeType{attr("sub", "11111111-1111-1111-1111-111111111111")}, MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "writing sub")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("no-email"),
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			wantErr[*types.InvalidParameterException](t, err, "EMAIL invitation without an email")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), Username: aws.String("x"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.ResourceNotFoundException](t, err, "AdminCreateUser unknown pool")
		})

		t.Run("RequiredAttribute", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
				{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}}})
			if a, _ := schemaAttr(describePool(t, c, p).SchemaAttributes, "email"); !aws.ToBool(a.Required) {
				t.Errorf("email not required in schema: %+v", a)
			}
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("no-email"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "missing required email")
			createUser(t, c, p, "with-email", attr("email", "req@example.com"))
			_, err = c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(p), Username: aws.String("with-email"),
				UserAttributeNames: []string{"email"}})
			wantErr[*types.InvalidParameterException](t, err, "deleting a required attribute")
		})

		t.Run("EmailAsUsername", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("plainname"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "non-email username in an email-username pool")
			u := createUser(t, c, p, "carol@example.com")
			stored := aws.ToString(u.Username)
			if !uuidRE.MatchString(stored) {
				t.Errorf("stored username %q is not a UUID", stored)
			}
			if got := attrMap(u.Attributes)["email"]; got != "carol@example.com" {
				t.Errorf("email attribute %q", got)
			}
			g := getUser(t, c, p, "carol@example.com")
			if aws.ToString(g.Username) != stored {
				t.Errorf("AdminGetUser by email: username %q, want %q", aws.ToString(g.Username), stored)
			}
			getUser(t, c, p, stored) // the UUID works as well
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("carol@example.com"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.UsernameExistsException](t, err, "second user with the same email")
			// Invitations name the email, and the outbox finds them by it.
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("dan@example.com"),
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			must(t, err, "AdminCreateUser with invitation")
			msgs := env.Outbox(t, "dan@example.com", p)
			if len(msgs) != 1 || msgs[0].Code == "" || !strings.Contains(msgs[0].Body, "dan@example.com") {
				t.Errorf("invitation in email pool: %+v", msgs)
			}
			// Updating the sign-in email to one another user holds is refused
			// (the error type is checked in TestKnownGaps).
			_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(p), Username: aws.String("dan@example.com"),
				UserAttributes: []types.AttributeType{attr("email", "carol@example.com")}})
			if err == nil {
				t.Error("changing a user's email to another user's sign-in email succeeded")
			}
			if g := getUser(t, c, p, "carol@example.com"); attrMap(g.UserAttributes)["email"] != "carol@example.com" || aws.ToString(g.Username) != stored {
				t.Errorf("carol after a refused takeover: %s", jsonOf(g))
			}
		})

		t.Run("CaseInsensitivePool", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
			if d := describePool(t, c, p); d.UsernameConfiguration == nil || aws.ToBool(d.UsernameConfiguration.CaseSensitive) {
				t.Errorf("UsernameConfiguration %+v", d.UsernameConfiguration)
			}
			createUser(t, c, p, "Dave")
			getUser(t, c, p, "dave")
			getUser(t, c, p, "DAVE")
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("dAVE"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.UsernameExistsException](t, err, "same username in other case")
			_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p), Username: aws.String("DaVe")})
			must(t, err, "AdminDisableUser in other case")
		})

		t.Run("CaseSensitivePool", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "Erin")
			_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("erin")})
			wantErr[*types.UserNotFoundException](t, err, "other case in a case-sensitive pool")
			createUser(t, c, pool, "erin") // a different user
		})

		t.Run("GetBySubAndDelete", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			u := createUser(t, c, pool, "frank", attr("name", "Frank"))
			sub := attrMap(u.Attributes)["sub"]
			g := getUser(t, c, pool, sub)
			if aws.ToString(g.Username) != "frank" || g.UserStatus != types.UserStatusTypeForceChangePassword || !g.Enabled {
				t.Errorf("AdminGetUser by sub: %s", jsonOf(g))
			}
			if a := attrMap(g.UserAttributes); a["name"] != "Frank" || a["sub"] != sub {
				t.Errorf("attributes %v", a)
			}
			_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("frank")})
			must(t, err, "AdminDeleteUser")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("frank")})
			wantErr[*types.UserNotFoundException](t, err, "AdminGetUser after delete")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(sub)})
			wantErr[*types.UserNotFoundException](t, err, "AdminGetUser by sub after delete")
			_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("frank")})
			wantErr[*types.UserNotFoundException](t, err, "AdminDeleteUser twice")
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), Username: aws.String("frank")})
			wantErr[*types.ResourceNotFoundException](t, err, "AdminGetUser unknown pool")
			// A recreated user gets a new sub.
			u2 := createUser(t, c, pool, "frank")
			if attrMap(u2.Attributes)["sub"] == sub {
				t.Error("recreated user kept the old sub")
			}
		})

		t.Run("UpdateAttributes", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "gina", attr("email", "gina@example.com"), attr("email_verified", "true"), attr("custom:tenant", "acme"))
			update := func(attrs ...types.AttributeType) error {
				_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool),
					Username: aws.String("gina"), UserAttributes: attrs})
				return err
			}
			must(t, update(attr("email", "gina2@example.com"), attr("name", "Gina")), "change email")
			a := attrMap(getUser(t, c, pool, "gina").UserAttributes)
			if a["email"] != "gina2@example.com" || a["email_verified"] != "false" || a["name"] != "Gina" {
				t.Errorf("after email change: %v (want email_verified false)", a)
			}
			must(t, update(attr("email", "gina3@example.com"), attr("email_verified", "true")), "change email verified")
			a = attrMap(getUser(t, c, pool, "gina").UserAttributes)
			if a["email"] != "gina3@example.com" || a["email_verified"] != "true" {
				t.Errorf("after verified email change: %v", a)
			}
			must(t, update(attr("custom:tenant", "acme")), "rewrite immutable attribute with the same value")
			err := update(attr("custom:tenant", "other"))
			wantErr[*types.InvalidParameterException](t, err, "change an immutable custom attribute")
			if got := attrMap(getUser(t, c, pool, "gina").UserAttributes)["custom:tenant"]; got != "acme" {
				t.Errorf("custom:tenant = %q after a refused change", got)
			}
			wantErr[*types.InvalidParameterException](t, update(attr("custom:nope", "x")), "unknown attribute")
			wantErr[*types.InvalidParameterException](t, update(attr("email_verified", "maybe")), "non-boolean email_verified")
			_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool),
				Username: aws.String("nobody-here"), UserAttributes: []types.AttributeType{attr("name", "x")}})
			wantErr[*types.UserNotFoundException](t, err, "AdminUpdateUserAttributes unknown user")

			_, err = c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("gina"),
				UserAttributeNames: []string{"name"}})
			must(t, err, "AdminDeleteUserAttributes")
			a = attrMap(getUser(t, c, pool, "gina").UserAttributes)
			if _, ok := a["name"]; ok {
				t.Errorf("name still present after delete: %v", a)
			}
			if a["email"] != "gina3@example.com" {
				t.Errorf("email lost by deleting name: %v", a)
			}
			_, err = c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here"),
				UserAttributeNames: []string{"name"}})
			wantErr[*types.UserNotFoundException](t, err, "AdminDeleteUserAttributes unknown user")
		})

		t.Run("AliasPool", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("henry@example.com"),
				MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, "email-shaped username in an email-alias pool")
			createUser(t, c, p, "henry", attr("email", "shared@example.com"), attr("email_verified", "true"))
			if g := getUser(t, c, p, "shared@example.com"); aws.ToString(g.Username) != "henry" {
				t.Errorf("AdminGetUser by verified email alias: %q", aws.ToString(g.Username))
			}
			// Unverified, the same email is no alias and may be shared.
			createUser(t, c, p, "iris", attr("email", "shared@example.com"))
			_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(p), Username: aws.String("iris"),
				UserAttributes: []types.AttributeType{attr("email_verified", "true")}})
			wantErr[*types.AliasExistsException](t, err, "verifying an email another user holds as alias")
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("jack"),
				UserAttributes: []types.AttributeType{attr("email", "shared@example.com"), attr("email_verified", "true")},
				MessageAction:  types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword)})
			// AdminCreateUser does not model AliasExistsException in the SDK,
			// though Cognito documents it (ForceAliasCreation), so check the code.
			wantCode(t, err, "AliasExistsException", "creating a user with a taken verified email")
			// ForceAliasCreation moves the alias to the new user.
			_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("jack"),
				UserAttributes: []types.AttributeType{attr("email", "shared@example.com"), attr("email_verified", "true")},
				MessageAction:  types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword), ForceAliasCreation: true})
			must(t, err, "AdminCreateUser ForceAliasCreation")
			if g := getUser(t, c, p, "shared@example.com"); aws.ToString(g.Username) != "jack" {
				t.Errorf("alias owner after ForceAliasCreation: %q", aws.ToString(g.Username))
			}
			if a := attrMap(getUser(t, c, p, "henry").UserAttributes); a["email_verified"] != "false" || a["email"] != "shared@example.com" {
				t.Errorf("previous alias owner after ForceAliasCreation: %v", a)
			}
		})

		t.Run("EnableDisable", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "kate")
			_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("kate")})
			must(t, err, "AdminDisableUser")
			if getUser(t, c, pool, "kate").Enabled {
				t.Error("Enabled after AdminDisableUser")
			}
			_, err = c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("kate")})
			must(t, err, "AdminEnableUser")
			if !getUser(t, c, pool, "kate").Enabled {
				t.Error("not Enabled after AdminEnableUser")
			}
			_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here")})
			wantErr[*types.UserNotFoundException](t, err, "AdminDisableUser unknown")
			_, err = c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here")})
			wantErr[*types.UserNotFoundException](t, err, "AdminEnableUser unknown")
		})

		t.Run("SetPassword", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "leo")
			set := func(pw string, permanent bool) error {
				_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("leo"),
					Password: aws.String(pw), Permanent: permanent})
				return err
			}
			must(t, set("Perm4nent!pw", true), "AdminSetUserPassword permanent")
			if s := getUser(t, c, pool, "leo").UserStatus; s != types.UserStatusTypeConfirmed {
				t.Errorf("status %q after a permanent password, want CONFIRMED", s)
			}
			must(t, set("Tempor4ry!pw", false), "AdminSetUserPassword temporary")
			if s := getUser(t, c, pool, "leo").UserStatus; s != types.UserStatusTypeForceChangePassword {
				t.Errorf("status %q after a temporary password, want FORCE_CHANGE_PASSWORD", s)
			}
			for _, tc := range []struct{ pw, rule string }{
				{"Sh0rt!", "long"},
				{"nouppercase1!", "uppercase"},
				{"NOLOWERCASE1!", "lowercase"},
				{"NoNumbers!!", "numeric"},
				{"NoSymbols123", "symbol"},
			} {
				err := set(tc.pw, true)
				e := wantErr[*types.InvalidPasswordException](t, err, "weak password "+tc.pw)
				if e != nil && !strings.Contains(strings.ToLower(e.ErrorMessage()), tc.rule) {
					t.Errorf("weak password %q: message %q does not name the rule (%s)", tc.pw, e.ErrorMessage(), tc.rule)
				}
			}
			if s := getUser(t, c, pool, "leo").UserStatus; s != types.UserStatusTypeForceChangePassword {
				t.Errorf("status %q changed by refused passwords", s)
			}
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here"),
				Password: aws.String(goodPassword), Permanent: true})
			wantErr[*types.UserNotFoundException](t, err, "AdminSetUserPassword unknown user")
		})

		t.Run("ResetPassword", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "mia", attr("email", "mia@example.com"), attr("email_verified", "true"))
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("mia"),
				Password: aws.String(goodPassword), Permanent: true})
			must(t, err, "AdminSetUserPassword")
			_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("mia")})
			must(t, err, "AdminResetUserPassword")
			if s := getUser(t, c, pool, "mia").UserStatus; s != types.UserStatusTypeResetRequired {
				t.Errorf("status %q after reset, want RESET_REQUIRED", s)
			}
			msgs := env.Outbox(t, "mia", pool)
			if len(msgs) != 1 || !sixDigits.MatchString(msgs[0].Code) || msgs[0].Destination != "mia@example.com" || msgs[0].Channel != "EMAIL" {
				t.Errorf("reset code message: %+v", msgs)
			} else if msgs[0].Kind != "ForgotPassword" {
				t.Errorf("reset message kind %q", msgs[0].Kind)
			}

			createUser(t, c, pool, "ned", attr("email", "ned@example.com")) // not verified
			_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("ned")})
			wantErr[*types.InvalidParameterException](t, err, "reset without a verified email or phone")
			if s := getUser(t, c, pool, "ned").UserStatus; s != types.UserStatusTypeForceChangePassword {
				t.Errorf("status %q after a refused reset", s)
			}
			_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here")})
			wantErr[*types.UserNotFoundException](t, err, "AdminResetUserPassword unknown user")
		})

		t.Run("ConfirmSignUp", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			createUser(t, c, pool, "olga")
			_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("olga")})
			wantErr[*types.NotAuthorizedException](t, err, "AdminConfirmSignUp on FORCE_CHANGE_PASSWORD")
			_, err = c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("nobody-here")})
			wantErr[*types.UserNotFoundException](t, err, "AdminConfirmSignUp unknown user")
		})

		t.Run("ListUsers", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			p := newPool(t, c, nil)
			empty, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p)})
			must(t, err, "ListUsers empty pool")
			if len(empty.Users) != 0 || empty.PaginationToken != nil {
				t.Errorf("empty pool lists %d users, token %v", len(empty.Users), empty.PaginationToken)
			}
			anna := createUser(t, c, p, "list-anna", attr("email", "anna@example.com"), attr("given_name", "Anna"))
			createUser(t, c, p, "list-andy", attr("email", "andy@example.org"))
			createUser(t, c, p, "list-bert", attr("email", "bert@example.com"))
			_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(p), Username: aws.String("list-anna"),
				Password: aws.String(goodPassword), Permanent: true})
			must(t, err, "AdminSetUserPassword")
			_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p), Username: aws.String("list-bert")})
			must(t, err, "AdminDisableUser")
			annaSub := attrMap(anna.Attributes)["sub"]

			list := func(filter string, limit int32) []string {
				t.Helper()
				var names []string
				var token *string
				for page := 0; ; page++ {
					if page > 20 {
						t.Fatalf("ListUsers %q does not end", filter)
					}
					in := &cip.ListUsersInput{UserPoolId: aws.String(p), PaginationToken: token}
					if filter != "" {
						in.Filter = aws.String(filter)
					}
					if limit > 0 {
						in.Limit = aws.Int32(limit)
					}
					out, err := c.ListUsers(ctx, in)
					must(t, err, "ListUsers "+filter)
					if limit > 0 && int32(len(out.Users)) > limit {
						t.Errorf("ListUsers %q: page of %d with Limit %d", filter, len(out.Users), limit)
					}
					for _, u := range out.Users {
						names = append(names, aws.ToString(u.Username))
					}
					if out.PaginationToken == nil {
						break
					}
					token = out.PaginationToken
				}
				slices.Sort(names)
				return names
			}
			for _, tc := range []struct {
				filter string
				want   []string
			}{
				{``, []string{"list-andy", "list-anna", "list-bert"}},
				{`email = "anna@example.com"`, []string{"list-anna"}},
				{`email ^= "an"`, []string{"list-andy", "list-anna"}},
				{`email="bert@example.com"`, []string{"list-bert"}},
				{`email = "nobody@example.com"`, nil},
				{`username = "list-bert"`, []string{"list-bert"}},
				{`username ^= "list-a"`, []string{"list-andy", "list-anna"}},
				{`given_name = "Anna"`, []string{"list-anna"}},
				{`cognito:user_status = "CONFIRMED"`, []string{"list-anna"}},
				{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{"list-andy", "list-bert"}},
				{`status = "Enabled"`, []string{"list-andy", "list-anna"}},
				{`status = "Disabled"`, []string{"list-bert"}},
				{`sub = "` + annaSub + `"`, []string{"list-anna"}},
				{`sub ^= "` + annaSub[:8] + `"`, []string{"list-anna"}},
			} {
				for _, limit := range []int32{0, 1} {
					if got := list(tc.filter, limit); !slices.Equal(got, tc.want) {
						t.Errorf("ListUsers filter %q limit %d: %v, want %v", tc.filter, limit, got, tc.want)
					}
				}
			}

			out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), AttributesToGet: []string{"email"}})
			must(t, err, "ListUsers AttributesToGet")
			for _, u := range out.Users {
				a := attrMap(u.Attributes)
				if len(a) != 1 || a["email"] == "" {
					t.Errorf("AttributesToGet [email]: user %s has %v", aws.ToString(u.Username), a)
				}
				if u.UserStatus == "" || u.UserCreateDate == nil {
					t.Errorf("user fields missing with AttributesToGet: %s", jsonOf(u))
				}
			}
			out, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), Filter: aws.String(`username = "list-anna"`)})
			must(t, err, "ListUsers")
			if len(out.Users) == 1 {
				u := out.Users[0]
				a := attrMap(u.Attributes)
				if a["sub"] != annaSub || a["email"] != "anna@example.com" || u.UserStatus != types.UserStatusTypeConfirmed || !u.Enabled {
					t.Errorf("listed user %s", jsonOf(u))
				}
			}

			for _, bad := range []string{`email == "x"`, `email = x`, `custom:tenant = "x"`, `email ~= "x"`, `"email" = "x" extra`} {
				_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), Filter: aws.String(bad)})
				wantErr[*types.InvalidParameterException](t, err, "ListUsers filter "+bad)
			}
			_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), Limit: aws.Int32(61)})
			wantErr[*types.InvalidParameterException](t, err, "ListUsers Limit 61")
			_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(p), AttributesToGet: []string{"custom:nope"}})
			wantErr[*types.InvalidParameterException](t, err, "ListUsers unknown AttributesToGet")
			_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
			wantErr[*types.ResourceNotFoundException](t, err, "ListUsers unknown pool")
		})
	})
}
