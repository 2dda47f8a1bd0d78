package auth_test

// Tests of everything in sign-in that depends on time, with a clock the
// test moves: token and session lifetimes, the refresh grace period, the
// lockout schedule and temporary-password expiry. The services are the real
// ones on a SQLite store; the integration tests in internal/server cover the
// same flows through the wire protocol without moving the clock.

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

const (
	goodPassword = "Corr3ct-Horse!"
	newPassword  = "N3w-Passw0rd!x"
	wrongPW      = "Wr0ng-Password!"
)

// clock is a settable time source shared by every service of a fixture.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is one pool with one app client, served by real services.
type fixture struct {
	clk    *clock
	auth   *auth.Service
	users  *users.Service
	pool   *userpool.Pool
	client *userpool.Client
}

func newFixture(t *testing.T, pool userpool.Config, client userpool.ClientConfig) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cogito.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// A whole second, so that token times (in seconds) and the clock agree.
	clk := &clock{t: time.Now().Truncate(time.Second)}
	pools := &userpool.Service{Store: st, Region: "us-east-1", Account: "000000000000", Now: clk.Now}
	us := &users.Service{Store: st, Pools: pools, Sender: messages.Multi{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clk.Now}
	sealer, err := tokens.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys := &tokens.Keyring{Store: st, Sealer: sealer, Now: clk.Now}
	svc := &auth.Service{Store: st, Pools: pools, Users: us, Keys: keys, Now: clk.Now,
		Issuer: func(id string) string { return "http://cogito.test/" + id }}
	p, err := pools.CreatePool(ctx, userpool.PoolInput{PoolName: "clock", Config: pool})
	if err != nil {
		t.Fatal(err)
	}
	if client.ExplicitAuthFlows == nil {
		client.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	c, err := pools.CreateClient(ctx, p.ID, userpool.ClientInput{ClientName: "app", ClientConfig: client})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{clk: clk, auth: svc, users: us, pool: p, client: c}
}

// user creates a user with a temporary password; confirmed ones get a
// permanent one.
func (f *fixture) user(t *testing.T, name string, confirmed bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.users.AdminCreateUser(ctx, f.pool.ID, users.CreateInput{Username: name, TemporaryPassword: goodPassword,
		MessageAction: "SUPPRESS"}); err != nil {
		t.Fatal(err)
	}
	if confirmed {
		if err := f.users.AdminSetUserPassword(ctx, f.pool.ID, name, goodPassword, true); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) signIn(name, pw string) (*auth.Result, error) {
	return f.auth.Initiate(context.Background(), &auth.Request{ClientID: f.client.ID, AuthFlow: "USER_PASSWORD_AUTH",
		Params: map[string]string{"USERNAME": name, "PASSWORD": pw}})
}

func (f *fixture) refresh(raw string) (*auth.TokenSet, error) {
	return f.auth.RefreshWithSecret(context.Background(), f.client.ID, "", raw)
}

func (f *fixture) mustSignIn(t *testing.T, name string) *auth.TokenSet {
	t.Helper()
	r, err := f.signIn(name, goodPassword)
	if err != nil {
		t.Fatalf("sign-in %s: %v", name, err)
	}
	if r.Tokens == nil {
		t.Fatalf("sign-in %s: challenge %s", name, r.ChallengeName)
	}
	return r.Tokens
}

// wantErr asserts err is a Cogito error of type typ and, when msg is not
// empty, with that message.
func wantErr(t *testing.T, err error, typ, msg, what string) {
	t.Helper()
	e, ok := errs.As(err)
	switch {
	case err == nil:
		t.Errorf("%s: want %s, got success", what, typ)
	case !ok || e.Type != typ:
		t.Errorf("%s: want %s, got %v", what, typ, err)
	case msg != "" && e.Message != msg:
		t.Errorf("%s: message %q, want %q", what, e.Message, msg)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestAccessTokenLifetime(t *testing.T) {
	f := newFixture(t, userpool.Config{}, userpool.ClientConfig{AccessTokenValidity: ptr(int32(5)),
		TokenValidityUnits: &userpool.TokenValidityUnits{AccessToken: "minutes"}})
	f.user(t, "ann", true)
	tok := f.mustSignIn(t, "ann")
	if tok.ExpiresIn != 300 {
		t.Errorf("ExpiresIn %d, want 300", tok.ExpiresIn)
	}
	ctx := context.Background()
	f.clk.Add(5*time.Minute - time.Second)
	at, err := f.auth.CheckAccessToken(ctx, tok.AccessToken)
	must(t, err, "access token one second before it expires")
	if at.User.Username != "ann" || at.ClientID() != f.client.ID {
		t.Errorf("checked token: user %s client %s", at.User.Username, at.ClientID())
	}
	f.clk.Add(time.Second)
	_, err = f.auth.CheckAccessToken(ctx, tok.AccessToken)
	wantErr(t, err, errs.NotAuthorized, "Access Token has expired", "access token at its exp")
	// A refresh gives a fresh one.
	fresh, err := f.refresh(tok.RefreshToken)
	must(t, err, "refresh")
	_, err = f.auth.CheckAccessToken(ctx, fresh.AccessToken)
	must(t, err, "refreshed access token")
}

func TestRefreshTokenLifetime(t *testing.T) {
	f := newFixture(t, userpool.Config{}, userpool.ClientConfig{RefreshTokenValidity: ptr(int32(120)),
		TokenValidityUnits: &userpool.TokenValidityUnits{RefreshToken: "minutes"}})
	f.user(t, "bob", true)
	tok := f.mustSignIn(t, "bob")
	f.clk.Add(119 * time.Minute)
	_, err := f.refresh(tok.RefreshToken)
	must(t, err, "refresh a minute before the refresh token expires")
	f.clk.Add(time.Minute)
	_, err = f.refresh(tok.RefreshToken)
	wantErr(t, err, errs.NotAuthorized, "Refresh Token has expired", "refresh at the refresh token's expiry")
	// The access tokens of the family outlive it only to their own exp;
	// a new sign-in starts a new family.
	f.mustSignIn(t, "bob")
}

func TestRefreshGracePeriod(t *testing.T) {
	f := newFixture(t, userpool.Config{}, userpool.ClientConfig{
		RefreshTokenRotation: &userpool.RefreshTokenRotation{Feature: "ENABLED", RetryGracePeriodSeconds: ptr(int32(30))}})
	f.user(t, "cal", true)
	old := f.mustSignIn(t, "cal").RefreshToken
	first, err := f.refresh(old)
	must(t, err, "first rotation")
	if first.RefreshToken == "" || first.RefreshToken == old {
		t.Fatalf("rotation returned %q", first.RefreshToken)
	}
	f.clk.Add(29 * time.Second)
	retry, err := f.refresh(old)
	must(t, err, "the old token 29 s into a 30 s grace period")
	if retry.RefreshToken == "" {
		t.Errorf("a retry within the grace period returned no refresh token")
	}
	f.clk.Add(time.Second)
	_, err = f.refresh(old)
	wantErr(t, err, errs.NotAuthorized, "", "the old token at the end of the grace period")
	// The grace period runs from the first rotation, not the retry.
	_, err = f.refresh(first.RefreshToken)
	must(t, err, "the rotated-in token")
	_, err = f.refresh(retry.RefreshToken)
	must(t, err, "the token a retry rotated in")
}

func TestAuthSessionValidity(t *testing.T) {
	for _, tc := range []struct {
		minutes int32
		set     bool
	}{{3, false}, {15, true}} {
		cfg := userpool.ClientConfig{}
		if tc.set {
			cfg.AuthSessionValidity = ptr(tc.minutes)
		}
		f := newFixture(t, userpool.Config{}, cfg)
		f.user(t, "dee", false)
		f.user(t, "eve", false)
		respond := func(session, name string) error {
			_, err := f.auth.Respond(context.Background(), &auth.Response{ClientID: f.client.ID, ChallengeName: "NEW_PASSWORD_REQUIRED",
				Session: session, Responses: map[string]string{"USERNAME": name, "NEW_PASSWORD": newPassword}})
			return err
		}
		a, err := f.signIn("dee", goodPassword)
		must(t, err, "sign-in dee")
		b, err := f.signIn("eve", goodPassword)
		must(t, err, "sign-in eve")
		if a.ChallengeName != "NEW_PASSWORD_REQUIRED" || b.ChallengeName != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("challenges %q %q", a.ChallengeName, b.ChallengeName)
		}
		ttl := time.Duration(tc.minutes) * time.Minute
		f.clk.Add(ttl - time.Second)
		must(t, respond(a.Session, "dee"), "answer one second before the session expires")
		f.clk.Add(time.Second)
		wantErr(t, respond(b.Session, "eve"), errs.NotAuthorized, "", "answer when the session expires")
	}
}

func TestLockoutSchedule(t *testing.T) {
	f := newFixture(t, userpool.Config{}, userpool.ClientConfig{})
	f.user(t, "fay", true)
	const exceeded = "Password attempts exceeded"
	srpInitiate := func() error {
		// A is any legal value: the lock is checked before any SRP work.
		_, err := f.auth.Initiate(context.Background(), &auth.Request{ClientID: f.client.ID, AuthFlow: "USER_SRP_AUTH",
			Params: map[string]string{"USERNAME": "fay", "SRP_A": "02"}})
		return err
	}
	for i := 1; i <= 5; i++ {
		_, err := f.signIn("fay", wrongPW)
		wantErr(t, err, errs.NotAuthorized, "Incorrect username or password.", "failure")
	}
	// Locked 1 s, then 2, 4, ... doubling with each further failure, never
	// more than 15 minutes.
	lock := time.Second
	for failures := 5; failures <= 17; failures++ {
		f.clk.Add(lock - time.Millisecond)
		_, err := f.signIn("fay", goodPassword)
		wantErr(t, err, errs.NotAuthorized, exceeded, "right password 1 ms before the lock ends")
		wantErr(t, srpInitiate(), errs.NotAuthorized, exceeded, "SRP 1 ms before the lock ends")
		f.clk.Add(time.Millisecond)
		_, err = f.signIn("fay", wrongPW)
		wantErr(t, err, errs.NotAuthorized, exceeded, "a wrong password when the lock ends")
		lock = min(2*lock, 15*time.Minute)
		if t.Failed() {
			t.Fatalf("after %d failures", failures)
		}
	}
	if lock != 15*time.Minute {
		t.Fatalf("the schedule never reached the cap")
	}
	f.clk.Add(lock)
	f.mustSignIn(t, "fay")
	// Success starts the count again.
	_, err := f.signIn("fay", wrongPW)
	wantErr(t, err, errs.NotAuthorized, "Incorrect username or password.", "a wrong password after a success")
	f.mustSignIn(t, "fay")
}

func TestTemporaryPasswordExpiry(t *testing.T) {
	f := newFixture(t, userpool.Config{}, userpool.ClientConfig{})
	f.user(t, "gil", false)
	f.user(t, "hal", false)
	f.clk.Add(7*24*time.Hour - time.Second)
	r, err := f.signIn("gil", goodPassword)
	must(t, err, "temporary password a second before 7 days")
	if r.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Errorf("challenge %q", r.ChallengeName)
	}
	f.clk.Add(2 * time.Second)
	_, err = f.signIn("hal", goodPassword)
	wantErr(t, err, errs.NotAuthorized, "Temporary password has expired and must be reset by an administrator.",
		"temporary password after 7 days")
	// An administrator's new temporary password starts a new period.
	must(t, f.users.AdminSetUserPassword(context.Background(), f.pool.ID, "hal", goodPassword, false), "AdminSetUserPassword")
	r, err = f.signIn("hal", goodPassword)
	must(t, err, "new temporary password")
	if r.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Errorf("challenge %q", r.ChallengeName)
	}
}
