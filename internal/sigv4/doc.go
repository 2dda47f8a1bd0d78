// Package sigv4 verifies AWS Signature Version 4 on requests that reach
// Cogito's cognito-idp endpoint.
//
// # Why it exists
//
// In Amazon Cognito the management half of the user pools API
// (CreateUserPool, the Admin* operations, ListUsers, ...) is authorised with
// IAM: every AWS SDK, the AWS CLI and Terraform sign those calls with SigV4
// for the service "cognito-idp". To be wire-compatible Cogito has to accept
// exactly the signatures those clients produce, and has to refuse everything
// else the way AWS does: SDKs turn the JSON "__type" of an error into a typed
// exception, so the exception names and messages here are AWS's own, not
// Cogito's paraphrase of them.
//
// # What it holds
//
// Verifier.Verify recomputes the signature of a request from the secret of
// its access key and compares it with the one the caller sent, either in the
// Authorization header or in a presigned URL (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature query parameters). Parse
// extracts the caller's access key, region and service without any
// cryptography; Cogito uses it on loopback, where any credentials are
// accepted but a malformed request must still fail as it would on AWS.
//
// The checks run in the order AWS applies them, because a request with
// several faults must report the same one AWS would:
//
//  1. no Authorization header and no X-Amz-Algorithm query parameter, or an
//     Authorization header that is not "AWS4-..."  → MissingAuthenticationTokenException
//  2. missing Credential / SignedHeaders / Signature / date  → IncompleteSignatureException
//  3. malformed X-Amz-Date  → IncompleteSignatureException
//  4. date outside the allowed clock skew, or a presigned URL past its
//     X-Amz-Expires  → InvalidSignatureException
//  5. host not among the signed headers  → InvalidSignatureException
//  6. algorithm other than AWS4-HMAC-SHA256  → IncompleteSignatureException
//  7. credential not keyid/date/region/service/aws4_request  → IncompleteSignatureException
//  8. scope naming another service, terminator or date  → InvalidSignatureException
//  9. unknown access key  → UnrecognizedClientException
//  10. signature mismatch  → InvalidSignatureException
//
// On JSON-protocol services AWS answers all of these with HTTP 400; the
// caller turns an *Error into {"__type": Type, "message": Message}.
//
// The package never logs, and no error message carries a secret, a signing
// key or the signature Cogito computed.
package sigv4
