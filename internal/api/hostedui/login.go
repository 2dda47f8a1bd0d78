package hostedui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// loginForm is the sign-in page.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, name string) *page {
	p := h.newPage(w, r, site, req, "login")
	p.Title = "Sign in"
	if p.AppName != "" {
		p.Subtitle = "to continue to " + p.AppName
	}
	p.Username = signInField(&req.Pool.Config, name)
	p.Password = passwordField("password", "Password", "current-password")
	focusFirst(&p.Username, &p.Password)
	p.Providers = providerButtons(site, req)
	return p
}

// providerButton is a "Continue with ..." link of the sign-in page.
type providerButton struct {
	Name  string // the provider's name
	Label string
	URL   string
}

// providerButtons lists the client's identity providers the browser flow
// supports, in the client's order, each a link to /oauth2/authorize with
// the request and identity_provider.
func providerButtons(site *oauth.Site, req *oauth.AuthorizeRequest) []providerButton {
	var out []providerButton
	for _, name := range req.Client.Config.SupportedIdentityProviders {
		ip, ok := req.Pool.Config.IdentityProvider(name)
		if !ok {
			continue
		}
		label := ip.ProviderName
		switch ip.ProviderType {
		case userpool.ProviderLoginWithAmazon:
			label = "Amazon"
		case userpool.ProviderSignInWithApple:
			label = "Apple"
		}
		q := req.Query()
		q.Del("idp_identifier")
		q.Set("identity_provider", ip.ProviderName)
		out = append(out, providerButton{Name: ip.ProviderName, Label: "Continue with " + label,
			URL: basePath(site) + "/oauth2/authorize?" + q.Encode()})
	}
	return out
}

// loginPage is GET /login, where /oauth2/authorize sends a browser that is
// not signed in.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	q := r.URL.Query()
	name := queryName(q)
	if name == "" {
		name = clip(req.LoginHint, 128)
	}
	p := h.loginForm(w, r, site, req, name)
	p.Notice = loginNotices[q.Get("notice")]
	h.render(w, r, http.StatusOK, "login", p)
}

// loginSubmit is POST /login: the password sign-in, then the session
// cookie and the authorization response, or the next step.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "login")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	ctx := r.Context()
	cfg := &req.Pool.Config
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	p := h.loginForm(w, r, site, req, name)
	if name == "" || pw == "" {
		p.Error = "Enter your " + signInWith(cfg) + " and password."
		h.renderLogin(w, r, http.StatusOK, p)
		return
	}
	step, err := h.Auth.PasswordSignIn(ctx, req.Pool, req.Client, name, pw)
	switch {
	case err == nil && step.User != nil:
		h.signedIn(w, r, site, req, step)
	case err == nil && step.Challenge == "NEW_PASSWORD_REQUIRED":
		np := h.newPasswordForm(w, r, site, req, step.Session, requiredFromChallenge(req, step.ChallengeParameters), nil)
		h.render(w, r, http.StatusOK, "newPassword", np)
	case err == nil:
		p.Error = "Your account needs a sign-in step this page can't complete yet."
		h.renderLogin(w, r, http.StatusOK, p)
	case errs.Is(err, errs.UserNotConfirmed):
		// The password was right: send a fresh code and ask for it.
		d, err := h.Users.ResendConfirmationCode(ctx, users.ResendInput{ClientID: req.Client.ID,
			SecretHash: secretHash(req.Client, name), Username: name, LinkBase: h.linkBase(site)})
		if err != nil {
			h.renderLogin(w, r, h.showError(r, p, err), p)
			return
		}
		redirectTo(w, r, site, req, "confirm", deliveryParams(d, "unconfirmed", name))
	case errs.Is(err, errs.PasswordResetRequired):
		d, err := h.Users.ForgotPassword(ctx, users.ForgotPasswordInput{ClientID: req.Client.ID,
			SecretHash: secretHash(req.Client, name), Username: name})
		if err != nil {
			h.renderLogin(w, r, h.showError(r, p, err), p)
			return
		}
		redirectTo(w, r, site, req, "confirmForgotPassword", deliveryParams(d, "reset_required", name))
	default:
		h.renderLogin(w, r, h.showError(r, p, err), p)
	}
}

// renderLogin re-renders the sign-in form after a failure: the name kept,
// the password never echoed, the focus on the password.
func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, p *page) {
	p.Username.Autofocus, p.Password.Autofocus = p.Username.Value == "", p.Username.Value != ""
	withError(p)
	h.render(w, r, status, "login", p)
}

// requiredFromChallenge reads NEW_PASSWORD_REQUIRED's requiredAttributes
// (["userAttributes.email", ...]).
func requiredFromChallenge(req *oauth.AuthorizeRequest, params map[string]string) []string {
	var list []string
	_ = json.Unmarshal([]byte(params["requiredAttributes"]), &list)
	var names []string
	for _, a := range list {
		names = append(names, strings.TrimPrefix(a, "userAttributes."))
	}
	return onlyRequired(req, names)
}

// onlyRequired keeps the names that are required attributes of the pool:
// the form asks for nothing else, whatever a tampered field says.
func onlyRequired(req *oauth.AuthorizeRequest, names []string) []string {
	required := req.Pool.Config.RequiredAttributes()
	var out []string
	for _, n := range names {
		if contains(required, n) && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// newPasswordForm is the NEW_PASSWORD_REQUIRED step: a new password and the
// required attributes the user does not have yet.
func (h *Handler) newPasswordForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest,
	session string, required []string, form url.Values) *page {
	cfg := &req.Pool.Config
	p := h.newPage(w, r, site, req, "newPassword")
	p.Title = "Choose a new password"
	p.Subtitle = "You signed in with a temporary password. Choose your own password to continue."
	p.Session = session
	p.Required = strings.Join(required, " ")
	p.Password = passwordField("password", "New password", "new-password")
	p.Rules = policyRules(cfg)
	p.Fields = attrFields(cfg, required, form)
	focusFirst(append([]*field{&p.Password}, fieldPtrs(p.Fields)...)...)
	return p
}

// newPasswordPage is GET /newPassword: the step only exists inside a
// sign-in, so a bare visit goes back to the sign-in page.
func (h *Handler) newPasswordPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	redirectTo(w, r, site, req, "login", nil)
}

// newPasswordSubmit is POST /newPassword: RespondToAuthChallenge's
// NEW_PASSWORD_REQUIRED, then signed in.
func (h *Handler) newPasswordSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "login")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	session := r.PostFormValue("session")
	if session == "" {
		redirectTo(w, r, site, req, "login", url.Values{"notice": {"session_expired"}})
		return
	}
	required := onlyRequired(req, strings.Fields(r.PostFormValue("required")))
	p := h.newPasswordForm(w, r, site, req, session, required, r.PostForm)
	pw := r.PostFormValue("password")
	attrs := map[string]string{}
	for _, f := range p.Fields {
		if f.Value == "" {
			p.Error = f.Label + " is required."
		}
		attrs[strings.TrimPrefix(f.Name, "attr.")] = f.Value
	}
	if pw == "" {
		p.Error = "Choose a new password."
	}
	if p.Error != "" {
		withError(p)
		h.render(w, r, http.StatusOK, "newPassword", p)
		return
	}
	step, err := h.Auth.RespondNewPassword(r.Context(), req.Pool, req.Client, session, pw, attrs)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Type == errs.NotAuthorized && strings.Contains(e.Message, "session is expired") {
			redirectTo(w, r, site, req, "login", url.Values{"notice": {"session_expired"}})
			return
		}
		status := h.showError(r, p, err)
		withError(p)
		h.render(w, r, status, "newPassword", p)
		return
	}
	if step.User == nil {
		p.Error = "Your account needs a sign-in step this page can't complete yet."
		h.render(w, r, http.StatusOK, "newPassword", p)
		return
	}
	h.signedIn(w, r, site, req, step)
}
