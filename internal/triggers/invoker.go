package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Invoker runs a trigger function: it delivers payload (the event JSON) to
// the function functionARN names and returns what the function returned.
//
// A failure is a *FunctionError when the function ran and failed, an
// *InvocationError when it could not be run or did not answer in time, or an
// *errs.Error when the invoker has no way to reach the function at all. Call
// turns the first two into the exceptions Cognito returns.
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, error)
}

// AsyncInvoker is an Invoker that can also start a function without waiting
// for its result, as Cognito starts the custom sender triggers.
type AsyncInvoker interface {
	Invoker
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// Cognito's limits on a trigger call.
const (
	// DefaultTimeout is how long Cognito waits for a function: five
	// seconds, which AWS documents cannot be changed.
	DefaultTimeout = 5 * time.Second
	// DefaultAttempts is how often Cognito calls a function that does not
	// answer in time before it gives up: "If it does not, Amazon Cognito
	// retries the call. After three unsuccessful attempts, the function
	// times out." (Cognito Developer Guide, Lambda triggers, important
	// considerations).
	DefaultAttempts = 3
)

// maxReplyBytes is Lambda's limit on a synchronous invocation's response
// payload (6 MB); a longer reply is not read.
const maxReplyBytes = 6 << 20

// defaultClient has no timeout of its own: every attempt is bounded by the
// invoker's Timeout through its context.
var defaultClient = &http.Client{}

// FunctionError reports that the function ran and failed: Lambda answered
// 200 with X-Amz-Function-Error, or a webhook answered with an error body.
type FunctionError struct {
	Function string // the ARN invoked
	// Kind is the X-Amz-Function-Error value: "Unhandled" (the runtime
	// reported the error: a thrown exception, a crash, the function's own
	// timeout) or "Handled"; empty for a webhook's error reply.
	Kind    string
	Message string // the error object's errorMessage
	Type    string // the error object's errorType, e.g. "Error"
}

func (e *FunctionError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("triggers: %s failed: %s: %s", e.Function, e.Type, e.Message)
	}
	return fmt.Sprintf("triggers: %s failed: %s", e.Function, e.Message)
}

// InvocationError reports that the function could not be run or did not
// answer in time.
type InvocationError struct {
	Function string // the ARN invoked
	// StatusCode is the HTTP status of the Invoke API's (or webhook's)
	// error reply; 0 when none came.
	StatusCode int
	// Code is the error code of that reply, like ResourceNotFoundException,
	// AccessDeniedException or TooManyRequestsException.
	Code string
	// Message is the reply's error message; it may name the function's ARN
	// and account, so Call does not pass it on to clients.
	Message string
	// Timeout is set when every attempt outlived the invoker's Timeout.
	Timeout bool
	// Err is the transport failure, if any.
	Err error
}

func (e *InvocationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "triggers: invoking %s", e.Function)
	switch {
	case e.Timeout:
		b.WriteString(": no answer in time")
	case e.Code != "" || e.StatusCode != 0:
		fmt.Fprintf(&b, ": HTTP %d %s", e.StatusCode, e.Code)
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *InvocationError) Unwrap() error { return e.Err }

// attempts runs once up to n times, each time bounded by timeout, retrying
// only attempts that ran out of time, as Cognito does. An attempt that ran
// out of time ends as an InvocationError with Timeout set.
func attempts(ctx context.Context, function string, timeout time.Duration, n int, once func(context.Context) ([]byte, error)) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if n <= 0 {
		n = DefaultAttempts
	}
	for i := 1; ; i++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		out, err := once(actx)
		expired := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		var ie *InvocationError
		if err == nil || !errors.As(err, &ie) || ie.StatusCode != 0 || !expired {
			return out, err
		}
		if i >= n || ctx.Err() != nil {
			return nil, &InvocationError{Function: function, Timeout: true, Err: ie.Err}
		}
	}
}

// functionError reads the error object a failed function returns,
// {"errorMessage": "...", "errorType": "...", "stackTrace": [...]}; a body
// that is not one is taken as the message.
func functionError(function, kind string, body []byte) *FunctionError {
	fe := &FunctionError{Function: function, Kind: kind}
	var obj struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(body, &obj) == nil && obj.ErrorMessage != nil {
		fe.Message, fe.Type = *obj.ErrorMessage, obj.ErrorType
		return fe
	}
	fe.Message = strings.TrimSpace(string(body))
	return fe
}

// isErrorObject reports whether body is a function error object, that is a
// JSON object with an "errorMessage".
func isErrorObject(body []byte) bool {
	var obj struct {
		ErrorMessage *string `json:"errorMessage"`
	}
	return json.Unmarshal(body, &obj) == nil && obj.ErrorMessage != nil
}

// apiError reads an AWS REST-JSON error reply: the code from the
// X-Amzn-ErrorType header ("Code:extra" → "Code") or the body's __type/code,
// the message from the body's message/Message.
func apiError(function string, resp *http.Response, body []byte) *InvocationError {
	ie := &InvocationError{Function: function, StatusCode: resp.StatusCode}
	var obj struct {
		Type     string `json:"__type"`
		CodeL    string `json:"code"`
		CodeU    string `json:"Code"`
		MessageL string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &obj)
	code := resp.Header.Get("X-Amzn-ErrorType")
	for _, c := range []string{obj.Type, obj.CodeL, obj.CodeU} {
		if code == "" {
			code = c
		}
	}
	ie.Code = normalizeCode(code)
	ie.Message = obj.MessageL
	if ie.Message == "" {
		ie.Message = obj.MessageU
	}
	if ie.Code == "" {
		ie.Code = codeForStatus(resp.StatusCode)
	}
	return ie
}

// normalizeCode strips what AWS appends or prepends to an error code
// ("ResourceNotFoundException:http://...", "com.amazon...#Code") and
// completes the short codes local runners use: sam local start-lambda
// answers a missing function with x-amzn-errortype "ResourceNotFound" where
// Lambda says ResourceNotFoundException.
func normalizeCode(code string) string {
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	code = strings.TrimSpace(code)
	if code != "" && !strings.HasSuffix(code, "Exception") {
		code += "Exception"
	}
	return code
}

// codeForStatus names a reply that carries no error code by its status, with
// the Lambda Invoke API's codes for those statuses.
func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "ResourceNotFoundException"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "AccessDeniedException"
	case http.StatusTooManyRequests:
		return "TooManyRequestsException"
	case http.StatusRequestEntityTooLarge:
		return "RequestTooLargeException"
	}
	return "ServiceException"
}

// stripURL drops the URL from an *url.Error: a webhook URL often carries a
// token in its query, and no error here should repeat it.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// send runs one invocation request and reads its reply, bounded by
// Lambda's payload limit. Errors never carry the URL (it may hold a token).
func send(client *http.Client, req *http.Request, function string) (*http.Response, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, &InvocationError{Function: function, Err: stripURL(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return nil, nil, &InvocationError{Function: function, Err: fmt.Errorf("reading the reply: %w", stripURL(err))}
	}
	if len(body) > maxReplyBytes {
		return nil, nil, &InvocationError{Function: function, StatusCode: resp.StatusCode, Code: "ServiceException",
			Message: "the reply is larger than Lambda's 6 MB limit"}
	}
	return resp, body, nil
}
