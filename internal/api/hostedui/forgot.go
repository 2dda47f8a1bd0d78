package hostedui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/users"
)

// forgotForm asks who forgot their password.
func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, name string) *page {
	cfg := &req.Pool.Config
	p := h.newPage(w, r, site, req, "forgotPassword")
	p.Title = "Reset your password"
	p.Subtitle = "Enter your " + signInWith(cfg) + " and we'll send you a code to choose a new password."
	p.Username = signInField(cfg, name)
	p.Username.Autofocus = true
	return p
}

// forgotPage is GET /forgotPassword.
func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "forgotPassword", h.forgotForm(w, r, site, req, queryName(r.URL.Query())))
}

// forgotSubmit is POST /forgotPassword: ForgotPassword, then the page for
// the code and the new password.
func (h *Handler) forgotSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "forgotPassword")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	p := h.forgotForm(w, r, site, req, name)
	if name == "" {
		p.Error = "Enter your " + signInWith(&req.Pool.Config) + "."
		withError(p)
		h.render(w, r, http.StatusOK, "forgotPassword", p)
		return
	}
	d, err := h.sendResetCode(r, req, name)
	if err != nil {
		status := h.showError(r, p, err)
		withError(p)
		h.render(w, r, status, "forgotPassword", p)
		return
	}
	redirectTo(w, r, site, req, "confirmForgotPassword", deliveryParams(d, "sent", name))
}

func (h *Handler) sendResetCode(r *http.Request, req *oauth.AuthorizeRequest, name string) (*users.CodeDeliveryDetails, error) {
	return h.Users.ForgotPassword(r.Context(), users.ForgotPasswordInput{ClientID: req.Client.ID,
		SecretHash: secretHash(req.Client, name), Username: name})
}

// resetForm asks for the reset code and the new password.
func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, name, code string) *page {
	cfg := &req.Pool.Config
	p := h.newPage(w, r, site, req, "confirmForgotPassword")
	p.Title = "Choose a new password"
	p.Username = signInField(cfg, name)
	p.Code = codeField(code)
	p.Password = passwordField("password", "New password", "new-password")
	p.Rules = policyRules(cfg)
	focusFirst(&p.Username, &p.Code, &p.Password)
	return p
}

// resetPage is GET /confirmForgotPassword.
func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := h.resetForm(w, r, site, req, queryName(q), "")
	if p.Notice = codeNotice(q); p.Notice == "" {
		p.Subtitle = "Enter the code we sent you and choose a new password."
	}
	h.render(w, r, http.StatusOK, "confirmForgotPassword", p)
}

// resetSubmit is POST /confirmForgotPassword: ConfirmForgotPassword (or,
// with action=resend, a new code), then the sign-in page.
func (h *Handler) resetSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "confirmForgotPassword")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	code := compactCode(r.PostFormValue("code"))
	pw := r.PostFormValue("password")
	p := h.resetForm(w, r, site, req, name, code)
	fail := func(status int) {
		withError(p)
		p.Code.Autofocus, p.Password.Autofocus, p.Username.Autofocus = false, false, false
		focusFirst(&p.Username, &p.Code, &p.Password)
		h.render(w, r, status, "confirmForgotPassword", p)
	}
	if name == "" {
		p.Error = "Enter your " + signInWith(&req.Pool.Config) + "."
		fail(http.StatusOK)
		return
	}
	if r.PostFormValue("action") == "resend" {
		d, err := h.sendResetCode(r, req, name)
		if err != nil {
			fail(h.showError(r, p, err))
			return
		}
		redirectTo(w, r, site, req, "confirmForgotPassword", deliveryParams(d, "resent", name))
		return
	}
	switch {
	case code == "":
		p.Error = "Enter the code we sent you."
	case pw == "":
		p.Error = "Choose a new password."
	}
	if p.Error != "" {
		fail(http.StatusOK)
		return
	}
	_, err := h.Users.ConfirmForgotPassword(r.Context(), users.ConfirmForgotPasswordInput{ClientID: req.Client.ID,
		SecretHash: secretHash(req.Client, name), Username: name, ConfirmationCode: code, Password: pw})
	if err != nil {
		fail(h.showError(r, p, err))
		return
	}
	redirectTo(w, r, site, req, "login", url.Values{"notice": {"password_reset"}, "username": {name}})
}
