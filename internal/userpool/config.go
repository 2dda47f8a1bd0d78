package userpool

import (
	"github.com/cogito-idp/cogito/internal/password"
)

// Config is everything Cognito keeps about a pool besides its id, name and
// dates: the settings of CreateUserPool / UpdateUserPool in Cognito's JSON
// field names. It is stored as one JSON document (store.Pool.Config).
type Config struct {
	Policies                    *Policies                    `json:"Policies,omitempty"`
	DeletionProtection          string                       `json:"DeletionProtection,omitempty"`
	LambdaConfig                *LambdaConfig                `json:"LambdaConfig,omitempty"`
	SchemaAttributes            []SchemaAttribute            `json:"SchemaAttributes,omitempty"`
	AutoVerifiedAttributes      []string                     `json:"AutoVerifiedAttributes,omitempty"`
	AliasAttributes             []string                     `json:"AliasAttributes,omitempty"`
	UsernameAttributes          []string                     `json:"UsernameAttributes,omitempty"`
	SmsVerificationMessage      string                       `json:"SmsVerificationMessage,omitempty"`
	EmailVerificationMessage    string                       `json:"EmailVerificationMessage,omitempty"`
	EmailVerificationSubject    string                       `json:"EmailVerificationSubject,omitempty"`
	VerificationMessageTemplate *VerificationMessageTemplate `json:"VerificationMessageTemplate,omitempty"`
	SmsAuthenticationMessage    string                       `json:"SmsAuthenticationMessage,omitempty"`
	UserAttributeUpdateSettings *UserAttributeUpdateSettings `json:"UserAttributeUpdateSettings,omitempty"`
	MfaConfiguration            string                       `json:"MfaConfiguration,omitempty"`
	DeviceConfiguration         *DeviceConfiguration         `json:"DeviceConfiguration,omitempty"`
	EmailConfiguration          *EmailConfiguration          `json:"EmailConfiguration,omitempty"`
	SmsConfiguration            *SmsConfiguration            `json:"SmsConfiguration,omitempty"`
	UserPoolTags                map[string]string            `json:"UserPoolTags,omitempty"`
	AdminCreateUserConfig       *AdminCreateUserConfig       `json:"AdminCreateUserConfig,omitempty"`
	UserPoolAddOns              *UserPoolAddOns              `json:"UserPoolAddOns,omitempty"`
	UsernameConfiguration       *UsernameConfiguration       `json:"UsernameConfiguration,omitempty"`
	AccountRecoverySetting      *AccountRecoverySetting      `json:"AccountRecoverySetting,omitempty"`
	UserPoolTier                string                       `json:"UserPoolTier,omitempty"`
	// Set by SetUserPoolMfaConfig (stored here so GetUserPoolMfaConfig round-trips).
	SmsMfaConfiguration           *SmsMfaConfiguration   `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration *EnabledFlag           `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *EmailMfaConfiguration `json:"EmailMfaConfiguration,omitempty"`
	WebAuthnConfiguration         *WebAuthnConfiguration `json:"WebAuthnConfiguration,omitempty"`
	// Managed by their own operations (CreateResourceServer ...,
	// SetUICustomization), not part of UserPoolType, and never taken from
	// CreateUserPool / UpdateUserPool input.
	ResourceServers  []ResourceServer           `json:"ResourceServers,omitempty"`
	UICustomizations map[string]UICustomization `json:"UICustomizations,omitempty"` // key: client id or "ALL"
	// Managed by CreateIdentityProvider ... likewise.
	IdentityProviders []IdentityProvider `json:"IdentityProviders,omitempty"`
}

// Policies is Cognito's UserPoolPolicyType.
type Policies struct {
	PasswordPolicy *password.Policy `json:"PasswordPolicy,omitempty"`
	SignInPolicy   *SignInPolicy    `json:"SignInPolicy,omitempty"`
}

// SignInPolicy lists the first factors of choice-based sign-in (USER_AUTH).
type SignInPolicy struct {
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors,omitempty"`
}

// LambdaConfig names the function ARN of each trigger.
type LambdaConfig struct {
	PreSignUp                   string         `json:"PreSignUp,omitempty"`
	CustomMessage               string         `json:"CustomMessage,omitempty"`
	PostConfirmation            string         `json:"PostConfirmation,omitempty"`
	PreAuthentication           string         `json:"PreAuthentication,omitempty"`
	PostAuthentication          string         `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string         `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string         `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string         `json:"VerifyAuthChallengeResponse,omitempty"`
	PreTokenGeneration          string         `json:"PreTokenGeneration,omitempty"`
	UserMigration               string         `json:"UserMigration,omitempty"`
	PreTokenGenerationConfig    *LambdaVersion `json:"PreTokenGenerationConfig,omitempty"`
	CustomSMSSender             *LambdaVersion `json:"CustomSMSSender,omitempty"`
	CustomEmailSender           *LambdaVersion `json:"CustomEmailSender,omitempty"`
	InboundFederation           *LambdaVersion `json:"InboundFederation,omitempty"`
	KMSKeyID                    string         `json:"KMSKeyID,omitempty"`
}

// LambdaVersion is a trigger given with its event version.
type LambdaVersion struct {
	LambdaArn     string `json:"LambdaArn,omitempty"`
	LambdaVersion string `json:"LambdaVersion,omitempty"`
}

// SchemaAttribute is Cognito's SchemaAttributeType.
type SchemaAttribute struct {
	Name                       string                      `json:"Name"`
	AttributeDataType          string                      `json:"AttributeDataType,omitempty"`
	DeveloperOnlyAttribute     *bool                       `json:"DeveloperOnlyAttribute,omitempty"`
	Mutable                    *bool                       `json:"Mutable,omitempty"`
	Required                   *bool                       `json:"Required,omitempty"`
	NumberAttributeConstraints *NumberAttributeConstraints `json:"NumberAttributeConstraints,omitempty"`
	StringAttributeConstraints *StringAttributeConstraints `json:"StringAttributeConstraints,omitempty"`
}

// NumberAttributeConstraints bounds a Number attribute (decimal strings).
type NumberAttributeConstraints struct {
	MinValue *string `json:"MinValue,omitempty"`
	MaxValue *string `json:"MaxValue,omitempty"`
}

// StringAttributeConstraints bounds a String attribute's length (decimal strings).
type StringAttributeConstraints struct {
	MinLength *string `json:"MinLength,omitempty"`
	MaxLength *string `json:"MaxLength,omitempty"`
}

// VerificationMessageTemplate is the pool's verification message.
type VerificationMessageTemplate struct {
	SmsMessage         string `json:"SmsMessage,omitempty"`
	EmailMessage       string `json:"EmailMessage,omitempty"`
	EmailSubject       string `json:"EmailSubject,omitempty"`
	EmailMessageByLink string `json:"EmailMessageByLink,omitempty"`
	EmailSubjectByLink string `json:"EmailSubjectByLink,omitempty"`
	DefaultEmailOption string `json:"DefaultEmailOption,omitempty"`
}

// UserAttributeUpdateSettings keeps the old value of listed attributes until
// the new one is verified.
type UserAttributeUpdateSettings struct {
	AttributesRequireVerificationBeforeUpdate []string `json:"AttributesRequireVerificationBeforeUpdate"`
}

// DeviceConfiguration is the remembered-device setting.
type DeviceConfiguration struct {
	ChallengeRequiredOnNewDevice     *bool `json:"ChallengeRequiredOnNewDevice,omitempty"`
	DeviceOnlyRememberedOnUserPrompt *bool `json:"DeviceOnlyRememberedOnUserPrompt,omitempty"`
}

// EmailConfiguration says how the pool sends email.
type EmailConfiguration struct {
	SourceArn           string `json:"SourceArn,omitempty"`
	ReplyToEmailAddress string `json:"ReplyToEmailAddress,omitempty"`
	EmailSendingAccount string `json:"EmailSendingAccount,omitempty"`
	From                string `json:"From,omitempty"`
	ConfigurationSet    string `json:"ConfigurationSet,omitempty"`
}

// SmsConfiguration says how the pool sends SMS.
type SmsConfiguration struct {
	SnsCallerArn string `json:"SnsCallerArn,omitempty"`
	ExternalId   string `json:"ExternalId,omitempty"`
	SnsRegion    string `json:"SnsRegion,omitempty"`
}

// AdminCreateUserConfig governs AdminCreateUser and sign-up.
type AdminCreateUserConfig struct {
	AllowAdminCreateUserOnly  *bool                  `json:"AllowAdminCreateUserOnly,omitempty"`
	UnusedAccountValidityDays *int32                 `json:"UnusedAccountValidityDays,omitempty"`
	InviteMessageTemplate     *InviteMessageTemplate `json:"InviteMessageTemplate,omitempty"`
}

// InviteMessageTemplate is the invitation sent by AdminCreateUser.
type InviteMessageTemplate struct {
	SMSMessage   string `json:"SMSMessage,omitempty"`
	EmailMessage string `json:"EmailMessage,omitempty"`
	EmailSubject string `json:"EmailSubject,omitempty"`
}

// UserPoolAddOns is the threat-protection setting.
type UserPoolAddOns struct {
	AdvancedSecurityMode            string           `json:"AdvancedSecurityMode,omitempty"`
	AdvancedSecurityAdditionalFlows *AdditionalFlows `json:"AdvancedSecurityAdditionalFlows,omitempty"`
}

// AdditionalFlows extends threat protection to custom auth.
type AdditionalFlows struct {
	CustomAuthMode string `json:"CustomAuthMode,omitempty"`
}

// UsernameConfiguration: CaseSensitive false folds usernames' case.
type UsernameConfiguration struct {
	CaseSensitive *bool `json:"CaseSensitive,omitempty"`
}

// AccountRecoverySetting orders the recovery mechanisms.
type AccountRecoverySetting struct {
	RecoveryMechanisms []RecoveryOption `json:"RecoveryMechanisms,omitempty"`
}

// RecoveryOption is one recovery mechanism with its priority.
type RecoveryOption struct {
	Name     string `json:"Name"`
	Priority int32  `json:"Priority"`
}

// SmsMfaConfiguration is SetUserPoolMfaConfig's SMS part.
type SmsMfaConfiguration struct {
	SmsAuthenticationMessage string            `json:"SmsAuthenticationMessage,omitempty"`
	SmsConfiguration         *SmsConfiguration `json:"SmsConfiguration,omitempty"`
}

// EnabledFlag is a {"Enabled": bool} setting.
type EnabledFlag struct {
	Enabled *bool `json:"Enabled,omitempty"`
}

// EmailMfaConfiguration is SetUserPoolMfaConfig's email part.
type EmailMfaConfiguration struct {
	Message string `json:"Message,omitempty"`
	Subject string `json:"Subject,omitempty"`
}

// WebAuthnConfiguration is the passkey setting.
type WebAuthnConfiguration struct {
	RelyingPartyId   string `json:"RelyingPartyId,omitempty"`
	UserVerification string `json:"UserVerification,omitempty"`
}

// Effective accessors: each returns the value Cognito acts on, defaults
// applied, so callers never nil-check.

// PasswordPolicy is the pool's password policy.
func (c *Config) PasswordPolicy() password.Policy {
	if c.Policies != nil && c.Policies.PasswordPolicy != nil {
		return *c.Policies.PasswordPolicy
	}
	return password.DefaultPolicy()
}

// CaseSensitive reports whether usernames are case sensitive. Pools created
// through the API without UsernameConfiguration are (Cognito's legacy
// default).
func (c *Config) CaseSensitive() bool {
	if c.UsernameConfiguration != nil && c.UsernameConfiguration.CaseSensitive != nil {
		return *c.UsernameConfiguration.CaseSensitive
	}
	return true
}

// AdminCreateUserOnly reports whether self sign-up is disabled.
func (c *Config) AdminCreateUserOnly() bool {
	return c.AdminCreateUserConfig != nil && c.AdminCreateUserConfig.AllowAdminCreateUserOnly != nil &&
		*c.AdminCreateUserConfig.AllowAdminCreateUserOnly
}

// UsernameAttribute reports whether attr (email or phone_number) serves as the username.
func (c *Config) UsernameAttribute(attr string) bool { return contains(c.UsernameAttributes, attr) }

// AliasAttribute reports whether attr may sign in as an alias.
func (c *Config) AliasAttribute(attr string) bool { return contains(c.AliasAttributes, attr) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
