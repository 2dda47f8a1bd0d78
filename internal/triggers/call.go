package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/cogito-idp/cogito/internal/errs"
)

// Exception names of trigger failures that internal/errs does not define.
const (
	UserLambdaValidation  = "UserLambdaValidationException"
	InvalidLambdaResponse = "InvalidLambdaResponseException"
)

// Messages Cognito returns when a trigger fails, as reported from AWS (the
// trigger name is the first %s; see TriggerName):
//
//   - the function failed: UserLambdaValidationException "PreSignUp failed
//     with error <errorMessage>." (the function's own message, then a
//     period even when it ends with one);
//   - the Invoke API refused: UnexpectedLambdaException "PreSignUp
//     invocation failed due to error AccessDeniedException." (the error
//     code, then a period);
//   - no answer within five seconds: UnexpectedLambdaException
//     "PostAuthentication invocation failed due to error Socket timeout
//     while invoking Lambda function.";
//   - the reply is not an event: InvalidLambdaResponseException
//     "Unrecognizable lambda output";
//   - a migrate user function returned no user: UserNotFoundException
//     "Exception migrating user in app client <client id>".
const (
	fmtFunctionFailed   = "%s failed with error %s."
	fmtInvocationFailed = "%s invocation failed due to error %s."
	msgSocketTimeout    = "Socket timeout while invoking Lambda function"
	// msgUnreachable is Cogito's own: Cognito cannot fail to reach Lambda
	// the way a local runner that is not running can. It is worded in the
	// manner of the AWS SDK for Java's SdkClientException.
	msgUnreachable       = "Unable to execute HTTP request"
	msgUnrecognizable    = "Unrecognizable lambda output"
	fmtMigrationNoResult = "Exception migrating user in app client %s"
)

// Call runs one trigger: it puts req in ev's request and resp (as Cognito's
// initial response) in ev's response, invokes the function arn names
// through inv, and decodes the "response" of the event the function returns
// into resp, which must be a pointer (or nil for a trigger whose response
// is ignored). It returns the exception Cognito would:
//
//   - the function failed → UserLambdaValidationException;
//   - it could not be invoked or did not answer in time →
//     UnexpectedLambdaException;
//   - its reply is not a JSON object, or its "response" does not fit resp →
//     InvalidLambdaResponseException; for a migrate user function,
//     UserNotFoundException instead, as Cognito answers when the function
//     returns no user (a missing or null "response" counts as no user
//     there; elsewhere it leaves resp zero).
//
// Each is an *errs.Error (errs.As finds it); the first two also wrap the
// invoker's *FunctionError or *InvocationError, whose text is for logs only.
// On success ev.Response holds the returned response.
func Call(ctx context.Context, inv Invoker, arn string, ev *Event, req, resp any) error {
	if resp != nil {
		if rv := reflect.ValueOf(resp); rv.Kind() != reflect.Pointer || rv.IsNil() {
			return fmt.Errorf("triggers: Call needs a pointer response, not %T", resp)
		}
	}
	reqJSON, err := marshalObject(req)
	if err != nil {
		return fmt.Errorf("triggers: encoding the %s request: %w", ev.TriggerSource, err)
	}
	respJSON, err := marshalObject(resp)
	if err != nil {
		return fmt.Errorf("triggers: encoding the %s response: %w", ev.TriggerSource, err)
	}
	ev.Request, ev.Response = reqJSON, respJSON
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("triggers: encoding the %s event: %w", ev.TriggerSource, err)
	}

	trigger := TriggerName(ev.TriggerSource)
	out, err := inv.Invoke(ctx, arn, payload)
	if err != nil {
		return cognitoError(trigger, err)
	}

	migration := trigger == "UserMigration"
	raw, ok := replyResponse(out)
	if ok && migration && isNull(raw) {
		ok = false
	}
	if ok {
		ok = decodeResponse(raw, resp) == nil
	}
	if !ok {
		if migration {
			return errs.New(errs.UserNotFound, fmtMigrationNoResult, ev.CallerContext.ClientID)
		}
		return errs.New(InvalidLambdaResponse, msgUnrecognizable)
	}
	ev.Response = raw
	return nil
}

// CallAsync starts a trigger Cognito runs without waiting for its result,
// the custom email and SMS senders: it puts req in ev's request (there is no
// response) and starts the function, through InvokeAsync when inv has it.
// The function's own failure is not reported; an invocation failure is, as
// UnexpectedLambdaException.
func CallAsync(ctx context.Context, inv Invoker, arn string, ev *Event, req any) error {
	reqJSON, err := marshalObject(req)
	if err != nil {
		return fmt.Errorf("triggers: encoding the %s request: %w", ev.TriggerSource, err)
	}
	ev.Request, ev.Response = reqJSON, nil
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("triggers: encoding the %s event: %w", ev.TriggerSource, err)
	}
	if err := invokeAsync(ctx, inv, arn, payload); err != nil {
		return cognitoError(TriggerName(ev.TriggerSource), err)
	}
	return nil
}

// cognitoError turns an invoker's error into the exception Cognito returns
// for it, wrapping the original for logs. *errs.Error passes through.
func cognitoError(trigger string, err error) error {
	var de *errs.Error
	var fe *FunctionError
	var ie *InvocationError
	var e *errs.Error
	switch {
	case errors.As(err, &de):
		return err
	case errors.As(err, &fe):
		e = errs.New(UserLambdaValidation, fmtFunctionFailed, trigger, fe.Message)
	case errors.As(err, &ie) && ie.Timeout:
		e = errs.New(errs.UnexpectedLambda, fmtInvocationFailed, trigger, msgSocketTimeout)
	case errors.As(err, &ie) && ie.Code != "":
		e = errs.New(errs.UnexpectedLambda, fmtInvocationFailed, trigger, ie.Code)
	default:
		e = errs.New(errs.UnexpectedLambda, fmtInvocationFailed, trigger, msgUnreachable)
	}
	return fmt.Errorf("%w (%w)", e, err)
}

var emptyObject = json.RawMessage("{}")

// marshalObject encodes v, or {} for nil.
func marshalObject(v any) (json.RawMessage, error) {
	if v == nil {
		return emptyObject, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return emptyObject, nil
	}
	return json.Marshal(v)
}

// replyResponse returns the "response" of a function's reply, and false when
// the reply is not a JSON object.
func replyResponse(out []byte) (json.RawMessage, bool) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil || top == nil {
		return nil, false
	}
	return top["response"], true
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// decodeResponse sets *resp to raw decoded, starting from zero so that
// nothing of the initial response survives; null or absent leaves it zero.
// Numbers in untyped values decode as json.Number, kept exactly as sent.
func decodeResponse(raw json.RawMessage, resp any) error {
	if resp == nil {
		if isNull(raw) {
			return nil
		}
		var obj map[string]json.RawMessage
		return json.Unmarshal(raw, &obj)
	}
	elem := reflect.ValueOf(resp).Elem()
	elem.Set(reflect.Zero(elem.Type()))
	if isNull(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(resp)
}
