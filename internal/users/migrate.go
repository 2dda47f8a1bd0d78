package users

// The migrate user trigger ("Migrate user Lambda trigger" and "Importing
// users with a user migration Lambda trigger" in the Cognito Developer
// Guide): when a user who does not exist signs in with a password, or asks
// for a password reset, the pool's UserMigration function may return the
// user, and Cognito creates it then and there.

import (
	"context"

	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// MigrationEnabled reports whether the pool has a migrate user function.
func MigrationEnabled(pool *userpool.Pool) bool { return lambdaConfig(pool).UserMigration != "" }

// Migrate asks the pool's migrate user function for the user username (the
// name typed at sign-in or in ForgotPassword), and creates it with
// CreateMigrated. source is triggers.UserMigrationAuthentication (sign-in
// with a password, which the request carries) or
// triggers.UserMigrationForgotPassword (no password).
//
// The event's userName is the name typed. The guide routes the sign-in
// call's ClientMetadata to validationData ("You can pass this data to your
// Lambda function by using the ClientMetadata parameter in the InitiateAuth
// and AdminInitiateAuth API actions") and the ForgotPassword call's to
// clientMetadata; a sign-in's metadata goes to both.
//
// Errors: without a migrate user function, UserNotFoundException "User does
// not exist." (callers check MigrationEnabled first to answer as they
// should); a function that fails gives UserLambdaValidationException
// "UserMigration failed with error <message>." (or the other exceptions of
// triggers.Call); one that returns no user (null, no response, or no
// userAttributes) UserNotFoundException "Exception migrating user in app
// client <client id>".
func (s *Service) Migrate(ctx context.Context, pool *userpool.Pool, clientID, username, pw string, clientMetadata map[string]string, source string) (*store.User, error) {
	arn := lambdaConfig(pool).UserMigration
	if arn == "" {
		return nil, UserNotFound()
	}
	req := triggers.UserMigrationRequest{ClientMetadata: clientMetadata}
	if source == triggers.UserMigrationAuthentication {
		req.Password = pw
		req.ValidationData = clientMetadata
	} else {
		pw = ""
	}
	var resp triggers.UserMigrationResponse
	if err := s.callTrigger(ctx, pool, arn, source, clientID, username, req, &resp); err != nil {
		return nil, err
	}
	if len(resp.UserAttributes) == 0 {
		return nil, errs.New(errs.UserNotFound, "Exception migrating user in app client %s", clientID)
	}
	return s.CreateMigrated(ctx, pool, clientID, username, pw, &resp, source)
}

// CreateMigrated creates the user a migrate user function returned, in one
// store write, as the guide's response parameters describe:
//
//   - userAttributes are the user's attributes, validated against the
//     pool's schema and required attributes like AdminCreateUser's. A
//     "username" entry (functions commonly echo it) is not an attribute and
//     is dropped. The username follows the pool's rules for the name typed:
//     in a pool with email or phone as username the user gets a new UUID as
//     username and the name typed as its email/phone_number; in a pool with
//     that alias the name typed may not have the form of one.
//   - finalUserStatus is CONFIRMED or RESET_REQUIRED. Unset, it is CONFIRMED
//     at sign-in ("can be set to CONFIRMED, or not set, to auto-confirm your
//     users and allow them to sign-in with their previous passwords") and
//     RESET_REQUIRED in the forgot-password flow, where there is no password.
//     Anything else is InvalidLambdaResponseException.
//   - the password typed at sign-in becomes the user's password (with its
//     SRP verifier); the pool's password policy is not applied ("If the
//     password doesn't meet the configured password policy, it will still
//     be accepted").
//   - messageAction SUPPRESS sends nothing; otherwise the welcome message
//     (the pool's invitation template, through the custom message trigger
//     as CustomMessage_AdminCreateUser) goes to desiredDeliveryMediums,
//     SMS by default, and, as AdminCreateUser does, a user none of them
//     reaches is refused.
//   - forceAliasCreation moves an email/phone alias held by another user to
//     this one; without it the clash fails with AliasExistsException.
//
// enableSMSMFA is not applied: Cogito has no SMS MFA for it to enable yet.
func (s *Service) CreateMigrated(ctx context.Context, pool *userpool.Pool, clientID, username, pw string, resp *triggers.UserMigrationResponse, source string) (*store.User, error) {
	cfg := &pool.Config
	if err := validateUsernameForm(username); err != nil {
		return nil, err
	}
	in := make(map[string]string, len(resp.UserAttributes))
	for k, v := range resp.UserAttributes {
		if k != "username" {
			in[k] = v
		}
	}
	attrs, err := validateAttributes(cfg, sortedAttributes(in))
	if err != nil {
		return nil, err
	}
	name, err := usernameRules(cfg, username, attrs)
	if err != nil {
		return nil, err
	}
	if err := checkRequired(cfg, attrs); err != nil {
		return nil, err
	}

	status := resp.FinalUserStatus
	switch status {
	case "":
		status = StatusResetRequired
		if source == triggers.UserMigrationAuthentication && pw != "" {
			status = StatusConfirmed
		}
	case StatusConfirmed, StatusResetRequired:
	default:
		return nil, errs.New(triggers.InvalidLambdaResponse, "Invalid lambda response: finalUserStatus must be CONFIRMED or RESET_REQUIRED.")
	}

	var deliveries []delivery
	if resp.MessageAction != "SUPPRESS" {
		if resp.MessageAction != "" && resp.MessageAction != "RESEND" {
			return nil, errs.New(triggers.InvalidLambdaResponse, "Invalid lambda response: messageAction must be SUPPRESS.")
		}
		mediums := resp.DesiredDeliveryMediums
		if len(mediums) == 0 {
			mediums = []string{messages.SMS}
		}
		for _, m := range mediums {
			if m != messages.SMS && m != messages.Email {
				return nil, errs.New(triggers.InvalidLambdaResponse, "Invalid lambda response: desiredDeliveryMediums must be EMAIL or SMS.")
			}
		}
		if deliveries, err = deliveryTargets(attrs, mediums, false); err != nil {
			return nil, err
		}
	}

	now := s.now()
	u := &store.User{
		PoolID: pool.ID, Username: name, UsernameKey: Key(cfg, name), Sub: uuid.NewString(),
		Status: status, Enabled: true, Attributes: attrs, Aliases: aliasesFor(cfg, attrs),
		Created: now, Modified: now,
	}
	if pw != "" {
		rec, err := password.New(pool.PoolName(), name, pw)
		if err != nil {
			return nil, err
		}
		u.Password, u.PasswordSet = rec.Marshal(), now
	}
	if err := s.createUser(ctx, pool, u, resp.ForceAliasCreation); err != nil {
		return nil, err
	}
	if len(deliveries) > 0 {
		if err := s.sendInvitation(ctx, pool, Caller{ClientID: clientID}, u, pw, deliveries); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// migrateForReset is ForgotPassword's lookup of a user the pool does not
// have: UserMigration_ForgotPassword creates it (RESET_REQUIRED unless the
// function says otherwise) and the reset code goes to it as to any user.
// found is false when there is no migrate user function or it returned no
// user (err then says why: UserNotFoundException "Exception migrating user
// in app client ...", or the function's failure).
func (s *Service) migrateForReset(ctx context.Context, pool *userpool.Pool, cl Caller, name string) (u *store.User, found bool, err error) {
	if !MigrationEnabled(pool) {
		return nil, false, nil
	}
	u, err = s.Migrate(ctx, pool, cl.ClientID, name, "", cl.ClientMetadata, triggers.UserMigrationForgotPassword)
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}
