package hostedui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// emailRequired is a pool that verifies email and requires it.
func emailRequired() userpool.PoolInput {
	return userpool.PoolInput{
		Schema: []userpool.SchemaAttribute{{Name: "email", Required: ptr(true)}},
		Config: userpool.Config{AutoVerifiedAttributes: []string{"email"}},
	}
}

func TestSignInSetsSessionAndRedirectsWithCode(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("alice", "Passw0rd!", users.Attribute{Name: "email", Value: "alice@example.com"})
	b := e.browser()

	page := b.get(e.path("login", e.authQuery()))
	page.wantStatus(t, http.StatusOK)
	page.wantBody(t, "Sign in", `autocomplete="username"`, `autocomplete="current-password"`, "Acme Web")
	csrf := page.cookie(csrfCookie)
	if csrf == nil || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/"+e.pool.ID {
		t.Fatalf("csrf cookie %+v", csrf)
	}
	for k, want := range map[string]string{
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
	} {
		if got := page.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "form-action 'self' https://app.example.com") || !strings.Contains(csp, "default-src 'self'") {
		// Browsers apply form-action to the redirect answering the form:
		// the callback's origin must be allowed.
		t.Errorf("CSP %q", csp)
	}

	res := b.submit(page, url.Values{"username": {"alice"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	loc := res.location(t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != callback {
		t.Fatalf("redirect to %s", loc)
	}
	code := loc.Query().Get("code")
	if code == "" || loc.Query().Get("state") != "st-123" {
		t.Fatalf("redirect query %v", loc.Query())
	}
	c := res.cookie(oauth.BrowserCookie)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/"+e.pool.ID || c.MaxAge != 3600 || c.Secure {
		t.Fatalf("session cookie %+v", c)
	}
	// The session signs the browser in; the code redeems for tokens.
	if u, _, err := e.h.OAuth.BrowserSession(context.Background(), e.pool, c.Value); err != nil || u.Username != "alice" {
		t.Fatalf("browser session: %v %v", u, err)
	}
	tok, err := e.h.OAuth.Token(context.Background(), e.pool, &oauth.TokenRequest{GrantType: "authorization_code",
		Code: code, RedirectURI: callback, ClientID: e.client.ID})
	if err != nil || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("token: %+v %v", tok, err)
	}
}

func TestSecureCookiesUnderHTTPS(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.h.Secure = true
	e.createUser("alice", "Passw0rd!", users.Attribute{Name: "email", Value: "alice@example.com"})
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	if c := page.cookie(csrfCookie); c == nil || !c.Secure {
		t.Fatalf("csrf cookie %+v", c)
	}
	// A Secure cookie is not sent back over http: give the token by hand.
	tok := page.cookie(csrfCookie).Value
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+e.path("login", e.authQuery()),
		strings.NewReader(url.Values{"username": {"alice"}, "password": {"Passw0rd!"}, csrfField: {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == oauth.BrowserCookie {
			session = c
		}
	}
	if res.StatusCode != http.StatusFound || session == nil || !session.Secure {
		t.Fatalf("status %d, session cookie %+v", res.StatusCode, session)
	}
}

func TestWrongPasswordRerendersWithError(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("alice", "Passw0rd!", users.Attribute{Name: "email", Value: "alice@example.com"})
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"alice"}, "password": {"Wr0ngPassword!"}})
	res.wantStatus(t, http.StatusOK)
	res.wantBody(t, "Incorrect username or password.", `role="alert"`, `value="alice"`, `aria-describedby="form-error"`)
	if strings.Contains(res.body, "Wr0ngPassword!") {
		t.Fatal("the password was echoed")
	}
	if res.cookie(oauth.BrowserCookie) != nil {
		t.Fatal("a session cookie after a failed sign-in")
	}
	// The re-rendered form works.
	res = b.submit(res, url.Values{"username": {"alice"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
}

func TestPostWithoutCSRFTokenIsForbidden(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("alice", "Passw0rd!", users.Attribute{Name: "email", Value: "alice@example.com"})
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	target := e.path("login", e.authQuery())
	for name, form := range map[string]url.Values{
		"missing": {"username": {"alice"}, "password": {"Passw0rd!"}},
		"wrong":   {"username": {"alice"}, "password": {"Passw0rd!"}, csrfField: {strings.Repeat("A", 43)}},
	} {
		res := b.do(http.MethodPost, target, form)
		if res.StatusCode != http.StatusForbidden || res.cookie(oauth.BrowserCookie) != nil {
			t.Fatalf("%s token: status %d", name, res.StatusCode)
		}
	}
	// No cookie at all (a cross-site form): refused too.
	fresh := e.browser()
	res := fresh.do(http.MethodPost, target, url.Values{"username": {"alice"}, "password": {"Passw0rd!"},
		csrfField: {hidden(page.body, csrfField)}})
	res.wantStatus(t, http.StatusForbidden)
	res.wantBody(t, "This page has expired")
	for _, p := range []string{"signup", "confirm", "forgotPassword", "confirmForgotPassword", "newPassword"} {
		if res := fresh.do(http.MethodPost, e.path(p, e.authQuery()), url.Values{"username": {"alice"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST /%s without a token: %d", p, res.StatusCode)
		}
	}
}

func TestNewPasswordRequired(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	ctx := context.Background()
	u, err := e.h.Users.AdminCreateUser(ctx, e.pool.ID, users.CreateInput{Username: "bob",
		TemporaryPassword: "Temp0rary!", MessageAction: "SUPPRESS",
		UserAttributes: []users.Attribute{{Name: "email", Value: "old@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	// A user created before email became required (imported, say) lacks it.
	if _, err := e.h.Users.Store.UpdateUser(ctx, e.pool.ID, u.UsernameKey, func(u *store.User) error {
		delete(u.Attributes, "email")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"bob"}, "password": {"Temp0rary!"}})
	res.wantStatus(t, http.StatusOK)
	res.wantBody(t, "Choose a new password", `name="attr.email"`, `type="email"`, `autocomplete="new-password"`,
		`data-rule="length"`, "At least 8 characters")
	session := hidden(res.body, "session")
	if session == "" {
		t.Fatal("no session field")
	}
	// A weak password is refused; the step can be retried.
	weak := b.submit(res, url.Values{"session": {session}, "required": {"email"}, "password": {"short"},
		"attr.email": {"bob@example.com"}})
	weak.wantStatus(t, http.StatusOK)
	weak.wantBody(t, "doesn&#39;t meet the requirements", `value="bob@example.com"`)
	// The required attribute must be given.
	missing := b.submit(weak, url.Values{"session": {session}, "required": {"email"}, "password": {"N3wPassword!"}})
	missing.wantStatus(t, http.StatusOK)
	missing.wantBody(t, "Email is required.")

	done := b.submit(missing, url.Values{"session": {session}, "required": {"email"}, "password": {"N3wPassword!"},
		"attr.email": {"bob@example.com"}})
	done.wantStatus(t, http.StatusFound)
	if loc := done.location(t); loc.Query().Get("code") == "" || done.cookie(oauth.BrowserCookie) == nil {
		t.Fatalf("redirect %s", loc)
	}
	// The new password signs in.
	again := e.browser()
	p2 := again.get(e.path("login", e.authQuery()))
	again.submit(p2, url.Values{"username": {"bob"}, "password": {"N3wPassword!"}}).wantStatus(t, http.StatusFound)
}

func TestSignUpConfirmThenSignIn(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	page := b.get(e.path("signup", e.authQuery()))
	page.wantStatus(t, http.StatusOK)
	page.wantBody(t, "Create an account", `name="attr.email"`, `type="email"`, `autocomplete="new-password"`,
		"An uppercase letter", "A special character")

	res := b.submit(page, url.Values{"username": {"carol"}, "password": {"Passw0rd!"}, "attr.email": {"carol@example.com"}})
	res.wantStatus(t, http.StatusFound)
	loc := res.location(t)
	if loc.Path != "/"+e.pool.ID+"/confirm" || loc.Query().Get("client_id") != e.client.ID || loc.Query().Get("username") != "carol" {
		t.Fatalf("redirect %s", loc)
	}
	confirm := b.get(loc.String())
	confirm.wantStatus(t, http.StatusOK)
	confirm.wantBody(t, "We sent a code by email to c***@e***", `autocomplete="one-time-code"`, `value="carol"`)

	wrong := b.submit(confirm, url.Values{"username": {"carol"}, "code": {"000000"}, "action": {"confirm"}})
	wrong.wantStatus(t, http.StatusOK)
	wrong.wantBody(t, "Invalid verification code provided")

	res = b.submit(wrong, url.Values{"username": {"carol"}, "code": {e.lastCode("carol")}, "action": {"confirm"}})
	res.wantStatus(t, http.StatusFound)
	loc = res.location(t)
	if loc.Path != "/"+e.pool.ID+"/login" || loc.Query().Get("notice") != "confirmed" {
		t.Fatalf("redirect %s", loc)
	}
	login := b.get(loc.String())
	login.wantStatus(t, http.StatusOK)
	login.wantBody(t, "Your account is confirmed. Sign in to continue.", `value="carol"`)
	b.submit(login, url.Values{"username": {"carol"}, "password": {"Passw0rd!"}}).wantStatus(t, http.StatusFound)
}

func TestSignUpErrorsKeepFields(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	page := b.get(e.path("signup", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"dave"}, "password": {"weakpass"}, "attr.email": {"dave@example.com"}})
	res.wantStatus(t, http.StatusOK)
	res.wantBody(t, "Your password doesn&#39;t meet the requirements", `value="dave"`, `value="dave@example.com"`)
	if strings.Contains(res.body, "weakpass") {
		t.Fatal("the password was echoed")
	}
	res = b.submit(res, url.Values{"username": {"dave"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusOK)
	res.wantBody(t, "Email is required.")
}

func TestSignUpWithEmailAsUsernameAndSecret(t *testing.T) {
	in := emailRequired()
	in.UsernameAttributes = []string{"email"}
	e := newEnv(t, in, func(c *userpool.ClientInput) { c.GenerateSecret = true })
	b := e.browser()
	page := b.get(e.path("signup", e.authQuery()))
	page.wantBody(t, `<label class="label-customizable label" for="username">Email</label>`)
	if strings.Contains(page.body, `name="attr.email"`) {
		t.Fatal("email asked twice")
	}
	res := b.submit(page, url.Values{"username": {"erin@example.com"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	confirm := b.get(res.location(t).String())
	res = b.submit(confirm, url.Values{"username": {"erin@example.com"}, "code": {e.lastCode("erin@example.com")}, "action": {"confirm"}})
	res.wantStatus(t, http.StatusFound)
	login := b.get(res.location(t).String())
	login.wantBody(t, `<label class="label-customizable label" for="username">Email</label>`, `type="email"`)
	b.submit(login, url.Values{"username": {"erin@example.com"}, "password": {"Passw0rd!"}}).wantStatus(t, http.StatusFound)
}

func TestUnconfirmedSignInGoesToConfirm(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	if _, err := e.h.Users.SignUp(context.Background(), users.SignUpInput{ClientID: e.client.ID, Username: "frank",
		Password: "Passw0rd!", UserAttributes: []users.Attribute{{Name: "email", Value: "frank@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"frank"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	confirm := b.get(res.location(t).String())
	confirm.wantBody(t, "Your account isn&#39;t confirmed yet. We sent a code by email to f***@e***")
	if got := len(e.outbox.List("frank", e.pool.ID)); got != 2 {
		t.Fatalf("%d messages, want the sign-up code and a new one", got)
	}
	// Resend from the page.
	res = b.submit(confirm, url.Values{"username": {"frank"}, "action": {"resend"}})
	res.wantStatus(t, http.StatusFound)
	b.get(res.location(t).String()).wantBody(t, "We sent a new code by email")
	res = b.submit(confirm, url.Values{"username": {"frank"}, "code": {e.lastCode("frank")}, "action": {"confirm"}})
	res.wantStatus(t, http.StatusFound)
}

func TestForgotPassword(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("gina", "Passw0rd!", users.Attribute{Name: "email", Value: "gina@example.com"},
		users.Attribute{Name: "email_verified", Value: "true"})
	b := e.browser()
	login := b.get(e.path("login", e.authQuery()))
	forgot := b.get(attr(login.body, `<a class="redirect-customizable link" href="`))
	forgot.wantStatus(t, http.StatusOK)
	forgot.wantBody(t, "Reset your password")

	res := b.submit(forgot, url.Values{"username": {"gina"}})
	res.wantStatus(t, http.StatusFound)
	loc := res.location(t)
	if loc.Path != "/"+e.pool.ID+"/confirmForgotPassword" {
		t.Fatalf("redirect %s", loc)
	}
	reset := b.get(loc.String())
	reset.wantBody(t, "We sent a code by email to g***@e***", `autocomplete="one-time-code"`, `autocomplete="new-password"`)
	res = b.submit(reset, url.Values{"username": {"gina"}, "code": {e.lastCode("gina")}, "password": {"N3wPassw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	loc = res.location(t)
	if loc.Query().Get("notice") != "password_reset" {
		t.Fatalf("redirect %s", loc)
	}
	login = b.get(loc.String())
	login.wantBody(t, "Your password has been changed.")
	b.submit(login, url.Values{"username": {"gina"}, "password": {"N3wPassw0rd!"}}).wantStatus(t, http.StatusFound)
}

func TestPasswordResetRequiredGoesToReset(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("hank", "Passw0rd!", users.Attribute{Name: "email", Value: "hank@example.com"},
		users.Attribute{Name: "email_verified", Value: "true"})
	if err := e.h.Users.AdminResetUserPassword(context.Background(), e.pool.ID, "hank"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"hank"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	reset := b.get(res.location(t).String())
	reset.wantBody(t, "You need to choose a new password.")
	res = b.submit(reset, url.Values{"username": {"hank"}, "code": {e.lastCode("hank")}, "password": {"N3wPassw0rd!"}})
	res.wantStatus(t, http.StatusFound)
}

func TestUntrustedRedirectShowsErrorPage(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	for name, q := range map[string]url.Values{
		"unregistered redirect_uri": e.authQuery("redirect_uri", "https://evil.example/cb"),
		"unknown client":            e.authQuery("client_id", "nosuchclient1234567890abcd"),
		"no client":                 {"redirect_uri": {callback}},
	} {
		for _, p := range []string{"login", "signup", "forgotPassword"} {
			res := b.get(e.path(p, q))
			if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
				t.Fatalf("%s on /%s: status %d, Location %q", name, p, res.StatusCode, res.Header.Get("Location"))
			}
			if strings.Contains(res.body, "evil.example") {
				t.Fatalf("%s: page links to the unregistered URI", name)
			}
		}
	}
	res := b.get(e.path("login", e.authQuery("redirect_uri", "https://evil.example/cb")))
	res.wantBody(t, "The redirect_uri is not one of the client&#39;s callback URLs.")
}

func TestOAuthErrorRedirectsToVerifiedURI(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	res := e.browser().get(e.path("login", e.authQuery("scope", "phone")))
	res.wantStatus(t, http.StatusFound)
	loc := res.location(t)
	if !strings.HasPrefix(loc.String(), callback+"?") || loc.Query().Get("error") != "invalid_scope" || loc.Query().Get("state") != "st-123" {
		t.Fatalf("redirect %s", loc)
	}
}

func TestUsernameIsEscaped(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	evil := `"><script>alert(1)</script>`
	page := b.get(e.path("login", e.authQuery("login_hint", evil)))
	res := b.submit(page, url.Values{"username": {evil}, "password": {"Passw0rd!"}})
	for _, r := range []*response{page, res} {
		if strings.Contains(r.body, "<script>alert") {
			t.Fatalf("unescaped:\n%s", r.body)
		}
		r.wantBody(t, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
	// Text from /error's query is escaped too.
	er := b.get(e.path("error", url.Values{"error": {"x"}, "error_description": {evil}}))
	er.wantStatus(t, http.StatusBadRequest)
	if strings.Contains(er.body, "<script>alert") || er.Header.Get("Location") != "" {
		t.Fatalf("error page:\n%s", er.body)
	}
}

func TestErrorPage(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	res := e.browser().get(e.path("error", url.Values{"error": {"redirect_mismatch"}, "error_description": {"The redirect URI is not registered."}}))
	res.wantStatus(t, http.StatusBadRequest)
	res.wantBody(t, "Something went wrong", "The redirect URI is not registered.", "redirect_mismatch")
}

func TestSignUpHiddenWhenAdminOnly(t *testing.T) {
	in := emailRequired()
	in.AdminCreateUserConfig = &userpool.AdminCreateUserConfig{AllowAdminCreateUserOnly: ptr(true)}
	e := newEnv(t, in, nil)
	b := e.browser()
	login := b.get(e.path("login", e.authQuery()))
	if strings.Contains(login.body, "/signup") {
		t.Fatal("sign-up link shown")
	}
	res := b.get(e.path("signup", e.authQuery()))
	res.wantStatus(t, http.StatusForbidden)
	res.wantBody(t, "Sign-up is not available")
}

func TestCustomizationCSSAfterBaseCSS(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	ctx := context.Background()
	if _, err := e.h.Pools.CreateDomain(ctx, e.pool.ID, "acme-login", userpool.DomainInput{}); err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\n0000IHDR")
	css := `.submitButton-customizable { background-color: #ff6600; } .label-customizable { content: "</style><b>x"; }`
	if _, err := e.h.Pools.SetUICustomization(ctx, e.pool.ID, userpool.UICustomizationInput{ClientID: e.client.ID,
		CSS: css, Image: png}); err != nil {
		t.Fatal(err)
	}
	res := e.browser().get(e.path("login", e.authQuery()))
	base := strings.Index(res.body, `/_assets/hosted.css`)
	custom := strings.Index(res.body, `background-color: #ff6600;`)
	if base < 0 || custom < 0 || custom < base {
		t.Fatalf("base css at %d, customization at %d:\n%s", base, custom, res.body)
	}
	if strings.Contains(res.body, "</style><b>") {
		t.Fatal("customization CSS closed the style element")
	}
	res.wantBody(t, `class="logo-customizable logo"`, `class="submitButton-customizable button"`,
		`class="inputField-customizable input"`, `class="label-customizable label"`, `class="background-customizable"`)
	logoURL := attr(res.body, `<img class="logo-customizable logo" src="`)
	logo := e.browser().get(logoURL)
	logo.wantStatus(t, http.StatusOK)
	if logo.Header.Get("Content-Type") != "image/png" || logo.body != string(png) {
		t.Fatalf("logo %q %q", logo.Header.Get("Content-Type"), logo.body)
	}
	// Another client falls back to no customization (no ALL set).
	asset := e.browser().get(attr(res.body, `<link rel="stylesheet" href="`))
	asset.wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(asset.Header.Get("Content-Type"), "text/css") || !strings.Contains(asset.body, ".button") {
		t.Fatalf("stylesheet %q", asset.Header.Get("Content-Type"))
	}
}

func TestConfirmUserLink(t *testing.T) {
	in := emailRequired()
	in.VerificationMessageTemplate = &userpool.VerificationMessageTemplate{DefaultEmailOption: "CONFIRM_WITH_LINK"}
	e := newEnv(t, in, nil)
	e.h.PublicURL = e.srv.URL
	b := e.browser()
	page := b.get(e.path("signup", e.authQuery()))
	res := b.submit(page, url.Values{"username": {"ivy"}, "password": {"Passw0rd!"}, "attr.email": {"ivy@example.com"}})
	res.wantStatus(t, http.StatusFound)
	b.get(res.location(t).String()).wantBody(t, "Check your email", "We sent a link by email to i***@e***")

	msgs := e.outbox.List("ivy", e.pool.ID)
	if len(msgs) == 0 {
		t.Fatal("no message")
	}
	link := attr(msgs[0].Body, `<a href="`)
	if !strings.HasPrefix(link, e.srv.URL+"/"+e.pool.ID+"/confirmUser?") {
		t.Fatalf("link %q", link)
	}
	// A wrong code says so, without a redirect.
	bad := b.get(e.path("confirmUser", url.Values{"client_id": {e.client.ID}, "user_name": {"ivy"}, "confirmation_code": {"1"}}))
	bad.wantStatus(t, http.StatusBadRequest)
	bad.wantBody(t, "We couldn&#39;t confirm your account")
	done := b.get(link)
	done.wantStatus(t, http.StatusOK)
	done.wantBody(t, "Your account is confirmed")
	signIn := attr(done.body, `<a class="submitButton-customizable button" href="`)
	login := b.get(signIn)
	login.wantStatus(t, http.StatusOK)
	login.wantBody(t, `value="ivy"`, "Your account is confirmed.")
}

func TestNewPasswordWithoutSessionGoesToLogin(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	res := e.browser().get(e.path("newPassword", e.authQuery()))
	res.wantStatus(t, http.StatusFound)
	if loc := res.location(t); loc.Path != "/"+e.pool.ID+"/login" || loc.Query().Get("client_id") != e.client.ID {
		t.Fatalf("redirect %s", loc)
	}
}

func TestExpiredNewPasswordSessionGoesToLogin(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	page := b.get(e.path("login", e.authQuery()))
	// A form of the step, its session unknown (expired or used).
	res := b.do(http.MethodPost, e.path("newPassword", e.authQuery()), url.Values{csrfField: {hidden(page.body, csrfField)},
		"session": {"bm90LWEtc2Vzc2lvbg"}, "password": {"N3wPassword!"}})
	res.wantStatus(t, http.StatusFound)
	if loc := res.location(t); loc.Path != "/"+e.pool.ID+"/login" || loc.Query().Get("notice") != "session_expired" {
		t.Fatalf("redirect %s", loc)
	}
}

func TestImplicitFlowReturnsTokensInFragment(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	e.createUser("alice", "Passw0rd!", users.Attribute{Name: "email", Value: "alice@example.com"})
	b := e.browser()
	page := b.get(e.path("login", e.authQuery("response_type", "token", "nonce", "n-1")))
	res := b.submit(page, url.Values{"username": {"alice"}, "password": {"Passw0rd!"}})
	res.wantStatus(t, http.StatusFound)
	loc := res.location(t)
	frag, _ := url.ParseQuery(loc.Fragment)
	if !strings.HasPrefix(loc.String(), callback+"#") || frag.Get("access_token") == "" || frag.Get("id_token") == "" || frag.Get("state") != "st-123" {
		t.Fatalf("redirect %s", loc)
	}
}

func TestDeliveryNoticeOnlyShowsMaskedDestinations(t *testing.T) {
	for dest, want := range map[string]string{
		"a***@e***":               "We sent a code by email to a***@e***. Enter it below.",
		"Call +1 555 0100 now":    "We sent a code by email. Enter it below.",
		"<b>x</b>***@e***":        "We sent a code by email. Enter it below.",
		"+*******1234":            "We sent a code by email to +*******1234. Enter it below.",
		"a***@e*** and visit x.y": "We sent a code by email. Enter it below.",
	} {
		got := codeNotice(url.Values{"notice": {"sent"}, "medium": {"EMAIL"}, "dest": {dest}})
		if got != want {
			t.Errorf("dest %q: %q, want %q", dest, got, want)
		}
	}
	if got := codeNotice(url.Values{"notice": {"Your account was hacked"}}); got != "" {
		t.Errorf("free notice text shown: %q", got)
	}
}

func TestCSPSource(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example.com/cb?x=1":  "https://app.example.com",
		"http://localhost:3000/callback":  "http://localhost:3000",
		"myapp://signed-in":               "myapp:",
		"com.example.app:/oauth2redirect": "com.example.app:",
		"not a url":                       "",
	} {
		if got := cspSource(in); got != want {
			t.Errorf("cspSource(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDomainSiteCookiesAtRoot(t *testing.T) {
	site := &oauth.Site{Base: "https://acme.auth.localhost:9229"}
	if got := cookiePath(site); got != "/" {
		t.Fatalf("cookie path %q", got)
	}
	if !(&Handler{}).secure(site) {
		t.Fatal("cookies of an https site must be Secure")
	}
	if got := basePath(&oauth.Site{Base: "http://h//evil.example"}); strings.HasPrefix(got, "//") {
		t.Fatalf("base path %q is scheme-relative", got)
	}
	if got := pageLink("", "login", url.Values{"client_id": {"c"}}, nil); got != "/login?client_id=c" {
		t.Fatalf("link %q", got)
	}
}

func TestAssetsAndMissingLogo(t *testing.T) {
	e := newEnv(t, emailRequired(), nil)
	b := e.browser()
	js := b.get(e.path("_assets/hosted.js", nil))
	js.wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("content type %q", js.Header.Get("Content-Type"))
	}
	b.get(e.path("_assets/nope.css", nil)).wantStatus(t, http.StatusNotFound)
	b.get(e.path("_logo/"+e.client.ID, nil)).wantStatus(t, http.StatusNotFound)
}
