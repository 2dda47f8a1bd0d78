package hostedui

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// Handler serves the hosted UI of the site in each request's context
// (oauth.SiteFrom): the router in front of it strips any /{poolId} prefix,
// so the pages answer at root paths.
type Handler struct {
	OAuth *oauth.Service
	Auth  *auth.Service
	Users *users.Service
	Pools *userpool.Service
	Log   *slog.Logger
	// Secure marks cookies Secure (the server is reached over https); they
	// are also Secure whenever the site's base URL is https.
	Secure bool
	// PublicURL is the server's public base URL: confirmation links
	// (CONFIRM_WITH_LINK) point at {PublicURL}/{poolId}/confirmUser, and the
	// logo URL GetUICustomization reports is {PublicURL}/{poolId}/_logo/....
	// When empty, links are derived from the site's base URL.
	PublicURL string
}

// maxForm bounds a form body: the largest legitimate one (sign-up with
// every attribute) is a few kilobytes.
const maxForm = 64 << 10

// Register adds the hosted UI's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		fn      func(http.ResponseWriter, *http.Request, *oauth.Site)
	}{
		{"GET /login", h.loginPage},
		{"POST /login", h.loginSubmit},
		{"GET /newPassword", h.newPasswordPage},
		{"POST /newPassword", h.newPasswordSubmit},
		{"GET /signup", h.signUpPage},
		{"POST /signup", h.signUpSubmit},
		{"GET /confirm", h.confirmPage},
		{"POST /confirm", h.confirmSubmit},
		{"GET /confirmUser", h.confirmUser},
		{"GET /forgotPassword", h.forgotPage},
		{"POST /forgotPassword", h.forgotSubmit},
		{"GET /confirmForgotPassword", h.resetPage},
		{"POST /confirmForgotPassword", h.resetSubmit},
		{"GET /error", h.errorEndpoint},
		{"GET /_logo/{client}", h.logo},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, h.wrap(rt.fn))
	}
	mux.Handle("GET /_assets/{file}", http.HandlerFunc(serveAsset))
	if h.PublicURL != "" {
		public := strings.TrimRight(h.PublicURL, "/")
		userpool.ImageURL = func(poolID, clientID, version string) string {
			return public + "/" + url.PathEscape(poolID) + "/_logo/" + url.PathEscape(clientID) + "?v=" + url.QueryEscape(version)
		}
	}
}

// wrap sets the security headers every page carries and finds the site.
func (h *Handler) wrap(fn func(http.ResponseWriter, *http.Request, *oauth.Site)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		site, ok := oauth.SiteFrom(r.Context())
		if !ok || site == nil || site.Pool == nil {
			h.renderError(w, r, nil, http.StatusNotFound, "not_found", "This page does not belong to a user pool.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				h.renderError(w, r, site, http.StatusBadRequest, "invalid_request", "The form could not be read.")
				return
			}
		}
		fn(w, r, site)
	})
}

// csp: only this origin's styles, images and scripts; inline style for
// the pool's customization CSS; no framing (click-jacking). Forms post to
// this origin only; browsers also apply form-action to the redirects that
// answer a form, so a page serving an authorization request adds the origin
// of its (verified) redirect URI, where a successful sign-in goes.
const cspBase = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"

func securityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", cspBase)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
}

// basePath is the path part of the site's base URL ("" for a domain site,
// "/us-east-1_abc" for a path-style one): pages link and redirect with
// absolute paths, so the browser stays on the host it used.
func basePath(site *oauth.Site) string {
	if site == nil {
		return ""
	}
	u, err := url.Parse(site.Base)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	if strings.HasPrefix(p, "//") {
		p = "/" + strings.TrimLeft(p, "/") // never a scheme-relative URL
	}
	return p
}

// cookiePath scopes the site's cookies to its base path.
func cookiePath(site *oauth.Site) string {
	if p := basePath(site); p != "" {
		return p
	}
	return "/"
}

func (h *Handler) secure(site *oauth.Site) bool {
	return h.Secure || (site != nil && strings.HasPrefix(strings.ToLower(site.Base), "https://"))
}

// linkBase is the base URL confirmation links are built on: users appends
// /{poolId}/confirmUser to it.
func (h *Handler) linkBase(site *oauth.Site) string {
	if h.PublicURL != "" {
		return strings.TrimRight(h.PublicURL, "/")
	}
	base := strings.TrimRight(site.Base, "/")
	return strings.TrimSuffix(base, "/"+site.Pool.ID)
}

// authorize re-checks the authorization request a page carries in its
// query. On failure it has answered: the error page when the client or
// redirect URI cannot be trusted, else a redirect with the OAuth error to
// the verified redirect URI.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, site *oauth.Site) (*oauth.AuthorizeRequest, bool) {
	req, err := h.OAuth.ParseAuthorize(r.Context(), site.Pool, r.URL.Query())
	if err == nil && req.Provider != nil {
		// A request naming an identity provider signs in there, never
		// with this site's forms.
		http.Redirect(w, r, basePath(site)+"/oauth2/authorize?"+req.Query().Encode(), http.StatusFound)
		return nil, false
	}
	if err == nil {
		if src := cspSource(req.RedirectURI); src != "" {
			w.Header().Set("Content-Security-Policy", cspBase+" "+src)
		}
		return req, true
	}
	var pe *oauth.PageError
	if errors.As(err, &pe) {
		h.renderError(w, r, site, http.StatusBadRequest, pe.Code, pe.Message)
		return nil, false
	}
	var oe *oauth.Error
	if errors.As(err, &oe) && req != nil {
		if to := oauth.ErrorRedirect(req, oe); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return nil, false
		}
	}
	h.serverError(w, r, site, err)
	return nil, false
}

// cspSource is a redirect URI's origin as a CSP source expression:
// https://app.example.com:8443, or myapp: for an app's own scheme.
func cspSource(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return ""
	}
	var src string
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
		src = scheme + "://" + u.Host
	default:
		src = scheme + ":"
	}
	if strings.ContainsAny(src, " ;,'\"\t\r\n") {
		return ""
	}
	return src
}

// redirectTo sends the browser to another page of the site, with the
// authorization request and extra parameters.
func redirectTo(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, page string, extra url.Values) {
	http.Redirect(w, r, pageLink(basePath(site), page, req.Query(), extra), http.StatusFound)
}

// pageLink is the absolute path of a site page with its query.
func pageLink(base, page string, auth url.Values, extra url.Values) string {
	q := url.Values{}
	for k, v := range auth {
		q[k] = v
	}
	for k, v := range extra {
		if len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	link := base + "/" + page
	if len(q) > 0 {
		link += "?" + q.Encode()
	}
	return link
}

// signedIn finishes a sign-in: a browser session for the site (so later
// authorization requests skip the form) and the authorization response.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, step *auth.Step) {
	ctx := r.Context()
	cookie, err := h.OAuth.StartBrowserSession(ctx, site.Pool, step.User, step.AuthTime)
	if err != nil {
		h.serverError(w, r, site, err)
		return
	}
	to, err := h.OAuth.Complete(ctx, req, step.User, step.AuthTime)
	if err != nil {
		h.serverError(w, r, site, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: oauth.BrowserCookie, Value: cookie, Path: cookiePath(site),
		MaxAge: int(oauth.BrowserSessionTTL.Seconds()), HttpOnly: true, Secure: h.secure(site), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, to, http.StatusFound)
}

// serverError logs an unexpected failure and shows a page without details.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, site *oauth.Site, err error) {
	h.logError(r.Context(), "hosted UI request failed", "path", r.URL.Path, "err", err)
	h.renderError(w, r, site, http.StatusInternalServerError, "server_error",
		"Something went wrong on our side. Please try again in a moment.")
}

func (h *Handler) logError(ctx context.Context, msg string, args ...any) {
	if h.Log != nil {
		h.Log.ErrorContext(ctx, msg, args...)
	}
}

// errorEndpoint is GET /error: a friendly page for an error the OAuth
// endpoints could not redirect. It never redirects.
func (h *Handler) errorEndpoint(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	q := r.URL.Query()
	code := clip(q.Get("error"), 64)
	desc := clip(q.Get("error_description"), 300)
	if desc == "" {
		desc = "An error was encountered with the requested page."
	}
	h.renderError(w, r, site, http.StatusBadRequest, code, desc)
}

// clip bounds text taken from a URL before it is shown.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
