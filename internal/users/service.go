package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"sort"
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

// User statuses.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	StatusExternalProvider    = "EXTERNAL_PROVIDER"
)

// Service manages users.
type Service struct {
	Store  store.Store
	Pools  *userpool.Service
	Sender messages.Sender
	Log    *slog.Logger
	// Triggers invokes the pool's Lambda triggers (its LambdaConfig).
	Triggers triggers.Invoker
	// Outbox, when set, records messages a custom sender trigger delivers
	// instead of Cogito (the dev outbox keeps every message).
	Outbox messages.Sender
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// Attribute is Cognito's AttributeType.
type Attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// Settings is the per-user state kept in store.User.Settings: pending codes
// now, MFA and devices later.
type Settings struct {
	Codes map[string]*Code `json:"codes,omitempty"`
	// Sign-in lockout: consecutive failures and when the user may try again.
	FailedSignIns int       `json:"failedSignIns,omitempty"`
	LockedUntil   time.Time `json:"lockedUntil,omitzero"`
	// Sends are when codes were last sent, for the hourly send limit.
	Sends []time.Time `json:"sends,omitempty"`
}

// Code is a one-time code sent to the user, kept hashed.
type Code struct {
	Hash      string    `json:"hash"`
	Expires   time.Time `json:"expires"`
	Attempts  int       `json:"attempts"`
	Attribute string    `json:"attribute,omitempty"`
	// Pending is the new value of an attribute the pool only changes once
	// it is verified (AttributesRequireVerificationBeforeUpdate).
	Pending string `json:"pending,omitempty"`
}

// Code purposes.
const (
	CodeSignUp         = "signup"
	CodeForgotPassword = "forgot_password"
)

// newCode draws a 6-digit code with crypto/rand.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("users: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte("cogito-code:" + code))
	return hex.EncodeToString(sum[:])
}

// Matches reports whether code is this code, in constant time.
func (c *Code) Matches(code string) bool {
	return subtle.ConstantTimeCompare([]byte(c.Hash), []byte(hashCode(code))) == 1
}

// DecodeSettings reads a user's settings; a missing document is empty.
func DecodeSettings(u *store.User) (*Settings, error) {
	st := &Settings{}
	if len(u.Settings) > 0 {
		if err := json.Unmarshal(u.Settings, st); err != nil {
			return nil, fmt.Errorf("decode user settings: %w", err)
		}
	}
	return st, nil
}

// EncodeSettings writes settings back into the user record.
func EncodeSettings(u *store.User, st *Settings) {
	b, err := json.Marshal(st)
	if err != nil {
		panic("users: marshal settings: " + err.Error())
	}
	u.Settings = b
}

// IssueCode stores a new code for purpose in the user's settings (replacing
// an earlier one) and returns it in clear for delivery.
func IssueCode(u *store.User, purpose, attribute string, ttl time.Duration, now time.Time) (string, error) {
	st, err := DecodeSettings(u)
	if err != nil {
		return "", err
	}
	code := newCode()
	if st.Codes == nil {
		st.Codes = map[string]*Code{}
	}
	st.Codes[purpose] = &Code{Hash: hashCode(code), Expires: now.Add(ttl), Attribute: attribute}
	EncodeSettings(u, st)
	return code, nil
}

// requiresVerificationBeforeUpdate reports whether the pool keeps an
// attribute's old value until the new one is verified.
func requiresVerificationBeforeUpdate(cfg *userpool.Config, attr string) bool {
	ua := cfg.UserAttributeUpdateSettings
	return ua != nil && contains(ua.AttributesRequireVerificationBeforeUpdate, attr) && contains(cfg.AutoVerifiedAttributes, attr)
}

// UserNotFound is Cognito's error for an unknown user.
func UserNotFound() error { return errs.New(errs.UserNotFound, "User does not exist.") }

var usernameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

func validateUsernameForm(name string) error {
	if name == "" {
		return errs.Param("1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(name) > 128 || !usernameRE.MatchString(name) {
		return errs.Param("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
	return nil
}

// Key is a username's lookup key in the pool: folded when the pool is not
// case sensitive.
func Key(cfg *userpool.Config, username string) string {
	if cfg.CaseSensitive() {
		return username
	}
	return strings.ToLower(username)
}

// aliasValue normalises an alias for lookup: email addresses compare without
// case; preferred_username follows the pool's case rule.
func aliasValue(cfg *userpool.Config, kind, v string) string {
	switch kind {
	case "email":
		return strings.ToLower(v)
	case "preferred_username":
		return Key(cfg, v)
	}
	return v
}

// aliasesFor derives the sign-in names a user holds from its attributes.
// Username attributes are held whether verified or not (they are the sign-in
// name); alias attributes only once verified, except preferred_username.
func aliasesFor(cfg *userpool.Config, attrs map[string]string) map[string]string {
	out := map[string]string{}
	for _, kind := range []string{"email", "phone_number"} {
		v := attrs[kind]
		if v == "" {
			continue
		}
		if cfg.UsernameAttribute(kind) || (cfg.AliasAttribute(kind) && attrs[kind+"_verified"] == "true") {
			out[kind] = aliasValue(cfg, kind, v)
		}
	}
	if v := attrs["preferred_username"]; v != "" && cfg.AliasAttribute("preferred_username") {
		out["preferred_username"] = aliasValue(cfg, "preferred_username", v)
	}
	addIdentityAliases(attrs, out) // federated identities (federated.go)
	return out
}

// Find resolves the name an administrator passes as Username: the username
// itself, then any alias the pool has, then the user's sub.
func (s *Service) Find(ctx context.Context, pool *userpool.Pool, name string) (*store.User, error) {
	return s.find(ctx, pool, name, true)
}

// FindSignIn resolves a sign-in name: the username or an alias the pool
// allows (aliases are only held once verified), never the sub.
func (s *Service) FindSignIn(ctx context.Context, pool *userpool.Pool, name string) (*store.User, error) {
	return s.find(ctx, pool, name, false)
}

func (s *Service) find(ctx context.Context, pool *userpool.Pool, name string, bySub bool) (*store.User, error) {
	if err := validateUsernameForm(name); err != nil {
		return nil, err
	}
	u, err := s.Store.GetUser(ctx, pool.ID, Key(&pool.Config, name))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cfg := &pool.Config
	for _, kind := range []string{"email", "phone_number", "preferred_username"} {
		if !cfg.UsernameAttribute(kind) && !cfg.AliasAttribute(kind) {
			continue
		}
		u, err := s.Store.GetUserByAlias(ctx, pool.ID, kind, aliasValue(cfg, kind, name))
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if _, perr := uuid.Parse(name); bySub && perr == nil {
		u, err := s.Store.GetUserBySub(ctx, pool.ID, strings.ToLower(name))
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return nil, UserNotFound()
}

// Get is AdminGetUser's lookup: the pool, then the user.
func (s *Service) Get(ctx context.Context, poolID, name string) (*userpool.Pool, *store.User, error) {
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Find(ctx, pool, name)
	if err != nil {
		return nil, nil, err
	}
	return pool, u, nil
}

// update is a read-modify-write of one user, mapping store errors to
// Cognito's.
func (s *Service) update(ctx context.Context, pool *userpool.Pool, u *store.User, fn func(*store.User) error) (*store.User, error) {
	out, err := s.Store.UpdateUser(ctx, pool.ID, u.UsernameKey, func(u *store.User) error {
		if err := fn(u); err != nil {
			return err
		}
		u.Modified = s.now()
		return nil
	})
	return out, mapStoreErr(&pool.Config, err)
}

// mapStoreErr turns uniqueness failures of an update into Cognito's errors:
// another user holding the value is an alias clash.
func mapStoreErr(cfg *userpool.Config, err error) error { return mapUniqueErr(cfg, err, false) }

// mapUniqueErr maps uniqueness failures; when creating a user, a clash on a
// username attribute (email as username) means the user exists.
func mapUniqueErr(cfg *userpool.Config, err error, creating bool) error {
	if err == nil {
		return nil
	}
	var ac *store.AliasConflictError
	if errors.As(err, &ac) {
		if creating && cfg.UsernameAttribute(ac.Kind) {
			return errs.New(errs.UsernameExists, "An account with the given %s already exists.", attrWord(ac.Kind))
		}
		return errs.New(errs.AliasExists, "An account with the given %s already exists.", attrWord(ac.Kind))
	}
	if errors.Is(err, store.ErrNotFound) {
		return UserNotFound()
	}
	return err
}

func attrWord(kind string) string {
	if kind == "phone_number" {
		return "phone_number"
	}
	return kind
}

// validateAttributes checks attributes written by a caller against the
// schema and returns them normalised. sub can never be written.
func validateAttributes(cfg *userpool.Config, in []Attribute) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for _, a := range in {
		if a.Name == "" {
			return nil, errs.Param("1 validation error detected: Value null at 'userAttributes.member.name' failed to satisfy constraint: Member must not be null")
		}
		if a.Name == "sub" {
			return nil, errs.Param("Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
		}
		v, err := cfg.ValidateAttribute(a.Name, a.Value)
		if err != nil {
			return nil, err
		}
		out[a.Name] = v
	}
	return out, nil
}

// checkRequired reports a missing required attribute.
func checkRequired(cfg *userpool.Config, attrs map[string]string) error {
	for _, name := range cfg.RequiredAttributes() {
		if attrs[name] == "" {
			return errs.Param("Attributes did not conform to the schema: %s: The attribute %s is required", name, name)
		}
	}
	return nil
}

// AttributeList renders a user's attributes as Cognito lists them: sub
// first, then the rest by name. With names, only those are listed.
func AttributeList(u *store.User, names []string) []Attribute {
	if names != nil {
		out := make([]Attribute, 0, len(names))
		for _, n := range names {
			if n == "sub" {
				out = append(out, Attribute{Name: "sub", Value: u.Sub})
			} else if v, ok := u.Attributes[n]; ok {
				out = append(out, Attribute{Name: n, Value: v})
			}
		}
		return out
	}
	keys := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Attribute, 0, len(keys)+1)
	out = append(out, Attribute{Name: "sub", Value: u.Sub})
	for _, k := range keys {
		out = append(out, Attribute{Name: k, Value: u.Attributes[k]})
	}
	return out
}

// deliver sends a message from the pool's configured sender address. The
// user record is already saved when messages go out: a delivery failure is
// logged (without the message, which holds the code) and not undone.
func (s *Service) deliver(ctx context.Context, pool *userpool.Pool, m messages.Message) {
	if s.customSend(ctx, pool, m) {
		return
	}
	if ec := pool.Config.EmailConfiguration; ec != nil && (ec.From != "" || ec.ReplyToEmailAddress != "") {
		ctx = messages.WithEmailOverrides(ctx, messages.EmailOverrides{From: ec.From, ReplyTo: ec.ReplyToEmailAddress})
	}
	if err := s.Sender.Send(ctx, m); err != nil {
		s.logError("message not delivered", "pool", pool.ID, "user", m.Username, "channel", m.Channel, "kind", m.Kind, "err", err)
	}
}

// customSend hands a message to the pool's CustomEmailSender or
// CustomSMSSender function, which then delivers it instead of Cogito, as in
// Cognito (asynchronously: its failure does not fail the call). Cognito
// sends the code KMS-encrypted; Cogito sends it base64-encoded (see
// triggers.CustomSenderRequest). It reports whether a function took it.
func (s *Service) customSend(ctx context.Context, pool *userpool.Pool, m messages.Message) bool {
	lc := pool.Config.LambdaConfig
	if lc == nil {
		return false
	}
	fn, typ, prefix := lc.CustomEmailSender, triggers.CustomEmailSenderRequestV1, "CustomEmailSender_"
	if m.Channel == messages.SMS {
		fn, typ, prefix = lc.CustomSMSSender, triggers.CustomSMSSenderRequestV1, "CustomSMSSender_"
	}
	if fn == nil || fn.LambdaArn == "" {
		return false
	}
	if s.Outbox != nil {
		s.Outbox.Send(ctx, m)
	}
	attrs := triggers.Attributes{}
	if u, err := s.Store.GetUser(ctx, pool.ID, Key(&pool.Config, m.Username)); err == nil {
		for k, v := range u.Attributes {
			attrs[k] = v
		}
		attrs["sub"] = u.Sub
		attrs["cognito:user_status"] = u.Status
	}
	ev := triggers.NewEvent(prefix+m.Kind, s.Pools.Region, pool.ID, "", m.Username)
	req := &triggers.CustomSenderRequest{Type: typ, Code: triggers.EncodeCode(m.Code), UserAttributes: attrs}
	if err := triggers.CallAsync(ctx, s.Triggers, fn.LambdaArn, ev, req); err != nil {
		s.logError("custom sender not invoked", "pool", pool.ID, "user", m.Username, "kind", m.Kind, "err", err)
	}
	return true
}

// logError records a failure that the caller does not see (a message that
// could not be delivered after the user was saved).
func (s *Service) logError(msg string, args ...any) {
	if s.Log != nil {
		s.Log.Error(msg, args...)
	}
}

// checkPassword applies the pool's policy to a password given in the request
// member field: malformed values are InvalidParameterException, policy
// failures InvalidPasswordException worded as the calling API words them.
func checkPassword(policy password.Policy, pw, field string, admin bool) error {
	err := policy.Check(pw)
	var fe *password.FormatError
	var pe *password.PolicyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return errs.Param("%s", fe.Message(field))
	case errors.As(err, &pe):
		if admin {
			return errs.New(errs.InvalidPassword, "%s", pe.AdminMessage())
		}
		return errs.New(errs.InvalidPassword, "%s", pe.Message)
	}
	return err
}
