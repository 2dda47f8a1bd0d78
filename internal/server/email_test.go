package server_test

import (
	"context"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// mailbox is a real SMTP server (emersion/go-smtp) that keeps what it is sent.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailed
}

type mailed struct {
	from string
	to   []string
	data []byte
}

func (m *mailbox) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &mailSession{box: m}, nil }

func (m *mailbox) wait(t *testing.T, n int) []mailed {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		got := append([]mailed(nil), m.msgs...)
		m.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the SMTP server received fewer than %d messages", n)
	return nil
}

type mailSession struct {
	box *mailbox
	cur mailed
}

func (s *mailSession) Mail(from string, _ *gosmtp.MailOptions) error { s.cur.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.cur = mailed{} }
func (s *mailSession) Logout() error { return nil }

func startMailbox(t *testing.T) (*mailbox, string) {
	box := &mailbox{}
	srv := gosmtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().String()
}

// TestSignUpEmailOverSMTP: the confirmation code of SignUp reaches a real
// SMTP server, from the pool's configured address, and is the code the
// outbox recorded and ConfirmSignUp accepts.
func TestSignUpEmailOverSMTP(t *testing.T) {
	box, addr := startMailbox(t)
	env := cogitotest.Start(t, server.Options{SMTPURL: "smtp://" + addr + "?tls=none&from=cogito@example.com"})
	ctx := context.Background()
	pool, err := env.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("mail"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		EmailConfiguration: &types.EmailConfigurationType{
			EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			SourceArn:           aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"),
			From:                aws.String("Example App <no-reply@example.com>"),
			ReplyToEmailAddress: aws.String("help@example.com"),
		},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			EmailSubject: aws.String("Your Example code"),
			EmailMessage: aws.String("<p>Welcome {username}! Your code is <b>{####}</b>.</p>"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := env.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool.UserPool.Id, ClientName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.SignUp(ctx, &cip.SignUpInput{
		ClientId: client.UserPoolClient.ClientId, Username: aws.String("ann"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.org")}},
	}); err != nil {
		t.Fatal(err)
	}
	got := box.wait(t, 1)[0]
	if got.from != "no-reply@example.com" || len(got.to) != 1 || got.to[0] != "ann@example.org" {
		t.Fatalf("envelope from %q to %v", got.from, got.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.data)))
	if err != nil {
		t.Fatal(err)
	}
	if s := msg.Header.Get("Subject"); s != "Your Example code" {
		t.Errorf("Subject %q", s)
	}
	if r := msg.Header.Get("Reply-To"); !strings.Contains(r, "help@example.com") {
		t.Errorf("Reply-To %q", r)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	out := env.Outbox(t, "ann", "")
	if len(out) == 0 || out[0].Code == "" {
		t.Fatalf("no code in the outbox: %+v", out)
	}
	code := out[0].Code
	body, _ := io.ReadAll(msg.Body)
	if !strings.Contains(strings.ReplaceAll(string(body), "=\r\n", ""), code) {
		t.Fatalf("the email does not carry the code %s", code)
	}
	if _, err := env.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: client.UserPoolClient.ClientId,
		Username: aws.String("ann"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}
}
