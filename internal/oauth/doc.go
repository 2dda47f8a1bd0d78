// Package oauth is the OAuth 2.0 and OpenID Connect side of a pool, as its
// hosted-UI domain serves it: authorization requests (code with PKCE, and
// implicit), authorization codes, the token endpoint's grants
// (authorization_code, refresh_token, client_credentials), userInfo,
// revocation, logout and the browser session that signs a user in to later
// authorization requests. It speaks in protocol values, not HTTP: packages
// api/oauth2 and api/hostedui own the wire, and package auth the
// authentication itself, so password, status and lockout rules exist once.
package oauth
