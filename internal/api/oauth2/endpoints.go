package oauth2

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cogito-idp/cogito/internal/oauth"
)

// authorize answers /oauth2/authorize: straight back to the client when the
// browser is signed in (and no new sign-in is asked for), else to the
// hosted UI's sign-in page.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	req, err := h.OAuth.ParseAuthorize(r.Context(), st.Pool, r.URL.Query())
	var pe *oauth.PageError
	var oe *oauth.Error
	switch {
	case errors.As(err, &pe):
		errorPage(w, r, pe.Code, pe.Message)
		return
	case errors.As(err, &oe) && req != nil:
		http.Redirect(w, r, oauth.ErrorRedirect(req, oe), http.StatusFound)
		return
	case err != nil:
		h.Log.Error("authorize", "err", err)
		errorPage(w, r, "server_error", "The request could not be processed.")
		return
	}
	if req.Prompt != "login" {
		if c, cerr := r.Cookie(oauth.BrowserCookie); cerr == nil {
			u, authTime, serr := h.OAuth.BrowserSession(r.Context(), st.Pool, c.Value)
			if serr == nil {
				target, err := h.OAuth.Complete(r.Context(), req, u, authTime)
				if err != nil {
					h.Log.Error("authorize: complete", "err", err)
					http.Redirect(w, r, oauth.ErrorRedirect(req, &oauth.Error{Code: "server_error", Description: "The request could not be completed."}), http.StatusFound)
					return
				}
				http.Redirect(w, r, target, http.StatusFound)
				return
			}
			if !oauth.IsNoSession(serr) {
				h.Log.Error("authorize: browser session", "err", serr)
			}
		}
	}
	if req.Prompt == "none" {
		http.Redirect(w, r, oauth.ErrorRedirect(req, &oauth.Error{Code: "login_required", Description: "The user is not signed in."}), http.StatusFound)
		return
	}
	http.Redirect(w, r, st.Base+"/login?"+req.Query().Encode(), http.StatusFound)
}

// token answers /oauth2/token.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.writeOAuthError(w, err, false)
		return
	}
	id, secret, basic, ok := clientCredentials(r)
	if !ok {
		h.writeOAuthError(w, &oauth.Error{Code: "invalid_client", Description: "Malformed client authentication.", Status: 401}, basic)
		return
	}
	f := r.PostForm
	resp, err := h.OAuth.Token(r.Context(), site(r).Pool, &oauth.TokenRequest{
		GrantType: f.Get("grant_type"), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"),
		CodeVerifier: f.Get("code_verifier"), RefreshToken: f.Get("refresh_token"), Scope: f.Get("scope"),
		ClientID: id, ClientSecret: secret, ViaBasic: basic,
	})
	if err != nil {
		h.writeOAuthError(w, err, basic)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// userInfo answers /oauth2/userInfo with the signed-in user's claims.
func (h *Handler) userInfo(w http.ResponseWriter, r *http.Request) {
	token := ""
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		token = strings.TrimSpace(a[7:])
	} else if r.Method == http.MethodPost {
		if err := parseForm(w, r); err == nil {
			token = r.PostForm.Get("access_token")
		}
	}
	if token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cognito"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "Access token is missing."})
		return
	}
	claims, err := h.OAuth.UserInfo(r.Context(), token)
	if err != nil {
		var oe *oauth.Error
		if errors.As(err, &oe) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+strings.ReplaceAll(oe.Description, `"`, "'")+`"`)
		}
		h.writeOAuthError(w, err, false)
		return
	}
	writeJSON(w, http.StatusOK, claims)
}

// revoke answers /oauth2/revoke (RFC 7009).
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.writeOAuthError(w, err, false)
		return
	}
	id, secret, basic, ok := clientCredentials(r)
	if !ok {
		h.writeOAuthError(w, &oauth.Error{Code: "invalid_client", Description: "Malformed client authentication.", Status: 401}, basic)
		return
	}
	err := h.OAuth.Revoke(r.Context(), &oauth.TokenRequest{ClientID: id, ClientSecret: secret, ViaBasic: basic}, r.PostForm.Get("token"))
	if err != nil {
		h.writeOAuthError(w, err, basic)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// logout signs the browser out of the hosted UI and sends it to the
// client's registered sign-out URL, or back to sign-in.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	target, err := h.OAuth.Logout(r.Context(), st.Pool, st.Base+"/login", r.URL.Query())
	var pe *oauth.PageError
	if errors.As(err, &pe) {
		errorPage(w, r, pe.Code, pe.Message)
		return
	}
	if err != nil {
		h.Log.Error("logout", "err", err)
		errorPage(w, r, "server_error", "The request could not be processed.")
		return
	}
	if c, cerr := r.Cookie(oauth.BrowserCookie); cerr == nil {
		h.OAuth.EndBrowserSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: oauth.BrowserCookie, Value: "", Path: cookiePath(st.Base), MaxAge: -1,
		HttpOnly: true, Secure: h.Secure || strings.HasPrefix(st.Base, "https:"), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, target, http.StatusFound)
}

// cookiePath is the path of a site's base URL, so that sites of different
// pools on one host keep separate cookies.
func cookiePath(base string) string {
	rest := base
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return "/"
}
