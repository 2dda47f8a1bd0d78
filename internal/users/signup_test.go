package users

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// clock is a settable time source for Service.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type signUpEnv struct {
	svc    *Service
	clock  *clock
	outbox *messages.Outbox
	pool   *userpool.Pool
	client string
}

// newSignUpEnv builds a users.Service over a fresh SQLite store with a moved
// clock, a pool that verifies email and a client without a secret.
func newSignUpEnv(t *testing.T) *signUpEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "signup.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	pools := &userpool.Service{Store: st, Region: "us-east-1", Account: "000000000000", Now: clk.Now}
	outbox := messages.NewOutbox(100)
	svc := &Service{Store: st, Pools: pools, Sender: outbox, Now: clk.Now}
	pool, err := pools.CreatePool(ctx, userpool.PoolInput{PoolName: "signup",
		Config: userpool.Config{AutoVerifiedAttributes: []string{"email"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pools.CreateClient(ctx, pool.ID, userpool.ClientInput{ClientName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	return &signUpEnv{svc: svc, clock: clk, outbox: outbox, pool: pool, client: c.ID}
}

const testPassword = "Corr3ct-Horse!"

func (e *signUpEnv) signUp(t *testing.T, username, email string) {
	t.Helper()
	out, err := e.svc.SignUp(context.Background(), SignUpInput{ClientID: e.client, Username: username, Password: testPassword,
		UserAttributes: []Attribute{{Name: "email", Value: email}}})
	if err != nil {
		t.Fatalf("SignUp %s: %v", username, err)
	}
	if out.CodeDelivery == nil {
		t.Fatalf("SignUp %s sent no code", username)
	}
}

// lastCode is the code of the newest message to username.
func (e *signUpEnv) lastCode(t *testing.T, username string) string {
	t.Helper()
	msgs := e.outbox.List(username, e.pool.ID)
	if len(msgs) == 0 {
		t.Fatalf("no message for %s", username)
	}
	return msgs[0].Code
}

func (e *signUpEnv) confirm(username, code string) error {
	_, err := e.svc.ConfirmSignUp(context.Background(), ConfirmSignUpInput{ClientID: e.client, Username: username, ConfirmationCode: code})
	return err
}

func wantType(t *testing.T, err error, typ, what string) {
	t.Helper()
	if !errs.Is(err, typ) {
		t.Errorf("%s: want %s, got %v", what, typ, err)
	}
}

func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSignUpCodeExpires(t *testing.T) {
	e := newSignUpEnv(t)
	e.signUp(t, "late", "late@example.com")
	code := e.lastCode(t, "late")

	e.clock.Advance(SignUpCodeTTL + time.Second)
	wantType(t, e.confirm("late", code), errExpiredCode, "code after 24 hours")

	// A resent code starts a new 24 hours.
	if _, err := e.svc.ResendConfirmationCode(context.Background(), ResendInput{ClientID: e.client, Username: "late"}); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	fresh := e.lastCode(t, "late")
	e.clock.Advance(SignUpCodeTTL - time.Minute)
	if err := e.confirm("late", fresh); err != nil {
		t.Fatalf("resent code within 24 hours: %v", err)
	}
	u, err := e.svc.Find(context.Background(), e.pool, "late")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != StatusConfirmed || u.Attributes["email_verified"] != "true" {
		t.Errorf("after confirm: status %s, attributes %v", u.Status, u.Attributes)
	}
}

func TestSignUpCodeJustBeforeExpiry(t *testing.T) {
	e := newSignUpEnv(t)
	e.signUp(t, "prompt", "prompt@example.com")
	code := e.lastCode(t, "prompt")
	e.clock.Advance(SignUpCodeTTL - time.Second)
	if err := e.confirm("prompt", code); err != nil {
		t.Fatalf("code a second before expiry: %v", err)
	}
}

func TestForgotPasswordCodeExpires(t *testing.T) {
	ctx := context.Background()
	e := newSignUpEnv(t)
	e.signUp(t, "forgetful", "forgetful@example.com")
	if err := e.confirm("forgetful", e.lastCode(t, "forgetful")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ForgotPassword(ctx, ForgotPasswordInput{ClientID: e.client, Username: "forgetful"}); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	code := e.lastCode(t, "forgetful")
	e.clock.Advance(ForgotPasswordCodeTTL + time.Second)
	_, err := e.svc.ConfirmForgotPassword(ctx, ConfirmForgotPasswordInput{ClientID: e.client, Username: "forgetful",
		ConfirmationCode: code, Password: "N3w-Password!"})
	wantType(t, err, errExpiredCode, "reset code after an hour")

	// No code requested at all is ExpiredCodeException too.
	e.signUp(t, "never", "never@example.com")
	if err := e.confirm("never", e.lastCode(t, "never")); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ConfirmForgotPassword(ctx, ConfirmForgotPasswordInput{ClientID: e.client, Username: "never",
		ConfirmationCode: "123456", Password: "N3w-Password!"})
	wantType(t, err, errExpiredCode, "ConfirmForgotPassword without ForgotPassword")
}

func TestSignUpCodeAttemptLimit(t *testing.T) {
	e := newSignUpEnv(t)
	e.signUp(t, "guesser", "guesser@example.com")
	code := e.lastCode(t, "guesser")
	for i := 1; i <= MaxCodeAttempts; i++ {
		wantType(t, e.confirm("guesser", wrong(code)), errCodeMismatch, "wrong code")
	}
	// The code is burned: even the right one is refused.
	wantType(t, e.confirm("guesser", code), errs.LimitExceeded, "right code after the attempt limit")

	if _, err := e.svc.ResendConfirmationCode(context.Background(), ResendInput{ClientID: e.client, Username: "guesser"}); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	if err := e.confirm("guesser", e.lastCode(t, "guesser")); err != nil {
		t.Fatalf("new code after the limit: %v", err)
	}
}

func TestSignUpSendRateLimit(t *testing.T) {
	ctx := context.Background()
	e := newSignUpEnv(t)
	e.signUp(t, "chatty", "chatty@example.com") // the first send
	resend := func() error {
		_, err := e.svc.ResendConfirmationCode(ctx, ResendInput{ClientID: e.client, Username: "chatty"})
		return err
	}
	for i := 2; i <= MaxCodeSends; i++ {
		e.clock.Advance(time.Minute)
		if err := resend(); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	sent := len(e.outbox.List("chatty", e.pool.ID))
	wantType(t, resend(), errs.LimitExceeded, "one send too many")
	if n := len(e.outbox.List("chatty", e.pool.ID)); n != sent {
		t.Errorf("a refused resend sent a message (%d, was %d)", n, sent)
	}
	// A wrong code attempt rewrites the settings; the send log survives it.
	wantType(t, e.confirm("chatty", wrong(e.lastCode(t, "chatty"))), errCodeMismatch, "wrong code")
	wantType(t, resend(), errs.LimitExceeded, "send after a code attempt")

	// The window slides: once the first send is an hour old, one more goes.
	e.clock.Advance(SendWindow - time.Duration(MaxCodeSends-1)*time.Minute)
	if err := resend(); err != nil {
		t.Fatalf("send after the window moved: %v", err)
	}
	wantType(t, resend(), errs.LimitExceeded, "the next one")
}

func TestSignUpRecordsSend(t *testing.T) {
	e := newSignUpEnv(t)
	e.signUp(t, "keeper", "keeper@example.com")
	u, err := e.svc.Find(context.Background(), e.pool, "keeper")
	if err != nil {
		t.Fatal(err)
	}
	st, err := DecodeSettings(u)
	if err != nil {
		t.Fatal(err)
	}
	if st.Codes[CodeSignUp] == nil || st.Codes[CodeSignUp].Attribute != "email" {
		t.Fatalf("pending sign-up code %+v", st.Codes[CodeSignUp])
	}
	if len(st.Sends) != 1 || !st.Sends[0].Equal(e.clock.Now()) {
		t.Errorf("sends %+v", st.Sends)
	}
}

func TestSignUpMaskDestination(t *testing.T) {
	for _, c := range []struct{ channel, in, want string }{
		{messages.Email, "abel@example.com", "a***@e***"},
		{messages.Email, "j@g.co", "j***@g***"},
		{messages.Email, "émile@école.fr", "é***@é***"},
		{messages.SMS, "+12065551234", "+*******1234"},
		{messages.SMS, "+447700900123", "+********0123"},
	} {
		if got := MaskDestination(c.channel, c.in); got != c.want {
			t.Errorf("MaskDestination(%s, %q) = %q, want %q", c.channel, c.in, got, c.want)
		}
	}
}

func TestSignUpSimulatedDelivery(t *testing.T) {
	pool := &userpool.Pool{ID: "us-east-1_abcdefghi", Config: userpool.Config{AutoVerifiedAttributes: []string{"email"}}}
	a, b := simulatedDelivery(pool, "ghost"), simulatedDelivery(pool, "ghost")
	if *a != *b {
		t.Errorf("two answers for one name: %+v %+v", a, b)
	}
	if a.DeliveryMedium != messages.Email || a.AttributeName != "email" || len(a.Destination) != len("x***@y***") {
		t.Errorf("simulated delivery %+v", a)
	}
	if d := simulatedDelivery(pool, "someone@example.com"); d.Destination != "s***@e***" {
		t.Errorf("simulated delivery for an email %+v", d)
	}
	phonePool := &userpool.Pool{ID: pool.ID, Config: userpool.Config{AutoVerifiedAttributes: []string{"phone_number"}}}
	if d := simulatedDelivery(phonePool, "ghost"); d.DeliveryMedium != messages.SMS || len(d.Destination) != len("+*******1234") {
		t.Errorf("simulated SMS delivery %+v", d)
	}
}
