package oauth2

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/tokens"
)

// Handler serves the OAuth 2.0 endpoints of whichever pool site a request
// reached (oauth.SiteFrom).
type Handler struct {
	OAuth  *oauth.Service
	Keys   *tokens.Keyring
	Issuer func(poolID string) string
	Log    *slog.Logger
	// Secure marks cookies Secure regardless of the site's scheme.
	Secure bool
	// Federation runs sign-in with the pools' identity providers; nil
	// refuses it.
	Federation *oauth.Federation
}

// Register mounts the endpoints at root paths on a site's mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /oauth2/authorize", h.authorizeOrFederate)
	mux.HandleFunc("GET /oauth2/idpresponse", h.idpResponse)
	mux.HandleFunc("POST /oauth2/idpresponse", h.idpResponse)
	mux.HandleFunc("POST /saml2/idpresponse", h.samlResponse)
	mux.HandleFunc("GET /saml2/metadata", h.samlMetadata)
	mux.HandleFunc("POST /oauth2/token", h.cors(h.token))
	mux.HandleFunc("OPTIONS /oauth2/token", h.cors(nil))
	mux.HandleFunc("GET /oauth2/userInfo", h.cors(h.userInfo))
	mux.HandleFunc("POST /oauth2/userInfo", h.cors(h.userInfo))
	mux.HandleFunc("OPTIONS /oauth2/userInfo", h.cors(nil))
	mux.HandleFunc("POST /oauth2/revoke", h.cors(h.revoke))
	mux.HandleFunc("OPTIONS /oauth2/revoke", h.cors(nil))
	mux.HandleFunc("GET /logout", h.logout)
	mux.HandleFunc("GET /.well-known/jwks.json", h.jwks)
	mux.HandleFunc("GET /.well-known/openid-configuration", h.discovery)
}

func site(r *http.Request) *oauth.Site {
	s, _ := oauth.SiteFrom(r.Context())
	return s
}

// cors lets browser apps (single-page apps using PKCE) call the token,
// userInfo and revoke endpoints from their own origin, as Cognito does.
// They authenticate with a code, a token or a client secret, never with
// cookies, so any origin may call them.
func (h *Handler) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Max-Age", "3600")
		if r.Method == http.MethodOptions || next == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(w, r)
	}
}

// writeJSON sends a JSON reply that no cache may keep (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeOAuthError writes RFC 6749 §5.2's error JSON; anything that is not
// an OAuth error is an internal fault, logged and reported bare.
func (h *Handler) writeOAuthError(w http.ResponseWriter, err error, basic bool) {
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		h.Log.Error("oauth2 endpoint", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	if oe.Code == "invalid_client" && basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="cognito"`)
	}
	body := map[string]string{"error": oe.Code}
	if oe.Description != "" {
		body["error_description"] = oe.Description
	}
	writeJSON(w, oe.Status, body)
}

// errorPage sends the browser to the hosted UI's error page: the only
// answer to a request whose client or redirect URI cannot be trusted.
func errorPage(w http.ResponseWriter, r *http.Request, code, message string) {
	q := url.Values{}
	q.Set("error", code)
	q.Set("error_description", message)
	http.Redirect(w, r, site(r).Base+"/error?"+q.Encode(), http.StatusFound)
}

// clientCredentials reads client authentication: HTTP Basic (RFC 6749
// §2.3.1, form-encoded id and secret) or the form's client_id and
// client_secret.
func clientCredentials(r *http.Request) (id, secret string, basic bool, ok bool) {
	if user, pass, has := r.BasicAuth(); has {
		u, err1 := url.QueryUnescape(user)
		p, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", "", true, false
		}
		if fid := r.PostForm.Get("client_id"); fid != "" && fid != u {
			return "", "", true, false
		}
		return u, p, true, true
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), false, true
}

// parseForm reads an application/x-www-form-urlencoded body, bounded.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return &oauth.Error{Code: "invalid_request", Description: "Content-Type must be application/x-www-form-urlencoded.", Status: 400}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return &oauth.Error{Code: "invalid_request", Description: "The request body is not a valid form.", Status: 400}
	}
	return nil
}

// writeJSONCached sends JSON that caches may keep (the caller sets
// Cache-Control).
func writeJSONCached(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
