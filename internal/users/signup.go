package users

// Self-service sign-up and password recovery: the end-user operations
// SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
// ConfirmForgotPassword. They name an app client instead of a pool, take a
// SECRET_HASH when the client has a secret, and follow the client's
// PreventUserExistenceErrors setting.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// Exception names of the code flows.
const (
	errCodeMismatch = "CodeMismatchException"
	errExpiredCode  = "ExpiredCodeException"
)

// Limits of the code flows. Cognito documents a sign-up code valid 24 hours,
// a password-reset code one hour, and "between 5 and 20 attempts" an hour
// for a user to request or enter a password-reset code.
const (
	SignUpCodeTTL         = 24 * time.Hour
	ForgotPasswordCodeTTL = time.Hour
	// MaxCodeAttempts wrong entries burn a code: later attempts, even with
	// the right code, answer LimitExceededException until a new code is sent.
	MaxCodeAttempts = 5
	// MaxCodeSends codes may be sent to one user per SendWindow.
	MaxCodeSends = 5
	SendWindow   = time.Hour
)

func codeMismatch() error {
	return errs.New(errCodeMismatch, "Invalid verification code provided, please try again.")
}

func expiredCode() error {
	return errs.New(errExpiredCode, "Invalid code provided, please request a code again.")
}

func attemptLimit() error {
	return errs.New(errs.LimitExceeded, "Attempt limit exceeded, please try after some time.")
}

// clientUserNotFound is the LEGACY answer of the end-user calls for an
// unknown user.
func clientUserNotFound() error {
	return errs.New(errs.UserNotFound, "Username/client id combination not found.")
}

func userDisabled() error { return errs.New(errs.NotAuthorized, "User is disabled.") }

// CodeDeliveryDetails is Cognito's CodeDeliveryDetailsType: where a code
// went, with the destination masked.
type CodeDeliveryDetails struct {
	Destination    string `json:"Destination,omitempty"`
	DeliveryMedium string `json:"DeliveryMedium,omitempty"`
	AttributeName  string `json:"AttributeName,omitempty"`
}

func (d Delivery) details() *CodeDeliveryDetails {
	return &CodeDeliveryDetails{Destination: MaskDestination(d.Channel, d.Destination), DeliveryMedium: d.Channel, AttributeName: d.Attribute}
}

// MaskDestination hides an address as Cognito does in CodeDeliveryDetails:
// an email keeps the first character of the local part and of the domain
// ("a***@e***"), a phone number its last four digits ("+*******1234").
func MaskDestination(channel, dest string) string {
	if channel == messages.Email {
		at := strings.LastIndexByte(dest, '@')
		if at <= 0 || at == len(dest)-1 {
			return "***"
		}
		return firstRune(dest[:at]) + "***@" + firstRune(dest[at+1:]) + "***"
	}
	digits := strings.TrimPrefix(dest, "+")
	if len(digits) <= 4 {
		return "+" + strings.Repeat("*", len(digits))
	}
	return "+" + strings.Repeat("*", len(digits)-4) + digits[len(digits)-4:]
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// endUserClient validates the app client of an end-user call and returns
// it with its pool, after checking the SECRET_HASH computed over username.
func (s *Service) endUserClient(ctx context.Context, clientID, username, secretHash string) (*userpool.Client, *userpool.Pool, error) {
	c, err := s.Pools.FindClient(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	pool, err := s.Pools.GetPool(ctx, c.PoolID)
	if err != nil {
		if errs.Is(err, errs.ResourceNotFound) {
			return nil, nil, userpool.ClientNotFound(clientID)
		}
		return nil, nil, err
	}
	if err := c.CheckSecretHash(username, secretHash); err != nil {
		return nil, nil, err
	}
	return c, pool, nil
}

// findEndUser resolves the Username of an end-user call; a missing user is
// reported as found == false so each operation can answer as
// PreventUserExistenceErrors asks.
func (s *Service) findEndUser(ctx context.Context, pool *userpool.Pool, name string) (u *store.User, found bool, err error) {
	u, err = s.Find(ctx, pool, name)
	if errs.Is(err, errs.UserNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}

var codeRE = regexp.MustCompile(`^\S+$`)

// checkCodeRequest validates the fields every code confirmation carries.
func checkCodeRequest(clientID, username, code string) error {
	if err := userpool.ValidateClientID(clientID); err != nil {
		return err
	}
	if err := validateUsernameForm(username); err != nil {
		return err
	}
	return checkCodeParam(code)
}

func checkCodeParam(code string) error {
	if code == "" {
		return errs.Param("1 validation error detected: Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null")
	}
	if len(code) > 2048 || !codeRE.MatchString(code) {
		return errs.Param("1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+")
	}
	return nil
}

// issueLimitedCode issues a code for purpose as IssueCode does, refusing
// with LimitExceededException when the user was already sent MaxCodeSends
// codes within SendWindow.
func issueLimitedCode(u *store.User, purpose, attribute string, ttl time.Duration, now time.Time) (string, error) {
	st, err := DecodeSettings(u)
	if err != nil {
		return "", err
	}
	var recent []time.Time
	for _, t := range st.Sends {
		if now.Sub(t) < SendWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= MaxCodeSends {
		return "", attemptLimit()
	}
	code, err := IssueCode(u, purpose, attribute, ttl, now)
	if err != nil {
		return "", err
	}
	if st, err = DecodeSettings(u); err != nil {
		return "", err
	}
	st.Sends = append(recent, now)
	EncodeSettings(u, st)
	return code, nil
}

// checkCode verifies code against the user's pending code for purpose and
// records the attempt in u (the caller writes u back whatever the outcome,
// so failed attempts count). On success the code is consumed and returned.
func checkCode(u *store.User, purpose, code string, now time.Time) (*Code, error) {
	st, err := DecodeSettings(u)
	if err != nil {
		return nil, err
	}
	c := st.Codes[purpose]
	switch {
	case c == nil:
		return nil, expiredCode()
	case c.Attempts >= MaxCodeAttempts:
		return nil, attemptLimit()
	case now.After(c.Expires):
		return nil, expiredCode()
	case !c.Matches(code):
		c.Attempts++
		EncodeSettings(u, st)
		return nil, codeMismatch()
	}
	delete(st.Codes, purpose)
	EncodeSettings(u, st)
	return c, nil
}

// ---------------------------------------------------------------------------
// Messages

// verifyTarget picks where a sign-up code goes: the pool's
// AutoVerifiedAttributes the user has, the phone number first (Cognito
// verifies only the phone when both are to be verified).
func verifyTarget(cfg *userpool.Config, attrs map[string]string) (Delivery, bool) {
	auto := func(a string) bool {
		for _, v := range cfg.AutoVerifiedAttributes {
			if v == a {
				return true
			}
		}
		return false
	}
	if auto("phone_number") && attrs["phone_number"] != "" {
		return Delivery{messages.SMS, "phone_number", attrs["phone_number"]}, true
	}
	if auto("email") && attrs["email"] != "" {
		return Delivery{messages.Email, "email", attrs["email"]}, true
	}
	return Delivery{}, false
}

var linkRE = regexp.MustCompile(`\{##(.*?)##\}`)

// sendConfirmation delivers a sign-up (or resent) confirmation code. Pools
// whose verification template says CONFIRM_WITH_LINK get an email with a
// link to {linkBase}/confirmUser instead of the code template.
func (s *Service) sendConfirmation(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User, d Delivery, kind, code, linkBase string) error {
	vt := pool.Config.VerificationMessageTemplate
	if d.Channel != messages.Email || vt == nil || vt.DefaultEmailOption != "CONFIRM_WITH_LINK" {
		return s.SendCode(ctx, pool, cl, u, d, kind, code)
	}
	link := strings.TrimRight(linkBase, "/") + "/" + pool.ID + "/confirmUser?client_id=" + url.QueryEscape(cl.ClientID) +
		"&user_name=" + url.QueryEscape(u.Username) + "&confirmation_code=" + url.QueryEscape(code)
	body := orDefault(vt.EmailMessageByLink, "Please click the link below to verify your email address. {##Verify Email##}")
	body = linkRE.ReplaceAllStringFunc(body, func(m string) string {
		text := linkRE.FindStringSubmatch(m)[1]
		return `<a href="` + link + `">` + text + `</a>`
	})
	m := messages.Message{PoolID: pool.ID, Username: u.Username, Channel: d.Channel, Destination: d.Destination,
		Kind: kind, Code: code, Time: s.now(),
		Subject: orDefault(vt.EmailSubjectByLink, "Your verification link"), Body: fill(body, u.Username, code)}
	if err := s.customize(ctx, pool, cl, u, kind, msgValues{username: u.Username, code: code, link: link}, &m); err != nil {
		return err
	}
	s.deliver(ctx, pool, m)
	return nil
}

// simulatedDelivery is the CodeDeliveryDetails shown for a user that does
// not exist (or cannot be sent a code) when the client prevents user
// existence errors: the medium follows the form of the name given and the
// pool's verification settings, and the same name always gets the same
// answer. Nothing is sent.
func simulatedDelivery(pool *userpool.Pool, name string) *CodeDeliveryDetails {
	switch {
	case userpool.ValidEmail(name):
		return Delivery{messages.Email, "email", name}.details()
	case userpool.ValidPhone(name):
		return Delivery{messages.SMS, "phone_number", name}.details()
	}
	mac := hmac.New(sha256.New, []byte("cogito-simulated-delivery:"+pool.ID))
	mac.Write([]byte(strings.ToLower(name)))
	sum := mac.Sum(nil)
	phoneOnly := len(pool.Config.AutoVerifiedAttributes) > 0
	for _, a := range pool.Config.AutoVerifiedAttributes {
		if a != "phone_number" {
			phoneOnly = false
		}
	}
	if phoneOnly {
		return &CodeDeliveryDetails{Destination: fmt.Sprintf("+*******%04d", (int(sum[0])<<8|int(sum[1]))%10000),
			DeliveryMedium: messages.SMS, AttributeName: "phone_number"}
	}
	letter := func(b byte) string { return string(rune('a' + b%26)) }
	return &CodeDeliveryDetails{Destination: letter(sum[0]) + "***@" + letter(sum[1]) + "***",
		DeliveryMedium: messages.Email, AttributeName: "email"}
}

// ---------------------------------------------------------------------------
// SignUp

// SignUpInput is SignUp's request. LinkBase is the public base URL that
// confirmation links point to (pools with CONFIRM_WITH_LINK).
type SignUpInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	Password       string
	UserAttributes []Attribute
	ValidationData []Attribute
	ClientMetadata map[string]string
	LinkBase       string
}

// SignUpOutput is SignUp's response; CodeDelivery is nil when no code was
// sent.
type SignUpOutput struct {
	UserConfirmed bool
	UserSub       string
	CodeDelivery  *CodeDeliveryDetails
	User          *store.User
}

// SignUp registers a user through an app client, in status UNCONFIRMED,
// and sends a confirmation code to the first of the pool's auto-verified
// attributes the user has.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*SignUpOutput, error) {
	if err := userpool.ValidateClientID(in.ClientID); err != nil {
		return nil, err
	}
	if err := validateUsernameForm(in.Username); err != nil {
		return nil, err
	}
	client, pool, err := s.endUserClient(ctx, in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	if cfg.AdminCreateUserOnly() {
		return nil, errs.New(errs.NotAuthorized, "SignUp is not permitted for this user pool")
	}

	var rec *password.Record
	if in.Password == "" {
		if !passwordlessAllowed(cfg) {
			return nil, errs.Param("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
		}
	} else if err := checkPassword(cfg.PasswordPolicy(), in.Password, "password", false); err != nil {
		return nil, err
	}

	attrs, err := validateAttributes(cfg, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	for _, a := range in.UserAttributes {
		if !clientMayWrite(&client.Config, a.Name) {
			return nil, errs.New(errs.NotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	username, err := usernameRules(cfg, in.Username, attrs)
	if err != nil {
		return nil, err
	}
	if err := checkRequired(cfg, attrs); err != nil {
		return nil, err
	}
	if in.Password != "" {
		if rec, err = password.New(pool.PoolName(), username, in.Password); err != nil {
			return nil, err
		}
	}

	now := s.now()
	u := &store.User{
		PoolID: pool.ID, Username: username, UsernameKey: Key(cfg, username), Sub: uuid.NewString(),
		Status: StatusUnconfirmed, Enabled: true, Attributes: attrs, Aliases: aliasesFor(cfg, attrs),
		Created: now, Modified: now,
	}
	if rec != nil {
		u.Password, u.PasswordSet = rec.Marshal(), now
	}
	caller := Caller{ClientID: client.ID, ClientMetadata: in.ClientMetadata}
	pre, err := s.preSignUp(ctx, pool, triggers.PreSignUpSignUp, caller, username, attrs, in.ValidationData)
	if err != nil {
		return nil, err
	}
	forceAlias, err := applyPreSignUp(cfg, u, pre)
	if err != nil {
		return nil, err
	}
	d, send := verifyTarget(cfg, attrs)
	send = send && u.Status == StatusUnconfirmed // autoConfirmUser: no code
	var code string
	if send {
		if code, err = issueLimitedCode(u, CodeSignUp, d.Attribute, SignUpCodeTTL, now); err != nil {
			return nil, err
		}
	}
	// One write: the user, its aliases and its pending code together.
	if err := s.createSignUpUser(ctx, pool, u, forceAlias); err != nil {
		return nil, err
	}
	out := &SignUpOutput{UserConfirmed: u.Status == StatusConfirmed, UserSub: u.Sub, User: u}
	if send {
		if err := s.sendConfirmation(ctx, pool, caller, u, d, messages.KindSignUp, code, in.LinkBase); err != nil {
			return nil, err
		}
		out.CodeDelivery = d.details()
	}
	return out, nil
}

// passwordlessAllowed reports whether users may sign up without a password:
// only when the pool offers a one-time-password first factor.
func passwordlessAllowed(cfg *userpool.Config) bool {
	if cfg.Policies == nil || cfg.Policies.SignInPolicy == nil {
		return false
	}
	for _, f := range cfg.Policies.SignInPolicy.AllowedFirstAuthFactors {
		if f == "EMAIL_OTP" || f == "SMS_OTP" {
			return true
		}
	}
	return false
}

// clientMayWrite reports whether an app client may set an attribute: those
// in its WriteAttributes when it has them, else every attribute but the
// verification flags.
func clientMayWrite(c *userpool.ClientConfig, name string) bool {
	if len(c.WriteAttributes) == 0 {
		return name != "email_verified" && name != "phone_number_verified"
	}
	for _, w := range c.WriteAttributes {
		if w == name {
			return true
		}
	}
	return false
}

// usernameRules applies the pool's username rules, as AdminCreateUser
// does: with UsernameAttributes the name given is the email or phone (stored
// as that attribute) and the username a new UUID; with alias attributes the
// username may not look like one.
func usernameRules(cfg *userpool.Config, name string, attrs map[string]string) (string, error) {
	if len(cfg.UsernameAttributes) == 0 {
		if cfg.AliasAttribute("email") && userpool.ValidEmail(name) {
			return "", errs.Param("Username cannot be of email format, since user pool is configured for email alias.")
		}
		if cfg.AliasAttribute("phone_number") && userpool.ValidPhone(name) {
			return "", errs.Param("Username cannot be of phone number format, since user pool is configured for phone_number alias.")
		}
		return name, nil
	}
	kind := ""
	switch {
	case cfg.UsernameAttribute("email") && userpool.ValidEmail(name):
		kind = "email"
	case cfg.UsernameAttribute("phone_number") && userpool.ValidPhone(name):
		kind = "phone_number"
	}
	if kind == "" {
		return "", errs.Param("Username should be %s.", usernameAttributesWord(cfg))
	}
	if v, ok := attrs[kind]; ok && aliasValue(cfg, kind, v) != aliasValue(cfg, kind, name) {
		return "", errs.Param("The %s attribute must match the username %s.", kind, name)
	}
	attrs[kind] = name
	return uuid.NewString(), nil
}

// ---------------------------------------------------------------------------
// ConfirmSignUp

// ConfirmSignUpInput is ConfirmSignUp's request.
type ConfirmSignUpInput struct {
	ClientID           string
	SecretHash         string
	Username           string
	ConfirmationCode   string
	ForceAliasCreation bool
	ClientMetadata     map[string]string
}

// ConfirmSignUp confirms an UNCONFIRMED user with the code sent at sign-up:
// the user becomes CONFIRMED and the attribute the code went to verified.
// A verified email or phone that another user holds as an alias fails with
// AliasExistsException, or with ForceAliasCreation moves to this user.
func (s *Service) ConfirmSignUp(ctx context.Context, in ConfirmSignUpInput) (*store.User, error) {
	if err := checkCodeRequest(in.ClientID, in.Username, in.ConfirmationCode); err != nil {
		return nil, err
	}
	client, pool, err := s.endUserClient(ctx, in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	u, found, err := s.findEndUser(ctx, pool, in.Username)
	if err != nil {
		return nil, err
	}
	if !found {
		if client.Config.PreventsUserExistenceErrors() {
			return nil, codeMismatch()
		}
		return nil, clientUserNotFound()
	}
	for attempt := 0; ; attempt++ {
		var result error
		out, err := s.Store.UpdateUser(ctx, pool.ID, u.UsernameKey, func(u *store.User) error {
			if !u.Enabled {
				return userDisabled()
			}
			if u.Status != StatusUnconfirmed {
				return errs.New(errs.NotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
			}
			now := s.now()
			c, err := checkCode(u, CodeSignUp, in.ConfirmationCode, now)
			if err != nil {
				if errs.Is(err, errCodeMismatch) {
					result = err // keep the counted attempt
					u.Modified = now
					return nil
				}
				return err
			}
			u.Status = StatusConfirmed
			if c.Attribute == "email" || c.Attribute == "phone_number" {
				if u.Attributes == nil {
					u.Attributes = map[string]string{}
				}
				u.Attributes[c.Attribute+"_verified"] = "true"
			}
			u.Aliases = aliasesFor(cfg, u.Attributes)
			u.Modified = now
			return nil
		})
		var ac *store.AliasConflictError
		switch {
		case err == nil && result != nil:
			return nil, result
		case err == nil:
			return out, s.postConfirmation(ctx, pool, triggers.PostConfirmationConfirmSignUp,
				Caller{ClientID: client.ID, ClientMetadata: in.ClientMetadata}, out)
		case errors.As(err, &ac) && in.ForceAliasCreation && !cfg.UsernameAttribute(ac.Kind) && attempt < 3:
			if err := s.releaseAlias(ctx, pool, ac); err != nil {
				return nil, err
			}
		default:
			return nil, mapStoreErr(cfg, err)
		}
	}
}

// ---------------------------------------------------------------------------
// ResendConfirmationCode

// ResendInput is ResendConfirmationCode's request.
type ResendInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	ClientMetadata map[string]string
	LinkBase       string
}

// ResendConfirmationCode sends an UNCONFIRMED user a new sign-up code,
// replacing the old one.
func (s *Service) ResendConfirmationCode(ctx context.Context, in ResendInput) (*CodeDeliveryDetails, error) {
	if err := userpool.ValidateClientID(in.ClientID); err != nil {
		return nil, err
	}
	if err := validateUsernameForm(in.Username); err != nil {
		return nil, err
	}
	client, pool, err := s.endUserClient(ctx, in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	prevent := client.Config.PreventsUserExistenceErrors()
	u, found, err := s.findEndUser(ctx, pool, in.Username)
	switch {
	case err != nil:
		return nil, err
	case !found && prevent, found && !u.Enabled && prevent:
		return simulatedDelivery(pool, in.Username), nil
	case !found:
		return nil, clientUserNotFound()
	case !u.Enabled:
		return nil, userDisabled()
	}
	var d Delivery
	var code string
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		if u.Status != StatusUnconfirmed {
			return errs.Param("User is already confirmed.")
		}
		var ok bool
		if d, ok = verifyTarget(&pool.Config, u.Attributes); !ok {
			return errs.Param("Cannot resend codes. Auto verification not turned on.")
		}
		var err error
		code, err = issueLimitedCode(u, CodeSignUp, d.Attribute, SignUpCodeTTL, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendConfirmation(ctx, pool, Caller{ClientID: client.ID, ClientMetadata: in.ClientMetadata}, u, d, messages.KindResendCode, code, in.LinkBase); err != nil {
		return nil, err
	}
	return d.details(), nil
}

// ---------------------------------------------------------------------------
// ForgotPassword

// ForgotPasswordInput is ForgotPassword's request.
type ForgotPasswordInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	ClientMetadata map[string]string
}

// ForgotPassword sends a password-reset code (valid one hour) to the user's
// recovery target: a verified phone number or email, in the pool's
// AccountRecoverySetting order. The user's status does not change.
func (s *Service) ForgotPassword(ctx context.Context, in ForgotPasswordInput) (*CodeDeliveryDetails, error) {
	if err := userpool.ValidateClientID(in.ClientID); err != nil {
		return nil, err
	}
	if err := validateUsernameForm(in.Username); err != nil {
		return nil, err
	}
	client, pool, err := s.endUserClient(ctx, in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	prevent := client.Config.PreventsUserExistenceErrors()
	caller := Caller{ClientID: client.ID, ClientMetadata: in.ClientMetadata}
	u, found, err := s.findEndUser(ctx, pool, in.Username)
	if err == nil && !found {
		// An unknown user may come from the migrate user function.
		u, found, err = s.migrateForReset(ctx, pool, caller, in.Username)
		if errs.Is(err, errs.UserNotFound) && prevent {
			return simulatedDelivery(pool, in.Username), nil
		}
	}
	if err != nil {
		return nil, err
	}
	// With PreventUserExistenceErrors a user that is unknown, disabled or
	// cannot be reached gets a simulated delivery, so the answer does not
	// tell whether the account exists.
	var fail error
	var d Delivery
	switch {
	case !found:
		fail = clientUserNotFound()
	case !u.Enabled:
		fail = userDisabled()
	case u.Status == StatusForceChangePassword || u.Status == StatusExternalProvider:
		fail = errs.New(errs.NotAuthorized, "User password cannot be reset in the current state.")
	default:
		var ok bool
		if d, ok = RecoveryTarget(&pool.Config, u); !ok {
			fail = errs.Param("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
	}
	if fail != nil {
		if prevent {
			return simulatedDelivery(pool, in.Username), nil
		}
		return nil, fail
	}
	var code string
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		var err error
		code, err = issueLimitedCode(u, CodeForgotPassword, d.Attribute, ForgotPasswordCodeTTL, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.SendCode(ctx, pool, caller, u, d, messages.KindForgotPassword, code); err != nil {
		return nil, err
	}
	return d.details(), nil
}

// ---------------------------------------------------------------------------
// ConfirmForgotPassword

// ConfirmForgotPasswordInput is ConfirmForgotPassword's request.
type ConfirmForgotPasswordInput struct {
	ClientID         string
	SecretHash       string
	Username         string
	ConfirmationCode string
	Password         string
	ClientMetadata   map[string]string
}

// ConfirmForgotPassword sets a new password with a password-reset code
// (from ForgotPassword or AdminResetUserPassword). The user becomes
// CONFIRMED and the code is consumed.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in ConfirmForgotPasswordInput) (*store.User, error) {
	if err := checkCodeRequest(in.ClientID, in.Username, in.ConfirmationCode); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	client, pool, err := s.endUserClient(ctx, in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	// The policy is the pool's, so checking it first reveals nothing about
	// the user.
	if err := checkPassword(pool.Config.PasswordPolicy(), in.Password, "password", false); err != nil {
		return nil, err
	}
	prevent := client.Config.PreventsUserExistenceErrors()
	u, found, err := s.findEndUser(ctx, pool, in.Username)
	switch {
	case err != nil:
		return nil, err
	case !found || !u.Enabled:
		password.DummyVerify(in.Password) // same work as hashing the new password
		switch {
		case prevent:
			return nil, codeMismatch()
		case !found:
			return nil, clientUserNotFound()
		default:
			return nil, userDisabled()
		}
	}
	rec, err := password.New(pool.PoolName(), u.Username, in.Password)
	if err != nil {
		return nil, err
	}
	var result error
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		now := s.now()
		if _, err := checkCode(u, CodeForgotPassword, in.ConfirmationCode, now); err != nil {
			if errs.Is(err, errCodeMismatch) {
				result = err // keep the counted attempt
				return nil
			}
			return err
		}
		u.Password = rec.Marshal()
		u.PasswordSet = now
		u.Status = StatusConfirmed
		return nil
	})
	if err != nil {
		return nil, err
	}
	if result != nil {
		return nil, result
	}
	return u, s.postConfirmation(ctx, pool, triggers.PostConfirmationConfirmForgotPassword,
		Caller{ClientID: client.ID, ClientMetadata: in.ClientMetadata}, u)
}
