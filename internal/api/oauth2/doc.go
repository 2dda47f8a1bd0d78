// Package oauth2 serves a pool's OAuth 2.0 and OpenID Connect endpoints on
// the wire: /oauth2/authorize, /oauth2/token, /oauth2/userInfo,
// /oauth2/revoke, /logout, and the JWKS and discovery documents. The
// protocol decisions are package oauth's; this package owns request
// parsing, RFC 6749's error JSON, cookies, CORS and redirects.
package oauth2
