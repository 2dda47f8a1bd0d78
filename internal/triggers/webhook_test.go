package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
)

// webhookDouble is a trigger written as a web service.
type webhookDouble struct {
	mu      sync.Mutex
	arns    []string
	headers []http.Header
	serve   func(w http.ResponseWriter, ev map[string]any)
}

func (d *webhookDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	d.arns = append(d.arns, r.Header.Get("X-Cogito-Function-Arn"))
	d.headers = append(d.headers, r.Header.Clone())
	d.mu.Unlock()
	var ev map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &ev) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	d.serve(w, ev)
}

func newWebhook(t *testing.T, serve func(w http.ResponseWriter, ev map[string]any)) (*webhookDouble, string) {
	t.Helper()
	d := &webhookDouble{serve: serve}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv.URL + "/hooks/presignup?token=s3cret"
}

func TestWebhookSuccess(t *testing.T) {
	d, url := newWebhook(t, func(w http.ResponseWriter, ev map[string]any) {
		response(ev)["autoConfirmUser"] = true
		json.NewEncoder(w).Encode(ev)
	})
	arn := fnPrefix + "presignup"
	inv := &WebhookInvoker{URLs: map[string]string{arn: url}, Header: http.Header{"Authorization": {"Bearer t"}}}
	resp, err := callPreSignUp(t, inv, arn)
	if err != nil || !resp.AutoConfirmUser {
		t.Fatalf("resp = %+v, err = %v", resp, err)
	}
	if len(d.arns) != 1 || d.arns[0] != arn || d.headers[0].Get("Authorization") != "Bearer t" {
		t.Errorf("webhook saw ARNs %q, headers %v", d.arns, d.headers)
	}
	// A qualified ARN uses its unqualified entry.
	if _, err := callPreSignUp(t, inv, arn+":live"); err != nil {
		t.Fatalf("qualified ARN: %v", err)
	}
	if d.arns[1] != arn+":live" {
		t.Errorf("X-Cogito-Function-Arn = %q", d.arns[1])
	}
}

func TestWebhookErrors(t *testing.T) {
	arn := fnPrefix + "presignup"
	for _, tc := range []struct {
		name     string
		serve    func(w http.ResponseWriter, ev map[string]any)
		typ, msg string
	}{
		{"error body", func(w http.ResponseWriter, _ map[string]any) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"errorMessage": "Invite code required", "errorType": "Error"}`)
		}, UserLambdaValidation, "PreSignUp failed with error Invite code required."},
		{"function error header", func(w http.ResponseWriter, _ map[string]any) {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage": "boom", "errorType": "TypeError"}`)
		}, UserLambdaValidation, "PreSignUp failed with error boom."},
		{"server error", func(w http.ResponseWriter, _ map[string]any) {
			http.Error(w, "upstream down", http.StatusBadGateway)
		}, errs.UnexpectedLambda, "PreSignUp invocation failed due to error ServiceException."},
		{"not found", func(w http.ResponseWriter, _ map[string]any) {
			http.NotFound(w, nil)
		}, errs.UnexpectedLambda, "PreSignUp invocation failed due to error ResourceNotFoundException."},
		{"not an event", func(w http.ResponseWriter, _ map[string]any) {
			io.WriteString(w, "OK")
		}, InvalidLambdaResponse, "Unrecognizable lambda output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, url := newWebhook(t, tc.serve)
			_, err := callPreSignUp(t, &WebhookInvoker{URLs: map[string]string{arn: url}}, arn)
			wantErr(t, err, tc.typ, tc.msg)
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q repeats the webhook URL", err)
			}
		})
	}
}

func TestWebhookTimeout(t *testing.T) {
	var mu sync.Mutex
	n := 0
	_, url := newWebhook(t, func(w http.ResponseWriter, ev map[string]any) {
		mu.Lock()
		n++
		mu.Unlock()
		time.Sleep(400 * time.Millisecond)
		json.NewEncoder(w).Encode(ev)
	})
	arn := fnPrefix + "presignup"
	inv := &WebhookInvoker{URLs: map[string]string{arn: url}, Timeout: 100 * time.Millisecond, Attempts: 2}
	_, err := callPreSignUp(t, inv, arn)
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.")
	mu.Lock()
	defer mu.Unlock()
	if n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestWebhookUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/?token=s3cret"
	srv.Close()
	arn := fnPrefix + "presignup"
	_, err := callPreSignUp(t, &WebhookInvoker{URLs: map[string]string{arn: url}}, arn)
	wantErr(t, err, errs.UnexpectedLambda, "PreSignUp invocation failed due to error Unable to execute HTTP request.")
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q repeats the webhook URL", err)
	}
}

func TestWebhookAsyncIgnoresFunctionError(t *testing.T) {
	_, url := newWebhook(t, func(w http.ResponseWriter, _ map[string]any) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errorMessage": "SES is down"}`)
	})
	arn := fnPrefix + "sender"
	err := CallAsync(context.Background(), &Router{Webhooks: &WebhookInvoker{URLs: map[string]string{arn: url}}}, arn,
		event(CustomSMSSenderSignUp), &CustomSenderRequest{Type: CustomSMSSenderRequestV1, Code: EncodeCode("1")})
	if err != nil {
		t.Fatalf("CallAsync: %v", err)
	}
}

func TestRouter(t *testing.T) {
	hookARN, lambdaARN := fnPrefix+"viaHook", fnPrefix+"viaLambda"
	hook, url := newWebhook(t, func(w http.ResponseWriter, ev map[string]any) {
		response(ev)["autoVerifyEmail"] = true
		json.NewEncoder(w).Encode(ev)
	})
	d, srv := newLambdaDouble(t, map[string]handler{
		"viaLambda": func(_ context.Context, ev map[string]any) (any, error) {
			response(ev)["autoVerifyPhone"] = true
			return ev, nil
		},
	})
	webhooks := &WebhookInvoker{URLs: map[string]string{hookARN: url}}
	lambda := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}

	r := &Router{Webhooks: webhooks, Lambda: lambda}
	if resp, err := callPreSignUp(t, r, hookARN); err != nil || !resp.AutoVerifyEmail {
		t.Errorf("webhook route: %+v, %v", resp, err)
	}
	if resp, err := callPreSignUp(t, r, lambdaARN); err != nil || !resp.AutoVerifyPhone {
		t.Errorf("lambda route: %+v, %v", resp, err)
	}
	if len(hook.arns) != 1 || len(d.invocations()) != 1 {
		t.Errorf("webhook calls %d, lambda calls %d; want 1 each", len(hook.arns), len(d.invocations()))
	}

	// Webhooks only: an ARN without a URL has no way to run.
	for _, r := range []*Router{{Webhooks: webhooks}, {}, nil} {
		_, err := callPreSignUp(t, r, lambdaARN)
		wantErr(t, err, errs.UnexpectedLambda,
			"no way to invoke "+lambdaARN+": configure --lambda-endpoint or a webhook")
	}
	// Lambda only: everything goes to Lambda.
	if resp, err := callPreSignUp(t, &Router{Lambda: lambda}, lambdaARN); err != nil || !resp.AutoVerifyPhone {
		t.Errorf("lambda-only route: %+v, %v", resp, err)
	}
}

// TestInvokerErrorsAreTyped checks what Invoke itself returns, for callers
// that use an Invoker without Call.
func TestInvokerErrorsAreTyped(t *testing.T) {
	_, srv := newLambdaDouble(t, map[string]handler{"fail": func(context.Context, map[string]any) (any, error) {
		return nil, errors.New("no")
	}})
	inv := &LambdaInvoker{Endpoint: srv.URL, Credentials: lambdaCreds}
	_, err := inv.Invoke(context.Background(), fnPrefix+"fail", []byte(`{}`))
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Message != "no" || fe.Type != "Error" || fe.Kind != "Unhandled" {
		t.Errorf("Invoke error = %#v", err)
	}
	_, err = inv.Invoke(context.Background(), fnPrefix+"missing", []byte(`{}`))
	var ie *InvocationError
	if !errors.As(err, &ie) || ie.Code != "ResourceNotFoundException" || ie.StatusCode != 404 {
		t.Errorf("Invoke error = %#v", err)
	}
}
