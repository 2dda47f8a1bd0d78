package oauth2

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// Federated sign-in, browser side: /oauth2/authorize with identity_provider
// (or idp_identifier) goes straight to that provider, which sends the
// browser back to /oauth2/idpresponse; from there on it is the hosted UI's
// sign-in: a browser session and the authorization response.

// namesProvider reports whether an authorization request names a third-party
// provider (anything but COGNITO), the only requests authorizeOrFederate
// answers itself.
func namesProvider(r *http.Request) bool {
	q := r.URL.Query()
	ip := q.Get("identity_provider")
	return (ip != "" && ip != userpool.ProviderCognito) || (ip == "" && q.Get("idp_identifier") != "")
}

// authorizeOrFederate is GET /oauth2/authorize: requests naming a provider
// are sent to it (Cognito "silently redirects your user to the sign-in
// page for that identity provider"), whatever browser session there is;
// the rest go on to authorize.
func (h *Handler) authorizeOrFederate(w http.ResponseWriter, r *http.Request) {
	if !namesProvider(r) {
		h.authorize(w, r)
		return
	}
	st := site(r)
	req, err := h.OAuth.ParseAuthorize(r.Context(), st.Pool, r.URL.Query())
	if err == nil && req.Provider == nil {
		h.authorize(w, r)
		return
	}
	if err == nil && h.Federation == nil {
		err = &oauth.Error{Code: "invalid_request", Description: "Sign-in with identity providers is not available.", Status: 400}
	}
	if err == nil {
		to, ferr := h.Federation.Start(r.Context(), req, st.Base, h.browserBinding(w, r, st))
		if ferr == nil {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		err = ferr
	}
	h.authorizeError(w, r, req, err)
}

// authorizeError answers a failed authorization request: the error page
// when the client or redirect URI cannot be trusted, else the OAuth error
// at the redirect URI.
func (h *Handler) authorizeError(w http.ResponseWriter, r *http.Request, req *oauth.AuthorizeRequest, err error) {
	var pe *oauth.PageError
	var oe *oauth.Error
	switch {
	case errors.As(err, &pe):
		errorPage(w, r, pe.Code, pe.Message)
	case errors.As(err, &oe) && req != nil:
		http.Redirect(w, r, oauth.ErrorRedirect(req, oe), http.StatusFound)
	default:
		h.Log.Error("federated sign-in", "err", err)
		if req != nil {
			http.Redirect(w, r, oauth.ErrorRedirect(req, &oauth.Error{Code: "server_error", Description: "The request could not be completed."}), http.StatusFound)
			return
		}
		errorPage(w, r, "server_error", "The request could not be processed.")
	}
}

func (h *Handler) secureSite(st *oauth.Site) bool {
	return h.Secure || strings.HasPrefix(st.Base, "https:")
}

// browserBinding returns the browser's federation binding value, setting
// the cookie when it has none. Under https the cookie is SameSite=None so
// that it comes back with a provider's cross-site form_post (Sign in with
// Apple); over plain http browsers refuse None, and Lax still covers the
// top-level GET redirects of the other providers.
func (h *Handler) browserBinding(w http.ResponseWriter, r *http.Request, st *oauth.Site) string {
	if c, err := r.Cookie(oauth.FederationCookie); err == nil && c.Value != "" && len(c.Value) <= 128 {
		return c.Value
	}
	v := oauth.NewBrowserBinding()
	secure := h.secureSite(st)
	same := http.SameSiteLaxMode
	if secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{Name: oauth.FederationCookie, Value: v, Path: cookiePath(st.Base),
		MaxAge: int(oauth.FederationStateTTL.Seconds()), HttpOnly: true, Secure: secure, SameSite: same})
	return v
}

// idpResponse is GET and POST /oauth2/idpresponse: the provider's answer
// (a code, or an error) with the state Start stored. Unknown, used or
// expired states end at the error page and sign nobody in; the provider's
// refusals and answers that do not verify go back to the client's
// callback as error=invalid_request (Cognito's "federation error
// responses"); success signs the browser in and completes the original
// authorization request.
func (h *Handler) idpResponse(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	if h.Federation == nil {
		errorPage(w, r, "invalid_request", "Federated sign-in is not available.")
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	}
	if err := r.ParseForm(); err != nil {
		errorPage(w, r, "invalid_request", "The identity provider's response could not be read.")
		return
	}
	browser := ""
	if c, err := r.Cookie(oauth.FederationCookie); err == nil {
		browser = c.Value
	}
	if bounce(w, r, browser != "") {
		return
	}
	res, err := h.Federation.Finish(r.Context(), st.Pool, st.Base, browser, r.Form)
	h.finishFederated(w, r, res, err)
}

// samlResponse is POST /saml2/idpresponse, the assertion consumer service
// of SAML providers: SAMLResponse and RelayState (the state Start stored).
// It ends as idpResponse does: the error page for an unusable state, the
// client's callback with error=invalid_request for a response that does not
// verify (unsigned, another audience, expired, replayed, answering another
// request), else the signed-in browser's authorization response.
func (h *Handler) samlResponse(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	if h.Federation == nil {
		errorPage(w, r, "invalid_request", "Federated sign-in is not available.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 512<<10)
	if err := r.ParseForm(); err != nil {
		errorPage(w, r, "invalid_request", "The identity provider's response could not be read.")
		return
	}
	browser := ""
	if c, err := r.Cookie(oauth.FederationCookie); err == nil {
		browser = c.Value
	}
	if bounce(w, r, browser != "") {
		return
	}
	res, err := h.Federation.FinishSAML(r.Context(), st.Pool, st.Base, browser, r)
	h.finishFederated(w, r, res, err)
}

// samlMetadata is GET /saml2/metadata: the pool's SAML service provider
// metadata (entity ID, assertion consumer service, certificate) for the
// identity providers to import.
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	if h.Federation == nil {
		http.NotFound(w, r)
		return
	}
	b, err := h.Federation.SAMLMetadata(st.Pool, st.Base)
	if err != nil {
		h.Log.Error("saml metadata", "err", err)
		http.Error(w, "SAML is not available", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "max-age=300")
	w.Write(b)
}

// finishFederated ends a trip back from a provider: on success it signs
// the browser in and completes the original authorization request.
func (h *Handler) finishFederated(w http.ResponseWriter, r *http.Request, res *oauth.FederatedSignIn, err error) {
	st := site(r)
	if err != nil {
		var req *oauth.AuthorizeRequest
		if res != nil {
			req = res.Request
		}
		h.authorizeError(w, r, req, err)
		return
	}
	ctx := r.Context()
	cookie, err := h.OAuth.StartBrowserSession(ctx, st.Pool, res.User, res.AuthTime)
	if err != nil {
		h.authorizeError(w, r, res.Request, err)
		return
	}
	to, err := h.OAuth.Complete(ctx, res.Request, res.User, res.AuthTime)
	if err != nil {
		h.authorizeError(w, r, res.Request, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oauth.BrowserCookie, Value: cookie, Path: cookiePath(st.Base),
		MaxAge: int(oauth.BrowserSessionTTL.Seconds()), HttpOnly: true, Secure: h.secureSite(st), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}
