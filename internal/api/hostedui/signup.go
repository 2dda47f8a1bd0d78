package hostedui

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// signUpForm is the sign-up page: the sign-in name, the pool's required
// attributes and a password, with the policy spelled out.
func (h *Handler) signUpForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, form url.Values) *page {
	cfg := &req.Pool.Config
	p := h.newPage(w, r, site, req, "signup")
	p.Title = "Create an account"
	if p.AppName != "" {
		p.Subtitle = "to continue to " + p.AppName
	}
	p.Username = usernameField(cfg, strings.TrimSpace(form.Get("username")))
	p.Fields = attrFields(cfg, signUpAttributes(cfg), form)
	p.Password = passwordField("password", "Password", "new-password")
	p.Rules = policyRules(cfg)
	focusFirst(append(append([]*field{&p.Username}, fieldPtrs(p.Fields)...), &p.Password)...)
	return p
}

// signUpClosed answers sign-up on a pool where only administrators create
// users.
func (h *Handler) signUpClosed(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest) {
	p := h.newPage(w, r, site, req, "")
	p.Title = "Sign-up is not available"
	p.Subtitle = "Accounts for " + orDefault(p.AppName, "this app") + " are created by an administrator."
	p.NextURL, p.NextText = p.LoginURL, "Back to sign in"
	h.render(w, r, http.StatusForbidden, "message", p)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// signUpPage is GET /signup.
func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	if req.Pool.Config.AdminCreateUserOnly() {
		h.signUpClosed(w, r, site, req)
		return
	}
	h.render(w, r, http.StatusOK, "signup", h.signUpForm(w, r, site, req, url.Values{"username": {queryName(r.URL.Query())}}))
}

// signUpSubmit is POST /signup: SignUp, then the confirmation code page.
// The password is used for SignUp only, never kept: after confirming, the
// user signs in.
func (h *Handler) signUpSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "signup")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	cfg := &req.Pool.Config
	if cfg.AdminCreateUserOnly() {
		h.signUpClosed(w, r, site, req)
		return
	}
	p := h.signUpForm(w, r, site, req, r.PostForm)
	name, pw := p.Username.Value, r.PostFormValue("password")
	var attrs []users.Attribute
	for _, f := range p.Fields {
		if f.Value == "" && p.Error == "" {
			p.Error = f.Label + " is required."
		}
		if f.Value != "" {
			attrs = append(attrs, users.Attribute{Name: strings.TrimPrefix(f.Name, "attr."), Value: f.Value})
		}
	}
	switch {
	case name == "":
		p.Error = "Enter your " + signInWith(cfg) + "."
	case pw == "":
		p.Error = "Choose a password."
	}
	if p.Error != "" {
		withError(p)
		h.render(w, r, http.StatusOK, "signup", p)
		return
	}
	out, err := h.Users.SignUp(r.Context(), users.SignUpInput{ClientID: req.Client.ID, SecretHash: secretHash(req.Client, name),
		Username: name, Password: pw, UserAttributes: attrs, LinkBase: h.linkBase(site)})
	if err != nil {
		status := h.showError(r, p, err)
		withError(p)
		h.render(w, r, status, "signup", p)
		return
	}
	switch {
	case out.UserConfirmed:
		redirectTo(w, r, site, req, "login", url.Values{"notice": {"signed_up"}, "username": {name}})
	case out.CodeDelivery != nil && confirmsWithLink(cfg, out.CodeDelivery):
		redirectTo(w, r, site, req, "confirm", deliveryParams(out.CodeDelivery, "link", name))
	case out.CodeDelivery != nil:
		redirectTo(w, r, site, req, "confirm", deliveryParams(out.CodeDelivery, "sent", name))
	default:
		redirectTo(w, r, site, req, "login", url.Values{"notice": {"pending"}, "username": {name}})
	}
}

// confirmsWithLink reports whether the pool sent a link rather than a code.
func confirmsWithLink(cfg *userpool.Config, d *users.CodeDeliveryDetails) bool {
	vt := cfg.VerificationMessageTemplate
	return d.DeliveryMedium == messages.Email && vt != nil && vt.DefaultEmailOption == "CONFIRM_WITH_LINK"
}

// confirmForm is the page asking for the sign-up code.
func (h *Handler) confirmForm(w http.ResponseWriter, r *http.Request, site *oauth.Site, req *oauth.AuthorizeRequest, name, code string) *page {
	p := h.newPage(w, r, site, req, "confirm")
	p.Title = "Confirm your account"
	p.Username = signInField(&req.Pool.Config, name)
	p.Code = codeField(code)
	focusFirst(&p.Username, &p.Code)
	return p
}

// confirmPage is GET /confirm.
func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("notice") == "link" {
		p := h.newPage(w, r, site, req, "")
		p.Title = "Check your email"
		p.Notice = "We sent a link " + deliveredTo(q) + ". Open it to confirm your account, then sign in."
		p.NextURL, p.NextText = p.LoginURL, "Back to sign in"
		h.render(w, r, http.StatusOK, "message", p)
		return
	}
	p := h.confirmForm(w, r, site, req, queryName(q), "")
	if p.Notice = codeNotice(q); p.Notice == "" {
		p.Subtitle = "Enter the code we sent you to confirm your account."
	}
	h.render(w, r, http.StatusOK, "confirm", p)
}

// confirmSubmit is POST /confirm: ConfirmSignUp (or, with action=resend,
// ResendConfirmationCode), then the sign-in page.
func (h *Handler) confirmSubmit(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	if !csrfOK(r) {
		h.forbidden(w, r, site, "confirm")
		return
	}
	req, ok := h.authorize(w, r, site)
	if !ok {
		return
	}
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("username"))
	code := compactCode(r.PostFormValue("code"))
	p := h.confirmForm(w, r, site, req, name, code)
	if name == "" {
		p.Error = "Enter your " + signInWith(&req.Pool.Config) + "."
		withError(p)
		h.render(w, r, http.StatusOK, "confirm", p)
		return
	}
	if r.PostFormValue("action") == "resend" {
		d, err := h.Users.ResendConfirmationCode(ctx, users.ResendInput{ClientID: req.Client.ID,
			SecretHash: secretHash(req.Client, name), Username: name, LinkBase: h.linkBase(site)})
		if err != nil {
			status := h.showError(r, p, err)
			withError(p)
			h.render(w, r, status, "confirm", p)
			return
		}
		redirectTo(w, r, site, req, "confirm", deliveryParams(d, "resent", name))
		return
	}
	if code == "" {
		p.Error = "Enter the code we sent you."
		withError(p)
		h.render(w, r, http.StatusOK, "confirm", p)
		return
	}
	_, err := h.Users.ConfirmSignUp(ctx, users.ConfirmSignUpInput{ClientID: req.Client.ID,
		SecretHash: secretHash(req.Client, name), Username: name, ConfirmationCode: code})
	if err != nil && !alreadyConfirmed(err) {
		status := h.showError(r, p, err)
		withError(p)
		h.render(w, r, status, "confirm", p)
		return
	}
	redirectTo(w, r, site, req, "login", url.Values{"notice": {"confirmed"}, "username": {name}})
}

// alreadyConfirmed: confirming twice (a second tab, the back button) ends
// where the first confirmation did.
func alreadyConfirmed(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Type == errs.NotAuthorized && strings.HasSuffix(e.Message, "Current status is CONFIRMED")
}

// confirmUser is GET /confirmUser, the target of CONFIRM_WITH_LINK emails:
// client_id, user_name and confirmation_code confirm the account, and the
// page says so (no redirect: the link carries no authorization request).
func (h *Handler) confirmUser(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID, name, code := q.Get("client_id"), q.Get("user_name"), q.Get("confirmation_code")
	if clientID == "" || name == "" || code == "" {
		h.renderError(w, r, site, http.StatusBadRequest, "invalid_request", "This confirmation link is incomplete. Open the link from your email again.")
		return
	}
	c, err := h.Pools.FindClient(ctx, clientID)
	if err != nil || c.PoolID != site.Pool.ID {
		h.renderError(w, r, site, http.StatusBadRequest, "invalid_request", "This confirmation link is not valid.")
		return
	}
	u, err := h.Users.ConfirmSignUp(ctx, users.ConfirmSignUpInput{ClientID: c.ID, SecretHash: secretHash(c, name),
		Username: name, ConfirmationCode: code})
	p := h.newPage(w, r, site, nil, "")
	p.AppName = c.Name
	css, logo := h.customization(r, site, c.ID)
	p.CustomCSS, p.LogoURL = template.CSS(css), logo
	if err != nil && !alreadyConfirmed(err) {
		status := h.showError(r, p, err)
		if status == http.StatusOK {
			status = http.StatusBadRequest
		}
		p.Title = "We couldn't confirm your account"
		if link := h.defaultSignIn(ctx, site, c, ""); link != "" {
			// Signing in with the password sends a new code.
			p.NextURL, p.NextText = link, "Go to sign in"
		}
		h.render(w, r, status, "message", p)
		return
	}
	p.Title = "Your account is confirmed"
	p.Notice = "Thank you. You can now sign in."
	signInName := name
	if u != nil {
		signInName = signInNameOf(&site.Pool.Config, u)
	}
	if link := h.defaultSignIn(ctx, site, c, signInName); link != "" {
		p.NextURL, p.NextText = link, "Sign in"
	}
	h.render(w, r, http.StatusOK, "message", p)
}

// signInNameOf is the name a user signs in with: the email or phone number
// when those are the pool's usernames (the stored username is then a UUID).
func signInNameOf(cfg *userpool.Config, u *store.User) string {
	for _, a := range []string{"email", "phone_number"} {
		if cfg.UsernameAttribute(a) && u.Attributes[a] != "" {
			return u.Attributes[a]
		}
	}
	return u.Username
}

// defaultSignIn is a sign-in page link for a client, when the client names
// one redirect URI to return to (its default, or its only callback URL).
func (h *Handler) defaultSignIn(ctx context.Context, site *oauth.Site, c *userpool.Client, name string) string {
	redirect := c.Config.DefaultRedirectURI
	if redirect == "" && len(c.Config.CallbackURLs) == 1 {
		redirect = c.Config.CallbackURLs[0]
	}
	rt := "code"
	if !contains(c.Config.AllowedOAuthFlows, "code") {
		rt = "token"
	}
	if redirect == "" {
		return ""
	}
	req, err := h.OAuth.ParseAuthorize(ctx, site.Pool, url.Values{"client_id": {c.ID}, "redirect_uri": {redirect}, "response_type": {rt}})
	if err != nil {
		return ""
	}
	extra := url.Values{"username": {name}}
	if name != "" {
		extra.Set("notice", "confirmed")
	}
	return pageLink(basePath(site), "login", req.Query(), extra)
}
