// Package auth is the one authentication engine of Cogito: the auth flows
// of InitiateAuth and AdminInitiateAuth (a table from AuthFlow to flow), the
// challenge state machine of RespondToAuthChallenge, lockout, the issuing of
// ID, access and refresh tokens, refresh and revocation, and the check of
// access tokens that the end-user API calls carry. The hosted UI and OAuth
// endpoints call the same Service, so password, status and lockout rules
// exist once.
package auth
