// Package errs holds Cogito's domain errors. Cognito's exception names are
// the vocabulary its clients program against (SDKs map them to typed errors),
// so a domain error carries the Cognito type name and a message; each
// protocol edge (the cognito-idp JSON API, the OAuth 2.0 endpoints, the
// hosted UI) maps these values to its own wire form in one place.
package errs

import (
	"errors"
	"fmt"
)

// Error is a failure to report to the caller.
type Error struct {
	Type    string // Cognito exception name, e.g. "UserNotFoundException"
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// New builds an Error of type typ with a formatted message.
func New(typ, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Type: typ, Message: format}
	}
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is an *Error of the given type.
func Is(err error, typ string) bool {
	e, ok := As(err)
	return ok && e.Type == typ
}

// Exception names used across packages.
const (
	InvalidParameter             = "InvalidParameterException"
	ResourceNotFound             = "ResourceNotFoundException"
	UserNotFound                 = "UserNotFoundException"
	UsernameExists               = "UsernameExistsException"
	AliasExists                  = "AliasExistsException"
	GroupExists                  = "GroupExistsException"
	InvalidPassword              = "InvalidPasswordException"
	NotAuthorized                = "NotAuthorizedException"
	LimitExceeded                = "LimitExceededException"
	TooManyRequests              = "TooManyRequestsException"
	InternalError                = "InternalErrorException"
	UnsupportedUserState         = "UnsupportedUserStateException"
	InvalidUserPoolConfig        = "InvalidUserPoolConfigurationException"
	ScopeDoesNotExist            = "ScopeDoesNotExistException"
	UnsupportedIdentityProvider  = "UnsupportedIdentityProviderException"
	DuplicateProvider            = "DuplicateProviderException"
	CodeDeliveryFailure          = "CodeDeliveryFailureException"
	InvalidEmailRoleAccessPolicy = "InvalidEmailRoleAccessPolicyException"
	ConcurrentModification       = "ConcurrentModificationException"
	CodeMismatch                 = "CodeMismatchException"
	ExpiredCode                  = "ExpiredCodeException"
	TooManyFailedAttempts        = "TooManyFailedAttemptsException"
	UserNotConfirmed             = "UserNotConfirmedException"
	PasswordResetRequired        = "PasswordResetRequiredException"
	UnexpectedLambda             = "UnexpectedLambdaException"
	InvalidOAuthFlow             = "InvalidOAuthFlowException"
)

// Param is the common InvalidParameterException.
func Param(format string, args ...any) *Error { return New(InvalidParameter, format, args...) }

// NotFound is ResourceNotFoundException.
func NotFound(format string, args ...any) *Error { return New(ResourceNotFound, format, args...) }
