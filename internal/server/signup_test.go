package server_test

// Integration tests of self-service sign-up and password recovery (SignUp,
// ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword) through the AWS SDK for Go v2, on both stores.
// Codes are read back from the dev outbox. Code expiry needs a moved clock
// and is tested in internal/users.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// suClient creates an app client and returns its id and secret (empty
// unless secret is asked for).
func suClient(t *testing.T, c *cip.Client, pool string, in *cip.CreateUserPoolClientInput) (string, string) {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolClientInput{}
	}
	in.UserPoolId = aws.String(pool)
	if in.ClientName == nil {
		in.ClientName = aws.String("app")
	}
	out, err := c.CreateUserPoolClient(t.Context(), in)
	must(t, err, "CreateUserPoolClient")
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
}

// suSecretHash is SECRET_HASH for a client with a secret.
func suSecretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// suCode is the code of the newest message to name (a username or an
// address) in pool, checking its kind.
func suCode(t *testing.T, env *cogitotest.Env, pool, name, kind string) string {
	t.Helper()
	msgs := env.Outbox(t, name, pool)
	if len(msgs) == 0 {
		t.Fatalf("no message for %s", name)
	}
	m := msgs[0]
	if m.Kind != kind {
		t.Errorf("newest message for %s is %s, want %s: %+v", name, m.Kind, kind, m)
	}
	if !sixDigits.MatchString(m.Code) {
		t.Errorf("code %q is not 6 digits", m.Code)
	}
	return m.Code
}

// suWrong is a code that is not code.
func suWrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSignUp(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		// emailPool verifies email at sign-up; its client has no secret.
		emailPool := func(t *testing.T, in *cip.CreateUserPoolInput) (string, string) {
			t.Helper()
			if in == nil {
				in = &cip.CreateUserPoolInput{}
			}
			if in.AutoVerifiedAttributes == nil {
				in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
			}
			p := newPool(t, c, in)
			id, _ := suClient(t, c, p, nil)
			return p, id
		}
		signUp := func(t *testing.T, client, username string, attrs ...types.AttributeType) *cip.SignUpOutput {
			t.Helper()
			out, err := c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(username),
				Password: aws.String(goodPassword), UserAttributes: attrs})
			must(t, err, "SignUp "+username)
			return out
		}
		confirm := func(t *testing.T, client, username, code string) error {
			t.Helper()
			_, err := c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(client),
				Username: aws.String(username), ConfirmationCode: aws.String(code)})
			return err
		}

		t.Run("SignUpAndConfirm", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, nil)
			out := signUp(t, client, "alice", attr("email", "alice@example.com"), attr("name", "Alice"))
			if out.UserConfirmed || !uuidRE.MatchString(aws.ToString(out.UserSub)) {
				t.Errorf("SignUp reply: confirmed %v sub %q", out.UserConfirmed, aws.ToString(out.UserSub))
			}
			d := out.CodeDeliveryDetails
			if d == nil || aws.ToString(d.Destination) != "a***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail ||
				aws.ToString(d.AttributeName) != "email" {
				t.Errorf("CodeDeliveryDetails %s", jsonOf(d))
			}
			u := getUser(t, c, pool, "alice")
			attrs := attrMap(u.UserAttributes)
			if u.UserStatus != types.UserStatusTypeUnconfirmed || !u.Enabled || attrs["sub"] != aws.ToString(out.UserSub) ||
				attrs["email_verified"] == "true" || attrs["name"] != "Alice" {
				t.Errorf("new user: status %s, attributes %v", u.UserStatus, attrs)
			}
			code := suCode(t, env, pool, "alice", "SignUp")
			if m := env.Outbox(t, "alice", pool)[0]; m.Destination != "alice@example.com" || m.Channel != "EMAIL" || !strings.Contains(m.Body, code) {
				t.Errorf("sign-up message %+v", m)
			}

			wantErr[*types.CodeMismatchException](t, confirm(t, client, "alice", suWrong(code)), "wrong code")
			must(t, confirm(t, client, "alice", code), "ConfirmSignUp")
			u = getUser(t, c, pool, "alice")
			if attrs := attrMap(u.UserAttributes); u.UserStatus != types.UserStatusTypeConfirmed || attrs["email_verified"] != "true" {
				t.Errorf("confirmed user: status %s, attributes %v", u.UserStatus, attrs)
			}
			err := confirm(t, client, "alice", code)
			if e := wantErr[*types.NotAuthorizedException](t, err, "confirming twice"); e != nil &&
				e.ErrorMessage() != "User cannot be confirmed. Current status is CONFIRMED" {
				t.Errorf("confirming twice: %q", e.ErrorMessage())
			}

			// Usernames are taken whether confirmed or not.
			_, err = c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("alice"), Password: aws.String(goodPassword)})
			if e := wantErr[*types.UsernameExistsException](t, err, "duplicate of a confirmed user"); e != nil && e.ErrorMessage() != "User already exists" {
				t.Errorf("duplicate: %q", e.ErrorMessage())
			}
			signUp(t, client, "pending", attr("email", "pending@example.com"))
			_, err = c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("pending"), Password: aws.String(goodPassword)})
			wantErr[*types.UsernameExistsException](t, err, "duplicate of an unconfirmed user")
		})

		t.Run("NothingToVerify", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			client, _ := suClient(t, c, p, nil)
			out := signUp(t, client, "quiet", attr("email", "quiet@example.com"))
			if out.UserConfirmed || out.CodeDeliveryDetails != nil {
				t.Errorf("SignUp without auto-verification: %s", jsonOf(out))
			}
			if u := getUser(t, c, p, "quiet"); u.UserStatus != types.UserStatusTypeUnconfirmed {
				t.Errorf("status %s", u.UserStatus)
			}
			if msgs := env.Outbox(t, "quiet", p); len(msgs) != 0 {
				t.Errorf("messages sent: %+v", msgs)
			}
			_, err := c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("quiet")})
			wantErr[*types.InvalidParameterException](t, err, "resend without auto-verification")
		})

		t.Run("PhoneIsPreferred", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{
				types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber}})
			out := signUp(t, client, "dora", attr("email", "dora@example.com"), attr("phone_number", "+12065551234"))
			d := out.CodeDeliveryDetails
			if d == nil || aws.ToString(d.Destination) != "+*******1234" || d.DeliveryMedium != types.DeliveryMediumTypeSms ||
				aws.ToString(d.AttributeName) != "phone_number" {
				t.Fatalf("CodeDeliveryDetails %s", jsonOf(d))
			}
			must(t, confirm(t, client, "dora", suCode(t, env, pool, "dora", "SignUp")), "ConfirmSignUp")
			attrs := attrMap(getUser(t, c, pool, "dora").UserAttributes)
			if attrs["phone_number_verified"] != "true" || attrs["email_verified"] == "true" {
				t.Errorf("attributes after confirming by SMS: %v", attrs)
			}
		})

		t.Run("AttemptLimit", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, nil)
			signUp(t, client, "guesser", attr("email", "guesser@example.com"))
			code := suCode(t, env, pool, "guesser", "SignUp")
			for range 5 {
				wantErr[*types.CodeMismatchException](t, confirm(t, client, "guesser", suWrong(code)), "wrong code")
			}
			wantErr[*types.LimitExceededException](t, confirm(t, client, "guesser", code), "right code once the code is burned")
			if u := getUser(t, c, pool, "guesser"); u.UserStatus != types.UserStatusTypeUnconfirmed {
				t.Errorf("status %s", u.UserStatus)
			}
			_, err := c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("guesser")})
			must(t, err, "ResendConfirmationCode")
			must(t, confirm(t, client, "guesser", suCode(t, env, pool, "guesser", "ResendCode")), "ConfirmSignUp with a new code")
		})

		t.Run("Resend", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, nil)
			signUp(t, client, "bob", attr("email", "bob@example.com"))
			first := suCode(t, env, pool, "bob", "SignUp")
			out, err := c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("bob")})
			must(t, err, "ResendConfirmationCode")
			if d := out.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != "b***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail {
				t.Errorf("CodeDeliveryDetails %s", jsonOf(out.CodeDeliveryDetails))
			}
			second := suCode(t, env, pool, "bob", "ResendCode")
			if second != first {
				// The new code replaces the old one.
				wantErr[*types.CodeMismatchException](t, confirm(t, client, "bob", first), "the replaced code")
			}
			must(t, confirm(t, client, "bob", second), "ConfirmSignUp with the resent code")
			_, err = c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("bob")})
			if e := wantErr[*types.InvalidParameterException](t, err, "resend to a confirmed user"); e != nil && e.ErrorMessage() != "User is already confirmed." {
				t.Errorf("resend to a confirmed user: %q", e.ErrorMessage())
			}
		})

		t.Run("SendRateLimit", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, nil)
			signUp(t, client, "chatty", attr("email", "chatty@example.com"))
			resend := func() error {
				_, err := c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("chatty")})
				return err
			}
			for range 4 {
				must(t, resend(), "ResendConfirmationCode")
			}
			wantErr[*types.LimitExceededException](t, resend(), "sixth code within an hour")
			if n := len(env.Outbox(t, "chatty", pool)); n != 5 {
				t.Errorf("%d messages, want 5", n)
			}
		})

		t.Run("ForgotPassword", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, nil)
			signUp(t, client, "carol", attr("email", "carol@example.com"))
			must(t, confirm(t, client, "carol", suCode(t, env, pool, "carol", "SignUp")), "ConfirmSignUp")

			out, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("carol")})
			must(t, err, "ForgotPassword")
			if d := out.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != "c***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail ||
				aws.ToString(d.AttributeName) != "email" {
				t.Errorf("CodeDeliveryDetails %s", jsonOf(out.CodeDeliveryDetails))
			}
			if u := getUser(t, c, pool, "carol"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("ForgotPassword changed the status to %s", u.UserStatus)
			}
			code := suCode(t, env, pool, "carol", "ForgotPassword")
			reset := func(code, pw string) error {
				_, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client),
					Username: aws.String("carol"), ConfirmationCode: aws.String(code), Password: aws.String(pw)})
				return err
			}
			wantErr[*types.InvalidPasswordException](t, reset(code, "weakpass"), "password breaking the policy")
			wantErr[*types.CodeMismatchException](t, reset(suWrong(code), "N3w-Passw0rd!"), "wrong code")
			must(t, reset(code, "N3w-Passw0rd!"), "ConfirmForgotPassword")
			if u := getUser(t, c, pool, "carol"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("status after the reset %s", u.UserStatus)
			}
			// The code is used up.
			wantErr[*types.ExpiredCodeException](t, reset(code, "An0ther-Passw0rd!"), "reusing the code")

			// By email alias? No: this pool has none, but the sub works.
			sub := attrMap(getUser(t, c, pool, "carol").UserAttributes)["sub"]
			_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(sub)})
			must(t, err, "ForgotPassword by sub")
		})

		t.Run("ForgotPasswordRefusals", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, nil)
			forgot := func(name string) error {
				_, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(name)})
				return err
			}
			// An unconfirmed user has no verified address.
			signUp(t, client, "unverified", attr("email", "unverified@example.com"))
			err := forgot("unverified")
			if e := wantErr[*types.InvalidParameterException](t, err, "no verified contact"); e != nil &&
				e.ErrorMessage() != "Cannot reset password for the user as there is no registered/verified email or phone_number" {
				t.Errorf("no verified contact: %q", e.ErrorMessage())
			}
			// A user who never signed in with the temporary password.
			createUser(t, c, pool, "invited", attr("email", "invited@example.com"), attr("email_verified", "true"))
			wantErr[*types.NotAuthorizedException](t, forgot("invited"), "FORCE_CHANGE_PASSWORD user")
			// A disabled user.
			createUser(t, c, pool, "off", attr("email", "off@example.com"), attr("email_verified", "true"))
			_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("off"),
				Password: aws.String(goodPassword), Permanent: true})
			must(t, err, "AdminSetUserPassword")
			_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("off")})
			must(t, err, "AdminDisableUser")
			if e := wantErr[*types.NotAuthorizedException](t, forgot("off"), "disabled user"); e != nil && e.ErrorMessage() != "User is disabled." {
				t.Errorf("disabled user: %q", e.ErrorMessage())
			}
			if msgs := env.Outbox(t, "", pool); len(msgs) != 1 { // the sign-up code only
				t.Errorf("refused requests sent messages: %+v", msgs)
			}
		})

		t.Run("ResetRequiredUser", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, nil)
			createUser(t, c, pool, "reset", attr("email", "reset@example.com"), attr("email_verified", "true"))
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("reset"),
				Password: aws.String(goodPassword), Permanent: true})
			must(t, err, "AdminSetUserPassword")
			_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("reset")})
			must(t, err, "AdminResetUserPassword")
			if u := getUser(t, c, pool, "reset"); u.UserStatus != types.UserStatusTypeResetRequired {
				t.Fatalf("status %s", u.UserStatus)
			}
			_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("reset"),
				ConfirmationCode: aws.String(suCode(t, env, pool, "reset", "ForgotPassword")), Password: aws.String("N3w-Passw0rd!")})
			must(t, err, "ConfirmForgotPassword")
			if u := getUser(t, c, pool, "reset"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("status after the reset %s", u.UserStatus)
			}
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
				{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			}})
			try := func(username, pw string, attrs ...types.AttributeType) error {
				_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(username),
					Password: aws.String(pw), UserAttributes: attrs})
				return err
			}
			named := attr("name", "N")
			wantErr[*types.InvalidPasswordException](t, try("weak", "short", named), "short password")
			wantErr[*types.InvalidPasswordException](t, try("weak", "nouppercase1!", named), "no uppercase")
			wantErr[*types.InvalidParameterException](t, try("noname", goodPassword), "required attribute missing")
			wantErr[*types.InvalidParameterException](t, try("bad-attr", goodPassword, named, attr("custom:nope", "x")), "unknown attribute")
			wantErr[*types.InvalidParameterException](t, try("bad-email", goodPassword, named, attr("email", "not an email")), "malformed email")
			wantErr[*types.InvalidParameterException](t, try("has space", goodPassword, named), "username with a space")
			err := try("self-verified", goodPassword, named, attr("email", "sv@example.com"), attr("email_verified", "true"))
			if e := wantErr[*types.NotAuthorizedException](t, err, "writing email_verified"); e != nil &&
				e.ErrorMessage() != "A client attempted to write unauthorized attribute" {
				t.Errorf("writing email_verified: %q", e.ErrorMessage())
			}
			for _, name := range []string{"weak", "noname", "bad-attr", "bad-email", "self-verified"} {
				_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
				wantErr[*types.UserNotFoundException](t, err, "user after a refused sign-up: "+name)
			}

			// A client's WriteAttributes limit what sign-up may set.
			limited, _ := suClient(t, c, pool, &cip.CreateUserPoolClientInput{WriteAttributes: []string{"email", "name"}})
			_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(limited), Username: aws.String("limited"), Password: aws.String(goodPassword),
				UserAttributes: []types.AttributeType{named, attr("family_name", "F")}})
			wantErr[*types.NotAuthorizedException](t, err, "attribute outside WriteAttributes")
			_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(limited), Username: aws.String("limited"), Password: aws.String(goodPassword),
				UserAttributes: []types.AttributeType{named, attr("email", "limited@example.com")}})
			must(t, err, "SignUp within WriteAttributes")

			_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("nosuchclient0000000000000a"), Username: aws.String("x"), Password: aws.String(goodPassword)})
			wantErr[*types.ResourceNotFoundException](t, err, "unknown client")
		})

		t.Run("SecretHash", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
			client, secret := suClient(t, c, pool, &cip.CreateUserPoolClientInput{GenerateSecret: true})
			in := func(hash *string) *cip.SignUpInput {
				return &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("dave"), Password: aws.String(goodPassword),
					SecretHash: hash, UserAttributes: []types.AttributeType{attr("email", "dave@example.com")}}
			}
			_, err := c.SignUp(ctx, in(nil))
			wantErr[*types.NotAuthorizedException](t, err, "no SECRET_HASH")
			_, err = c.SignUp(ctx, in(aws.String(suSecretHash(secret, "someone-else", client))))
			wantErr[*types.NotAuthorizedException](t, err, "wrong SECRET_HASH")
			hash := aws.String(suSecretHash(secret, "dave", client))
			_, err = c.SignUp(ctx, in(hash))
			must(t, err, "SignUp with SECRET_HASH")
			code := suCode(t, env, pool, "dave", "SignUp")
			_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("dave"), ConfirmationCode: aws.String(code)})
			wantErr[*types.NotAuthorizedException](t, err, "ConfirmSignUp without SECRET_HASH")
			_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("dave"), ConfirmationCode: aws.String(code),
				SecretHash: hash})
			must(t, err, "ConfirmSignUp with SECRET_HASH")
			_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("dave")})
			wantErr[*types.NotAuthorizedException](t, err, "ForgotPassword without SECRET_HASH")
			_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("dave"), SecretHash: hash})
			must(t, err, "ForgotPassword with SECRET_HASH")
		})

		t.Run("AdminCreateUserOnly", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}})
			client, _ := suClient(t, c, p, nil)
			_, err := c.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("eve"), Password: aws.String(goodPassword)})
			if e := wantErr[*types.NotAuthorizedException](t, err, "sign-up in an admin-only pool"); e != nil &&
				e.ErrorMessage() != "SignUp is not permitted for this user pool" {
				t.Errorf("admin-only pool: %q", e.ErrorMessage())
			}
		})

		t.Run("PreventUserExistenceErrors", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
			enabled, _ := suClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
			legacy, _ := suClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesLegacy})

			for _, name := range []string{"ghost", "ghost@example.com"} {
				fp, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(enabled), Username: aws.String(name)})
				must(t, err, "ForgotPassword for an unknown user, ENABLED")
				d := fp.CodeDeliveryDetails
				if d == nil || d.DeliveryMedium != types.DeliveryMediumTypeEmail || !strings.Contains(aws.ToString(d.Destination), "***@") {
					t.Errorf("simulated delivery for %s: %s", name, jsonOf(d))
				}
				again, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(enabled), Username: aws.String(name)})
				must(t, err, "ForgotPassword again")
				if aws.ToString(again.CodeDeliveryDetails.Destination) != aws.ToString(d.Destination) {
					t.Errorf("simulated destinations differ: %s then %s", jsonOf(d), jsonOf(again.CodeDeliveryDetails))
				}
				rs, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(enabled), Username: aws.String(name)})
				must(t, err, "ResendConfirmationCode for an unknown user, ENABLED")
				if rs.CodeDeliveryDetails == nil {
					t.Error("no simulated CodeDeliveryDetails from ResendConfirmationCode")
				}
				_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(enabled), Username: aws.String(name), ConfirmationCode: aws.String("123456")})
				wantErr[*types.CodeMismatchException](t, err, "ConfirmSignUp for an unknown user, ENABLED")
				_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(enabled), Username: aws.String(name),
					ConfirmationCode: aws.String("123456"), Password: aws.String(goodPassword)})
				wantErr[*types.CodeMismatchException](t, err, "ConfirmForgotPassword for an unknown user, ENABLED")
			}
			if msgs := env.Outbox(t, "", pool); len(msgs) != 0 {
				t.Errorf("simulated deliveries sent messages: %+v", msgs)
			}

			// A user without a verified address looks the same as no user.
			signUp(t, legacy, "frank", attr("email", "frank@example.com"))
			fp, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(enabled), Username: aws.String("frank")})
			must(t, err, "ForgotPassword for an unverified user, ENABLED")
			if fp.CodeDeliveryDetails == nil {
				t.Error("no simulated CodeDeliveryDetails for an unverified user")
			}

			notFound := func(err error, what string) {
				t.Helper()
				if e := wantErr[*types.UserNotFoundException](t, err, what); e != nil && e.ErrorMessage() != "Username/client id combination not found." {
					t.Errorf("%s: %q", what, e.ErrorMessage())
				}
			}
			_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("ghost")})
			notFound(err, "ForgotPassword, LEGACY")
			_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(legacy), Username: aws.String("ghost")})
			notFound(err, "ResendConfirmationCode, LEGACY")
			_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(legacy), Username: aws.String("ghost"), ConfirmationCode: aws.String("123456")})
			notFound(err, "ConfirmSignUp, LEGACY")
			_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("ghost"),
				ConfirmationCode: aws.String("123456"), Password: aws.String(goodPassword)})
			notFound(err, "ConfirmForgotPassword, LEGACY")
		})

		t.Run("EmailAsUsername", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, &cip.CreateUserPoolInput{
				UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
			out := signUp(t, client, "grace@example.com")
			if d := out.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != "g***@e***" {
				t.Errorf("CodeDeliveryDetails %s", jsonOf(out.CodeDeliveryDetails))
			}
			u := getUser(t, c, pool, "grace@example.com")
			if !uuidRE.MatchString(aws.ToString(u.Username)) || attrMap(u.UserAttributes)["email"] != "grace@example.com" {
				t.Errorf("user %s: attributes %v", aws.ToString(u.Username), attrMap(u.UserAttributes))
			}
			_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("grace@example.com"), Password: aws.String(goodPassword)})
			if e := wantErr[*types.UsernameExistsException](t, err, "same email again"); e != nil && e.ErrorMessage() != "An account with the given email already exists." {
				t.Errorf("same email again: %q", e.ErrorMessage())
			}
			_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("grace"), Password: aws.String(goodPassword)})
			wantErr[*types.InvalidParameterException](t, err, "a username that is not an email")
			must(t, confirm(t, client, "grace@example.com", suCode(t, env, pool, "grace@example.com", "SignUp")), "ConfirmSignUp by email")
			u = getUser(t, c, pool, "grace@example.com")
			if u.UserStatus != types.UserStatusTypeConfirmed || attrMap(u.UserAttributes)["email_verified"] != "true" {
				t.Errorf("confirmed user: %s %v", u.UserStatus, attrMap(u.UserAttributes))
			}
		})

		t.Run("AliasConflictOnConfirm", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool, client := emailPool(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
			_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("shared@example.com"), Password: aws.String(goodPassword)})
			wantErr[*types.InvalidParameterException](t, err, "email-shaped username in an email-alias pool")

			signUp(t, client, "first", attr("email", "shared@example.com"))
			must(t, confirm(t, client, "first", suCode(t, env, pool, "first", "SignUp")), "ConfirmSignUp first")
			// An unverified email is no alias, so a second user may sign up with it.
			signUp(t, client, "second", attr("email", "shared@example.com"))
			code := env.Outbox(t, "second", pool)[0].Code
			err = confirm(t, client, "second", code)
			if e := wantErr[*types.AliasExistsException](t, err, "confirming an email another user holds"); e != nil &&
				e.ErrorMessage() != "An account with the given email already exists." {
				t.Errorf("alias conflict: %q", e.ErrorMessage())
			}
			if u := getUser(t, c, pool, "second"); u.UserStatus != types.UserStatusTypeUnconfirmed {
				t.Errorf("second user after the conflict: %s", u.UserStatus)
			}
			_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("second"),
				ConfirmationCode: aws.String(code), ForceAliasCreation: true})
			must(t, err, "ConfirmSignUp with ForceAliasCreation")
			second := getUser(t, c, pool, "second")
			if second.UserStatus != types.UserStatusTypeConfirmed || attrMap(second.UserAttributes)["email_verified"] != "true" {
				t.Errorf("second user: %s %v", second.UserStatus, attrMap(second.UserAttributes))
			}
			if attrs := attrMap(getUser(t, c, pool, "first").UserAttributes); attrs["email_verified"] != "false" || attrs["email"] != "shared@example.com" {
				t.Errorf("first user after losing the alias: %v", attrs)
			}
			// The alias now names the second user.
			if u := getUser(t, c, pool, "shared@example.com"); aws.ToString(u.Username) != "second" {
				t.Errorf("alias resolves to %s", aws.ToString(u.Username))
			}
		})

		t.Run("ConfirmWithLink", func(t *testing.T) {
			t.Parallel()
			pool, client := emailPool(t, &cip.CreateUserPoolInput{VerificationMessageTemplate: &types.VerificationMessageTemplateType{
				DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
				EmailMessageByLink: aws.String("Welcome! {##Click here##} to confirm."),
				EmailSubjectByLink: aws.String("Confirm your account"),
			}})
			signUp(t, client, "henry", attr("email", "henry@example.com"))
			m := env.Outbox(t, "henry", pool)[0]
			want := "/confirmUser?client_id=" + client + "&user_name=henry&confirmation_code=" + m.Code + `">Click here</a>`
			if m.Subject != "Confirm your account" || !strings.Contains(m.Body, want) || !strings.HasPrefix(m.Body, "Welcome! <a href=\"http") {
				t.Errorf("link message %+v, want a body containing %q", m, want)
			}
			must(t, confirm(t, client, "henry", m.Code), "ConfirmSignUp with the link's code")
		})
	})
}
