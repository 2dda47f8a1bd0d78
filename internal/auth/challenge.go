package auth

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// Response is one RespondToAuthChallenge / AdminRespondToAuthChallenge call.
type Response struct {
	Admin          bool
	PoolID         string
	ClientID       string
	ChallengeName  string
	Session        string
	Responses      map[string]string
	ClientMetadata map[string]string
}

// challenges is the dispatch table of ChallengeName.
var challenges = map[string]func(s *Service, ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error){
	"PASSWORD_VERIFIER":     (*Service).passwordVerifierStep, // custom.go: USER_SRP_AUTH or CUSTOM_AUTH with SRP_A
	"NEW_PASSWORD_REQUIRED": (*Service).newPassword,
	"CUSTOM_CHALLENGE":      (*Service).customChallenge,
}

// Respond runs RespondToAuthChallenge.
func (s *Service) Respond(ctx context.Context, r *Response) (*Result, error) {
	if r.ClientID == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	}
	if r.ChallengeName == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'challengeName' failed to satisfy constraint: Member must not be null")
	}
	handler, ok := challenges[r.ChallengeName]
	if !ok {
		return nil, errs.Param("1 validation error detected: Value '%s' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: [SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP, PASSWORD_VERIFIER, CUSTOM_CHALLENGE, SELECT_CHALLENGE, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, ADMIN_NO_SRP_AUTH, NEW_PASSWORD_REQUIRED, SMS_OTP, PASSWORD, WEB_AUTHN, PASSWORD_SRP]", r.ChallengeName)
	}
	pool, c, err := s.clientFor(ctx, r.PoolID, r.ClientID)
	if err != nil {
		return nil, err
	}
	if r.Responses == nil {
		r.Responses = map[string]string{}
	}
	if r.Responses["USERNAME"] == "" {
		return nil, errs.Param("Missing required parameter USERNAME")
	}
	if err := c.CheckSecretHash(r.Responses["USERNAME"], r.Responses["SECRET_HASH"]); err != nil {
		return nil, err
	}
	step, err := handler(s, ctx, pool, c, r)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, pool, c, step)
}

// RespondNewPassword is the hosted UI's answer to NEW_PASSWORD_REQUIRED.
func (s *Service) RespondNewPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, session, newPassword string, attrs map[string]string) (*Step, error) {
	responses := map[string]string{"NEW_PASSWORD": newPassword}
	for k, v := range attrs {
		responses["userAttributes."+k] = v
	}
	return s.newPassword(ctx, pool, c, &Response{ClientID: c.ID, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: session, Responses: responses})
}

// newPasswordChallenge asks a user with a temporary password for a new one.
func (s *Service) newPasswordChallenge(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, authTime time.Time, admin bool) (*Step, error) {
	handle, err := s.newSession(ctx, pool, c, u.UsernameKey, &session{
		Challenge: "NEW_PASSWORD_REQUIRED", Username: u.Username, AuthTime: authTime, Admin: admin})
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range u.Attributes {
		if !strings.HasPrefix(k, "dev:") {
			attrs[k] = v
		}
	}
	var required []string
	for _, name := range pool.Config.RequiredAttributes() {
		if u.Attributes[name] == "" {
			required = append(required, "userAttributes."+name)
		}
	}
	if required == nil {
		required = []string{}
	}
	attrJSON, _ := json.Marshal(attrs)
	reqJSON, _ := json.Marshal(required)
	return &Step{Challenge: "NEW_PASSWORD_REQUIRED", Session: handle, ChallengeParameters: map[string]string{
		"USER_ID_FOR_SRP":    u.Username,
		"requiredAttributes": string(reqJSON),
		"userAttributes":     string(attrJSON),
	}}, nil
}

// newPassword answers NEW_PASSWORD_REQUIRED: the new password and any
// required attributes. A reply that fails validation leaves the session
// usable so the user can correct it, as Cognito does.
func (s *Service) newPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error) {
	st, err := s.peekSession(ctx, r.Session, c)
	if err != nil {
		return nil, err
	}
	if st.Challenge != "NEW_PASSWORD_REQUIRED" {
		return nil, errBadSession
	}
	pw := r.Responses["NEW_PASSWORD"]
	if pw == "" {
		return nil, errs.Param("Missing required parameter NEW_PASSWORD")
	}
	var attrs []users.Attribute
	for k, v := range r.Responses {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs = append(attrs, users.Attribute{Name: name, Value: v})
		}
	}
	// Validate first (the session survives a bad reply), then use the
	// session up before writing, so two concurrent replies cannot both win.
	if err := s.Users.CheckNewPassword(ctx, pool, c, st.Username, pw, attrs); err != nil {
		return nil, err
	}
	if _, _, err := s.takeSession(ctx, r.Session, c); err != nil {
		return nil, err
	}
	u, err := s.Users.CompleteNewPassword(ctx, pool, c, st.Username, pw, attrs)
	if err != nil {
		return nil, err
	}
	return s.signedIn(ctx, pool, c, u, st.AuthTime, r.ClientMetadata, triggers.TokenGenerationNewPasswordChallenge)
}
