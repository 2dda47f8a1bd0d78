package triggers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cogito-idp/cogito/internal/errs"
)

// callPreSignUp runs a pre sign-up trigger against the function named fn.
func callPreSignUp(t *testing.T, inv Invoker, fn string) (*PreSignUpResponse, error) {
	t.Helper()
	var resp PreSignUpResponse
	err := Call(context.Background(), inv, fn, event(PreSignUpSignUp),
		&PreSignUpRequest{UserAttributes: Attributes{"email": "jane@example.com"}}, &resp)
	return &resp, err
}

func TestFunctionErrors(t *testing.T) {
	_, srv := newLambdaDouble(t, map[string]handler{
		// Node: throw new Error("Registration from this domain is not allowed.")
		"unhandled": func(context.Context, map[string]any) (any, error) {
			return nil, errors.New("Registration from this domain is not allowed.")
		},
		"handled": func(context.Context, map[string]any) (any, error) {
			return nil, handledError{"Invite code required", "InviteError"}
		},
		// Python: raise KeyError('email')
		"python": func(context.Context, map[string]any) (any, error) {
			return nil, typedError{"'email'", "KeyError"}
		},
	})
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
	for fn, want := range map[string]string{
		// Cognito appends its period even after the function's own.
		"unhandled": "PreSignUp failed with error Registration from this domain is not allowed..",
		"handled":   "PreSignUp failed with error Invite code required.",
		"python":    "PreSignUp failed with error 'email'.",
	} {
		t.Run(fn, func(t *testing.T) {
			_, err := callPreSignUp(t, inv, fnPrefix+fn)
			wantErr(t, err, UserLambdaValidation, want)
			var fe *FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v does not wrap a *FunctionError", err)
			}
			if want := map[string]string{"unhandled": "Unhandled", "handled": "Handled", "python": "Unhandled"}[fn]; fe.Kind != want {
				t.Errorf("Kind = %q, want %q", fe.Kind, want)
			}
		})
	}
}

func TestFunctionErrorTriggerNames(t *testing.T) {
	_, srv := newLambdaDouble(t, map[string]handler{"fail": func(context.Context, map[string]any) (any, error) {
		return nil, errors.New("no")
	}})
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
	for source, want := range map[string]string{
		TokenGenerationHostedAuth:         "PreTokenGeneration failed with error no.",
		UserMigrationAuthentication:       "UserMigration failed with error no.",
		CustomMessageForgotPassword:       "CustomMessage failed with error no.",
		DefineAuthChallengeAuthentication: "DefineAuthChallenge failed with error no.",
		PostConfirmationConfirmSignUp:     "PostConfirmation failed with error no.",
	} {
		err := Call(context.Background(), inv, fnPrefix+"fail", event(source), nil, nil)
		wantErr(t, err, UserLambdaValidation, want)
	}
}

func TestFunctionNotFound(t *testing.T) {
	_, srv := newLambdaDouble(t, nil)
	_, err := callPreSignUp(t, &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}, fnPrefix+"missing")
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error ResourceNotFoundException.")
	var ie *InvocationError
	if !errors.As(err, &ie) || ie.StatusCode != http.StatusNotFound || !strings.Contains(ie.Message, "Function not found") {
		t.Errorf("wrapped error = %#v", ie)
	}
	if e, _ := errs.As(err); strings.Contains(e.Message, "123456789012") {
		t.Errorf("message %q leaks the Invoke API's text", e.Message)
	}
}

// TestSamLocalNotFound: sam local start-lambda names the error
// "ResourceNotFound"; clients still see Lambda's code.
func TestSamLocalNotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-errortype", "ResourceNotFound")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"Type": "User", "Message": "Function not found: arn:aws:lambda:us-west-2:012345678901:function:missing"}`))
	}))
	defer srv.Close()
	_, err := callPreSignUp(t, &LambdaInvoker{Endpoint: srv.URL}, "missing")
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error ResourceNotFoundException.")
}

func TestBadSignature(t *testing.T) {
	d, srv := newLambdaDouble(t, map[string]handler{"f": func(_ context.Context, ev map[string]any) (any, error) { return ev, nil }})
	wrong := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: lambdaKey, SecretAccessKey: "wrong"}, nil
	})
	_, err := callPreSignUp(t, &LambdaInvoker{Endpoint: srv.URL, Credentials: wrong}, fnPrefix+"f")
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error InvalidSignatureException.")
	if n := len(d.invocations()); n != 0 {
		t.Errorf("%d invocations got through", n)
	}
}

func TestTimeout(t *testing.T) {
	slow := func(ctx context.Context, ev map[string]any) (any, error) {
		select {
		case <-time.After(6 * time.Second):
		case <-ctx.Done():
		}
		return ev, nil
	}
	d, srv := newLambdaDouble(t, map[string]handler{"slow": slow})

	t.Run("three attempts, as Cognito", func(t *testing.T) {
		inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds, Timeout: 200 * time.Millisecond}
		start := time.Now()
		_, err := callPreSignUp(t, inv, fnPrefix+"slow")
		wantErr(t, err, errs.UnexpectedLambda,
			"PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.")
		if n := len(d.invocations()); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("took %v", el)
		}
	})
	t.Run("one attempt", func(t *testing.T) {
		before := len(d.invocations())
		inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds, Timeout: 200 * time.Millisecond, Attempts: 1}
		_, err := callPreSignUp(t, inv, fnPrefix+"slow")
		var ie *InvocationError
		if !errors.As(err, &ie) || !ie.Timeout {
			t.Fatalf("error = %v, want a timeout", err)
		}
		if n := len(d.invocations()) - before; n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
}

// TestTimeoutThenAnswer: a function that answers on the second attempt
// succeeds, as on Cognito.
func TestTimeoutThenAnswer(t *testing.T) {
	var calls atomic.Int32
	d, srv := newLambdaDouble(t, map[string]handler{"cold": func(ctx context.Context, ev map[string]any) (any, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // a cold start longer than Cognito waits
		}
		response(ev)["autoConfirmUser"] = true
		return ev, nil
	}})
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds, Timeout: 200 * time.Millisecond}
	resp, err := callPreSignUp(t, inv, fnPrefix+"cold")
	if err != nil || !resp.AutoConfirmUser {
		t.Fatalf("resp = %+v, err = %v", resp, err)
	}
	if n := len(d.invocations()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := callPreSignUp(t, &LambdaInvoker{Endpoint: url, Credentials: lambdaCreds, Timeout: time.Second}, fnPrefix+"f")
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error Unable to execute HTTP request.")
}

func TestMalformedReply(t *testing.T) {
	replies := map[string]string{
		"null":        "null",
		"string":      `"approved"`,
		"not-json":    "approved",
		"array":       `[{"response": {}}]`,
		"bad-type":    `{"response": {"autoConfirmUser": "yes"}}`,
		"bad-resp":    `{"response": "ok"}`,
		"empty-reply": ``,
	}
	functions := map[string]handler{}
	for name, body := range replies {
		functions[name] = func(context.Context, map[string]any) (any, error) { return rawReply(body), nil }
	}
	functions["no-response"] = func(context.Context, map[string]any) (any, error) { return rawReply(`{}`), nil }
	functions["null-response"] = func(context.Context, map[string]any) (any, error) {
		return rawReply(`{"response": null}`), nil
	}
	_, srv := newLambdaDouble(t, functions)
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}

	for name := range replies {
		t.Run(name, func(t *testing.T) {
			_, err := callPreSignUp(t, inv, fnPrefix+name)
			wantErr(t, err, InvalidLambdaResponse, "Unrecognizable lambda output")
		})
	}
	// An event without a response (or a null one) changes nothing.
	for _, name := range []string{"no-response", "null-response"} {
		t.Run(name, func(t *testing.T) {
			resp, err := callPreSignUp(t, inv, fnPrefix+name)
			if err != nil || *resp != (PreSignUpResponse{}) {
				t.Errorf("resp = %+v, err = %v", resp, err)
			}
		})
	}
	// A migrate user function that returns no user: Cognito's
	// UserNotFoundException.
	for _, name := range []string{"null", "no-response", "null-response", "bad-resp"} {
		t.Run("migration-"+name, func(t *testing.T) {
			var resp UserMigrationResponse
			err := Call(context.Background(), inv, fnPrefix+name, event(UserMigrationAuthentication),
				&UserMigrationRequest{Password: "x"}, &resp)
			wantErr(t, err, errs.UserNotFound, "Exception migrating user in app client "+testClient)
		})
	}
}

func TestCallNeedsPointer(t *testing.T) {
	err := Call(context.Background(), &Router{}, "f", event(PreSignUpSignUp), nil, PreSignUpResponse{})
	if err == nil {
		t.Fatal("Call accepted a non-pointer response")
	}
	if _, ok := errs.As(err); ok {
		t.Errorf("a programming error came back as a Cognito exception: %v", err)
	}
}

func TestParseFunction(t *testing.T) {
	for in, want := range map[string]Function{
		"arn:aws:lambda:eu-west-1:123456789012:function:pre-signup":      {Name: "pre-signup", Region: "eu-west-1", Account: "123456789012"},
		"arn:aws:lambda:eu-west-1:123456789012:function:pre-signup:live": {Name: "pre-signup", Qualifier: "live", Region: "eu-west-1", Account: "123456789012"},
		"arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST":       {Name: "f", Qualifier: "$LATEST", Region: "us-east-1", Account: "123456789012"},
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:3":         {Name: "f", Qualifier: "3", Region: "cn-north-1", Account: "123456789012"},
		"PreSignUpFunction": {Name: "PreSignUpFunction"},
		"my-function:v1":    {Name: "my-function:v1"},
		"arn:aws:states:us-east-1:123456789012:stateMachine:x":      {Name: "arn:aws:states:us-east-1:123456789012:stateMachine:x"},
		"arn:aws:lambda:us-east-1:123456789012:function:f:v1:extra": {Name: "arn:aws:lambda:us-east-1:123456789012:function:f:v1:extra"},
		"arn:aws:lambda:us-east-1:123456789012:function:":           {Name: "arn:aws:lambda:us-east-1:123456789012:function:"},
	} {
		if got := ParseFunction(in); got != want {
			t.Errorf("ParseFunction(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestQualifier: the name goes in the path, the qualifier in ?Qualifier=,
// and the signature covers both; the ARN's region signs unless Region is set.
func TestQualifier(t *testing.T) {
	ok := func(_ context.Context, ev map[string]any) (any, error) { return ev, nil }
	d, srv := newLambdaDouble(t, map[string]handler{"pre-signup": ok})

	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
	if _, err := callPreSignUp(t, inv, "arn:aws:lambda:eu-west-1:123456789012:function:pre-signup:$LATEST"); err != nil {
		t.Fatal(err)
	}
	inv.OmitQualifier = true
	if _, err := callPreSignUp(t, inv, "arn:aws:lambda:eu-west-1:123456789012:function:pre-signup:live"); err != nil {
		t.Fatal(err)
	}
	inv = &LambdaInvoker{Endpoint: srv.URL + "/", Credentials: lambdaCreds, Region: "ap-south-1"}
	if _, err := callPreSignUp(t, inv, "pre-signup"); err != nil {
		t.Fatal(err)
	}
	calls := d.invocations()
	if len(calls) != 3 {
		t.Fatalf("%d invocations", len(calls))
	}
	if c := calls[0]; c.Name != "pre-signup" || c.Qualifier != "$LATEST" || c.Identity.Region != "eu-west-1" {
		t.Errorf("qualified: %+v", c)
	}
	if c := calls[1]; c.Qualifier != "" {
		t.Errorf("OmitQualifier sent Qualifier %q", c.Qualifier)
	}
	if c := calls[2]; c.Name != "pre-signup" || c.Identity.Region != "ap-south-1" {
		t.Errorf("bare name: %+v", c)
	}
}

func TestLambdaTarget(t *testing.T) {
	for _, tc := range []struct {
		inv              *LambdaInvoker
		arn, url, region string
	}{
		{&LambdaInvoker{}, "arn:aws:lambda:eu-west-1:1:function:f", "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f/invocations", "eu-west-1"},
		{&LambdaInvoker{}, "arn:aws-cn:lambda:cn-north-1:1:function:f:2", "https://lambda.cn-north-1.amazonaws.com.cn/2015-03-31/functions/f/invocations?Qualifier=2", "cn-north-1"},
		{&LambdaInvoker{Endpoint: "http://127.0.0.1:3001"}, "f", "http://127.0.0.1:3001/2015-03-31/functions/f/invocations", "us-east-1"},
		{&LambdaInvoker{Endpoint: "http://localhost:4566/lambda/"}, "arn:aws:lambda:us-west-2:1:function:f:$LATEST", "http://localhost:4566/lambda/2015-03-31/functions/f/invocations?Qualifier=%24LATEST", "us-west-2"},
	} {
		url, region, err := tc.inv.target(ParseFunction(tc.arn))
		if err != nil || url != tc.url || region != tc.region {
			t.Errorf("target(%q) = %q, %q, %v; want %q, %q", tc.arn, url, region, err, tc.url, tc.region)
		}
	}
	if _, _, err := (&LambdaInvoker{Endpoint: "127.0.0.1:3001"}).target(ParseFunction("f")); err == nil {
		t.Error("an endpoint without scheme was accepted")
	}
}
