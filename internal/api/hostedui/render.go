package hostedui

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/password"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once: each page template with the shared layout and
// partials.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "newPassword", "signup", "confirm", "forgotPassword",
		"confirmForgotPassword", "message"} {
		out[name] = template.Must(template.New("layout.html").ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return out
}()

// page is everything a template shows.
type page struct {
	Title    string
	Subtitle string
	Notice   string
	Error    string
	Detail   string // small print under a message page's text

	CSSURL    string
	JSURL     string
	CustomCSS template.CSS
	LogoURL   string
	AppName   string

	CSRF   string
	Action string // the form's target: this page with its query

	Username      field
	Code          field
	Password      field
	Fields        []field // attributes asked for
	Rules         []rule  // the password policy
	Symbols       string  // password.Symbols, for the live policy check
	Session       string
	Required      string // NEW_PASSWORD_REQUIRED's attributes, space-separated
	SignUpAllowed bool
	// Providers are the sign-in buttons of the client's identity providers.
	Providers []providerButton

	// Links (absolute paths with the authorization request).
	LoginURL  string
	SignUpURL string
	ForgotURL string
	// Message pages: an optional way on.
	NextURL  string
	NextText string

	base   string
	auth   url.Values
	signIn string // what the sign-in name is called: username, email ...
}

// field is one input.
type field struct {
	ID           string
	Name         string
	Label        string
	Type         string // text, email, tel, date, url, password, select
	Autocomplete string
	Inputmode    string
	Hint         string
	Value        string
	Required     bool
	Autofocus    bool
	Options      []string // for select
	Reveal       bool     // a show-password button
	Rules        bool     // the password policy list describes it
	DescribedBy  string   // ids of the hint and the form's error
}

// rule is one password requirement, checked live by the script.
type rule struct {
	Kind string // length, upper, lower, number, symbol
	Min  int32
	Text string
}

// newPage starts a page of the site for an authorization request (nil on
// pages shown without one).
func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, action string) *page {
	p := &page{CSSURL: assetURL(site, "hosted.css"), JSURL: assetURL(site, "hosted.js"), Symbols: password.Symbols,
		base: basePath(site)}
	if site != nil {
		p.CSRF = h.csrfToken(w, r, site)
	}
	clientID := ""
	if req != nil {
		p.auth = req.Query()
		p.AppName = req.Client.Name
		clientID = req.Client.ID
		p.LoginURL = p.Link("login")
		p.SignUpURL = p.Link("signup")
		p.ForgotURL = p.Link("forgotPassword")
		p.SignUpAllowed = !req.Pool.Config.AdminCreateUserOnly()
		p.signIn = signInWith(&req.Pool.Config)
	}
	if action != "" {
		p.Action = p.Link(action)
	}
	if site != nil {
		css, logo := h.customization(r, site, clientID)
		p.CustomCSS, p.LogoURL = template.CSS(css), logo
	}
	return p
}

// Link is the absolute path of a site page carrying the authorization
// request.
func (p *page) Link(name string) string { return pageLink(p.base, name, p.auth, nil) }

// render writes a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, p); err != nil {
		h.logError(r.Context(), "hosted UI template failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows the error page: a message and nothing to click that
// leaves the site.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, site *oauth.Site, status int, code, msg string) {
	p := h.newPage(w, r, site, nil, "")
	p.Title = "Something went wrong"
	if status == http.StatusNotFound {
		p.Title = "Page not found"
	}
	p.Error = msg
	if code != "" {
		p.Detail = "Error code: " + code
	}
	h.render(w, r, status, "message", p)
}

// forbidden answers a POST whose CSRF token is missing or wrong.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, site *oauth.Site, pageName string) {
	p := h.newPage(w, r, site, nil, "")
	p.Title = "This page has expired"
	p.Error = "For your security, this form could not be submitted. Open the page again and retry."
	auth := url.Values{}
	for _, k := range authKeys {
		if v := r.URL.Query().Get(k); v != "" {
			auth.Set(k, v)
		}
	}
	p.NextURL = pageLink(basePath(site), pageName, auth, nil)
	p.NextText = "Open the page again"
	h.render(w, r, http.StatusForbidden, "message", p)
}

// authKeys are the parameters of an authorization request that pages carry.
var authKeys = []string{"client_id", "response_type", "redirect_uri", "state", "scope", "nonce",
	"code_challenge", "code_challenge_method", "identity_provider", "idp_identifier", "login_hint", "lang"}
