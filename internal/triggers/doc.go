// Package triggers runs a user pool's Lambda triggers the way Amazon Cognito
// does: the same event JSON, the same limits, and the same exceptions when a
// function fails, so that functions written for Cognito run unchanged
// against Cogito and clients see the errors they see on AWS.
//
// # Events
//
// Every trigger receives an Event: the envelope Cognito sends (version,
// triggerSource, region, userPoolId, userName, callerContext) with the
// trigger's request and an initial response, and returns the event with the
// response filled in. types.go holds a request and a response type per
// trigger with the field names of the Cognito Developer Guide; where events
// captured from Cognito show null for absent values (validationData, the
// initial responses of custom message, migrate user and the custom
// challenge triggers) the types marshal to null as well. Call fills an event
// from typed values, invokes the function and decodes its response; the
// trigger source constants name every occasion.
//
// # Invokers
//
// An Invoker delivers an event to a function named by its ARN. There are two:
//
//   - LambdaInvoker calls the AWS Lambda Invoke API (POST
//     /2015-03-31/functions/NAME/invocations, X-Amz-Invocation-Type:
//     RequestResponse, SigV4 for the service "lambda"), against AWS or a
//     local runner such as sam local start-lambda (--lambda-endpoint). The
//     ARN's function name goes in the path and its qualifier in
//     ?Qualifier=.
//   - WebhookInvoker POSTs the event to a URL configured per ARN and reads
//     the event back, for triggers written as a plain web service.
//
// Router picks the webhook when the ARN has one and Lambda otherwise.
//
// Like Cognito, both wait five seconds for an answer and call a function
// that does not answer in time three times in all before giving up.
// Cognito starts the custom email and SMS senders without waiting for their
// result; CallAsync does the same (Lambda's Event invocation type).
//
// # Errors
//
// Invokers report a function that ran and failed as a *FunctionError (the
// Invoke API's 200 with X-Amz-Function-Error and the error object
// {"errorMessage", "errorType"}, or a webhook's error body) and a function
// that could not be run as an *InvocationError (an error reply from the
// Invoke API such as 404 ResourceNotFoundException, a transport failure, or
// no answer in time). Call maps them to Cognito's exceptions, with the
// messages reported from AWS:
//
//	function failed          UserLambdaValidationException  "PreSignUp failed with error <errorMessage>."
//	Invoke API error         UnexpectedLambdaException      "PreSignUp invocation failed due to error ResourceNotFoundException."
//	no answer in 5 s (×3)    UnexpectedLambdaException      "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
//	endpoint unreachable     UnexpectedLambdaException      "PreSignUp invocation failed due to error Unable to execute HTTP request."
//	reply not an event       InvalidLambdaResponseException "Unrecognizable lambda output"
//	migration without a user UserNotFoundException          "Exception migrating user in app client <client id>"
//
// The trigger name in the messages is the trigger source's prefix
// (TriggerName; TokenGeneration_* is PreTokenGeneration). Messages never
// carry the Invoke API's own error text, which names account and ARN, nor a
// webhook URL.
//
// Custom sender codes: Cognito encrypts the code with the pool's KMS key;
// Cogito has no KMS and sends the base64 of the plaintext (EncodeCode).
package triggers
