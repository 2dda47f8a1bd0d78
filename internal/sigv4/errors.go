package sigv4

import "fmt"

// Exception type names as AWS returns them in the "__type" of a
// JSON-protocol error body.
const (
	TypeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	TypeIncompleteSignature        = "IncompleteSignatureException"
	TypeInvalidSignature           = "InvalidSignatureException"
	TypeUnrecognizedClient         = "UnrecognizedClientException"
)

// Error is an authentication failure, carrying the exception type and message
// that AWS returns for it.
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Messages that AWS returns word for word. Several of them end in ". " with a
// trailing space: that is how AWS sends them, and they are concatenated when
// more than one applies.
const (
	msgMissingToken = "Missing Authentication Token"
	msgBoth         = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgHostUnsigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgUnrecognized = "The security token included in the request is invalid."
	msgMismatch     = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgContentSHA256Mismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."

	fmtHeaderRequires   = "Authorization header requires '%s' parameter. "
	msgHeaderNeedsDate  = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
	fmtMissingEqualSign = "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'."
	fmtQueryRequires    = "AWS query-string parameters must include '%s'. "
	msgReexamineQuery   = "Re-examine the query-string parameters."
	fmtBadDate          = "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601"
	fmtExpired          = "Signature expired: %s is now earlier than %s (%s - %s)"
	fmtNotYetCurrent    = "Signature not yet current: %s is still later than %s (%s + %s)"
	fmtAlgorithm        = "Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). "
	fmtCredentialParts  = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'"
	fmtScopeRegion      = "Credential should be scoped to a valid region, not '%s'. "
	fmtScopeService     = "Credential should be scoped to correct service: '%s'. "
	fmtScopeTerminator  = "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. "
	fmtScopeDate        = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."

	// X-Amz-Expires has no documented JSON-protocol wording; these are the
	// texts S3 uses for the same faults.
	msgExpiresNotNumber = "X-Amz-Expires should be a number"
	msgExpiresNegative  = "X-Amz-Expires must be non-negative"
	msgExpiresTooLong   = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
)

func missingToken() *Error {
	return &Error{Type: TypeMissingAuthenticationToken, Message: msgMissingToken}
}

func incomplete(format string, args ...any) *Error {
	return &Error{Type: TypeIncompleteSignature, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *Error {
	return &Error{Type: TypeInvalidSignature, Message: fmt.Sprintf(format, args...)}
}

func unrecognized() *Error {
	return &Error{Type: TypeUnrecognizedClient, Message: msgUnrecognized}
}
