package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cogito-idp/cogito/internal/sigv4"
)

// The Lambda double's access key.
const (
	lambdaKey    = "AKIDLAMBDAEXAMPLE"
	lambdaSecret = "lambdaSecretKeyEXAMPLE/K7MDENG+bPxRfiCY"
)

var lambdaCreds = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: lambdaKey, SecretAccessKey: lambdaSecret}, nil
})

// handler is a trigger function as Cognito users write them: it takes the
// event and returns it with its response filled in, or fails.
type handler func(ctx context.Context, event map[string]any) (any, error)

// rawReply is a handler result written to the reply as is, to return what a
// well-behaved function would not.
type rawReply string

// handledError makes the double report X-Amz-Function-Error: Handled.
type handledError struct{ msg, typ string }

func (e handledError) Error() string { return e.msg }

// typedError is a failure with an errorType of its own.
type typedError struct{ msg, typ string }

func (e typedError) Error() string { return e.msg }

// invocation is one call the double received.
type invocation struct {
	Name, Qualifier, InvocationType, ContentType string
	Identity                                     *sigv4.Identity
	Payload                                      []byte
}

// lambdaDouble serves the Lambda Invoke API in process: it verifies SigV4
// for the service "lambda", routes by function name and runs Go handlers.
type lambdaDouble struct {
	t         *testing.T
	mu        sync.Mutex
	functions map[string]handler
	calls     []invocation
}

func newLambdaDouble(t *testing.T, functions map[string]handler) (*lambdaDouble, *httptest.Server) {
	t.Helper()
	d := &lambdaDouble{t: t, functions: functions}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv
}

func (d *lambdaDouble) invocations() []invocation {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]invocation(nil), d.calls...)
}

// writeAPIError answers like the Invoke API: REST-JSON with the code in
// X-Amzn-ErrorType.
func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code+":http://internal.amazon.com/coral/com.amazonaws.awslambda/")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
}

func (d *lambdaDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		d.t.Error(err)
		return
	}
	v := &sigv4.Verifier{Service: "lambda", Credentials: func(id string) (string, bool) {
		if id == lambdaKey {
			return lambdaSecret, true
		}
		return "", false
	}}
	id, err := v.Verify(r, body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			writeAPIError(w, http.StatusForbidden, se.Type, se.Message)
			return
		}
		writeAPIError(w, http.StatusForbidden, "AccessDeniedException", err.Error())
		return
	}
	rest, ok1 := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if r.Method != http.MethodPost || !ok1 || !ok2 {
		writeAPIError(w, http.StatusNotFound, "UnknownOperationException", "Unknown operation")
		return
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	if invType == "" {
		invType = "RequestResponse"
	}
	d.mu.Lock()
	d.calls = append(d.calls, invocation{Name: name, Qualifier: r.URL.Query().Get("Qualifier"),
		InvocationType: invType, ContentType: r.Header.Get("Content-Type"), Identity: id, Payload: body})
	h, found := d.functions[name]
	d.mu.Unlock()
	if !found {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("Function not found: arn:aws:lambda:%s:123456789012:function:%s", id.Region, name))
		return
	}
	var ev map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}
	out, err := h(r.Context(), ev)
	if invType == "Event" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if err != nil {
		kind, typ := "Unhandled", "Error"
		var he handledError
		var te typedError
		switch {
		case errors.As(err, &he):
			kind, typ = "Handled", he.typ
		case errors.As(err, &te):
			typ = te.typ
		}
		w.Header().Set("X-Amz-Function-Error", kind)
		json.NewEncoder(w).Encode(map[string]any{"errorType": typ, "errorMessage": err.Error(),
			"trace": []string{typ + ": " + err.Error(), "    at Runtime.handler (file:///var/task/index.mjs:3:9)"}})
		return
	}
	if raw, ok := out.(rawReply); ok {
		io.WriteString(w, string(raw))
		return
	}
	json.NewEncoder(w).Encode(out)
}

// Helpers for handlers, which see the event as a JavaScript function does.

func request(ev map[string]any) map[string]any  { return ev["request"].(map[string]any) }
func response(ev map[string]any) map[string]any { return ev["response"].(map[string]any) }

// setResponse replaces the event's response, as a function that assigns
// event.response = {...} does.
func setResponse(ev map[string]any, r map[string]any) map[string]any {
	ev["response"] = r
	return ev
}
