package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
)

// Service manages pools, clients and groups on a store.
type Service struct {
	Store   store.Store
	Region  string
	Account string // AWS account id used in ARNs
	Now     func() time.Time

	cache cache
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// Pool is a decoded user pool.
type Pool struct {
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Config   Config
}

// Arn is the pool's ARN.
func (s *Service) Arn(poolID string) string {
	return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", s.Region, s.Account, poolID)
}

// PoolName is the part of the pool id after the underscore; SRP hashes it.
func (p *Pool) PoolName() string {
	if i := strings.IndexByte(p.ID, '_'); i >= 0 {
		return p.ID[i+1:]
	}
	return p.ID
}

func decodePool(sp *store.Pool) (*Pool, error) {
	p := &Pool{ID: sp.ID, Name: sp.Name, Created: sp.Created, Modified: sp.Modified}
	if err := json.Unmarshal(sp.Config, &p.Config); err != nil {
		return nil, fmt.Errorf("decode pool %s config: %w", sp.ID, err)
	}
	return p, nil
}

func encodeConfig(c *Config) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("userpool: marshal config: " + err.Error()) // plain structs cannot fail
	}
	return b
}

// PoolInput is what CreateUserPool and UpdateUserPool take besides the id.
type PoolInput struct {
	PoolName string
	Schema   []SchemaAttribute
	Config
}

var poolNameRE = regexp.MustCompile(`^[\w\s+=,.@-]+$`)

func validatePoolName(name string) error {
	if name == "" {
		return errs.Param("1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(name) > 128 || !poolNameRE.MatchString(name) {
		return errs.Param("1 validation error detected: Value '%s' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+ and have length less than or equal to 128", name)
	}
	return nil
}

// CreatePool validates in, applies Cognito's defaults and stores a new pool.
func (s *Service) CreatePool(ctx context.Context, in PoolInput) (*Pool, error) {
	p, err := validateNewPool(in)
	if err != nil {
		return nil, err
	}
	// Ids are random; retry the rare collision rather than fail.
	for attempt := 0; ; attempt++ {
		out, err := s.CreatePoolWithID(ctx, NewPoolID(s.Region), in, p)
		if errors.Is(err, store.ErrExists) && attempt < 5 {
			continue
		}
		return out, err
	}
}

// CreatePoolWithID stores a new pool under a chosen id (the declarative
// config fixes ids so apps can hard-code them). validated, when not nil, is
// in already validated by validateNewPool.
func (s *Service) CreatePoolWithID(ctx context.Context, id string, in PoolInput, validated *Pool) (*Pool, error) {
	p := validated
	if p == nil {
		var err error
		if p, err = validateNewPool(in); err != nil {
			return nil, err
		}
	}
	now := s.now()
	sp := &store.Pool{ID: id, Name: in.PoolName, Created: now, Modified: now, Config: encodeConfig(&p.Config)}
	if err := s.Store.CreatePool(ctx, sp); err != nil {
		return nil, err
	}
	return &Pool{ID: id, Name: in.PoolName, Created: now, Modified: now, Config: p.Config}, nil
}

// validateNewPool checks CreateUserPool's input and returns the pool it
// describes, schema built and defaults applied.
func validateNewPool(in PoolInput) (*Pool, error) {
	if err := validatePoolName(in.PoolName); err != nil {
		return nil, err
	}
	cfg := in.Config
	cfg.ResourceServers, cfg.UICustomizations, cfg.IdentityProviders = nil, nil, nil // set only through their own operations
	if len(cfg.UsernameAttributes) > 0 && len(cfg.AliasAttributes) > 0 {
		return nil, errs.Param("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	for _, a := range cfg.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, errs.Param("1 validation error detected: Value '[%s]' at 'usernameAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email]]", a)
		}
	}
	for _, a := range cfg.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return nil, errs.Param("1 validation error detected: Value '[%s]' at 'aliasAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email, preferred_username]]", a)
		}
	}
	schema, err := buildSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	cfg.SchemaAttributes = schema
	if err := validateSettings(&cfg); err != nil {
		return nil, err
	}
	applyDefaults(&cfg)
	return &Pool{Name: in.PoolName, Config: cfg}, nil
}

// GetPool loads a pool; ResourceNotFoundException when missing.
func (s *Service) GetPool(ctx context.Context, id string) (*Pool, error) {
	if err := ValidatePoolID(id); err != nil {
		return nil, err
	}
	if p, ok := s.cache.pool(id); ok {
		return p, nil
	}
	sp, err := s.Store.GetPool(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, PoolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	p, err := decodePool(sp)
	if err != nil {
		return nil, err
	}
	s.cache.putPool(p)
	return p, nil
}

// PoolNotFound is Cognito's error for an unknown pool id.
func PoolNotFound(id string) error {
	return errs.NotFound("User pool %s does not exist.", id)
}

var poolIDRE = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// ValidatePoolID checks the form of a pool id.
func ValidatePoolID(id string) error {
	if id == "" {
		return errs.Param("1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
	}
	if len(id) > 55 || !poolIDRE.MatchString(id) {
		return errs.Param("1 validation error detected: Value '%s' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+", id)
	}
	return nil
}

// UpdatePool applies UpdateUserPool. As in Cognito, every updatable setting
// that the request omits returns to its default; the schema, username and
// alias settings cannot change, and the name and tags stay unless given.
func (s *Service) UpdatePool(ctx context.Context, id string, in PoolInput) (*Pool, error) {
	if err := ValidatePoolID(id); err != nil {
		return nil, err
	}
	if in.PoolName != "" {
		if err := validatePoolName(in.PoolName); err != nil {
			return nil, err
		}
	}
	next := in.Config
	if err := validateSettings(&next); err != nil {
		return nil, err
	}
	var out *Pool
	defer s.cache.forgetPool(id)
	_, err := s.Store.UpdatePool(ctx, id, func(sp *store.Pool) error {
		p, err := decodePool(sp)
		if err != nil {
			return err
		}
		old := p.Config
		cfg := next
		// Not settable through UpdateUserPool.
		cfg.SchemaAttributes = old.SchemaAttributes
		cfg.UsernameAttributes = old.UsernameAttributes
		cfg.AliasAttributes = old.AliasAttributes
		cfg.UsernameConfiguration = old.UsernameConfiguration
		cfg.SmsMfaConfiguration = old.SmsMfaConfiguration
		cfg.SoftwareTokenMfaConfiguration = old.SoftwareTokenMfaConfiguration
		cfg.EmailMfaConfiguration = old.EmailMfaConfiguration
		cfg.WebAuthnConfiguration = old.WebAuthnConfiguration
		cfg.ResourceServers, cfg.UICustomizations, cfg.IdentityProviders = old.ResourceServers, old.UICustomizations, old.IdentityProviders
		if in.UserPoolTags == nil {
			cfg.UserPoolTags = old.UserPoolTags
		}
		applyDefaults(&cfg)
		if in.PoolName != "" {
			sp.Name = in.PoolName
		}
		sp.Modified = s.now()
		sp.Config = encodeConfig(&cfg)
		p.Name, p.Modified, p.Config = sp.Name, sp.Modified, cfg
		out = p
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, PoolNotFound(id)
	}
	return out, err
}

// ModifyPool is a read-modify-write of a pool's settings for the operations
// that change one part of them (tags, custom attributes, MFA).
func (s *Service) ModifyPool(ctx context.Context, id string, fn func(*Config) error) (*Pool, error) {
	if err := ValidatePoolID(id); err != nil {
		return nil, err
	}
	var out *Pool
	defer s.cache.forgetPool(id)
	_, err := s.Store.UpdatePool(ctx, id, func(sp *store.Pool) error {
		p, err := decodePool(sp)
		if err != nil {
			return err
		}
		if err := fn(&p.Config); err != nil {
			return err
		}
		sp.Modified = s.now()
		sp.Config = encodeConfig(&p.Config)
		p.Modified = sp.Modified
		out = p
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, PoolNotFound(id)
	}
	return out, err
}

// DeletePool deletes a pool and everything in it, unless deletion protection
// is on.
func (s *Service) DeletePool(ctx context.Context, id string) error {
	p, err := s.GetPool(ctx, id)
	if err != nil {
		return err
	}
	if p.Config.DeletionProtection == "ACTIVE" {
		return errs.Param("The user pool %s cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.", id)
	}
	defer s.cache.forgetPool(id)
	err = s.Store.DeletePool(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return PoolNotFound(id)
	}
	return err
}

// ListPools lists pools a page at a time.
func (s *Service) ListPools(ctx context.Context, max int, token string) ([]*Pool, string, error) {
	sps, next, err := s.Store.ListPools(ctx, store.Page{Limit: max, After: token})
	if err != nil {
		return nil, "", err
	}
	out := make([]*Pool, 0, len(sps))
	for _, sp := range sps {
		p, err := decodePool(sp)
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	return out, next, nil
}

// applyDefaults fills what Cognito fills in a pool created or updated
// without those settings.
func applyDefaults(c *Config) {
	if c.Policies == nil {
		c.Policies = &Policies{}
	}
	if c.Policies.PasswordPolicy == nil {
		c.Policies.PasswordPolicy = ptr(password.DefaultPolicy())
	}
	if c.Policies.SignInPolicy == nil {
		c.Policies.SignInPolicy = &SignInPolicy{AllowedFirstAuthFactors: []string{"PASSWORD"}}
	}
	if c.DeletionProtection == "" {
		c.DeletionProtection = "INACTIVE"
	}
	if c.LambdaConfig == nil {
		c.LambdaConfig = &LambdaConfig{}
	}
	if c.MfaConfiguration == "" {
		c.MfaConfiguration = "OFF"
	}
	if c.VerificationMessageTemplate == nil {
		c.VerificationMessageTemplate = &VerificationMessageTemplate{}
	}
	vt := c.VerificationMessageTemplate
	if vt.DefaultEmailOption == "" {
		vt.DefaultEmailOption = "CONFIRM_WITH_CODE"
	}
	// Cognito mirrors the legacy top-level message fields into the template.
	if vt.EmailMessage == "" && c.EmailVerificationMessage != "" {
		vt.EmailMessage = c.EmailVerificationMessage
	}
	if vt.EmailSubject == "" && c.EmailVerificationSubject != "" {
		vt.EmailSubject = c.EmailVerificationSubject
	}
	if vt.SmsMessage == "" && c.SmsVerificationMessage != "" {
		vt.SmsMessage = c.SmsVerificationMessage
	}
	if c.EmailVerificationMessage == "" && vt.EmailMessage != "" {
		c.EmailVerificationMessage = vt.EmailMessage
	}
	if c.EmailVerificationSubject == "" && vt.EmailSubject != "" {
		c.EmailVerificationSubject = vt.EmailSubject
	}
	if c.SmsVerificationMessage == "" && vt.SmsMessage != "" {
		c.SmsVerificationMessage = vt.SmsMessage
	}
	if c.EmailConfiguration == nil {
		c.EmailConfiguration = &EmailConfiguration{}
	}
	if c.EmailConfiguration.EmailSendingAccount == "" {
		c.EmailConfiguration.EmailSendingAccount = "COGNITO_DEFAULT"
	}
	if c.AdminCreateUserConfig == nil {
		c.AdminCreateUserConfig = &AdminCreateUserConfig{}
	}
	if c.AdminCreateUserConfig.AllowAdminCreateUserOnly == nil {
		c.AdminCreateUserConfig.AllowAdminCreateUserOnly = ptr(false)
	}
	if c.AdminCreateUserConfig.UnusedAccountValidityDays == nil {
		c.AdminCreateUserConfig.UnusedAccountValidityDays = ptr(int32(c.Policies.PasswordPolicy.TemporaryPasswordValidityDays))
	}
	if c.UserAttributeUpdateSettings == nil {
		c.UserAttributeUpdateSettings = &UserAttributeUpdateSettings{AttributesRequireVerificationBeforeUpdate: []string{}}
	}
	if c.UserPoolTier == "" {
		c.UserPoolTier = "ESSENTIALS"
	}
}

func oneOf(field, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, field, strings.Join(allowed, ", "))
}

var arnRE = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]*:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

func checkArn(field, v string) error {
	if v != "" && (len(v) > 2048 || !arnRE.MatchString(v)) {
		return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?", v, field)
	}
	return nil
}

// validateSettings checks the settings shared by CreateUserPool and
// UpdateUserPool, reporting the first problem as Cognito does.
func validateSettings(c *Config) error {
	if err := oneOf("deletionProtection", c.DeletionProtection, "ACTIVE", "INACTIVE"); err != nil {
		return err
	}
	if err := oneOf("mfaConfiguration", c.MfaConfiguration, "OFF", "ON", "OPTIONAL"); err != nil {
		return err
	}
	if err := oneOf("userPoolTier", c.UserPoolTier, "LITE", "ESSENTIALS", "PLUS"); err != nil {
		return err
	}
	for _, a := range c.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return errs.Param("1 validation error detected: Value '[%s]' at 'autoVerifiedAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email]]", a)
		}
	}
	if c.Policies != nil && c.Policies.PasswordPolicy != nil {
		pp := c.Policies.PasswordPolicy
		if pp.MinimumLength == 0 {
			pp.MinimumLength = 8
		}
		if pp.MinimumLength < 6 || pp.MinimumLength > 99 {
			return errs.Param("1 validation error detected: Value '%d' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value between 6 and 99", pp.MinimumLength)
		}
		if pp.TemporaryPasswordValidityDays < 0 || pp.TemporaryPasswordValidityDays > 365 {
			return errs.Param("1 validation error detected: Value '%d' at 'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy constraint: Member must have value between 0 and 365", pp.TemporaryPasswordValidityDays)
		}
		if pp.TemporaryPasswordValidityDays == 0 {
			pp.TemporaryPasswordValidityDays = 7
		}
		if pp.PasswordHistorySize != nil && (*pp.PasswordHistorySize < 0 || *pp.PasswordHistorySize > 24) {
			return errs.Param("1 validation error detected: Value '%d' at 'policies.passwordPolicy.passwordHistorySize' failed to satisfy constraint: Member must have value between 0 and 24", *pp.PasswordHistorySize)
		}
	}
	if c.Policies != nil && c.Policies.SignInPolicy != nil {
		for _, f := range c.Policies.SignInPolicy.AllowedFirstAuthFactors {
			if err := oneOf("policies.signInPolicy.allowedFirstAuthFactors", f, "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"); err != nil {
				return err
			}
		}
	}
	if vt := c.VerificationMessageTemplate; vt != nil {
		if err := oneOf("verificationMessageTemplate.defaultEmailOption", vt.DefaultEmailOption, "CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"); err != nil {
			return err
		}
		if vt.EmailMessage != "" && !strings.Contains(vt.EmailMessage, "{####}") {
			return errs.Param("Invalid email message: it must contain the {####} placeholder.")
		}
		if vt.SmsMessage != "" && !strings.Contains(vt.SmsMessage, "{####}") {
			return errs.Param("Invalid SMS message: it must contain the {####} placeholder.")
		}
		if vt.EmailMessageByLink != "" && !linkPlaceholderRE.MatchString(vt.EmailMessageByLink) {
			return errs.Param("Invalid email message by link: it must contain the {##Verify Email##} placeholder.")
		}
	}
	if c.EmailVerificationMessage != "" && !strings.Contains(c.EmailVerificationMessage, "{####}") {
		return errs.Param("Invalid email verification message: it must contain the {####} placeholder.")
	}
	if c.SmsVerificationMessage != "" && !strings.Contains(c.SmsVerificationMessage, "{####}") {
		return errs.Param("Invalid SMS verification message: it must contain the {####} placeholder.")
	}
	if c.SmsAuthenticationMessage != "" && !strings.Contains(c.SmsAuthenticationMessage, "{####}") {
		return errs.Param("Invalid SMS authentication message: it must contain the {####} placeholder.")
	}
	if ac := c.AdminCreateUserConfig; ac != nil {
		if ac.UnusedAccountValidityDays != nil && (*ac.UnusedAccountValidityDays < 0 || *ac.UnusedAccountValidityDays > 365) {
			return errs.Param("1 validation error detected: Value '%d' at 'adminCreateUserConfig.unusedAccountValidityDays' failed to satisfy constraint: Member must have value between 0 and 365", *ac.UnusedAccountValidityDays)
		}
		if t := ac.InviteMessageTemplate; t != nil {
			for _, m := range []string{t.EmailMessage, t.SMSMessage} {
				if m != "" && (!strings.Contains(m, "{username}") || !strings.Contains(m, "{####}")) {
					return errs.Param("Invalid invitation message: it must contain the {username} and {####} placeholders.")
				}
			}
		}
	}
	if ec := c.EmailConfiguration; ec != nil {
		if err := oneOf("emailConfiguration.emailSendingAccount", ec.EmailSendingAccount, "COGNITO_DEFAULT", "DEVELOPER"); err != nil {
			return err
		}
		if ec.EmailSendingAccount == "DEVELOPER" && ec.SourceArn == "" {
			return errs.Param("SourceArn is required when EmailSendingAccount is DEVELOPER.")
		}
		if err := checkArn("emailConfiguration.sourceArn", ec.SourceArn); err != nil {
			return err
		}
	}
	if sc := c.SmsConfiguration; sc != nil {
		if sc.SnsCallerArn == "" {
			return errs.Param("1 validation error detected: Value null at 'smsConfiguration.snsCallerArn' failed to satisfy constraint: Member must not be null")
		}
		if err := checkArn("smsConfiguration.snsCallerArn", sc.SnsCallerArn); err != nil {
			return err
		}
	}
	if lc := c.LambdaConfig; lc != nil {
		for field, arn := range map[string]string{
			"PreSignUp": lc.PreSignUp, "CustomMessage": lc.CustomMessage, "PostConfirmation": lc.PostConfirmation,
			"PreAuthentication": lc.PreAuthentication, "PostAuthentication": lc.PostAuthentication,
			"DefineAuthChallenge": lc.DefineAuthChallenge, "CreateAuthChallenge": lc.CreateAuthChallenge,
			"VerifyAuthChallengeResponse": lc.VerifyAuthChallengeResponse, "PreTokenGeneration": lc.PreTokenGeneration,
			"UserMigration": lc.UserMigration, "KMSKeyID": lc.KMSKeyID,
		} {
			if err := checkArn("lambdaConfig."+lowerFirst(field), arn); err != nil {
				return err
			}
		}
		if v := lc.PreTokenGenerationConfig; v != nil {
			if err := oneOf("lambdaConfig.preTokenGenerationConfig.lambdaVersion", v.LambdaVersion, "V1_0", "V2_0", "V3_0"); err != nil {
				return err
			}
			if err := checkArn("lambdaConfig.preTokenGenerationConfig.lambdaArn", v.LambdaArn); err != nil {
				return err
			}
			// The two ways to name the function must agree; Cognito fills one from the other.
			if lc.PreTokenGeneration == "" {
				lc.PreTokenGeneration = v.LambdaArn
			} else if v.LambdaArn != "" && v.LambdaArn != lc.PreTokenGeneration {
				return errs.Param("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function.")
			}
		} else if lc.PreTokenGeneration != "" {
			lc.PreTokenGenerationConfig = &LambdaVersion{LambdaArn: lc.PreTokenGeneration, LambdaVersion: "V1_0"}
		}
		for name, v := range map[string]*LambdaVersion{"customSMSSender": lc.CustomSMSSender, "customEmailSender": lc.CustomEmailSender} {
			if v == nil {
				continue
			}
			if err := oneOf("lambdaConfig."+name+".lambdaVersion", v.LambdaVersion, "V1_0"); err != nil {
				return err
			}
			if err := checkArn("lambdaConfig."+name+".lambdaArn", v.LambdaArn); err != nil {
				return err
			}
			if lc.KMSKeyID == "" {
				return errs.Param("KMSKeyID is required when a custom sender trigger is configured.")
			}
		}
	}
	if ua := c.UserAttributeUpdateSettings; ua != nil {
		for _, a := range ua.AttributesRequireVerificationBeforeUpdate {
			if a != "email" && a != "phone_number" {
				return errs.Param("1 validation error detected: Value '[%s]' at 'userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate' failed to satisfy constraint: Member must satisfy enum value set: [phone_number, email]", a)
			}
		}
	}
	if ao := c.UserPoolAddOns; ao != nil {
		if ao.AdvancedSecurityMode == "" {
			return errs.Param("1 validation error detected: Value null at 'userPoolAddOns.advancedSecurityMode' failed to satisfy constraint: Member must not be null")
		}
		if err := oneOf("userPoolAddOns.advancedSecurityMode", ao.AdvancedSecurityMode, "OFF", "AUDIT", "ENFORCED"); err != nil {
			return err
		}
	}
	if ar := c.AccountRecoverySetting; ar != nil {
		if len(ar.RecoveryMechanisms) == 0 || len(ar.RecoveryMechanisms) > 2 {
			return errs.Param("1 validation error detected: Value at 'accountRecoverySetting.recoveryMechanisms' failed to satisfy constraint: Member must have length between 1 and 2")
		}
		for _, m := range ar.RecoveryMechanisms {
			if err := oneOf("accountRecoverySetting.recoveryMechanisms.member.name", m.Name, "verified_email", "verified_phone_number", "admin_only"); err != nil {
				return err
			}
			if m.Priority < 1 || m.Priority > 2 {
				return errs.Param("1 validation error detected: Value '%d' at 'accountRecoverySetting.recoveryMechanisms.member.priority' failed to satisfy constraint: Member must have value between 1 and 2", m.Priority)
			}
		}
	}
	if err := ValidateTags(c.UserPoolTags); err != nil {
		return err
	}
	return nil
}

var linkPlaceholderRE = regexp.MustCompile(`\{##[^#]*##\}`)

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ValidateTags checks tag keys and values against Cognito's limits.
func ValidateTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errs.Param("A resource can have at most 50 tags.")
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 {
			return errs.Param("Tag keys must be 1 to 128 characters long.")
		}
		if utf8.RuneCountInString(v) > 256 {
			return errs.Param("Tag values must be at most 256 characters long.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errs.Param("Tag keys must not start with aws:.")
		}
	}
	return nil
}

// CSVHeader is GetCSVHeader: the columns of a user import file for the pool.
func (c *Config) CSVHeader() []string {
	h := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo",
		"locale", "phone_number", "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled",
		"cognito:username"}
	for _, a := range c.SchemaAttributes {
		if strings.HasPrefix(a.Name, customPrefix) || strings.HasPrefix(a.Name, devCustomPrefix) {
			h = append(h, a.Name)
		}
	}
	return h
}
