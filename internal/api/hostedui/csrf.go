package hostedui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/cogito-idp/cogito/internal/oauth"
)

// CSRF protection is a double-submit token: a random value in a cookie only
// this site's pages can read back (HttpOnly, SameSite=Strict, the site's
// path) and the same value in a hidden field of every form. A form posted
// from another site carries neither a matching cookie (SameSite) nor the
// value (it cannot read our pages), so it is refused. The token guards
// sign-in too (login CSRF: signing a victim in to the attacker's account).

const (
	csrfCookie = "cogito_csrf"
	csrfField  = "_csrf"
	csrfBytes  = 32
)

// csrfToken returns the browser's token, issuing one when it has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request, site *oauth.Site) string {
	if c, err := r.Cookie(csrfCookie); err == nil && validToken(c.Value) {
		return c.Value
	}
	b := make([]byte, csrfBytes)
	if _, err := rand.Read(b); err != nil {
		panic("hostedui: crypto/rand failed: " + err.Error())
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: tok, Path: cookiePath(site),
		HttpOnly: true, Secure: h.secure(site), SameSite: http.SameSiteStrictMode,
	})
	return tok
}

// validToken checks a token's form (what csrfToken issues).
func validToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(csrfBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// csrfOK reports whether a POST carries the cookie's token in its form,
// compared in constant time.
func csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validToken(c.Value) {
		return false
	}
	got := r.PostFormValue(csrfField)
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) == 1
}
