package triggers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
)

// The request and response of each trigger, with the field names of the
// trigger's "parameters" section in the Cognito Developer Guide
// (user-pool-lambda-*.html). Where Cognito sends null rather than an empty
// value (validationData, the initial responses of custom message, migrate
// user and the custom challenge triggers), these types marshal to null too,
// as events captured from Cognito show; functions test for these fields and
// must see what they see on AWS.

// Attributes are user attributes: name → value, as in "userAttributes".
// A nil Attributes marshals as {}: Cognito always sends an object.
type Attributes map[string]string

// MarshalJSON writes nil as {}.
func (a Attributes) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]string(a))
}

// EmptyResponse is the response of triggers that return nothing
// (post confirmation, pre and post authentication, custom senders): {}.
type EmptyResponse struct{}

// PreSignUpRequest is the request of the pre sign-up trigger
// (PreSignUp_SignUp, PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider).
type PreSignUpRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	// ValidationData is the call's ValidationData; null when it has none.
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PreSignUpResponse is the pre sign-up function's answer. Cognito ignores it
// for PreSignUp_AdminCreateUser.
type PreSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// PostConfirmationRequest is the request of the post confirmation trigger;
// its response is EmptyResponse.
type PostConfirmationRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PreAuthenticationRequest is the request of the pre authentication trigger;
// its response is EmptyResponse.
type PreAuthenticationRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	// UserNotFound is set only when the app client has
	// PreventUserExistenceErrors ENABLED; nil leaves it out.
	UserNotFound *bool `json:"userNotFound,omitempty"`
}

// PostAuthenticationRequest is the request of the post authentication
// trigger; its response is EmptyResponse.
type PostAuthenticationRequest struct {
	NewDeviceUsed  bool              `json:"newDeviceUsed"`
	UserAttributes Attributes        `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// GroupConfiguration is "groupConfiguration" in a pre token generation
// request and "groupOverrideDetails" in its response. In a request, nil
// lists marshal as [] and a nil PreferredRole as null, as Cognito sends them.
// In a response, a nil list means the function did not set it.
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// MarshalJSON writes nil lists as [].
func (g GroupConfiguration) MarshalJSON() ([]byte, error) {
	type plain GroupConfiguration
	p := plain(g)
	if p.GroupsToOverride == nil {
		p.GroupsToOverride = []string{}
	}
	if p.IAMRolesToOverride == nil {
		p.IAMRolesToOverride = []string{}
	}
	return json.Marshal(p)
}

// PreTokenGenerationRequest is the request of a V1_0 pre token generation
// trigger (event version "1").
type PreTokenGenerationRequest struct {
	UserAttributes     Attributes         `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
}

// PreTokenGenerationResponse is a V1_0 function's answer; it changes the ID
// token only. Cognito sends {"claimsOverrideDetails": null}.
type PreTokenGenerationResponse struct {
	ClaimsOverrideDetails *ClaimsOverrideDetails `json:"claimsOverrideDetails"`
}

// ClaimsOverrideDetails is the V1_0 "claimsOverrideDetails". V1_0 claim
// values are strings.
type ClaimsOverrideDetails struct {
	ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string            `json:"claimsToSuppress,omitempty"`
	GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails,omitempty"`
}

// PreTokenGenerationV2Request is the request of a V2_0 or V3_0 pre token
// generation trigger (event version "2" or "3"; the two are identical but
// for the tokens they apply to).
type PreTokenGenerationV2Request struct {
	// UserAttributes and GroupConfiguration describe the user; both are
	// absent (empty, nil) for TokenGeneration_ClientCredentials, which has
	// no user.
	UserAttributes     Attributes          `json:"userAttributes,omitempty"`
	GroupConfiguration *GroupConfiguration `json:"groupConfiguration,omitempty"`
	// Scopes are the access token's scopes.
	Scopes         []string          `json:"scopes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PreTokenGenerationV2Response is a V2_0/V3_0 function's answer. Cognito
// sends {"claimsAndScopeOverrideDetails": null}.
type PreTokenGenerationV2Response struct {
	ClaimsAndScopeOverrideDetails *ClaimsAndScopeOverrideDetails `json:"claimsAndScopeOverrideDetails"`
}

// ClaimsAndScopeOverrideDetails changes both tokens and the groups.
type ClaimsAndScopeOverrideDetails struct {
	IDTokenGeneration     *IDTokenGeneration     `json:"idTokenGeneration,omitempty"`
	AccessTokenGeneration *AccessTokenGeneration `json:"accessTokenGeneration,omitempty"`
	GroupOverrideDetails  *GroupConfiguration    `json:"groupOverrideDetails,omitempty"`
}

// IDTokenGeneration changes the ID token. From V2_0 on, claim values may be
// any JSON (strings, numbers, booleans, arrays, objects); Call decodes
// numbers as json.Number so that they reach the token exactly as sent.
type IDTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
}

// AccessTokenGeneration changes the access token's claims and scopes.
type AccessTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
	ScopesToAdd           []string       `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string       `json:"scopesToSuppress,omitempty"`
}

// Placeholders Cognito puts in a custom message request for the function to
// place in its text; Cognito substitutes them afterwards.
const (
	CodeParameter     = "{####}"
	LinkParameter     = "{##Click Here##}"
	UsernameParameter = "{username}"
)

// CustomMessageRequest is the request of the custom message trigger.
type CustomMessageRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	// CodeParameter is the code placeholder, normally CodeParameter.
	CodeParameter string `json:"codeParameter"`
	// LinkParameter is the link placeholder of link verification
	// (LinkParameter); empty leaves it out.
	LinkParameter string `json:"linkParameter,omitempty"`
	// UsernameParameter is the username placeholder (UsernameParameter) for
	// messages to admin-created users; nil is sent as null otherwise.
	UsernameParameter *string           `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata,omitempty"`
}

// CustomMessageResponse is the custom message function's text. Empty fields
// keep Cognito's default message; Cognito sends all three as null.
type CustomMessageResponse struct {
	SMSMessage   string `json:"smsMessage"`
	EmailMessage string `json:"emailMessage"`
	EmailSubject string `json:"emailSubject"`
}

// MarshalJSON writes empty fields as null.
func (r CustomMessageResponse) MarshalJSON() ([]byte, error) { return marshalNullZero(r) }

// UserMigrationRequest is the request of the migrate user trigger. The
// user name the person typed is the envelope's userName.
type UserMigrationRequest struct {
	// Password is the password typed at sign-in; empty (left out) for
	// UserMigration_ForgotPassword.
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// UserMigrationResponse is the migrate user function's answer: the user to
// create. Cognito sends every field as null.
type UserMigrationResponse struct {
	UserAttributes map[string]string `json:"userAttributes"`
	// FinalUserStatus is "CONFIRMED" or "RESET_REQUIRED" (the default).
	FinalUserStatus string `json:"finalUserStatus"`
	// MessageAction is "SUPPRESS" to send no welcome message.
	MessageAction string `json:"messageAction"`
	// DesiredDeliveryMediums lists "EMAIL" and/or "SMS" (default SMS).
	DesiredDeliveryMediums []string `json:"desiredDeliveryMediums"`
	ForceAliasCreation     bool     `json:"forceAliasCreation"`
	EnableSMSMFA           bool     `json:"enableSMSMFA"`
}

// MarshalJSON writes empty fields as null.
func (r UserMigrationResponse) MarshalJSON() ([]byte, error) { return marshalNullZero(r) }

// ChallengeResult is one step of a custom authentication session, as the
// custom challenge triggers see it.
type ChallengeResult struct {
	// ChallengeName is CUSTOM_CHALLENGE, SRP_A, PASSWORD_VERIFIER, SMS_MFA,
	// EMAIL_OTP, SOFTWARE_TOKEN_MFA, DEVICE_SRP_AUTH,
	// DEVICE_PASSWORD_VERIFIER or ADMIN_NO_SRP_AUTH.
	ChallengeName   string `json:"challengeName"`
	ChallengeResult bool   `json:"challengeResult"`
	// ChallengeMetadata is the create auth challenge function's name for a
	// CUSTOM_CHALLENGE; empty is sent as null.
	ChallengeMetadata string `json:"challengeMetadata"`
}

// MarshalJSON writes an empty ChallengeMetadata as null.
func (c ChallengeResult) MarshalJSON() ([]byte, error) {
	var meta *string
	if c.ChallengeMetadata != "" {
		meta = &c.ChallengeMetadata
	}
	return json.Marshal(struct {
		ChallengeName     string  `json:"challengeName"`
		ChallengeResult   bool    `json:"challengeResult"`
		ChallengeMetadata *string `json:"challengeMetadata"`
	}{c.ChallengeName, c.ChallengeResult, meta})
}

// Session is the challenges answered so far; nil marshals as [], as Cognito
// sends it on the first call.
type Session []ChallengeResult

// MarshalJSON writes nil as [].
func (s Session) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]ChallengeResult(s))
}

// DefineAuthChallengeRequest is the request of the define auth challenge
// trigger.
type DefineAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	Session        Session           `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	// UserNotFound: see PreAuthenticationRequest.
	UserNotFound *bool `json:"userNotFound,omitempty"`
}

// DefineAuthChallengeResponse decides the next step. Cognito sends every
// field as null.
type DefineAuthChallengeResponse struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

// MarshalJSON writes empty fields as null.
func (r DefineAuthChallengeResponse) MarshalJSON() ([]byte, error) { return marshalNullZero(r) }

// CreateAuthChallengeRequest is the request of the create auth challenge
// trigger.
type CreateAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        Session           `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound   *bool             `json:"userNotFound,omitempty"`
}

// CreateAuthChallengeResponse is the challenge to present. Cognito sends
// every field as null.
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

// MarshalJSON writes empty fields as null.
func (r CreateAuthChallengeResponse) MarshalJSON() ([]byte, error) { return marshalNullZero(r) }

// VerifyAuthChallengeResponseRequest is the request of the verify auth
// challenge response trigger.
type VerifyAuthChallengeResponseRequest struct {
	UserAttributes             Attributes        `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	// ChallengeAnswer is the ANSWER of the RespondToAuthChallenge call.
	ChallengeAnswer string            `json:"challengeAnswer"`
	ClientMetadata  map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound    *bool             `json:"userNotFound,omitempty"`
}

// VerifyAuthChallengeResponseResponse is the verdict. Cognito sends
// {"answerCorrect": null}.
type VerifyAuthChallengeResponseResponse struct {
	AnswerCorrect bool `json:"answerCorrect"`
}

// MarshalJSON writes false as null.
func (r VerifyAuthChallengeResponseResponse) MarshalJSON() ([]byte, error) {
	return marshalNullZero(r)
}

// Request types of the custom sender triggers ("type").
const (
	CustomEmailSenderRequestV1 = "customEmailSenderRequestV1"
	CustomSMSSenderRequestV1   = "customSMSSenderRequestV1"
)

// CustomSenderRequest is the request of the custom email sender and custom
// SMS sender triggers; their response is EmptyResponse, and Cognito invokes
// them asynchronously (see CallAsync).
type CustomSenderRequest struct {
	// Type is CustomEmailSenderRequestV1 or CustomSMSSenderRequestV1.
	Type string `json:"type"`
	// Code is the code or temporary password to deliver. Cognito encrypts
	// it with the pool's KMS key (LambdaConfig.KMSKeyID) through the AWS
	// Encryption SDK and sends the base64 ciphertext, which the function
	// decrypts. Cogito has no KMS: it sends the base64 of the plaintext
	// (EncodeCode), so a function written for Cognito must skip its
	// decrypt step under Cogito, or decode base64 only.
	Code           string            `json:"code,omitempty"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	UserAttributes Attributes        `json:"userAttributes"`
}

// EncodeCode is the "code" Cogito sends a custom sender function: the
// standard base64 of the plaintext code. (Cognito sends KMS ciphertext; see
// CustomSenderRequest.Code.)
func EncodeCode(plaintext string) string {
	return base64.StdEncoding.EncodeToString([]byte(plaintext))
}

// marshalNullZero marshals the struct v field by field, in declaration
// order and with the fields' JSON names, writing null for every field that
// holds its zero value.
func marshalNullZero(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	rt := rv.Type()
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		fv := rv.Field(i)
		if fv.IsZero() {
			b.WriteString("null")
			continue
		}
		val, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, err
		}
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
