package verifier

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Middleware lets a request through to next only with a valid token, and puts its Claims
// in the request context (read them with ClaimsFrom). It answers the way an API Gateway
// REST API with a COGNITO_USER_POOLS authorizer does, so clients written against one
// behave the same against the other:
//
//   - The token is read from the Authorization header, either "Bearer <jwt>" (scheme
//     case-insensitive) or the bare JWT, which API Gateway also accepts.
//   - No token, or a token that fails any check (signature, kid, iss, token_use, client,
//     exp/iat/nbf, scope): 401 with body {"message":"Unauthorized"} and
//     x-amzn-ErrorType: UnauthorizedException (API Gateway's UNAUTHORIZED gateway
//     response). A missing scope is a 401 too, not a 403: API Gateway documents that "the
//     method call succeeds if any scope that's specified on the method ... matches a scope
//     that's claimed in the incoming token. Otherwise, the call fails with a 401
//     Unauthorized response" (Integrate a REST API with an Amazon Cognito user pool).
//     WWW-Authenticate follows RFC 6750 §3: plain "Bearer" when no token was sent,
//     error="invalid_token" (error="insufficient_scope" with the accepted scopes for a
//     scope failure) and a fixed error_description otherwise, as API Gateway's JWT
//     authorizers do.
//   - A valid token whose cognito:groups holds none of Config.Groups: 403 with body
//     {"message":"Forbidden"} and x-amzn-ErrorType: AccessDeniedException. API Gateway's
//     Cognito authorizer has no group check; AWS's way to authorize by group is a Lambda
//     authorizer returning a Deny policy, which API Gateway answers with its
//     ACCESS_DENIED gateway response, 403 by default. The caller is authenticated but not
//     allowed, which is what 403 means (RFC 9110 §15.5.4).
//   - The JWKS cannot be fetched (ErrKeysUnavailable): 500 with body {"message":null} and
//     x-amzn-ErrorType: AuthorizerConfigurationException, API Gateway's
//     AUTHORIZER_CONFIGURATION_ERROR response for an authorizer it cannot reach. The
//     client is not told its token is bad when the fault is on this side.
//
// Every request is checked, OPTIONS included: mount a CORS handler outside this one if
// preflight requests must pass without a token.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := tokenFromHeader(r.Header.Get("Authorization"))
		if !ok {
			writeUnauthorized(w, `Bearer`)
			return
		}
		claims, err := v.Verify(r.Context(), token)
		if err != nil {
			v.writeError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withClaims(r.Context(), claims)))
	})
}

// tokenFromHeader takes the token from an Authorization header value: after a "Bearer"
// scheme, or the whole value (API Gateway passes the header's value to Cognito as is).
func tokenFromHeader(h string) (string, bool) {
	h = strings.TrimSpace(h)
	if h == "" || strings.EqualFold(h, "Bearer") {
		return "", false
	}
	if scheme, rest, found := strings.Cut(h, " "); found && strings.EqualFold(scheme, "Bearer") {
		rest = strings.TrimSpace(rest)
		return rest, rest != ""
	}
	return h, true
}

// descriptions are the fixed error_description values of WWW-Authenticate: they say which
// check failed, never what the token held.
var descriptions = []struct {
	err  error
	desc string
}{
	{ErrMalformed, "the token is malformed"},
	{ErrInvalidSignature, "the token signature is invalid"},
	{ErrUnknownKey, "the token is signed by an unknown key"},
	{ErrWrongIssuer, "the token has an invalid issuer"},
	{ErrWrongTokenUse, "the token has the wrong token_use"},
	{ErrWrongAudience, "the token does not have a valid audience"},
	{ErrExpired, "the token has expired"},
	{ErrNotYetValid, "the token is not valid yet"},
}

func (v *Verifier) writeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrScope):
		writeUnauthorized(w, `Bearer error="insufficient_scope", error_description="the token does not have an allowed scope", scope=`+
			strconv.Quote(strings.Join(v.scopes, " ")))
		return
	case errors.Is(err, ErrGroup):
		writeJSON(w, http.StatusForbidden, "AccessDeniedException", `{"message":"Forbidden"}`)
		return
	}
	for _, d := range descriptions {
		if errors.Is(err, d.err) {
			writeUnauthorized(w, `Bearer error="invalid_token", error_description="`+d.desc+`"`)
			return
		}
	}
	// ErrKeysUnavailable, or a cancelled request: not the token's fault.
	writeJSON(w, http.StatusInternalServerError, "AuthorizerConfigurationException", `{"message":null}`)
}

func writeUnauthorized(w http.ResponseWriter, challenge string) {
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, http.StatusUnauthorized, "UnauthorizedException", `{"message":"Unauthorized"}`)
}

func writeJSON(w http.ResponseWriter, status int, errorType, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", errorType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
