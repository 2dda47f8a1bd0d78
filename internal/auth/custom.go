package auth

// CUSTOM_AUTH: sign-in driven by the pool's custom challenge triggers
// (Cognito Developer Guide, "Custom authentication challenge Lambda
// triggers" and "Use SRP password verification in custom authentication
// flow"). The define auth challenge function sees the challenges answered so
// far and decides: issue tokens, fail, or present another challenge. A
// CUSTOM_CHALLENGE is made by the create auth challenge function and judged
// by the verify auth challenge response function; PASSWORD_VERIFIER is
// Cognito's own SRP step, available when the sign-in began with SRP_A.
//
// What Cognito documents and this follows:
//   - InitiateAuth's ClientMetadata reaches none of the three triggers (the
//     InitiateAuth reference lists define and create auth challenge among
//     the triggers invoked without it); RespondToAuthChallenge's reaches all
//     three, as clientMetadata.
//   - With SRP_A (and CHALLENGE_NAME SRP_A) the first define call sees the
//     session [{SRP_A, true}]; a verified password appends
//     {PASSWORD_VERIFIER, true} and define runs again.
//   - userNotFound is sent only when the client has PreventUserExistenceErrors
//     ENABLED; then an unknown user runs through the triggers like a real one
//     and can never be given tokens.
//   - Every challenge reply carries a new single-use Session that expires
//     after the client's AuthSessionValidity.
//
// Choices where Cognito documents nothing:
//   - a wrong SRP password ends the sign-in (NotAuthorizedException "Incorrect
//     username or password.", counted for lockout) without calling define;
//   - a define answer that neither ends the sign-in nor names a challenge
//     Cogito can present (CUSTOM_CHALLENGE, or PASSWORD_VERIFIER after
//     SRP_A) is InvalidLambdaResponseException "Unrecognizable lambda output";
//   - there is no limit on the number of rounds but the session's lifetime:
//     the define function decides when to give up.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/srp"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// Challenge names of the custom flow.
const (
	customChallengeName = "CUSTOM_CHALLENGE"
	customSRPAName      = "SRP_A"
	customPasswordName  = "PASSWORD_VERIFIER"
)

var (
	errCustomNotConfigured = errs.Param("Custom auth lambda trigger is not configured for the user pool.")
	errCustomUnrecognized  = errs.New(triggers.InvalidLambdaResponse, "Unrecognizable lambda output")
)

// customState is the custom flow's part of a session (session.Custom).
type customState struct {
	// History is the "session" the triggers see: every challenge so far.
	History triggers.Session `json:"history"`
	// Private and Metadata are the create function's answer for the
	// CUSTOM_CHALLENGE now pending.
	Private  map[string]string `json:"private,omitempty"`
	Metadata string            `json:"metadata,omitempty"`
	// UserNotFound: an unknown user under PreventUserExistenceErrors.
	UserNotFound bool `json:"userNotFound,omitempty"`
	// SRPA is the client's A when the sign-in began with SRP_A.
	SRPA string `json:"srpA,omitempty"`
}

// customRun is one step of a custom sign-in.
type customRun struct {
	pool  *userpool.Pool
	c     *userpool.Client
	user  *store.User // nil for an unknown user
	name  string      // the user name the triggers and USERNAME carry
	key   string      // the user's key, "" for an unknown user
	admin bool
	meta  map[string]string // ClientMetadata to pass to the triggers
	st    customState
}

// customAuth is CUSTOM_AUTH (flows.go's customFlow).
func (s *Service) customAuth(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error) {
	step, err := s.customStart(ctx, pool, c, req)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, pool, c, step)
}

func (s *Service) customStart(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Step, error) {
	if lc := pool.Config.LambdaConfig; lc == nil || lc.DefineAuthChallenge == "" {
		return nil, errCustomNotConfigured
	}
	name := req.Params["USERNAME"]
	if err := c.CheckSecretHash(name, req.Params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errs.Param("Missing required parameter USERNAME")
	}
	aHex := req.Params["SRP_A"]
	if aHex == "" && req.Params["CHALLENGE_NAME"] == customSRPAName {
		return nil, errs.Param("Missing required parameter SRP_A")
	}
	if aHex != "" {
		A, err := srp.ParseHex(aHex)
		if err != nil || new(big.Int).Mod(A, srp.N()).Sign() == 0 {
			return nil, errIncorrect
		}
	}
	run := &customRun{pool: pool, c: c, name: name, admin: req.Admin}
	u, err := s.Users.FindSignIn(ctx, pool, name)
	switch {
	case errs.Is(err, errs.UserNotFound) && c.Config.PreventsUserExistenceErrors():
		run.st.UserNotFound = true
	case err != nil:
		return nil, err
	default:
		if err := customCheckUser(u); err != nil {
			return nil, err
		}
		if aHex != "" {
			if len(u.Password) == 0 {
				return nil, errIncorrect
			}
			if err := s.checkLock(u); err != nil {
				return nil, err
			}
		}
		run.user, run.name, run.key = u, u.Username, u.UsernameKey
		if err := s.preAuthentication(ctx, pool, c, u, req.ClientMetadata); err != nil {
			return nil, err
		}
	}
	if aHex != "" {
		run.st.SRPA = aHex
		run.st.History = triggers.Session{{ChallengeName: customSRPAName, ChallengeResult: true}}
	}
	// InitiateAuth's ClientMetadata is not given to the challenge triggers.
	return s.customDefine(ctx, run)
}

// customCheckUser refuses users who may not sign in at all.
func customCheckUser(u *store.User) error {
	switch {
	case !u.Enabled:
		return errs.New(errs.NotAuthorized, "User is disabled.")
	case u.Status == users.StatusResetRequired:
		return errs.New(errs.PasswordResetRequired, "Password reset required for the user")
	case u.Status == users.StatusUnconfirmed:
		return errs.New(errs.UserNotConfirmed, "User is not confirmed.")
	case u.Status == users.StatusExternalProvider:
		return errIncorrect
	}
	return nil
}

// customDefine asks the define auth challenge function for the next step.
func (s *Service) customDefine(ctx context.Context, run *customRun) (*Step, error) {
	lc := run.pool.Config.LambdaConfig
	if lc == nil || lc.DefineAuthChallenge == "" {
		return nil, errCustomNotConfigured
	}
	var resp triggers.DefineAuthChallengeResponse
	err := triggers.Call(ctx, s.Triggers, lc.DefineAuthChallenge,
		s.customEvent(run, triggers.DefineAuthChallengeAuthentication),
		&triggers.DefineAuthChallengeRequest{UserAttributes: customUserAttributes(run.user),
			Session: run.st.History, ClientMetadata: run.meta, UserNotFound: customNotFound(run)}, &resp)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.FailAuthentication:
		return nil, errIncorrect
	case resp.IssueTokens:
		if run.user == nil {
			return nil, errIncorrect
		}
		return s.signedIn(ctx, run.pool, run.c, run.user, s.now(), run.meta, triggers.TokenGenerationAuthentication)
	case resp.ChallengeName == customChallengeName:
		return s.customCreate(ctx, run)
	case resp.ChallengeName == customPasswordName && run.st.SRPA != "":
		return s.customPasswordChallenge(ctx, run)
	}
	return nil, errCustomUnrecognized
}

// customCreate has the create auth challenge function make a
// CUSTOM_CHALLENGE and presents it.
func (s *Service) customCreate(ctx context.Context, run *customRun) (*Step, error) {
	lc := run.pool.Config.LambdaConfig
	if lc == nil || lc.CreateAuthChallenge == "" {
		return nil, errCustomNotConfigured
	}
	var resp triggers.CreateAuthChallengeResponse
	err := triggers.Call(ctx, s.Triggers, lc.CreateAuthChallenge,
		s.customEvent(run, triggers.CreateAuthChallengeAuthentication),
		&triggers.CreateAuthChallengeRequest{UserAttributes: customUserAttributes(run.user),
			ChallengeName: customChallengeName, Session: run.st.History, ClientMetadata: run.meta,
			UserNotFound: customNotFound(run)}, &resp)
	if err != nil {
		return nil, err
	}
	run.st.Private, run.st.Metadata = resp.PrivateChallengeParameters, resp.ChallengeMetadata
	handle, err := s.customSession(ctx, run, &session{Challenge: customChallengeName})
	if err != nil {
		return nil, err
	}
	params := map[string]string{}
	for k, v := range resp.PublicChallengeParameters {
		params[k] = v
	}
	params["USERNAME"] = run.name
	return &Step{Challenge: customChallengeName, Session: handle, ChallengeParameters: params}, nil
}

// customPasswordChallenge presents PASSWORD_VERIFIER for the A the client
// sent with SRP_A. An unknown user gets a decoy that can never be answered.
func (s *Service) customPasswordChallenge(ctx context.Context, run *customRun) (*Step, error) {
	var salt []byte
	var v *big.Int
	fake := run.user == nil
	if !fake {
		rec, err := password.Unmarshal(run.user.Password)
		if err != nil {
			return nil, errIncorrect
		}
		salt, v = rec.SRP()
	} else {
		salt = srp.NewSalt()
		x := make([]byte, 32)
		if _, err := rand.Read(x); err != nil {
			return nil, err
		}
		v = new(big.Int).Exp(srp.G(), new(big.Int).SetBytes(x), srp.N())
	}
	ss, err := srp.NewServerSession(v)
	if err != nil {
		return nil, err
	}
	run.st.Private, run.st.Metadata = nil, ""
	handle, err := s.customSession(ctx, run, &session{Challenge: customPasswordName,
		SRPSecret: hex.EncodeToString(ss.Secret()), SRPA: run.st.SRPA, Fake: fake})
	if err != nil {
		return nil, err
	}
	// The secret block is the session handle, as in USER_SRP_AUTH; Cognito
	// also returns a Session here, which clients send back with the answer.
	return &Step{Challenge: customPasswordName, Session: handle, ChallengeParameters: map[string]string{
		"SALT":            srp.SaltHex(salt),
		"SRP_B":           ss.B().Text(16),
		"SECRET_BLOCK":    secretBlock(handle),
		"USERNAME":        run.name,
		"USER_ID_FOR_SRP": run.name,
	}}, nil
}

// customSession stores st with the custom state of run and returns its
// handle.
func (s *Service) customSession(ctx context.Context, run *customRun, st *session) (string, error) {
	raw, err := json.Marshal(&run.st)
	if err != nil {
		return "", err
	}
	st.Username, st.Admin, st.AuthTime, st.Custom = run.name, run.admin, s.now(), raw
	return s.newSession(ctx, run.pool, run.c, run.key, st)
}

// customResume rebuilds a sign-in from its session and the user's current
// record.
func (s *Service) customResume(ctx context.Context, pool *userpool.Pool, c *userpool.Client, as *store.AuthSession, st *session, meta map[string]string) (*customRun, error) {
	if len(st.Custom) == 0 {
		return nil, errBadSession
	}
	run := &customRun{pool: pool, c: c, name: st.Username, key: as.UsernameKey, admin: st.Admin, meta: meta}
	if err := json.Unmarshal(st.Custom, &run.st); err != nil {
		return nil, fmt.Errorf("auth: decode custom auth session: %w", err)
	}
	if run.st.UserNotFound {
		return run, nil
	}
	u, err := s.Store.GetUser(ctx, pool.ID, as.UsernameKey)
	if err != nil {
		return nil, errIncorrect
	}
	if err := customCheckUser(u); err != nil {
		return nil, err
	}
	run.user, run.name = u, u.Username
	return run, nil
}

// customChallenge answers CUSTOM_CHALLENGE: the verify auth challenge
// response function judges ANSWER, and define decides what follows.
func (s *Service) customChallenge(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error) {
	if r.Responses["USERNAME"] == "" {
		return nil, errs.Param("Missing required parameter USERNAME")
	}
	answer, ok := r.Responses["ANSWER"]
	if !ok {
		return nil, errs.Param("Missing required parameter ANSWER")
	}
	as, st, err := s.takeSession(ctx, r.Session, c)
	if err != nil {
		return nil, err
	}
	if st.Challenge != customChallengeName {
		return nil, errBadSession
	}
	run, err := s.customResume(ctx, pool, c, as, st, r.ClientMetadata)
	if err != nil {
		return nil, err
	}
	lc := pool.Config.LambdaConfig
	if lc == nil || lc.VerifyAuthChallengeResponse == "" {
		return nil, errCustomNotConfigured
	}
	var resp triggers.VerifyAuthChallengeResponseResponse
	err = triggers.Call(ctx, s.Triggers, lc.VerifyAuthChallengeResponse,
		s.customEvent(run, triggers.VerifyAuthChallengeResponseAuthentication),
		&triggers.VerifyAuthChallengeResponseRequest{UserAttributes: customUserAttributes(run.user),
			PrivateChallengeParameters: run.st.Private, ChallengeAnswer: answer,
			ClientMetadata: run.meta, UserNotFound: customNotFound(run)}, &resp)
	if err != nil {
		return nil, err
	}
	run.st.History = append(run.st.History, triggers.ChallengeResult{ChallengeName: customChallengeName,
		ChallengeResult: resp.AnswerCorrect, ChallengeMetadata: run.st.Metadata})
	run.st.Private, run.st.Metadata = nil, ""
	return s.customDefine(ctx, run)
}

// passwordVerifierStep answers PASSWORD_VERIFIER: inside a custom sign-in
// it continues the custom flow, otherwise it is USER_SRP_AUTH's answer.
func (s *Service) passwordVerifierStep(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error) {
	if handle, _, ok := handleOf(r.Responses["PASSWORD_CLAIM_SECRET_BLOCK"]); ok {
		if st, err := s.peekSession(ctx, handle, c); err == nil && len(st.Custom) > 0 {
			return s.customPasswordVerifier(ctx, pool, c, r)
		}
	}
	return s.passwordVerifier(ctx, pool, c, r)
}

// customPasswordVerifier checks the SRP proof of a custom sign-in; a right
// password appends {PASSWORD_VERIFIER, true} and asks define again.
func (s *Service) customPasswordVerifier(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error) {
	block := r.Responses["PASSWORD_CLAIM_SECRET_BLOCK"]
	sig := r.Responses["PASSWORD_CLAIM_SIGNATURE"]
	ts := r.Responses["TIMESTAMP"]
	if block == "" || sig == "" || ts == "" {
		return nil, errs.Param("Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE or TIMESTAMP")
	}
	when, err := srp.ParseTimestamp(ts)
	if err != nil {
		return nil, errs.Param("%s", srp.TimestampErrorMessage)
	}
	handle, blockBytes, ok := handleOf(block)
	if !ok {
		return nil, errBadSession
	}
	// The Session, when sent, must be the one the challenge came with.
	if r.Session != "" && r.Session != handle {
		return nil, errBadSession
	}
	as, st, err := s.takeSession(ctx, handle, c)
	if err != nil {
		return nil, err
	}
	if st.Challenge != customPasswordName {
		return nil, errBadSession
	}
	if st.Fake {
		return nil, errIncorrect
	}
	if d := s.now().Sub(when); d > timestampSkew || d < -timestampSkew {
		return nil, errIncorrect
	}
	run, err := s.customResume(ctx, pool, c, as, st, r.ClientMetadata)
	if err != nil {
		return nil, err
	}
	u := run.user
	if err := s.checkLock(u); err != nil {
		return nil, err
	}
	if err := s.verifyClaim(ctx, pool, u, st, blockBytes, ts, sig); err != nil {
		return nil, err
	}
	if run.user, err = s.succeeded(ctx, pool, u); err != nil {
		return nil, err
	}
	run.st.History = append(run.st.History, triggers.ChallengeResult{ChallengeName: customPasswordName, ChallengeResult: true})
	return s.customDefine(ctx, run)
}

// customEvent is the envelope of a challenge trigger's event.
func (s *Service) customEvent(run *customRun, source string) *triggers.Event {
	return triggers.NewEvent(source, s.region(), run.pool.ID, run.c.ID, run.name)
}

// customNotFound is the request's userNotFound: set only when the client
// prevents user existence errors.
func customNotFound(run *customRun) *bool {
	if !run.c.Config.PreventsUserExistenceErrors() {
		return nil
	}
	v := run.st.UserNotFound
	return &v
}

// customUserAttributes are the userAttributes of a trigger request
// (eventAttributes); an unknown user has none.
func customUserAttributes(u *store.User) triggers.Attributes {
	if u == nil {
		return nil
	}
	return eventAttributes(u)
}
