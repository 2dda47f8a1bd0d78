package triggers

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cogito-idp/cogito/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden event files in testdata/events")

const (
	testRegion = "us-east-1"
	testPool   = "us-east-1_aB3dE5fG7"
	testClient = "1example23456789abcdefghij"
	fnPrefix   = "arn:aws:lambda:us-east-1:123456789012:function:"
)

func ptr[T any](v T) *T { return &v }

// goldenEvent compares the event a function received with
// testdata/events/name.json, as JSON.
func goldenEvent(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "events", name+".json")
	if *update {
		var v any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.MarshalIndent(v, "", "  ")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("received event is not JSON: %v", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.MarshalIndent(g, "", "  ")
		t.Errorf("event differs from %s:\ngot:\n%s\nwant:\n%s", path, gb, want)
	}
}

// triggerCase is one trigger's round trip through the Lambda double.
type triggerCase struct {
	name   string // golden file and function name
	event  *Event
	req    any
	resp   any // pointer to the response type, as Cognito's initial response
	handle handler
	check  func(t *testing.T, resp any)
}

func event(source string) *Event {
	return NewEvent(source, testRegion, testPool, testClient, "jane")
}

func withVersion(ev *Event, v string) *Event { ev.Version = v; return ev }

func withClient(ev *Event, c string) *Event { ev.CallerContext.ClientID = c; return ev }

func triggerCases() []triggerCase {
	attrs := Attributes{"sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "email": "jane@example.com",
		"email_verified": "true", "cognito:user_status": "CONFIRMED"}
	return []triggerCase{
		{
			name:  "presignup",
			event: event(PreSignUpSignUp),
			req: &PreSignUpRequest{UserAttributes: Attributes{"email": "jane@example.com", "name": "Jane"},
				ClientMetadata: map[string]string{"invite": "abc"}},
			resp: &PreSignUpResponse{},
			// Auto-confirm users of one domain, as the Developer Guide's example.
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				email := request(ev)["userAttributes"].(map[string]any)["email"].(string)
				if strings.HasSuffix(email, "@example.com") {
					response(ev)["autoConfirmUser"] = true
					response(ev)["autoVerifyEmail"] = true
				}
				return ev, nil
			},
			check: func(t *testing.T, resp any) {
				want := &PreSignUpResponse{AutoConfirmUser: true, AutoVerifyEmail: true}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:  "postconfirmation",
			event: event(PostConfirmationConfirmSignUp),
			req:   &PostConfirmationRequest{UserAttributes: attrs},
			resp:  &EmptyResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return ev, nil
			},
		},
		{
			name:  "preauthentication",
			event: event(PreAuthenticationAuthentication),
			req: &PreAuthenticationRequest{UserAttributes: attrs, ValidationData: map[string]string{"ip": "192.0.2.1"},
				UserNotFound: ptr(false)},
			resp: &EmptyResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return ev, nil
			},
		},
		{
			name:  "postauthentication",
			event: event(PostAuthenticationAuthentication),
			req:   &PostAuthenticationRequest{NewDeviceUsed: true, UserAttributes: attrs, ClientMetadata: map[string]string{"k": "v"}},
			resp:  &EmptyResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return ev, nil
			},
		},
		{
			name:  "pretokengeneration-v1",
			event: event(TokenGenerationAuthentication),
			req:   &PreTokenGenerationRequest{UserAttributes: attrs, GroupConfiguration: GroupConfiguration{GroupsToOverride: []string{"readers"}}},
			resp:  &PreTokenGenerationResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return setResponse(ev, map[string]any{"claimsOverrideDetails": map[string]any{
					"claimsToAddOrOverride": map[string]any{"tenant": "acme"},
					"claimsToSuppress":      []any{"email"},
					"groupOverrideDetails": map[string]any{
						"groupsToOverride":   []any{"readers", "writers"},
						"iamRolesToOverride": []any{},
						"preferredRole":      "arn:aws:iam::123456789012:role/writer",
					},
				}}), nil
			},
			check: func(t *testing.T, resp any) {
				d := resp.(*PreTokenGenerationResponse).ClaimsOverrideDetails
				want := &ClaimsOverrideDetails{
					ClaimsToAddOrOverride: map[string]string{"tenant": "acme"},
					ClaimsToSuppress:      []string{"email"},
					GroupOverrideDetails: &GroupConfiguration{GroupsToOverride: []string{"readers", "writers"},
						IAMRolesToOverride: []string{}, PreferredRole: ptr("arn:aws:iam::123456789012:role/writer")},
				}
				if !reflect.DeepEqual(d, want) {
					t.Errorf("claimsOverrideDetails = %+v, want %+v", d, want)
				}
			},
		},
		{
			name:  "pretokengeneration-v2",
			event: withVersion(event(TokenGenerationHostedAuth), PreTokenGenerationVersion("V2_0")),
			req: &PreTokenGenerationV2Request{UserAttributes: attrs, GroupConfiguration: &GroupConfiguration{},
				Scopes: []string{"openid", "email", "aws.cognito.signin.user.admin"}},
			resp: &PreTokenGenerationV2Response{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return setResponse(ev, map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
					"idTokenGeneration": map[string]any{
						"claimsToAddOrOverride": map[string]any{"favorite_number": 9007199254740993, "roles": []any{"a", "b"}},
						"claimsToSuppress":      []any{"email"},
					},
					"accessTokenGeneration": map[string]any{
						"claimsToAddOrOverride": map[string]any{"tenant": map[string]any{"id": "acme"}},
						"scopesToAdd":           []any{"api/read"},
						"scopesToSuppress":      []any{"email"},
					},
				}}), nil
			},
			check: func(t *testing.T, resp any) {
				d := resp.(*PreTokenGenerationV2Response).ClaimsAndScopeOverrideDetails
				if d == nil || d.IDTokenGeneration == nil || d.AccessTokenGeneration == nil {
					t.Fatalf("claimsAndScopeOverrideDetails = %+v", d)
				}
				if n := d.IDTokenGeneration.ClaimsToAddOrOverride["favorite_number"]; n != json.Number("9007199254740993") {
					t.Errorf("favorite_number = %#v, want the exact json.Number", n)
				}
				if got := d.AccessTokenGeneration.ClaimsToAddOrOverride["tenant"]; !reflect.DeepEqual(got, map[string]any{"id": "acme"}) {
					t.Errorf("tenant = %#v", got)
				}
				if !reflect.DeepEqual(d.AccessTokenGeneration.ScopesToAdd, []string{"api/read"}) ||
					!reflect.DeepEqual(d.AccessTokenGeneration.ScopesToSuppress, []string{"email"}) ||
					!reflect.DeepEqual(d.IDTokenGeneration.ClaimsToSuppress, []string{"email"}) {
					t.Errorf("scopes/suppressions = %+v / %+v", d.AccessTokenGeneration, d.IDTokenGeneration)
				}
				if d.GroupOverrideDetails != nil {
					t.Errorf("groupOverrideDetails = %+v, want none", d.GroupOverrideDetails)
				}
			},
		},
		{
			name:  "pretokengeneration-v3-client-credentials",
			event: withVersion(event(TokenGenerationClientCredentials), PreTokenGenerationVersion("V3_0")),
			req:   &PreTokenGenerationV2Request{Scopes: []string{"api/read"}, ClientMetadata: map[string]string{"on_behalf_of": "svc"}},
			resp:  &PreTokenGenerationV2Response{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return ev, nil // no overrides: the response stays null
			},
			check: func(t *testing.T, resp any) {
				if d := resp.(*PreTokenGenerationV2Response).ClaimsAndScopeOverrideDetails; d != nil {
					t.Errorf("claimsAndScopeOverrideDetails = %+v, want nil", d)
				}
			},
		},
		{
			name:  "custommessage-admincreateuser",
			event: withClient(event(CustomMessageAdminCreateUser), AdminClientID),
			req: &CustomMessageRequest{UserAttributes: Attributes{"sub": "7d8ca528-4931-4254-9273-ea5ee853f271",
				"email": "jane@example.com", "cognito:user_status": "FORCE_CHANGE_PASSWORD"},
				CodeParameter: CodeParameter, LinkParameter: LinkParameter, UsernameParameter: ptr(UsernameParameter)},
			resp: &CustomMessageResponse{},
			// The seed's custom message function (Python), in Go.
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				req := request(ev)
				status := req["userAttributes"].(map[string]any)["cognito:user_status"]
				if ev["triggerSource"] == "CustomMessage_AdminCreateUser" && status == "FORCE_CHANGE_PASSWORD" {
					response(ev)["emailSubject"] = "Validate your account"
					response(ev)["emailMessage"] = "Hi <b>" + req["usernameParameter"].(string) +
						"</b>! Your temporary password is <b>" + req["codeParameter"].(string) + "</b>."
				}
				return ev, nil
			},
			check: func(t *testing.T, resp any) {
				want := &CustomMessageResponse{EmailSubject: "Validate your account",
					EmailMessage: "Hi <b>{username}</b>! Your temporary password is <b>{####}</b>."}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:  "custommessage-signup",
			event: event(CustomMessageSignUp),
			req: &CustomMessageRequest{UserAttributes: Attributes{"email": "jane@example.com", "cognito:user_status": "UNCONFIRMED"},
				CodeParameter: CodeParameter, LinkParameter: LinkParameter},
			resp: &CustomMessageResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				return ev, nil // keeps the nulls: Cognito's default message
			},
			check: func(t *testing.T, resp any) {
				if *resp.(*CustomMessageResponse) != (CustomMessageResponse{}) {
					t.Errorf("response = %+v, want empty", resp)
				}
			},
		},
		{
			name:  "usermigration",
			event: event(UserMigrationAuthentication),
			req:   &UserMigrationRequest{Password: "Passw0rd!"},
			resp:  &UserMigrationResponse{},
			// The seed's migration function (Python), in Go.
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				if ev["triggerSource"] != "UserMigration_Authentication" || request(ev)["password"] != "Passw0rd!" {
					return nil, nil
				}
				r := response(ev)
				r["userAttributes"] = map[string]any{"email": "jane@example.com", "email_verified": "true", "custom:legacy_id": "42"}
				r["finalUserStatus"] = "CONFIRMED"
				r["messageAction"] = "SUPPRESS"
				return ev, nil
			},
			check: func(t *testing.T, resp any) {
				want := &UserMigrationResponse{
					UserAttributes:  map[string]string{"email": "jane@example.com", "email_verified": "true", "custom:legacy_id": "42"},
					FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:   "defineauthchallenge-first",
			event:  event(DefineAuthChallengeAuthentication),
			req:    &DefineAuthChallengeRequest{UserAttributes: attrs, UserNotFound: ptr(false)},
			resp:   &DefineAuthChallengeResponse{},
			handle: defineAuthChallenge,
			check: func(t *testing.T, resp any) {
				want := &DefineAuthChallengeResponse{ChallengeName: "CUSTOM_CHALLENGE"}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:  "defineauthchallenge-answered",
			event: event(DefineAuthChallengeAuthentication),
			req: &DefineAuthChallengeRequest{UserAttributes: attrs, Session: Session{
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "CAPTCHA"}},
				ClientMetadata: map[string]string{"k": "v"}},
			resp:   &DefineAuthChallengeResponse{},
			handle: defineAuthChallenge,
			check: func(t *testing.T, resp any) {
				want := &DefineAuthChallengeResponse{IssueTokens: true}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:  "createauthchallenge",
			event: event(CreateAuthChallengeAuthentication),
			req:   &CreateAuthChallengeRequest{UserAttributes: attrs, ChallengeName: "CUSTOM_CHALLENGE"},
			resp:  &CreateAuthChallengeResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				r := response(ev)
				r["publicChallengeParameters"] = map[string]any{"question": "6 x 7?"}
				r["privateChallengeParameters"] = map[string]any{"answer": "42"}
				r["challengeMetadata"] = "CAPTCHA"
				return ev, nil
			},
			check: func(t *testing.T, resp any) {
				want := &CreateAuthChallengeResponse{PublicChallengeParameters: map[string]string{"question": "6 x 7?"},
					PrivateChallengeParameters: map[string]string{"answer": "42"}, ChallengeMetadata: "CAPTCHA"}
				if !reflect.DeepEqual(resp, want) {
					t.Errorf("response = %+v, want %+v", resp, want)
				}
			},
		},
		{
			name:  "verifyauthchallengeresponse",
			event: event(VerifyAuthChallengeResponseAuthentication),
			req: &VerifyAuthChallengeResponseRequest{UserAttributes: attrs,
				PrivateChallengeParameters: map[string]string{"answer": "42"}, ChallengeAnswer: "42"},
			resp: &VerifyAuthChallengeResponseResponse{},
			handle: func(_ context.Context, ev map[string]any) (any, error) {
				req := request(ev)
				response(ev)["answerCorrect"] = req["privateChallengeParameters"].(map[string]any)["answer"] == req["challengeAnswer"]
				return ev, nil
			},
			check: func(t *testing.T, resp any) {
				if !resp.(*VerifyAuthChallengeResponseResponse).AnswerCorrect {
					t.Error("answerCorrect = false")
				}
			},
		},
	}
}

// defineAuthChallenge is the usual custom-auth state machine: one custom
// challenge, tokens once it is answered right.
func defineAuthChallenge(_ context.Context, ev map[string]any) (any, error) {
	session := request(ev)["session"].([]any)
	r := response(ev)
	if len(session) == 0 {
		r["challengeName"] = "CUSTOM_CHALLENGE"
		r["issueTokens"] = false
		r["failAuthentication"] = false
		return ev, nil
	}
	last := session[len(session)-1].(map[string]any)
	r["issueTokens"] = last["challengeResult"] == true
	r["failAuthentication"] = last["challengeResult"] != true
	return ev, nil
}

// TestCallRoundTrip runs every trigger's request and response through the
// Lambda double: the function receives the event of the golden file and its
// response decodes into the typed response.
func TestCallRoundTrip(t *testing.T) {
	for _, tc := range triggerCases() {
		t.Run(tc.name, func(t *testing.T) {
			d, srv := newLambdaDouble(t, map[string]handler{tc.name: tc.handle})
			inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
			if err := Call(context.Background(), inv, fnPrefix+tc.name, tc.event, tc.req, tc.resp); err != nil {
				t.Fatalf("Call: %v", err)
			}
			calls := d.invocations()
			if len(calls) != 1 {
				t.Fatalf("%d invocations, want 1", len(calls))
			}
			c := calls[0]
			if c.Name != tc.name || c.Qualifier != "" || c.InvocationType != "RequestResponse" || c.ContentType != "application/json" {
				t.Errorf("invocation = %+v", c)
			}
			if c.Identity.Region != testRegion || c.Identity.Service != "lambda" || c.Identity.AccessKeyID != lambdaKey {
				t.Errorf("signed as %+v", c.Identity)
			}
			goldenEvent(t, tc.name, c.Payload)
			if tc.check != nil {
				tc.check(t, tc.resp)
			}
		})
	}
}

// TestCallAsyncCustomSender starts a custom email sender without waiting:
// Lambda's Event invocation type, the request of the docs, no response.
func TestCallAsyncCustomSender(t *testing.T) {
	ran := make(chan map[string]any, 1)
	d, srv := newLambdaDouble(t, map[string]handler{"sender": func(_ context.Context, ev map[string]any) (any, error) {
		ran <- ev
		return nil, typedError{"the provider is down", "Error"} // not reported: async
	}})
	inv := &Router{Lambda: &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}}
	req := &CustomSenderRequest{Type: CustomEmailSenderRequestV1, Code: EncodeCode("123456"),
		UserAttributes: Attributes{"email": "jane@example.com", "email_verified": "false"}}
	if err := CallAsync(context.Background(), inv, fnPrefix+"sender", event(CustomEmailSenderSignUp), req); err != nil {
		t.Fatalf("CallAsync: %v", err)
	}
	calls := d.invocations()
	if len(calls) != 1 || calls[0].InvocationType != "Event" {
		t.Fatalf("invocations = %+v, want one Event invocation", calls)
	}
	goldenEvent(t, "customemailsender", calls[0].Payload)
	ev := <-ran
	if code := request(ev)["code"]; code != "MTIzNDU2" {
		t.Errorf("code = %v, want base64 of the plaintext", code)
	}
}

// TestCallAsyncInvocationFailure: a sender that cannot be invoked is still
// reported.
func TestCallAsyncInvocationFailure(t *testing.T) {
	_, srv := newLambdaDouble(t, nil)
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
	err := CallAsync(context.Background(), inv, fnPrefix+"missing", event(CustomSMSSenderSignUp),
		&CustomSenderRequest{Type: CustomSMSSenderRequestV1})
	wantErr(t, err, errs.UnexpectedLambda, "CustomSMSSender invocation failed due to error ResourceNotFoundException.")
}

// wantErr checks err is the Cognito exception typ with message msg.
func wantErr(t *testing.T, err error, typ, msg string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error = %v (%T), want %s", err, err, typ)
	}
	if e.Type != typ || e.Message != msg {
		t.Errorf("error = %s: %q, want %s: %q", e.Type, e.Message, typ, msg)
	}
}

func TestTriggerName(t *testing.T) {
	for source, want := range map[string]string{
		PreSignUpSignUp:                              "PreSignUp",
		PostConfirmationConfirmForgotPassword:        "PostConfirmation",
		TokenGenerationRefreshTokens:                 "PreTokenGeneration",
		TokenGenerationClientCredentials:             "PreTokenGeneration",
		UserMigrationForgotPassword:                  "UserMigration",
		VerifyAuthChallengeResponseAuthentication:    "VerifyAuthChallengeResponse",
		CustomEmailSenderAccountTakeOverNotification: "CustomEmailSender",
		"Custom": "Custom",
	} {
		if got := TriggerName(source); got != want {
			t.Errorf("TriggerName(%q) = %q, want %q", source, got, want)
		}
	}
}

func TestPreTokenGenerationVersion(t *testing.T) {
	for in, want := range map[string]string{"": "1", "V1_0": "1", "V2_0": "2", "V3_0": "3"} {
		if got := PreTokenGenerationVersion(in); got != want {
			t.Errorf("PreTokenGenerationVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
