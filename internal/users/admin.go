package users

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// CreateInput is AdminCreateUser's request.
type CreateInput struct {
	Username               string
	UserAttributes         []Attribute
	ValidationData         []Attribute
	TemporaryPassword      string
	ForceAliasCreation     bool
	MessageAction          string // "", RESEND or SUPPRESS
	DesiredDeliveryMediums []string
	ClientMetadata         map[string]string
}

// AdminCreateUser creates a user with a temporary password in status
// FORCE_CHANGE_PASSWORD and sends the invitation, as Cognito does.
func (s *Service) AdminCreateUser(ctx context.Context, poolID string, in CreateInput) (*store.User, error) {
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	if err := validateUsernameForm(in.Username); err != nil {
		return nil, err
	}
	switch in.MessageAction {
	case "", "RESEND", "SUPPRESS":
	default:
		return nil, errs.Param("1 validation error detected: Value '%s' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]", in.MessageAction)
	}
	mediums := in.DesiredDeliveryMediums
	if len(mediums) == 0 {
		mediums = []string{messages.SMS} // Cognito's default
	}
	for _, m := range mediums {
		if m != messages.SMS && m != messages.Email {
			return nil, errs.Param("1 validation error detected: Value '[%s]' at 'desiredDeliveryMediums' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [SMS, EMAIL]]", m)
		}
	}
	policy := cfg.PasswordPolicy()
	temp := in.TemporaryPassword
	if temp != "" {
		if err := checkPassword(policy, temp, "temporaryPassword", true); err != nil {
			return nil, err
		}
	} else {
		temp = policy.Generate()
	}

	if in.MessageAction == "RESEND" {
		return s.resendInvitation(ctx, pool, adminCaller(in.ClientMetadata), in.Username, temp, mediums)
	}

	attrs, err := validateAttributes(cfg, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	username, err := usernameRules(cfg, in.Username, attrs)
	if err != nil {
		return nil, err
	}
	if err := checkRequired(cfg, attrs); err != nil {
		return nil, err
	}
	deliveries, err := deliveryTargets(attrs, mediums, in.MessageAction == "SUPPRESS")
	if err != nil {
		return nil, err
	}
	if _, err := s.preSignUp(ctx, pool, triggers.PreSignUpAdminCreateUser, adminCaller(in.ClientMetadata), username, attrs, in.ValidationData); err != nil {
		return nil, err // the answer itself is ignored for AdminCreateUser
	}
	rec, err := password.New(pool.PoolName(), username, temp)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &store.User{
		PoolID: pool.ID, Username: username, UsernameKey: Key(cfg, username), Sub: uuid.NewString(),
		Status: StatusForceChangePassword, Enabled: true, Attributes: attrs, Aliases: aliasesFor(cfg, attrs),
		Password: rec.Marshal(), PasswordSet: now, Created: now, Modified: now,
	}
	if err := s.createUser(ctx, pool, u, in.ForceAliasCreation); err != nil {
		return nil, err
	}
	if err := s.sendInvitation(ctx, pool, adminCaller(in.ClientMetadata), u, temp, deliveries); err != nil {
		return nil, err
	}
	return u, nil
}

// createUser stores u; with force, an alias held by another user moves to u
// (the other user's attribute stays but is no longer verified).
func (s *Service) createUser(ctx context.Context, pool *userpool.Pool, u *store.User, force bool) error {
	for attempt := 0; ; attempt++ {
		err := s.Store.CreateUser(ctx, u)
		var ac *store.AliasConflictError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, store.ErrExists):
			return errs.New(errs.UsernameExists, "User account already exists")
		case errors.As(err, &ac) && force && !pool.Config.UsernameAttribute(ac.Kind) && attempt < 3:
			if err := s.releaseAlias(ctx, pool, ac); err != nil {
				return err
			}
			continue
		default:
			return mapUniqueErr(&pool.Config, err, true)
		}
	}
}

// releaseAlias takes an alias away from its current owner by marking the
// attribute unverified (or, for preferred_username, removing it).
func (s *Service) releaseAlias(ctx context.Context, pool *userpool.Pool, ac *store.AliasConflictError) error {
	_, err := s.Store.UpdateUser(ctx, pool.ID, ac.Owner, func(o *store.User) error {
		if ac.Kind == "preferred_username" {
			delete(o.Attributes, "preferred_username")
		} else {
			o.Attributes[ac.Kind+"_verified"] = "false"
		}
		o.Aliases = aliasesFor(&pool.Config, o.Attributes)
		o.Modified = s.now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // the owner is gone; the retry will succeed
	}
	return err
}

func usernameAttributesWord(cfg *userpool.Config) string {
	email, phone := cfg.UsernameAttribute("email"), cfg.UsernameAttribute("phone_number")
	switch {
	case email && phone:
		return "either an email or a phone number"
	case email:
		return "an email"
	default:
		return "a phone number"
	}
}

type delivery struct{ channel, destination string }

// deliveryTargets picks where the invitation goes. Cognito refuses to create
// a user it was asked to message but cannot reach.
func deliveryTargets(attrs map[string]string, mediums []string, suppress bool) ([]delivery, error) {
	if suppress {
		return nil, nil
	}
	var out []delivery
	for _, m := range mediums {
		switch m {
		case messages.Email:
			if attrs["email"] != "" {
				out = append(out, delivery{messages.Email, attrs["email"]})
			}
		case messages.SMS:
			if attrs["phone_number"] != "" {
				out = append(out, delivery{messages.SMS, attrs["phone_number"]})
			}
		}
	}
	if len(out) == 0 {
		return nil, errs.Param("User has no attribute matching desired delivery mediums")
	}
	return out, nil
}

func (s *Service) resendInvitation(ctx context.Context, pool *userpool.Pool, cl Caller, name, temp string, mediums []string) (*store.User, error) {
	u, err := s.Find(ctx, pool, name)
	if err != nil {
		return nil, err
	}
	if u.Status != StatusForceChangePassword {
		return nil, errs.New(errs.UnsupportedUserState, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
	}
	deliveries, err := deliveryTargets(u.Attributes, mediums, false)
	if err != nil {
		return nil, err
	}
	rec, err := password.New(pool.PoolName(), u.Username, temp)
	if err != nil {
		return nil, err
	}
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		if u.Status != StatusForceChangePassword {
			return errs.New(errs.UnsupportedUserState, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
		}
		u.Password = rec.Marshal()
		u.PasswordSet = s.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendInvitation(ctx, pool, cl, u, temp, deliveries); err != nil {
		return nil, err
	}
	return u, nil
}

// sendInvitation delivers the temporary password with the pool's invitation
// template. The user is already saved: a delivery failure is logged, as
// Cognito keeps the user too.
func (s *Service) sendInvitation(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User, temp string, to []delivery) error {
	tmpl := &userpool.InviteMessageTemplate{}
	if ac := pool.Config.AdminCreateUserConfig; ac != nil && ac.InviteMessageTemplate != nil {
		tmpl = ac.InviteMessageTemplate
	}
	signInName := u.Username
	if len(pool.Config.UsernameAttributes) > 0 {
		if e := u.Attributes["email"]; e != "" && pool.Config.UsernameAttribute("email") {
			signInName = e
		} else if p := u.Attributes["phone_number"]; p != "" {
			signInName = p
		}
	}
	ms := make([]*messages.Message, 0, len(to))
	for _, d := range to {
		m := messages.Message{PoolID: pool.ID, Username: u.Username, Channel: d.channel, Destination: d.destination,
			Kind: messages.KindAdminCreateUser, Code: temp, Time: s.now()}
		if d.channel == messages.Email {
			m.Subject = orDefault(tmpl.EmailSubject, "Your temporary password")
			m.Body = fill(orDefault(tmpl.EmailMessage, "Your username is {username} and temporary password is {####}."), signInName, temp)
		} else {
			m.Body = fill(orDefault(tmpl.SMSMessage, "Your username is {username} and temporary password is {####}."), signInName, temp)
		}
		ms = append(ms, &m)
	}
	if err := s.customize(ctx, pool, cl, u, messages.KindAdminCreateUser, msgValues{username: signInName, code: temp}, ms...); err != nil {
		return err
	}
	for _, m := range ms {
		s.deliver(ctx, pool, *m)
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func fill(tmpl, username, code string) string {
	return strings.NewReplacer("{username}", username, "{####}", code).Replace(tmpl)
}

// AdminDeleteUser deletes a user.
func (s *Service) AdminDeleteUser(ctx context.Context, poolID, name string) error {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return err
	}
	// Its refresh tokens (and the access tokens minted from them) go with
	// it, so nothing of it survives into a new user of the same name.
	if err := s.Store.RevokeUserTokens(ctx, pool.ID, u.UsernameKey); err != nil {
		return err
	}
	return mapStoreErr(&pool.Config, s.Store.DeleteUser(ctx, pool.ID, u.UsernameKey))
}

// AdminUpdateUserAttributes sets attributes. A changed email or phone number
// becomes unverified unless the same call verifies it, as in Cognito.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, poolID, name string, in []Attribute, cl ...Caller) (*store.User, error) {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	attrs, err := validateAttributes(cfg, in)
	if err != nil {
		return nil, err
	}
	var sends []Delivery
	var codes map[string]string
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		for k, v := range attrs {
			old, had := u.Attributes[k]
			if had && old != v && !cfg.Mutable(k) {
				return errs.Param("Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", k)
			}
		}
		var err error
		if sends, codes, err = s.changeContacts(cfg, u, attrs); err != nil {
			return err
		}
		if u.Attributes == nil {
			u.Attributes = map[string]string{}
		}
		for k, v := range attrs {
			u.Attributes[k] = v
		}
		u.Aliases = aliasesFor(cfg, u.Attributes)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range sends {
		if err := s.SendCode(ctx, pool, callerOr(cl, adminCaller(nil)), u, d, messages.KindUpdateUserAttribute, codes[d.Attribute]); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// channelOf is the medium that reaches an attribute.
func channelOf(attr string) string {
	if attr == "phone_number" {
		return messages.SMS
	}
	return messages.Email
}

// AdminDeleteUserAttributes removes attributes; required ones and sub stay.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, poolID, name string, names []string) (*store.User, error) {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	if len(names) == 0 {
		return nil, errs.Param("1 validation error detected: Value null at 'userAttributeNames' failed to satisfy constraint: Member must not be null")
	}
	for _, n := range names {
		a, ok := cfg.Attribute(n)
		if !ok {
			return nil, errs.Param("Attribute does not exist in the schema: %s", n)
		}
		if n == "sub" || (a.Required != nil && *a.Required) {
			return nil, errs.Param("Attributes did not conform to the schema: %s: The attribute is required", n)
		}
		if len(cfg.UsernameAttributes) > 0 && cfg.UsernameAttribute(n) {
			return nil, errs.Param("Cannot delete %s: it is the user's sign-in name.", n)
		}
	}
	return s.update(ctx, pool, u, func(u *store.User) error {
		for _, n := range names {
			delete(u.Attributes, n)
			if n == "email" || n == "phone_number" {
				delete(u.Attributes, n+"_verified")
			}
		}
		u.Aliases = aliasesFor(cfg, u.Attributes)
		return nil
	})
}

// SetEnabled is AdminEnableUser / AdminDisableUser.
func (s *Service) SetEnabled(ctx context.Context, poolID, name string, enabled bool) error {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, pool, u, func(u *store.User) error {
		u.Enabled = enabled
		return nil
	})
	if err != nil || enabled {
		return err
	}
	// Cognito signs a disabled user out: its refresh tokens, and the access
	// tokens minted from them, stop working.
	return s.Store.RevokeUserTokens(ctx, pool.ID, u.UsernameKey)
}

// AdminSetUserPassword sets a password: permanent ones confirm the user,
// temporary ones require a change at the next sign-in.
func (s *Service) AdminSetUserPassword(ctx context.Context, poolID, name, pw string, permanent bool) error {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return err
	}
	if pw == "" {
		return errs.Param("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	if u.Status == StatusExternalProvider {
		return errs.Param("Cannot set a password for a user of an external identity provider.")
	}
	if err := checkPassword(pool.Config.PasswordPolicy(), pw, "password", true); err != nil {
		return err
	}
	rec, err := password.New(pool.PoolName(), u.Username, pw)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, pool, u, func(u *store.User) error {
		u.Password = rec.Marshal()
		u.PasswordSet = s.now()
		if permanent {
			u.Status = StatusConfirmed
		} else {
			u.Status = StatusForceChangePassword
		}
		return nil
	})
	return err
}

// AdminResetUserPassword invalidates the password and sends a reset code to
// the user's verified email or phone; sign-in then fails with
// PasswordResetRequiredException until ConfirmForgotPassword.
func (s *Service) AdminResetUserPassword(ctx context.Context, poolID, name string, cl ...Caller) error {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return err
	}
	if u.Status == StatusExternalProvider {
		return errs.New(errs.NotAuthorized, "Cannot reset password for the user of an external identity provider.")
	}
	d, ok := RecoveryTarget(&pool.Config, u)
	if !ok {
		return errs.Param("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	var code string
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		var err error
		code, err = IssueCode(u, CodeForgotPassword, "", time.Hour, s.now())
		if u.Status != StatusUnconfirmed {
			u.Status = StatusResetRequired
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.SendCode(ctx, pool, callerOr(cl, adminCaller(nil)), u, d, messages.KindForgotPassword, code)
}

// Delivery is where a code goes.
type Delivery struct {
	Channel     string // EMAIL or SMS
	Attribute   string // email or phone_number
	Destination string
}

// RecoveryTarget picks where a password-reset code goes: the pool's
// AccountRecoverySetting order, else a verified phone then a verified email
// (Cognito's legacy order).
func RecoveryTarget(cfg *userpool.Config, u *store.User) (Delivery, bool) {
	order := []string{"verified_phone_number", "verified_email"}
	if ar := cfg.AccountRecoverySetting; ar != nil && len(ar.RecoveryMechanisms) > 0 {
		order = order[:0]
		ms := append([]userpool.RecoveryOption(nil), ar.RecoveryMechanisms...)
		if len(ms) == 2 && ms[1].Priority < ms[0].Priority {
			ms[0], ms[1] = ms[1], ms[0]
		}
		for _, m := range ms {
			order = append(order, m.Name)
		}
	}
	for _, o := range order {
		switch o {
		case "verified_email":
			if u.Attributes["email"] != "" && u.Attributes["email_verified"] == "true" {
				return Delivery{messages.Email, "email", u.Attributes["email"]}, true
			}
		case "verified_phone_number":
			if u.Attributes["phone_number"] != "" && u.Attributes["phone_number_verified"] == "true" {
				return Delivery{messages.SMS, "phone_number", u.Attributes["phone_number"]}, true
			}
		}
	}
	return Delivery{}, false
}

// SendCode delivers a code with the pool's verification template, or the
// custom message function's text (see customize), for a call made by cl.
func (s *Service) SendCode(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User, d Delivery, kind, code string) error {
	vt := pool.Config.VerificationMessageTemplate
	if vt == nil {
		vt = &userpool.VerificationMessageTemplate{}
	}
	m := messages.Message{PoolID: pool.ID, Username: u.Username, Channel: d.Channel, Destination: d.Destination,
		Kind: kind, Code: code, Time: s.now()}
	if d.Channel == messages.Email {
		m.Subject = orDefault(vt.EmailSubject, "Your verification code")
		m.Body = fill(orDefault(vt.EmailMessage, "Your verification code is {####}."), u.Username, code)
	} else {
		m.Body = fill(orDefault(vt.SmsMessage, "Your verification code is {####}."), u.Username, code)
	}
	if err := s.customize(ctx, pool, cl, u, kind, msgValues{username: u.Username, code: code}, &m); err != nil {
		return err
	}
	s.deliver(ctx, pool, m)
	return nil
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code, then runs
// the post confirmation trigger (PostConfirmation_ConfirmSignUp).
func (s *Service) AdminConfirmSignUp(ctx context.Context, poolID, name string, cl ...Caller) error {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return err
	}
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		if u.Status != StatusUnconfirmed {
			return errs.New(errs.NotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
		}
		u.Status = StatusConfirmed
		st, err := DecodeSettings(u)
		if err != nil {
			return err
		}
		delete(st.Codes, CodeSignUp)
		EncodeSettings(u, st)
		return nil
	})
	if err != nil {
		return err
	}
	return s.postConfirmation(ctx, pool, triggers.PostConfirmationConfirmSignUp, callerOr(cl, adminCaller(nil)), u)
}
