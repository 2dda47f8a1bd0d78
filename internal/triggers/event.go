package triggers

import (
	"encoding/json"
	"strings"
)

// Event is the envelope Amazon Cognito sends to every user pool trigger: the
// common parameters, the trigger's own request, and a response for the
// function to fill in. The function returns the whole event; only its
// "response" is read back.
//
// Field names follow "User pool Lambda trigger event" in the Cognito
// Developer Guide (cognito-user-identity-pools-working-with-aws-lambda-triggers).
type Event struct {
	// Version is "1" for every trigger except pre token generation, whose
	// event version follows the pool's PreTokenGenerationConfig: "2" for
	// V2_0 and "3" for V3_0 (see PreTokenGenerationVersion).
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
	// Request and Response are the trigger's own parameters; Call fills them
	// from typed values.
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response,omitempty"`
}

// CallerContext is the event's "callerContext".
type CallerContext struct {
	// AWSSDKVersion names the SDK that made the API call, like
	// "aws-sdk-js-2.1639.0"; Cognito sends UnknownSDKVersion when it cannot
	// tell.
	AWSSDKVersion string `json:"awsSdkVersion"`
	// ClientID is the app client of the call, or AdminClientID for
	// operations that have none (AdminCreateUser, AdminConfirmSignUp ...).
	ClientID string `json:"clientId"`
}

// Values Cognito puts in the envelope.
const (
	// EventVersion is the "version" of every event but pre token
	// generation V2_0/V3_0.
	EventVersion = "1"
	// UnknownSDKVersion is the awsSdkVersion Cognito sends when the caller's
	// SDK is not recognised (every hosted-UI and most browser calls).
	UnknownSDKVersion = "aws-sdk-unknown-unknown"
	// AdminClientID is the clientId Cognito sends for admin operations,
	// which are made without an app client.
	AdminClientID = "CLIENT_ID_NOT_APPLICABLE"
)

// NewEvent returns an event envelope with the version and SDK fields set as
// Cognito sets them for a call it cannot attribute to a known SDK.
func NewEvent(triggerSource, region, userPoolID, clientID, userName string) *Event {
	return &Event{
		Version:       EventVersion,
		TriggerSource: triggerSource,
		Region:        region,
		UserPoolID:    userPoolID,
		UserName:      userName,
		CallerContext: CallerContext{AWSSDKVersion: UnknownSDKVersion, ClientID: clientID},
	}
}

// PreTokenGenerationVersion is the event "version" Cognito sends to a pre
// token generation function configured with lambdaVersion (the pool's
// PreTokenGenerationConfig.LambdaVersion): "1", "2" or "3".
func PreTokenGenerationVersion(lambdaVersion string) string {
	switch lambdaVersion {
	case "V2_0":
		return "2"
	case "V3_0":
		return "3"
	}
	return EventVersion
}

// TriggerName is the name Cognito uses for a trigger in its error messages
// ("PreSignUp failed with error ..."): the trigger source up to its
// underscore, except that the TokenGeneration_* sources belong to the
// PreTokenGeneration trigger.
func TriggerName(triggerSource string) string {
	name, _, _ := strings.Cut(triggerSource, "_")
	if name == "TokenGeneration" {
		return "PreTokenGeneration"
	}
	return name
}

// Trigger sources: the event's "triggerSource" for each occasion, from
// "Connecting Lambda triggers to user pool functional operations" in the
// Cognito Developer Guide and the custom sender trigger pages.
const (
	PreSignUpSignUp           = "PreSignUp_SignUp"
	PreSignUpAdminCreateUser  = "PreSignUp_AdminCreateUser"
	PreSignUpExternalProvider = "PreSignUp_ExternalProvider"

	PostConfirmationConfirmSignUp         = "PostConfirmation_ConfirmSignUp"
	PostConfirmationConfirmForgotPassword = "PostConfirmation_ConfirmForgotPassword"

	PreAuthenticationAuthentication  = "PreAuthentication_Authentication"
	PostAuthenticationAuthentication = "PostAuthentication_Authentication"

	CustomMessageSignUp              = "CustomMessage_SignUp"
	CustomMessageAdminCreateUser     = "CustomMessage_AdminCreateUser"
	CustomMessageResendCode          = "CustomMessage_ResendCode"
	CustomMessageForgotPassword      = "CustomMessage_ForgotPassword"
	CustomMessageUpdateUserAttribute = "CustomMessage_UpdateUserAttribute"
	CustomMessageVerifyUserAttribute = "CustomMessage_VerifyUserAttribute"
	CustomMessageAuthentication      = "CustomMessage_Authentication"

	UserMigrationAuthentication = "UserMigration_Authentication"
	UserMigrationForgotPassword = "UserMigration_ForgotPassword"

	TokenGenerationHostedAuth           = "TokenGeneration_HostedAuth"
	TokenGenerationAuthentication       = "TokenGeneration_Authentication"
	TokenGenerationNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge"
	TokenGenerationAuthenticateDevice   = "TokenGeneration_AuthenticateDevice"
	TokenGenerationRefreshTokens        = "TokenGeneration_RefreshTokens"
	// TokenGenerationClientCredentials is sent only to V3_0 functions, for
	// machine-to-machine (client_credentials) access tokens.
	TokenGenerationClientCredentials = "TokenGeneration_ClientCredentials"

	DefineAuthChallengeAuthentication         = "DefineAuthChallenge_Authentication"
	CreateAuthChallengeAuthentication         = "CreateAuthChallenge_Authentication"
	VerifyAuthChallengeResponseAuthentication = "VerifyAuthChallengeResponse_Authentication"

	CustomEmailSenderSignUp                      = "CustomEmailSender_SignUp"
	CustomEmailSenderResendCode                  = "CustomEmailSender_ResendCode"
	CustomEmailSenderForgotPassword              = "CustomEmailSender_ForgotPassword"
	CustomEmailSenderUpdateUserAttribute         = "CustomEmailSender_UpdateUserAttribute"
	CustomEmailSenderVerifyUserAttribute         = "CustomEmailSender_VerifyUserAttribute"
	CustomEmailSenderAdminCreateUser             = "CustomEmailSender_AdminCreateUser"
	CustomEmailSenderAccountTakeOverNotification = "CustomEmailSender_AccountTakeOverNotification"
	CustomEmailSenderAuthentication              = "CustomEmailSender_Authentication"

	CustomSMSSenderSignUp              = "CustomSMSSender_SignUp"
	CustomSMSSenderResendCode          = "CustomSMSSender_ResendCode"
	CustomSMSSenderForgotPassword      = "CustomSMSSender_ForgotPassword"
	CustomSMSSenderUpdateUserAttribute = "CustomSMSSender_UpdateUserAttribute"
	CustomSMSSenderVerifyUserAttribute = "CustomSMSSender_VerifyUserAttribute"
	CustomSMSSenderAdminCreateUser     = "CustomSMSSender_AdminCreateUser"
	CustomSMSSenderAuthentication      = "CustomSMSSender_Authentication"
)
