// Package hostedui serves a pool's hosted sign-in pages, the ones Cognito
// serves on the pool's domain: /login, /signup, /confirm, /forgotPassword,
// /confirmForgotPassword, /confirmUser and /error, plus /newPassword for the
// NEW_PASSWORD_REQUIRED step (Cognito has no public path for it).
//
// Every page carries the OAuth 2.0 authorization request it serves in its
// URL's query, re-checked on every request with oauth.ParseAuthorize, so a
// page can never send the browser anywhere but the client's registered
// redirect URI or another page of the same site. Sign-in itself is package
// auth's (the same checks, lockout and challenges as the API); sign-up and
// recovery are package users'. This package owns only the browser side:
// forms, CSRF tokens, cookies, templates and the mapping of domain errors to
// messages a person can act on.
//
// Pages use Cognito's customizable CSS class names (background-customizable,
// submitButton-customizable ...) so CSS set with SetUICustomization applies;
// that CSS is injected after the base stylesheet.
package hostedui
