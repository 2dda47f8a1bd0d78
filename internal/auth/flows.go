package auth

import (
	"context"
	"errors"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// flow is one AuthFlow: the client setting that enables it, which API may
// start it, and the function that runs it.
type flow struct {
	allow    string // ExplicitAuthFlows value
	viaUser  bool   // InitiateAuth
	viaAdmin bool   // AdminInitiateAuth
	start    func(s *Service, ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error)
}

// flows is the dispatch table of AuthFlow; every flow passes through
// Initiate's shared checks first.
var flows = map[string]flow{
	"USER_PASSWORD_AUTH":       {allow: "ALLOW_USER_PASSWORD_AUTH", viaUser: true, start: (*Service).passwordFlow},
	"ADMIN_USER_PASSWORD_AUTH": {allow: "ALLOW_ADMIN_USER_PASSWORD_AUTH", viaAdmin: true, start: (*Service).passwordFlow},
	"ADMIN_NO_SRP_AUTH":        {allow: "ALLOW_ADMIN_USER_PASSWORD_AUTH", viaAdmin: true, start: (*Service).passwordFlow},
	"USER_SRP_AUTH":            {allow: "ALLOW_USER_SRP_AUTH", viaUser: true, viaAdmin: true, start: (*Service).srpFlow},
	"REFRESH_TOKEN_AUTH":       {allow: "ALLOW_REFRESH_TOKEN_AUTH", viaUser: true, viaAdmin: true, start: (*Service).refreshFlow},
	"REFRESH_TOKEN":            {allow: "ALLOW_REFRESH_TOKEN_AUTH", viaUser: true, viaAdmin: true, start: (*Service).refreshFlow},
	"CUSTOM_AUTH":              {allow: "ALLOW_CUSTOM_AUTH", viaUser: true, viaAdmin: true, start: (*Service).customFlow},
}

// Initiate runs InitiateAuth / AdminInitiateAuth.
func (s *Service) Initiate(ctx context.Context, req *Request) (*Result, error) {
	if req.ClientID == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	}
	if req.AuthFlow == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'authFlow' failed to satisfy constraint: Member must not be null")
	}
	f, ok := flows[req.AuthFlow]
	if !ok {
		if req.AuthFlow == "USER_AUTH" {
			return nil, errs.Param("USER_AUTH flow not enabled for this client")
		}
		return nil, errs.Param("1 validation error detected: Value '%s' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]", req.AuthFlow)
	}
	if (req.Admin && !f.viaAdmin) || (!req.Admin && !f.viaUser) {
		return nil, errs.Param("Initiate Auth method not supported.")
	}
	pool, c, err := s.clientFor(ctx, req.PoolID, req.ClientID)
	if err != nil {
		return nil, err
	}
	if !c.Config.AllowsFlow(f.allow) {
		return nil, errs.Param("%s flow not enabled for this client", req.AuthFlow)
	}
	if req.Params == nil {
		req.Params = map[string]string{}
	}
	return f.start(s, ctx, pool, c, req)
}

// customFlow is CUSTOM_AUTH, driven by the pool's custom challenge
// triggers (custom.go).
func (s *Service) customFlow(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error) {
	return s.customAuth(ctx, pool, c, req)
}

var errIncorrect = errs.New(errs.NotAuthorized, "Incorrect username or password.")

// findForSignIn resolves a sign-in name: the username or an alias the pool
// allows (never the sub). An unknown user is reported as Cognito's client
// setting says: UserNotFoundException, or (PreventUserExistenceErrors)
// exactly like a wrong password.
func (s *Service) findForSignIn(ctx context.Context, pool *userpool.Pool, c *userpool.Client, name string) (*store.User, error) {
	if name == "" {
		return nil, errs.Param("Missing required parameter USERNAME")
	}
	u, err := s.Users.FindSignIn(ctx, pool, name)
	if errs.Is(err, errs.UserNotFound) && c.Config.PreventsUserExistenceErrors() {
		return nil, errIncorrect
	}
	return u, err
}

// passwordFlow is USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordFlow(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error) {
	name := req.Params["USERNAME"]
	if err := c.CheckSecretHash(name, req.Params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	step, err := s.checkPassword(ctx, pool, c, name, req.Params["PASSWORD"], req.Admin, req.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, pool, c, step)
}

// Step is where a sign-in stands: signed in (User set) or facing a
// challenge. The API turns a completed step into tokens; the hosted UI into
// a browser session and an authorization response.
type Step struct {
	User     *store.User
	AuthTime time.Time
	// Source names the PreTokenGeneration trigger source of the tokens a
	// completed step gets; ClientMetadata is what the caller passed.
	Source              string
	ClientMetadata      map[string]string
	Challenge           string
	Session             string
	ChallengeParameters map[string]string
}

// PasswordSignIn is the hosted UI's sign-in: the same checks, lockout and
// challenges as USER_PASSWORD_AUTH.
func (s *Service) PasswordSignIn(ctx context.Context, pool *userpool.Pool, c *userpool.Client, name, pw string) (*Step, error) {
	step, err := s.checkPassword(ctx, pool, c, name, pw, false, nil)
	if step != nil && step.User != nil {
		step.Source = triggers.TokenGenerationHostedAuth
	}
	return step, err
}

// checkPassword verifies a user's password and status.
func (s *Service) checkPassword(ctx context.Context, pool *userpool.Pool, c *userpool.Client, name, pw string, admin bool, meta map[string]string) (*Step, error) {
	if pw == "" {
		return nil, errs.Param("Missing required parameter PASSWORD")
	}
	u, err := s.findForSignIn(ctx, pool, c, name)
	if (errs.Is(err, errs.NotAuthorized) || errs.Is(err, errs.UserNotFound)) && users.MigrationEnabled(pool) {
		// An unknown user: the pool's migrate user function may know the
		// name and password; the user it returns is created and signs in
		// (the function vouched for the password).
		mu, merr := s.Users.Migrate(ctx, pool, c.ID, name, pw, meta, triggers.UserMigrationAuthentication)
		switch {
		case merr == nil:
			if err := s.preCheck(mu); err != nil {
				return nil, err
			}
			return s.passwordVerified(ctx, pool, c, mu, admin, meta)
		case errs.Is(merr, errs.UsernameExists):
			// A concurrent sign-in migrated the user first: sign in as usual.
			u, err = s.findForSignIn(ctx, pool, c, name)
		case errs.Is(merr, errs.UserNotFound) && c.Config.PreventsUserExistenceErrors():
			return nil, errIncorrect
		default:
			return nil, merr
		}
	}
	if err != nil {
		if errs.Is(err, errs.NotAuthorized) || errs.Is(err, errs.UserNotFound) {
			// Spend what a real check costs, so timing does not reveal
			// whether the user exists.
			password.DummyVerify(pw)
		}
		return nil, err
	}
	if err := s.preCheck(u); err != nil {
		return nil, err
	}
	if err := s.checkLock(u); err != nil {
		return nil, err
	}
	if err := s.preAuthentication(ctx, pool, c, u, meta); err != nil {
		return nil, err
	}
	u, err = s.attempt(ctx, pool, u, func(u *store.User) bool {
		rec, err := password.Unmarshal(u.Password)
		return err == nil && rec.Verify(pw)
	})
	if err != nil {
		return nil, err
	}
	return s.passwordVerified(ctx, pool, c, u, admin, meta)
}

// finish turns a step into the API's reply: tokens, or the challenge.
func (s *Service) finish(ctx context.Context, pool *userpool.Pool, c *userpool.Client, step *Step) (*Result, error) {
	if step.User == nil {
		return &Result{ChallengeName: step.Challenge, Session: step.Session, ChallengeParameters: step.ChallengeParameters}, nil
	}
	tok, err := s.Issue(ctx, pool, c, step.User, IssueOptions{AuthTime: step.AuthTime, Source: step.Source,
		ClientMetadata: step.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return &Result{Tokens: tok, ChallengeParameters: map[string]string{}}, nil
}

// preCheck refuses users who may not sign in whatever their password.
func (s *Service) preCheck(u *store.User) error {
	switch {
	case !u.Enabled:
		return errs.New(errs.NotAuthorized, "User is disabled.")
	case u.Status == users.StatusResetRequired:
		return errs.New(errs.PasswordResetRequired, "Password reset required for the user")
	case u.Status == users.StatusExternalProvider:
		return errIncorrect
	case len(u.Password) == 0:
		return errIncorrect
	}
	return nil
}

// passwordVerified continues a sign-in after the password proved right.
func (s *Service) passwordVerified(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, admin bool, meta map[string]string) (*Step, error) {
	u, err := s.succeeded(ctx, pool, u)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch u.Status {
	case users.StatusUnconfirmed:
		return nil, errs.New(errs.UserNotConfirmed, "User is not confirmed.")
	case users.StatusForceChangePassword:
		days := pool.Config.PasswordPolicy().TemporaryPasswordValidityDays
		if days > 0 && !u.PasswordSet.IsZero() && now.After(u.PasswordSet.Add(time.Duration(days)*24*time.Hour)) {
			return nil, errs.New(errs.NotAuthorized, "Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordChallenge(ctx, pool, c, u, now, admin)
	}
	return s.signedIn(ctx, pool, c, u, now, meta, triggers.TokenGenerationAuthentication)
}

// Lockout: Cognito locks a user out after repeated failures, starting after
// five, for a time that doubles with each further failure (capped).
const (
	freeFailures = 5
	maxLockout   = 15 * time.Minute
)

func (s *Service) checkLock(u *store.User) error {
	st, err := users.DecodeSettings(u)
	if err != nil {
		return err
	}
	if s.now().Before(st.LockedUntil) {
		return errLocked
	}
	return nil
}

// errLocked refuses a sign-in while the user is locked out.
var errLocked = errs.New(errs.NotAuthorized, "Password attempts exceeded")

// attempt checks a password (or SRP proof) against the lockout: checks of
// one user run one at a time on this node, each reading the failure count
// fresh from the store, so concurrent attempts cannot all slip past the
// lockout before their failures are recorded. (Across nodes, each node
// adds at most one attempt in flight.) It returns the fresh user when the
// check passed.
func (s *Service) attempt(ctx context.Context, pool *userpool.Pool, u *store.User, check func(*store.User) bool) (*store.User, error) {
	release := s.gate.lock(pool.ID + "/" + u.UsernameKey)
	defer release()
	fresh, err := s.Store.GetUser(ctx, pool.ID, u.UsernameKey)
	if err != nil {
		return nil, errIncorrect
	}
	if err := s.checkLock(fresh); err != nil {
		return nil, err
	}
	if !check(fresh) {
		return nil, s.failed(ctx, pool, fresh)
	}
	return fresh, nil
}

// failed records a wrong password and returns the error to report.
func (s *Service) failed(ctx context.Context, pool *userpool.Pool, u *store.User) error {
	locked := false
	_, err := s.Store.UpdateUser(ctx, pool.ID, u.UsernameKey, func(u *store.User) error {
		st, err := users.DecodeSettings(u)
		if err != nil {
			return err
		}
		st.FailedSignIns++
		if over := st.FailedSignIns - freeFailures; over >= 0 {
			st.LockedUntil = s.now().Add(min(time.Second<<min(over, 12), maxLockout))
			locked = over > 0
		}
		users.EncodeSettings(u, st)
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if locked {
		return errLocked
	}
	return errIncorrect
}

// succeeded clears the failure count after a right password.
func (s *Service) succeeded(ctx context.Context, pool *userpool.Pool, u *store.User) (*store.User, error) {
	st, err := users.DecodeSettings(u)
	if err != nil {
		return nil, err
	}
	if st.FailedSignIns == 0 && st.LockedUntil.IsZero() {
		return u, nil
	}
	out, err := s.Store.UpdateUser(ctx, pool.ID, u.UsernameKey, func(u *store.User) error {
		st, err := users.DecodeSettings(u)
		if err != nil {
			return err
		}
		st.FailedSignIns, st.LockedUntil = 0, time.Time{}
		users.EncodeSettings(u, st)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errIncorrect
	}
	return out, err
}
