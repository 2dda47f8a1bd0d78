// Package tokens mints and checks the JSON Web Tokens a pool issues: its
// RS256 signing keys (kept in the store, private halves sealed with a key
// encryption key, rotated on a schedule with the old key published until the
// last token it signed expires), the JWKS document, ID and access tokens
// with Cognito's claims, and opaque refresh tokens kept only as hashes.
package tokens
