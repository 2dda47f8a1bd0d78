package triggers

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"
)

// WebhookInvoker runs trigger functions as plain HTTP endpoints, for teams
// that write their triggers as a small web service instead of a Lambda
// function. The protocol:
//
//   - Cogito POSTs the event JSON (Content-Type: application/json), with
//     the trigger's ARN in X-Cogito-Function-Arn so that one URL can serve
//     several triggers;
//   - a 2xx reply carries the event back with "response" filled in, exactly
//     what a Lambda function returns;
//   - a non-2xx reply with a JSON body {"errorMessage": "...", "errorType":
//     "..."} is the function failing (as a Lambda function that throws):
//     Cognito's UserLambdaValidationException with that message. A 2xx
//     reply with an X-Amz-Function-Error header is read the same way;
//   - any other reply, or none within Timeout, is the function being
//     unavailable: UnexpectedLambdaException.
type WebhookInvoker struct {
	// URLs maps a function ARN, as configured in the pool's LambdaConfig,
	// to the URL that serves it. A qualified ARN with no entry of its own
	// uses the entry of its unqualified ARN.
	URLs map[string]string
	// Header holds extra request headers, such as Authorization.
	Header http.Header
	// Client defaults to one without a timeout of its own.
	Client *http.Client
	// Timeout and Attempts are as for LambdaInvoker: Cognito's five
	// seconds and three attempts by default.
	Timeout  time.Duration
	Attempts int
}

// URL returns the URL that serves functionARN.
func (w *WebhookInvoker) URL(functionARN string) (string, bool) {
	if w == nil {
		return "", false
	}
	if u, ok := w.URLs[functionARN]; ok && u != "" {
		return u, true
	}
	if fn := ParseFunction(functionARN); fn.Qualifier != "" {
		unqualified := functionARN[:len(functionARN)-len(fn.Qualifier)-1]
		if u, ok := w.URLs[unqualified]; ok && u != "" {
			return u, true
		}
	}
	return "", false
}

// Invoke POSTs payload to the function's URL and returns the reply.
func (w *WebhookInvoker) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, error) {
	target, ok := w.URL(functionARN)
	if !ok {
		return nil, &InvocationError{Function: functionARN, StatusCode: http.StatusNotFound,
			Code: "ResourceNotFoundException", Message: "no webhook URL is configured for the function"}
	}
	return attempts(ctx, functionARN, w.Timeout, w.Attempts, func(ctx context.Context) ([]byte, error) {
		return w.once(ctx, functionARN, target, payload)
	})
}

// InvokeAsync delivers payload like Invoke but, like an asynchronous Lambda
// invocation, does not report the function's own failure; it still waits
// for the reply.
func (w *WebhookInvoker) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	_, err := w.Invoke(ctx, functionARN, payload)
	var fe *FunctionError
	if errors.As(err, &fe) {
		return nil
	}
	return err
}

func (w *WebhookInvoker) once(ctx context.Context, function, target string, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, &InvocationError{Function: function, Err: errors.New("the webhook URL is malformed")}
	}
	for k, vs := range w.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cogito-Function-Arn", function)
	client := w.Client
	if client == nil {
		client = defaultClient
	}
	resp, body, err := send(client, req, function)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if isErrorObject(body) {
			return nil, functionError(function, "", body)
		}
		return nil, &InvocationError{Function: function, StatusCode: resp.StatusCode, Code: codeForStatus(resp.StatusCode)}
	}
	if kind := resp.Header.Get("X-Amz-Function-Error"); kind != "" {
		return nil, functionError(function, kind, body)
	}
	return body, nil
}
