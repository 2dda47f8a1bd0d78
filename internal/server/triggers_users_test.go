package server_test

// Integration tests of the Lambda triggers the users side runs (pre
// sign-up, post confirmation, custom message, migrate user in
// ForgotPassword) through the AWS SDK for Go v2 and the lambdatest Invoke
// API double, on both stores: the event each function receives and what
// its answer does.

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/lambdatest"
)

// utPool makes a pool that verifies email, with the LambdaConfig lc, and a
// client that may sign in with a password.
func utPool(t *testing.T, c *cip.Client, lc *types.LambdaConfigType, in *cip.CreateUserPoolInput) (pool, client string) {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	in.LambdaConfig = lc
	if in.AutoVerifiedAttributes == nil {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}
	pool = newPool(t, c, in)
	client, _ = suClient(t, c, pool, &cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	return pool, client
}

// evField reads a string at a dotted path of an event ("request.codeParameter").
func evField(ev lambdatest.Event, path string) any {
	var cur any = map[string]any(ev)
	for _, k := range strings.Split(path, ".") {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	return cur
}

// checkEnvelope asserts the common fields of an event.
func checkEnvelope(t *testing.T, ev lambdatest.Event, source, pool, client, userName string) {
	t.Helper()
	for path, want := range map[string]string{"version": "1", "triggerSource": source, "region": "us-east-1",
		"userPoolId": pool, "userName": userName, "callerContext.clientId": client} {
		if got := evField(ev, path); got != want {
			t.Errorf("%s event: %s = %v, want %q", source, path, got, want)
		}
	}
	if v, _ := evField(ev, "callerContext.awsSdkVersion").(string); v == "" {
		t.Errorf("%s event: no callerContext.awsSdkVersion", source)
	}
}

// checkFields asserts fields of an event given as path → value.
func checkFields(t *testing.T, ev lambdatest.Event, want map[string]any) {
	t.Helper()
	for path, w := range want {
		if got := evField(ev, path); got != w {
			t.Errorf("%v event: %s = %#v, want %#v", ev["triggerSource"], path, got, w)
		}
	}
}

// recorder is a function that records the events it gets (by trigger
// source) and answers with respond.
type recorder struct {
	mu      sync.Mutex
	events  []lambdatest.Event
	respond func(ev lambdatest.Event) (lambdatest.Event, error)
}

func (r *recorder) fn(ev lambdatest.Event) (lambdatest.Event, error) {
	// Keep the event as received: the function fills in its response.
	var copied lambdatest.Event
	b, _ := json.Marshal(ev)
	_ = json.Unmarshal(b, &copied)
	r.mu.Lock()
	r.events = append(r.events, copied)
	r.mu.Unlock()
	if r.respond == nil {
		return ev, nil
	}
	return r.respond(ev)
}

// last is the newest event of source.
func (r *recorder) last(t *testing.T, source string) lambdatest.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i]["triggerSource"] == source {
			return r.events[i]
		}
	}
	t.Fatalf("no %s event", source)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func utGetUser(t *testing.T, c *cip.Client, pool, name string) (*cip.AdminGetUserOutput, map[string]string) {
	t.Helper()
	out, err := c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
	must(t, err, "AdminGetUser "+name)
	attrs := map[string]string{}
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return out, attrs
}

func TestUserTriggers(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env, lt := startWithLambda(t, opts)
		c := env.Client
		fn := func(name string, respond func(ev lambdatest.Event) (lambdatest.Event, error)) (*recorder, *string) {
			r := &recorder{respond: respond}
			lt.Handle(name, r.fn)
			return r, aws.String(lambdatest.ARN(name))
		}
		signUp := func(t *testing.T, in *cip.SignUpInput) (*cip.SignUpOutput, error) {
			t.Helper()
			if in.Password == nil {
				in.Password = aws.String(goodPassword)
			}
			return c.SignUp(t.Context(), in)
		}

		t.Run("PreSignUpSignUp", func(t *testing.T) {
			t.Parallel()
			pre, arn := fn(uniq("presignup"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				if meta, _ := lambdatest.Request(ev)["clientMetadata"].(map[string]any); meta["trusted"] == "yes" {
					r := lambdatest.Response(ev)
					r["autoConfirmUser"], r["autoVerifyEmail"] = true, true
				}
				return ev, nil
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{PreSignUp: arn}, nil)

			out, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("pat"),
				UserAttributes: []types.AttributeType{attr("email", "pat@example.com"), attr("name", "Pat")},
				ValidationData: []types.AttributeType{attr("captcha", "ok")},
				ClientMetadata: map[string]string{"trusted": "yes"}})
			must(t, err, "SignUp")
			ev := pre.last(t, "PreSignUp_SignUp")
			checkEnvelope(t, ev, "PreSignUp_SignUp", pool, client, "pat")
			checkFields(t, ev, map[string]any{"request.userAttributes.email": "pat@example.com",
				"request.userAttributes.name": "Pat", "request.validationData.captcha": "ok",
				"request.clientMetadata.trusted": "yes", "response.autoConfirmUser": false})
			if _, ok := evField(ev, "request.userAttributes").(map[string]any)["sub"]; ok {
				t.Errorf("PreSignUp userAttributes carry a sub before the user exists")
			}
			if !out.UserConfirmed || out.CodeDeliveryDetails != nil {
				t.Errorf("auto-confirmed SignUp: confirmed %v, delivery %+v", out.UserConfirmed, out.CodeDeliveryDetails)
			}
			u, attrs := utGetUser(t, c, pool, "pat")
			if u.UserStatus != types.UserStatusTypeConfirmed || attrs["email_verified"] != "true" {
				t.Errorf("auto-confirmed user: %s, email_verified %q", u.UserStatus, attrs["email_verified"])
			}
			if msgs := env.Outbox(t, "pat", pool); len(msgs) != 0 {
				t.Errorf("auto-confirmed user was sent %d messages", len(msgs))
			}

			// Without the function's say-so: UNCONFIRMED, a code goes out, and
			// no ValidationData is null.
			out, err = signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("quinn"),
				UserAttributes: []types.AttributeType{attr("email", "quinn@example.com")}})
			must(t, err, "SignUp quinn")
			if out.UserConfirmed || out.CodeDeliveryDetails == nil {
				t.Errorf("plain SignUp: confirmed %v, delivery %+v", out.UserConfirmed, out.CodeDeliveryDetails)
			}
			ev = pre.last(t, "PreSignUp_SignUp")
			if vd, ok := evField(ev, "request").(map[string]any)["validationData"]; !ok || vd != nil {
				t.Errorf("validationData without ValidationData = %#v (present %v), want null", vd, ok)
			}
			suCode(t, env, pool, "quinn", "SignUp")
		})

		t.Run("PreSignUpEmailUsername", func(t *testing.T) {
			t.Parallel()
			pre, arn := fn(uniq("presignup"), nil)
			pool, client := utPool(t, c, &types.LambdaConfigType{PreSignUp: arn},
				&cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
			_, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("rio@example.com")})
			must(t, err, "SignUp")
			ev := pre.last(t, "PreSignUp_SignUp")
			u, _ := utGetUser(t, c, pool, "rio@example.com")
			checkEnvelope(t, ev, "PreSignUp_SignUp", pool, client, aws.ToString(u.Username))
			checkFields(t, ev, map[string]any{"request.userAttributes.email": "rio@example.com"})
		})

		t.Run("PreSignUpFails", func(t *testing.T) {
			t.Parallel()
			_, arn := fn(uniq("presignup"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				return nil, errors.New("Sign-up is closed for example.org")
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{PreSignUp: arn}, nil)
			_, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("sam"),
				UserAttributes: []types.AttributeType{attr("email", "sam@example.org")}})
			le := wantErr[*types.UserLambdaValidationException](t, err, "SignUp")
			if le != nil && aws.ToString(le.Message) != "PreSignUp failed with error Sign-up is closed for example.org." {
				t.Errorf("message %q", aws.ToString(le.Message))
			}
			_, err = c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("sam")})
			wantErr[*types.UserNotFoundException](t, err, "AdminGetUser after refused SignUp")

			_, err = c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("sid"),
				UserAttributes:         []types.AttributeType{attr("email", "sid@example.org")},
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			wantErr[*types.UserLambdaValidationException](t, err, "AdminCreateUser")
			_, err = c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("sid")})
			wantErr[*types.UserNotFoundException](t, err, "AdminGetUser after refused AdminCreateUser")
			if msgs := env.Outbox(t, "", pool); len(msgs) != 0 {
				t.Errorf("refused users were sent %d messages", len(msgs))
			}
		})

		t.Run("PreSignUpAdminCreateUser", func(t *testing.T) {
			t.Parallel()
			pre, arn := fn(uniq("presignup"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				r := lambdatest.Response(ev)
				r["autoConfirmUser"], r["autoVerifyEmail"] = true, true // ignored for AdminCreateUser
				return ev, nil
			})
			pool, _ := utPool(t, c, &types.LambdaConfigType{PreSignUp: arn}, nil)
			_, err := c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("val"),
				UserAttributes:         []types.AttributeType{attr("email", "val@example.com")},
				ValidationData:         []types.AttributeType{attr("source", "hr")},
				ClientMetadata:         map[string]string{"batch": "7"},
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			must(t, err, "AdminCreateUser")
			ev := pre.last(t, "PreSignUp_AdminCreateUser")
			checkEnvelope(t, ev, "PreSignUp_AdminCreateUser", pool, "CLIENT_ID_NOT_APPLICABLE", "val")
			checkFields(t, ev, map[string]any{"request.userAttributes.email": "val@example.com",
				"request.validationData.source": "hr", "request.clientMetadata.batch": "7"})
			u, attrs := utGetUser(t, c, pool, "val")
			if u.UserStatus != types.UserStatusTypeForceChangePassword || attrs["email_verified"] == "true" {
				t.Errorf("admin-created user: %s, email_verified %q (the answer must be ignored)", u.UserStatus, attrs["email_verified"])
			}
		})

		t.Run("PostConfirmation", func(t *testing.T) {
			t.Parallel()
			post, arn := fn(uniq("postconfirm"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				if meta, _ := lambdatest.Request(ev)["clientMetadata"].(map[string]any); meta["fail"] == "yes" {
					return nil, errors.New("CRM is down")
				}
				return ev, nil
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{PostConfirmation: arn}, nil)

			out, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("ada"),
				UserAttributes: []types.AttributeType{attr("email", "ada@example.com")}})
			must(t, err, "SignUp")
			if post.count() != 0 {
				t.Errorf("post confirmation ran at SignUp")
			}
			code := suCode(t, env, pool, "ada", "SignUp")
			_, err = c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("ada"),
				ConfirmationCode: aws.String(code), ClientMetadata: map[string]string{"plan": "pro"}})
			must(t, err, "ConfirmSignUp")
			ev := post.last(t, "PostConfirmation_ConfirmSignUp")
			checkEnvelope(t, ev, "PostConfirmation_ConfirmSignUp", pool, client, "ada")
			checkFields(t, ev, map[string]any{"request.userAttributes.sub": aws.ToString(out.UserSub),
				"request.userAttributes.email": "ada@example.com", "request.userAttributes.email_verified": "true",
				"request.userAttributes.cognito:user_status": "CONFIRMED", "request.clientMetadata.plan": "pro"})

			// AdminConfirmSignUp: the same source, no app client.
			_, err = signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("bo"),
				UserAttributes: []types.AttributeType{attr("email", "bo@example.com")}})
			must(t, err, "SignUp bo")
			_, err = c.AdminConfirmSignUp(t.Context(), &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("bo")})
			must(t, err, "AdminConfirmSignUp")
			ev = post.last(t, "PostConfirmation_ConfirmSignUp")
			checkEnvelope(t, ev, "PostConfirmation_ConfirmSignUp", pool, "CLIENT_ID_NOT_APPLICABLE", "bo")
			checkFields(t, ev, map[string]any{"request.userAttributes.cognito:user_status": "CONFIRMED",
				"request.userAttributes.email_verified": "false"})

			// A failing function fails the call; the confirmation stands.
			_, err = signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("cy"),
				UserAttributes: []types.AttributeType{attr("email", "cy@example.com")}})
			must(t, err, "SignUp cy")
			code = suCode(t, env, pool, "cy", "SignUp")
			_, err = c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("cy"),
				ConfirmationCode: aws.String(code), ClientMetadata: map[string]string{"fail": "yes"}})
			le := wantErr[*types.UserLambdaValidationException](t, err, "ConfirmSignUp with failing PostConfirmation")
			if le != nil && aws.ToString(le.Message) != "PostConfirmation failed with error CRM is down." {
				t.Errorf("message %q", aws.ToString(le.Message))
			}
			if u, _ := utGetUser(t, c, pool, "cy"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("after failed PostConfirmation: %s, want CONFIRMED", u.UserStatus)
			}

			// ConfirmForgotPassword: PostConfirmation_ConfirmForgotPassword.
			_, err = c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ada")})
			must(t, err, "ForgotPassword")
			code = suCode(t, env, pool, "ada", "ForgotPassword")
			_, err = c.ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client),
				Username: aws.String("ada"), ConfirmationCode: aws.String(code), Password: aws.String(goodPassword + "2"),
				ClientMetadata: map[string]string{"reason": "forgot"}})
			must(t, err, "ConfirmForgotPassword")
			ev = post.last(t, "PostConfirmation_ConfirmForgotPassword")
			checkEnvelope(t, ev, "PostConfirmation_ConfirmForgotPassword", pool, client, "ada")
			checkFields(t, ev, map[string]any{"request.userAttributes.sub": aws.ToString(out.UserSub),
				"request.userAttributes.cognito:user_status": "CONFIRMED", "request.clientMetadata.reason": "forgot"})
		})

		// The custom message function of the seeds (a Python function a team
		// wrote for Cognito), in Go: HTML with a link carrying the code.
		const domain = "https://your.domain.com"
		seedCustomMessage := func(ev lambdatest.Event) (lambdatest.Event, error) {
			username, _ := ev["userName"].(string)
			code, _ := lambdatest.Request(ev)["codeParameter"].(string)
			r := lambdatest.Response(ev)
			switch ev["triggerSource"] {
			case "CustomMessage_SignUp":
				r["emailSubject"] = "Validate your account"
				r["emailMessage"] = "Hi <b>" + username + "</b>!<br>Thank you for signing up.<br>Click <a href='" + domain +
					"confirm-account-signup-validation?username=" + username + "&code=" + code + "'>here</a> to validate your account."
			case "CustomMessage_ForgotPassword":
				r["emailSubject"] = "Reset your password"
				r["emailMessage"] = "Hi <b>" + username + "</b>!<br>Click <a href='" + domain + "confirm-password-reset?identifier=" +
					username + "&code=" + code + "'>here</a> to reset your password."
			case "CustomMessage_UpdateUserAttribute":
				r["emailSubject"] = "Validate your new email"
				r["emailMessage"] = "Hi <b>" + username + "</b>!<br>Click <a href='" + domain + "/confirm-email-change?code=" + code +
					"'>here</a> to validate your new email."
			}
			if ev["triggerSource"] == "CustomMessage_AdminCreateUser" {
				attrs, _ := lambdatest.Request(ev)["userAttributes"].(map[string]any)
				if attrs["cognito:user_status"] == "FORCE_CHANGE_PASSWORD" {
					r["emailSubject"] = "Validate your account"
					r["emailMessage"] = "Hi <b>" + username + "</b>!<br><br>Your temporary password is <b>" + code + "</b>."
				}
			}
			return ev, nil
		}

		t.Run("CustomMessageSeed", func(t *testing.T) {
			t.Parallel()
			cm, arn := fn(uniq("custommessage"), seedCustomMessage)
			pool, client := utPool(t, c, &types.LambdaConfigType{CustomMessage: arn}, nil)

			out, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("dee"),
				UserAttributes: []types.AttributeType{attr("email", "dee@example.com")},
				ClientMetadata: map[string]string{"locale": "en"}})
			must(t, err, "SignUp")
			ev := cm.last(t, "CustomMessage_SignUp")
			checkEnvelope(t, ev, "CustomMessage_SignUp", pool, client, "dee")
			checkFields(t, ev, map[string]any{"request.codeParameter": "{####}", "request.linkParameter": "{##Click Here##}",
				"request.usernameParameter": nil, "request.userAttributes.sub": aws.ToString(out.UserSub),
				"request.userAttributes.email": "dee@example.com", "request.userAttributes.email_verified": "false",
				"request.userAttributes.cognito:user_status": "UNCONFIRMED", "request.clientMetadata.locale": "en",
				"response.emailMessage": nil, "response.emailSubject": nil, "response.smsMessage": nil})
			msgs := env.Outbox(t, "dee", pool)
			if len(msgs) != 1 {
				t.Fatalf("outbox for dee: %d messages", len(msgs))
			}
			m := msgs[0]
			want := "Hi <b>dee</b>!<br>Thank you for signing up.<br>Click <a href='" + domain +
				"confirm-account-signup-validation?username=dee&code=" + m.Code + "'>here</a> to validate your account."
			if m.Body != want || m.Subject != "Validate your account" || !sixDigits.MatchString(m.Code) {
				t.Errorf("sign-up email: subject %q body %q code %q, want body %q", m.Subject, m.Body, m.Code, want)
			}
			// The code in the message confirms the user.
			_, err = c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("dee"),
				ConfirmationCode: aws.String(m.Code)})
			must(t, err, "ConfirmSignUp with the emailed code")

			// ForgotPassword.
			_, err = c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("dee"),
				ClientMetadata: map[string]string{"via": "app"}})
			must(t, err, "ForgotPassword")
			ev = cm.last(t, "CustomMessage_ForgotPassword")
			checkEnvelope(t, ev, "CustomMessage_ForgotPassword", pool, client, "dee")
			checkFields(t, ev, map[string]any{"request.codeParameter": "{####}", "request.clientMetadata.via": "app",
				"request.userAttributes.cognito:user_status": "CONFIRMED", "request.userAttributes.email_verified": "true"})
			m = env.Outbox(t, "dee", pool)[0]
			if m.Kind != "ForgotPassword" || m.Subject != "Reset your password" ||
				!strings.Contains(m.Body, "confirm-password-reset?identifier=dee&code="+m.Code+"'") {
				t.Errorf("reset email: %+v", m)
			}

			// AdminUpdateUserAttributes: a new email gets a code.
			_, err = c.AdminUpdateUserAttributes(t.Context(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool),
				Username: aws.String("dee"), UserAttributes: []types.AttributeType{attr("email", "dee@new.example.com")}})
			must(t, err, "AdminUpdateUserAttributes")
			ev = cm.last(t, "CustomMessage_UpdateUserAttribute")
			checkEnvelope(t, ev, "CustomMessage_UpdateUserAttribute", pool, "CLIENT_ID_NOT_APPLICABLE", "dee")
			m = env.Outbox(t, "dee", pool)[0]
			if m.Kind != "UpdateUserAttribute" || m.Destination != "dee@new.example.com" || m.Subject != "Validate your new email" ||
				!strings.Contains(m.Body, "/confirm-email-change?code="+m.Code+"'") {
				t.Errorf("update email: %+v", m)
			}

			// AdminCreateUser: the seed's message names the user itself and has
			// no {username} placeholder, which Cognito requires of invitations:
			// the template's body goes out with the function's subject.
			_, err = c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("eve"),
				UserAttributes:         []types.AttributeType{attr("email", "eve@example.com")},
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			must(t, err, "AdminCreateUser")
			ev = cm.last(t, "CustomMessage_AdminCreateUser")
			checkEnvelope(t, ev, "CustomMessage_AdminCreateUser", pool, "CLIENT_ID_NOT_APPLICABLE", "eve")
			checkFields(t, ev, map[string]any{"request.codeParameter": "{####}", "request.usernameParameter": "{username}",
				"request.userAttributes.cognito:user_status": "FORCE_CHANGE_PASSWORD"})
			m = env.Outbox(t, "eve", pool)[0]
			if m.Subject != "Validate your account" || m.Body != "Your username is eve and temporary password is "+m.Code+"." {
				t.Errorf("invitation: subject %q body %q", m.Subject, m.Body)
			}
		})

		t.Run("CustomMessagePlaceholders", func(t *testing.T) {
			t.Parallel()
			cm, arn := fn(uniq("custommessage"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				req, r := lambdatest.Request(ev), lambdatest.Response(ev)
				code, _ := req["codeParameter"].(string)
				switch ev["triggerSource"] {
				case "CustomMessage_AdminCreateUser":
					user, _ := req["usernameParameter"].(string)
					r["emailMessage"] = "<p>Welcome " + user + ", your password is " + code + "</p>"
					r["smsMessage"] = "Welcome " + user + ": " + code
				case "CustomMessage_ResendCode":
					r["emailMessage"] = "<p>No code here</p>" // unusable: the template goes out
					r["emailSubject"] = "Your new code"
				case "CustomMessage_VerifyUserAttribute":
					r["emailMessage"] = "<p>Verify with " + code + "</p>"
				}
				return ev, nil
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{CustomMessage: arn}, nil)

			_, err := c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("fay"),
				TemporaryPassword: aws.String("Tmp0rary!Pass"), ClientMetadata: map[string]string{"team": "ops"},
				UserAttributes:         []types.AttributeType{attr("email", "fay@example.com"), attr("phone_number", "+15555550123")},
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms}})
			must(t, err, "AdminCreateUser")
			if n := len(lt.Calls(strings.TrimPrefix(aws.ToString(arn), "arn:aws:lambda:us-east-1:123456789012:function:"))); n != 1 {
				t.Errorf("custom message invoked %d times for one invitation by email and SMS", n)
			}
			checkFields(t, cm.last(t, "CustomMessage_AdminCreateUser"), map[string]any{"request.clientMetadata.team": "ops"})
			got := map[string]cogitotest.Message{}
			for _, m := range env.Outbox(t, "fay", pool) {
				got[m.Channel] = m
			}
			if m := got["EMAIL"]; m.Body != "<p>Welcome fay, your password is Tmp0rary!Pass</p>" || m.Subject != "Your temporary password" {
				t.Errorf("invitation email: subject %q body %q", m.Subject, m.Body)
			}
			if m := got["SMS"]; m.Body != "Welcome fay: Tmp0rary!Pass" {
				t.Errorf("invitation SMS: %q", m.Body)
			}

			_, err = signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("gil"),
				UserAttributes: []types.AttributeType{attr("email", "gil@example.com")}})
			must(t, err, "SignUp")
			m := env.Outbox(t, "gil", pool)[0]
			if m.Body != "Your verification code is "+m.Code+"." || m.Subject != "Your verification code" {
				t.Errorf("sign-up email with an empty answer: subject %q body %q", m.Subject, m.Body)
			}
			_, err = c.ResendConfirmationCode(t.Context(), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("gil")})
			must(t, err, "ResendConfirmationCode")
			ev := cm.last(t, "CustomMessage_ResendCode")
			checkEnvelope(t, ev, "CustomMessage_ResendCode", pool, client, "gil")
			m = env.Outbox(t, "gil", pool)[0]
			if m.Kind != "ResendCode" || m.Body != "Your verification code is "+m.Code+"." || m.Subject != "Your new code" {
				t.Errorf("resent email without the code placeholder: subject %q body %q", m.Subject, m.Body)
			}

			// VerifyUserAttribute: GetUserAttributeVerificationCode of a signed-in user.
			code := m.Code
			_, err = c.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("gil"),
				ConfirmationCode: aws.String(code)})
			must(t, err, "ConfirmSignUp")
			auth, err := c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "gil", "PASSWORD": goodPassword}})
			must(t, err, "InitiateAuth")
			_, err = c.GetUserAttributeVerificationCode(t.Context(), &cip.GetUserAttributeVerificationCodeInput{
				AccessToken: auth.AuthenticationResult.AccessToken, AttributeName: aws.String("email")})
			must(t, err, "GetUserAttributeVerificationCode")
			ev = cm.last(t, "CustomMessage_VerifyUserAttribute")
			checkFields(t, ev, map[string]any{"triggerSource": "CustomMessage_VerifyUserAttribute", "userName": "gil",
				"request.userAttributes.cognito:user_status": "CONFIRMED"})
			m = env.Outbox(t, "gil", pool)[0]
			if m.Kind != "VerifyUserAttribute" || m.Body != "<p>Verify with "+m.Code+"</p>" {
				t.Errorf("verify email: %+v", m)
			}
		})

		t.Run("CustomMessageFails", func(t *testing.T) {
			t.Parallel()
			_, arn := fn(uniq("custommessage"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				return nil, errors.New("template store unavailable")
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{CustomMessage: arn}, nil)
			_, err := signUp(t, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("hal"),
				UserAttributes: []types.AttributeType{attr("email", "hal@example.com")}})
			le := wantErr[*types.UserLambdaValidationException](t, err, "SignUp with failing CustomMessage")
			if le != nil && aws.ToString(le.Message) != "CustomMessage failed with error template store unavailable." {
				t.Errorf("message %q", aws.ToString(le.Message))
			}
			// The user was written before the message: it stays, unconfirmed,
			// and nothing was sent.
			if u, _ := utGetUser(t, c, pool, "hal"); u.UserStatus != types.UserStatusTypeUnconfirmed {
				t.Errorf("user after failed CustomMessage: %s", u.UserStatus)
			}
			if msgs := env.Outbox(t, "hal", pool); len(msgs) != 0 {
				t.Errorf("%d messages sent despite the failure", len(msgs))
			}
		})

		t.Run("UserMigrationForgotPassword", func(t *testing.T) {
			t.Parallel()
			legacy := map[string]string{"legacy-joe": "joe@example.com", "kim@example.com": "kim@example.com"}
			mig, arn := fn(uniq("migrate"), func(ev lambdatest.Event) (lambdatest.Event, error) {
				name, _ := ev["userName"].(string)
				if name == "broken" {
					return nil, errors.New("legacy directory unreachable")
				}
				email, ok := legacy[name]
				if !ok || ev["triggerSource"] != "UserMigration_ForgotPassword" {
					return ev, nil // no user: the response stays null
				}
				r := lambdatest.Response(ev)
				r["userAttributes"] = map[string]any{"username": name, "email": email, "email_verified": "true", "name": "Legacy " + name}
				r["messageAction"] = "SUPPRESS"
				return ev, nil
			})
			pool, client := utPool(t, c, &types.LambdaConfigType{UserMigration: arn}, nil)

			out, err := c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("legacy-joe"),
				ClientMetadata: map[string]string{"app": "cms"}})
			must(t, err, "ForgotPassword legacy-joe")
			ev := mig.last(t, "UserMigration_ForgotPassword")
			checkEnvelope(t, ev, "UserMigration_ForgotPassword", pool, client, "legacy-joe")
			checkFields(t, ev, map[string]any{"request.clientMetadata.app": "cms", "response.userAttributes": nil,
				"response.finalUserStatus": nil, "response.messageAction": nil})
			if _, ok := lambdatest.Request(ev)["password"]; ok {
				t.Errorf("UserMigration_ForgotPassword request carries a password")
			}
			if d := out.CodeDeliveryDetails; d == nil || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.Destination) != "j***@e***" {
				t.Errorf("delivery %+v", out.CodeDeliveryDetails)
			}
			u, attrs := utGetUser(t, c, pool, "legacy-joe")
			if u.UserStatus != types.UserStatusTypeResetRequired || attrs["email"] != "joe@example.com" ||
				attrs["email_verified"] != "true" || attrs["name"] != "Legacy legacy-joe" {
				t.Errorf("migrated user: %s %v", u.UserStatus, attrs)
			}
			msgs := env.Outbox(t, "legacy-joe", pool)
			if len(msgs) != 1 || msgs[0].Kind != "ForgotPassword" || msgs[0].Destination != "joe@example.com" {
				t.Fatalf("outbox after migration: %+v (SUPPRESS: only the reset code)", msgs)
			}
			_, err = c.ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client),
				Username: aws.String("legacy-joe"), ConfirmationCode: aws.String(msgs[0].Code), Password: aws.String(goodPassword)})
			must(t, err, "ConfirmForgotPassword")
			if u, _ := utGetUser(t, c, pool, "legacy-joe"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("after reset: %s", u.UserStatus)
			}
			if n := mig.count(); n != 1 {
				t.Errorf("migrate user invoked %d times, want once (the user exists now)", n)
			}

			// Unknown to the legacy directory too: the exception Cognito gives.
			_, err = c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("nobody")})
			nf := wantErr[*types.UserNotFoundException](t, err, "ForgotPassword nobody")
			if nf != nil && aws.ToString(nf.Message) != "Exception migrating user in app client "+client {
				t.Errorf("message %q", aws.ToString(nf.Message))
			}
			_, err = c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("broken")})
			le := wantErr[*types.UserLambdaValidationException](t, err, "ForgotPassword broken")
			if le != nil && aws.ToString(le.Message) != "UserMigration failed with error legacy directory unreachable." {
				t.Errorf("message %q", aws.ToString(le.Message))
			}

			// Email as username: a new UUID username, the email typed.
			epool, eclient := utPool(t, c, &types.LambdaConfigType{UserMigration: arn},
				&cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
			_, err = c.ForgotPassword(t.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(eclient), Username: aws.String("kim@example.com")})
			must(t, err, "ForgotPassword kim")
			u, attrs = utGetUser(t, c, epool, "kim@example.com")
			if !uuidRE.MatchString(aws.ToString(u.Username)) || attrs["email"] != "kim@example.com" || u.UserStatus != types.UserStatusTypeResetRequired {
				t.Errorf("migrated email user: %s %s %v", aws.ToString(u.Username), u.UserStatus, attrs)
			}
		})
	})
}
