package hostedui

import (
	"net/http"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
)

// The hosted UI's one table from domain errors to what a page says. The
// messages of package users and auth are Cognito's own, written for API
// callers; most read well to a person, a few are reworded here and the
// request-validation ones ("1 validation error detected: ...") are replaced.

// rewordings replace exact Cognito messages.
var rewordings = map[string]string{
	"Password attempts exceeded":                          "Too many failed attempts. Wait a moment, then try again.",
	"User already exists":                                 "An account with this username already exists.",
	"SignUp is not permitted for this user pool":          "Sign-up is not available here. Ask an administrator for an account.",
	"User is disabled.":                                   "This account is disabled. Contact your administrator.",
	"Invalid session for the user, session is expired.":   "This page expired. Please sign in again.",
	"Attempt limit exceeded, please try after some time.": "Too many attempts. Please wait a while, then try again.",
	"Invalid code provided, please request a code again.": "This code has expired. Send yourself a new code.",
	"Username/client id combination not found.":           "We couldn't find an account with that username.",
	"User does not exist.":                                "We couldn't find an account with that username.",
	"User password cannot be reset in the current state.": "This account's password can't be reset here. Sign in with the temporary password you were given.",
	"Cannot reset password for the user as there is no registered/verified email or phone_number": "This account has no verified email address or phone number to send a code to. Contact your administrator.",
	"Cannot resend codes. Auto verification not turned on.":                                       "Codes can't be sent for this account. Contact your administrator.",
	"User is already confirmed.":                                            "This account is already confirmed. You can sign in.",
	"A client attempted to write unauthorized attribute":                    "This app may not set one of the details entered.",
	"Temporary password has expired and must be reset by an administrator.": "Your temporary password has expired. Ask your administrator for a new one.",
}

// userMessage turns an error from a domain call into a sentence for the
// page. ok is false for failures that are not the user's to fix (store
// errors ...): the caller logs them and shows the server-error page.
func userMessage(err error) (msg string, ok bool) {
	e, isDomain := errs.As(err)
	if !isDomain {
		return "", false
	}
	switch e.Type {
	case errs.InternalError, errs.ResourceNotFound, errs.UnexpectedLambda, errs.InvalidUserPoolConfig,
		errs.InvalidEmailRoleAccessPolicy, errs.CodeDeliveryFailure:
		if e.Type == errs.CodeDeliveryFailure {
			return "We couldn't send you a code. Please try again later.", true
		}
		return "", false
	}
	if m, found := rewordings[e.Message]; found {
		return m, true
	}
	m := e.Message
	switch {
	case strings.Contains(m, `^[\S]+.*[\S]+$`) && strings.Contains(m, "assword"):
		return "Passwords can't start or end with a space.", true
	case strings.Contains(m, "validation error"):
		return validationMessage(m), true
	case strings.HasPrefix(m, "Attributes did not conform to the schema: "):
		rest := strings.TrimPrefix(m, "Attributes did not conform to the schema: ")
		if name, detail, cut := strings.Cut(rest, ": "); cut {
			if strings.HasPrefix(detail, "The attribute ") && strings.HasSuffix(detail, " is required") {
				return attrLabel(name) + " is required.", true
			}
			return attrLabel(name) + ": " + detail, true
		}
		return rest, true
	case strings.HasPrefix(m, "Password did not conform with policy: "):
		return "Your password doesn't meet the requirements: " + lowerFirst(strings.TrimPrefix(m, "Password did not conform with policy: ")) + ".", true
	case e.Type == errs.UserNotConfirmed:
		return "Your account isn't confirmed yet.", true
	}
	return m, true
}

// validationMessage words a request-validation failure by the field it names.
func validationMessage(m string) string {
	switch {
	case strings.Contains(m, "'username'"):
		return "Enter a valid username."
	case strings.Contains(m, "'password'"), strings.Contains(m, "PASSWORD"):
		return "Enter a valid password."
	case strings.Contains(m, "'confirmationCode'"):
		return "Enter the code we sent you."
	}
	return "Check the details you entered and try again."
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// showError puts a domain error on the page being re-rendered and returns
// the status to render it with: 200 for what the user can correct, 500
// (logged, no details shown) for anything else.
func (h *Handler) showError(r *http.Request, p *page, err error) int {
	msg, ok := userMessage(err)
	if !ok {
		h.logError(r.Context(), "hosted UI request failed", "path", r.URL.Path, "err", err)
		p.Error = "Something went wrong on our side. Please try again in a moment."
		return http.StatusInternalServerError
	}
	if p.signIn != "" && p.signIn != "username" {
		// Pools that sign in with an email or phone number never show a
		// "username" to their users.
		msg = strings.ReplaceAll(msg, "username", p.signIn)
	}
	p.Error = msg
	return http.StatusOK
}
