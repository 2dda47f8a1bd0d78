package users

import (
	"context"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// What users do to their own account: answer NEW_PASSWORD_REQUIRED, change
// their password and attributes. The client's WriteAttributes limit what
// they may write.

// clientWritable checks that a client may write the attributes.
func clientWritable(c *userpool.Client, attrs map[string]string) error {
	for name := range attrs {
		if !clientMayWrite(&c.Config, name) {
			return errs.New(errs.NotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	return nil
}

// userWritable validates attributes a user writes: schema, client
// permissions, immutables, and developer-only attributes (admin only).
func userWritable(cfg *userpool.Config, c *userpool.Client, u *store.User, in []Attribute) (map[string]string, error) {
	attrs, err := validateAttributes(cfg, in)
	if err != nil {
		return nil, err
	}
	for name, v := range attrs {
		if strings.HasPrefix(name, devCustomPrefix) {
			return nil, errs.New(errs.NotAuthorized, "A client attempted to write unauthorized attribute")
		}
		if old, had := u.Attributes[name]; had && old != v && !cfg.Mutable(name) {
			return nil, errs.Param("Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", name)
		}
	}
	if err := clientWritable(c, attrs); err != nil {
		return nil, err
	}
	return attrs, nil
}

const devCustomPrefix = "dev:custom:"

// CheckNewPassword validates an answer to NEW_PASSWORD_REQUIRED without
// changing anything.
func (s *Service) CheckNewPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, username, pw string, in []Attribute) error {
	_, _, err := s.prepareNewPassword(ctx, pool, c, username, pw, in)
	return err
}

func (s *Service) prepareNewPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, username, pw string, in []Attribute) (*store.User, map[string]string, error) {
	u, err := s.Store.GetUser(ctx, pool.ID, Key(&pool.Config, username))
	if err != nil {
		return nil, nil, mapStoreErr(&pool.Config, err)
	}
	if u.Status != StatusForceChangePassword {
		return nil, nil, errs.New(errs.NotAuthorized, "Invalid session for the user.")
	}
	if err := checkPassword(pool.Config.PasswordPolicy(), pw, "NEW_PASSWORD", false); err != nil {
		return nil, nil, err
	}
	attrs, err := userWritable(&pool.Config, c, u, in)
	if err != nil {
		return nil, nil, err
	}
	merged := map[string]string{}
	for k, v := range u.Attributes {
		merged[k] = v
	}
	for k, v := range attrs {
		merged[k] = v
	}
	if err := checkRequired(&pool.Config, merged); err != nil {
		return nil, nil, err
	}
	return u, attrs, nil
}

// CompleteNewPassword sets the permanent password (and attributes) of a
// user answering NEW_PASSWORD_REQUIRED and confirms the user.
func (s *Service) CompleteNewPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, username, pw string, in []Attribute) (*store.User, error) {
	u, attrs, err := s.prepareNewPassword(ctx, pool, c, username, pw, in)
	if err != nil {
		return nil, err
	}
	rec, err := password.New(pool.PoolName(), u.Username, pw)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, pool, u, func(u *store.User) error {
		for k, v := range attrs {
			u.Attributes[k] = v
		}
		u.Aliases = aliasesFor(&pool.Config, u.Attributes)
		u.Password = rec.Marshal()
		u.PasswordSet = s.now()
		u.Status = StatusConfirmed
		return nil
	})
}

// ChangePassword is the ChangePassword operation: the previous password must
// be right.
func (s *Service) ChangePassword(ctx context.Context, pool *userpool.Pool, u *store.User, previous, proposed string) error {
	if previous == "" {
		return errs.Param("1 validation error detected: Value null at 'previousPassword' failed to satisfy constraint: Member must not be null")
	}
	if err := checkPassword(pool.Config.PasswordPolicy(), proposed, "proposedPassword", false); err != nil {
		return err
	}
	old, err := password.Unmarshal(u.Password)
	if err != nil || !old.Verify(previous) {
		return errs.New(errs.NotAuthorized, "Incorrect username or password.")
	}
	rec, err := password.New(pool.PoolName(), u.Username, proposed)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, pool, u, func(u *store.User) error {
		u.Password = rec.Marshal()
		u.PasswordSet = s.now()
		return nil
	})
	return err
}

// UpdateOwnAttributes is UpdateUserAttributes: the user writes attributes
// its client may write. A changed email or phone becomes unverified and, when
// the pool auto-verifies it, a code is sent. It returns where codes went.
func (s *Service) UpdateOwnAttributes(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, in []Attribute, cl ...Caller) ([]Delivery, error) {
	attrs, err := userWritable(&pool.Config, c, u, in)
	if err != nil {
		return nil, err
	}
	cfg := &pool.Config
	var sends []Delivery
	var codes map[string]string
	u, err = s.update(ctx, pool, u, func(u *store.User) error {
		var err error
		if sends, codes, err = s.changeContacts(cfg, u, attrs); err != nil {
			return err
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
		if err := s.SendCode(ctx, pool, callerOr(cl, Caller{ClientID: c.ID}), u, d, messages.KindUpdateUserAttribute, codes[d.Attribute]); err != nil {
			return nil, err
		}
	}
	return sends, nil
}

// changeContacts applies a change of email or phone number in attrs (about
// to be written to u) as Cognito does: the new value is unverified, unless
// the caller (an administrator) sets it verified in the same call; when the
// pool keeps old values until verification, the new value waits in the code
// instead; when the pool auto-verifies the attribute, a code is issued. It
// returns where codes must go once the update is saved.
func (s *Service) changeContacts(cfg *userpool.Config, u *store.User, attrs map[string]string) ([]Delivery, map[string]string, error) {
	var sends []Delivery
	codes := map[string]string{}
	for _, kind := range []string{"email", "phone_number"} {
		v, changing := attrs[kind]
		if !changing || v == u.Attributes[kind] || attrs[kind+"_verified"] == "true" {
			continue
		}
		pending := ""
		if requiresVerificationBeforeUpdate(cfg, kind) && u.Attributes[kind] != "" {
			// The old value (and its verified flag) stays until the new one
			// is verified.
			pending = v
			delete(attrs, kind)
			delete(attrs, kind+"_verified")
		} else {
			attrs[kind+"_verified"] = "false"
		}
		if !contains(cfg.AutoVerifiedAttributes, kind) {
			continue
		}
		code, err := IssueCode(u, verifyPurpose(kind), kind, 24*time.Hour, s.now())
		if err != nil {
			return nil, nil, err
		}
		if pending != "" {
			if err := setPending(u, verifyPurpose(kind), pending); err != nil {
				return nil, nil, err
			}
		}
		sends = append(sends, Delivery{Channel: channelOf(kind), Attribute: kind, Destination: v})
		codes[kind] = code
	}
	return sends, codes, nil
}

// setPending records the value a verification code will apply.
func setPending(u *store.User, purpose, value string) error {
	st, err := DecodeSettings(u)
	if err != nil {
		return err
	}
	if c := st.Codes[purpose]; c != nil {
		c.Pending = value
	}
	EncodeSettings(u, st)
	return nil
}

// verifyPurpose names the code that verifies an attribute.
func verifyPurpose(attr string) string { return "verify:" + attr }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// DeleteOwnAttributes is DeleteUserAttributes.
func (s *Service) DeleteOwnAttributes(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, names []string) error {
	check := map[string]string{}
	for _, n := range names {
		check[n] = ""
	}
	if err := clientWritable(c, check); err != nil {
		return err
	}
	_, err := s.AdminDeleteUserAttributes(ctx, pool.ID, u.Username, names)
	return err
}

// SendVerificationCode is GetUserAttributeVerificationCode; cl is the app
// client of the access token and the call's ClientMetadata, for the custom
// message trigger.
func (s *Service) SendVerificationCode(ctx context.Context, pool *userpool.Pool, u *store.User, attr string, cl ...Caller) (Delivery, error) {
	if attr != "email" && attr != "phone_number" {
		return Delivery{}, errs.Param("Invalid attribute name: only email and phone_number can be verified.")
	}
	v := u.Attributes[attr]
	if v == "" {
		return Delivery{}, errs.Param("The user has no %s to verify.", attr)
	}
	d := Delivery{Channel: channelOf(attr), Attribute: attr, Destination: v}
	var code string
	u, err := s.update(ctx, pool, u, func(u *store.User) error {
		var err error
		code, err = IssueCode(u, verifyPurpose(attr), attr, 24*time.Hour, s.now())
		return err
	})
	if err != nil {
		return Delivery{}, err
	}
	if err := s.SendCode(ctx, pool, callerOr(cl, adminCaller(nil)), u, d, messages.KindVerifyUserAttribute, code); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// VerifyAttribute is VerifyUserAttribute: a right code marks the attribute
// verified (and makes it an alias where the pool has one).
func (s *Service) VerifyAttribute(ctx context.Context, pool *userpool.Pool, u *store.User, attr, code string) error {
	if attr != "email" && attr != "phone_number" {
		return errs.Param("Invalid attribute name: only email and phone_number can be verified.")
	}
	var verdict error
	_, err := s.update(ctx, pool, u, func(u *store.User) error {
		// A wrong code is saved too (it counts as an attempt): the verdict
		// goes back after the write.
		c, err := checkCode(u, verifyPurpose(attr), code, s.now())
		if verdict = err; err != nil {
			return nil
		}
		if c.Pending != "" {
			u.Attributes[attr] = c.Pending
		}
		u.Attributes[attr+"_verified"] = "true"
		u.Aliases = aliasesFor(&pool.Config, u.Attributes)
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}
