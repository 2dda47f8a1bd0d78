package messages

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

const (
	smtpUser     = "mailer"
	smtpPassword = "s3cret-Pa55word"
)

// received is one message the test server accepted.
type received struct {
	From     string
	To       []string
	Data     []byte
	AuthUser string
	TLS      bool
}

// backend records what the test server accepts. With users set, MAIL needs
// a successful AUTH.
type backend struct {
	users map[string]string
	mechs []string // mechanisms offered; default PLAIN

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &session{b: b, conn: c}, nil
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *backend
	conn *gosmtp.Conn
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if s.b.mechs != nil {
		return s.b.mechs
	}
	return []string{sasl.Plain}
}

func (s *session) check(user, pass string) error {
	if want, ok := s.b.users[user]; !ok || want != pass {
		return errors.New("invalid credentials")
	}
	s.user = user
	return nil
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return s.check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: s.check}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if len(s.b.users) > 0 && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = received{From: from, AuthUser: s.user, TLS: isTLS}
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check      func(user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		l.pass = string(response)
		return nil, true, l.check(l.user, l.pass)
	}
	return nil, true, errors.New("unexpected response")
}

// testCert makes a self-signed certificate for 127.0.0.1 and localhost and
// a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "cogito test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

type serverOpts struct {
	mode      string // SMTPModeStartTLS, SMTPModeTLS or SMTPModeNone (no TLS offered)
	users     map[string]string
	mechs     []string
	clearAuth bool // allow AUTH without TLS
}

// startServer runs a real SMTP server on 127.0.0.1 and returns its backend,
// its port and the pool that trusts its certificate.
func startServer(t *testing.T, o serverOpts) (*backend, int, *x509.CertPool) {
	t.Helper()
	be := &backend{users: o.users, mechs: o.mechs}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = o.clearAuth
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)

	cert, pool := testCert(t)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	switch o.mode {
	case SMTPModeStartTLS:
		srv.TLSConfig = tlsConfig
	case SMTPModeTLS:
		ln = tls.NewListener(ln, tlsConfig)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return be, port, pool
}

func newSender(t *testing.T, c SMTPConfig) *SMTPSender {
	t.Helper()
	s, err := NewSMTPSender(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func emailMsg(subject, body string) Message {
	return Message{
		PoolID:      "us-east-1_Test",
		Username:    "alice",
		Channel:     Email,
		Destination: "alice@example.org",
		Kind:        KindSignUp,
		Subject:     subject,
		Body:        body,
		Code:        "123456",
		Time:        time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

// parsed is a received message read back as a mail client would.
type parsed struct {
	msg  *mail.Message
	body string // quoted-printable decoded
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	for i, line := range strings.Split(string(data), "\r\n") {
		if line == "" {
			break
		}
		if len(line) > 998 || (strings.HasPrefix(line, " ") && len(line) > 78) {
			t.Errorf("header line %d is malformed or too long: %q", i, line)
		}
	}
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", cte)
	}
	raw, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 76 {
			t.Errorf("quoted-printable line longer than 76: %q", line)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(raw))))
	if err != nil {
		t.Fatalf("body is not quoted-printable: %v", err)
	}
	return parsed{msg: m, body: string(body)}
}

// crlf is s with the line breaks email text carries on the wire.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func oneMessage(t *testing.T, be *backend) received {
	t.Helper()
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

func TestSMTPStartTLSWithOverrides(t *testing.T) {
	be, port, pool := startServer(t, serverOpts{mode: SMTPModeStartTLS, users: map[string]string{smtpUser: smtpPassword}})
	s := newSender(t, SMTPConfig{
		Host: "127.0.0.1", Port: port, Mode: SMTPModeStartTLS,
		Username: smtpUser, Password: smtpPassword,
		From: "Cogito <default@cogito.example>", RootCAs: pool, Timeout: 5 * time.Second,
	})
	subject := "Votre code de vérification — 認証コード"
	body := "<html><body>\n<p>Bonjour Zoë,</p>\n<p>Votre code est <b>123456</b>. " +
		strings.Repeat("Une très longue ligne sans retour ", 6) + "</p>\n</body></html>\n"
	ctx := WithEmailOverrides(context.Background(), EmailOverrides{
		From:    "Exämple Pool <no-reply@pool.example>",
		ReplyTo: "Support <help@pool.example>",
	})
	if err := s.Send(ctx, emailMsg(subject, body)); err != nil {
		t.Fatal(err)
	}

	got := oneMessage(t, be)
	if got.From != "no-reply@pool.example" {
		t.Errorf("envelope sender = %q, want the pool's address", got.From)
	}
	if len(got.To) != 1 || got.To[0] != "alice@example.org" {
		t.Errorf("envelope recipients = %q", got.To)
	}
	if got.AuthUser != smtpUser {
		t.Errorf("authenticated as %q", got.AuthUser)
	}
	if !got.TLS {
		t.Error("message was sent without TLS")
	}

	if testing.Verbose() {
		t.Logf("received:\n%s", got.Data)
	}
	p := parse(t, got.Data)
	from, err := p.msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Exämple Pool" || from[0].Address != "no-reply@pool.example" {
		t.Errorf("From = %q (%v)", p.msg.Header.Get("From"), err)
	}
	replyTo, err := p.msg.Header.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Name != "Support" || replyTo[0].Address != "help@pool.example" {
		t.Errorf("Reply-To = %q (%v)", p.msg.Header.Get("Reply-To"), err)
	}
	to, err := p.msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "alice@example.org" {
		t.Errorf("To = %q (%v)", p.msg.Header.Get("To"), err)
	}
	rawSubject := p.msg.Header.Get("Subject")
	if !strings.HasPrefix(rawSubject, "=?UTF-8?q?") {
		t.Errorf("Subject is not RFC 2047 encoded: %q", rawSubject)
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(rawSubject); err != nil || dec != subject {
		t.Errorf("Subject decodes to %q (%v), want %q", dec, err, subject)
	}
	mt, params, err := mime.ParseMediaType(p.msg.Header.Get("Content-Type"))
	if err != nil || mt != "text/html" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q", p.msg.Header.Get("Content-Type"))
	}
	if v := p.msg.Header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	if d, err := p.msg.Header.Date(); err != nil || !d.Equal(emailMsg("", "").Time) {
		t.Errorf("Date = %q (%v)", p.msg.Header.Get("Date"), err)
	}
	if id := p.msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@pool.example>") {
		t.Errorf("Message-ID = %q", id)
	}
	if p.body != crlf(body) {
		t.Errorf("body decodes to\n%q\nwant\n%q", p.body, crlf(body))
	}
}

func TestSMTPImplicitTLSPlainText(t *testing.T) {
	be, port, pool := startServer(t, serverOpts{mode: SMTPModeTLS, users: map[string]string{smtpUser: smtpPassword}})
	s := newSender(t, SMTPConfig{
		Host: "127.0.0.1", Port: port, Mode: SMTPModeTLS,
		Username: smtpUser, Password: smtpPassword,
		From: "no-reply@cogito.example", RootCAs: pool, Timeout: 5 * time.Second,
	})
	body := "Your verification code is 123456.\nIt expires in 24 hours; a<b and c>d = x, <alice@example.org>.\n\tTabbed line with trailing space \n"
	if err := s.Send(context.Background(), emailMsg("Your verification code", body)); err != nil {
		t.Fatal(err)
	}
	got := oneMessage(t, be)
	if got.From != "no-reply@cogito.example" || !got.TLS || got.AuthUser != smtpUser {
		t.Errorf("envelope from %q, TLS %v, user %q", got.From, got.TLS, got.AuthUser)
	}
	p := parse(t, got.Data)
	if v := p.msg.Header.Get("Subject"); v != "Your verification code" {
		t.Errorf("ASCII Subject = %q, want it unencoded", v)
	}
	if v := p.msg.Header.Get("From"); v != "<no-reply@cogito.example>" {
		t.Errorf("From = %q", v)
	}
	if _, ok := p.msg.Header["Reply-To"]; ok {
		t.Error("Reply-To set without an override")
	}
	if mt, _, _ := mime.ParseMediaType(p.msg.Header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("Content-Type = %q", p.msg.Header.Get("Content-Type"))
	}
	if p.body != crlf(body) {
		t.Errorf("body decodes to\n%q\nwant\n%q", p.body, crlf(body))
	}
}

func TestSMTPPlaintextLoopbackWithAuth(t *testing.T) {
	be, port, _ := startServer(t, serverOpts{mode: SMTPModeNone, users: map[string]string{smtpUser: smtpPassword}, clearAuth: true})
	cfg, err := ParseSMTPURL("smtp://" + smtpUser + ":" + smtpPassword + "@127.0.0.1:" + strconv.Itoa(port) + "?tls=none&from=no-reply@cogito.example&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(t, cfg)
	if err := s.Send(context.Background(), emailMsg("Code", "Your code is 123456")); err != nil {
		t.Fatal(err)
	}
	got := oneMessage(t, be)
	if got.TLS || got.AuthUser != smtpUser || got.From != "no-reply@cogito.example" {
		t.Errorf("got %+v", got)
	}
	if p := parse(t, got.Data); p.body != "Your code is 123456" {
		t.Errorf("body without a final line break decodes to %q", p.body)
	}
}

func TestSMTPLoginFallback(t *testing.T) {
	be, port, pool := startServer(t, serverOpts{mode: SMTPModeStartTLS, users: map[string]string{smtpUser: smtpPassword}, mechs: []string{sasl.Login}})
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Username: smtpUser, Password: smtpPassword, From: "a@cogito.example", RootCAs: pool, Timeout: 5 * time.Second})
	if err := s.Send(context.Background(), emailMsg("Code", "Your code is 123456")); err != nil {
		t.Fatal(err)
	}
	if got := oneMessage(t, be); got.AuthUser != smtpUser {
		t.Errorf("authenticated as %q", got.AuthUser)
	}
}

func TestSMTPWrongPassword(t *testing.T) {
	be, port, pool := startServer(t, serverOpts{mode: SMTPModeStartTLS, users: map[string]string{smtpUser: smtpPassword}})
	const wrong = "not-the-Pa55word"
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Username: smtpUser, Password: wrong, From: "a@cogito.example", RootCAs: pool, Timeout: 5 * time.Second})
	m := emailMsg("Code", "Your code is 123456")
	err := s.Send(context.Background(), m)
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	if !strings.Contains(err.Error(), "authentication") {
		t.Errorf("error does not say authentication failed: %v", err)
	}
	for _, secret := range []string{wrong, m.Code, m.Body} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSMTPRefusesServerWithoutSTARTTLS(t *testing.T) {
	be, port, _ := startServer(t, serverOpts{mode: SMTPModeNone, users: map[string]string{smtpUser: smtpPassword}, clearAuth: true})
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Mode: SMTPModeStartTLS, Username: smtpUser, Password: smtpPassword, From: "a@cogito.example", Timeout: 5 * time.Second})
	err := s.Send(context.Background(), emailMsg("Code", "Your code is 123456"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a refusal naming STARTTLS", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSMTPVerifiesCertificate(t *testing.T) {
	be, port, _ := startServer(t, serverOpts{mode: SMTPModeTLS})
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Mode: SMTPModeTLS, From: "a@cogito.example", Timeout: 5 * time.Second}
	if err := newSender(t, cfg).Send(context.Background(), emailMsg("Code", "x")); err == nil {
		t.Fatal("self-signed certificate accepted without RootCAs or InsecureSkipVerify")
	}
	cfg.InsecureSkipVerify = true
	if err := newSender(t, cfg).Send(context.Background(), emailMsg("Code", "x")); err != nil {
		t.Fatalf("with InsecureSkipVerify: %v", err)
	}
	oneMessage(t, be)
}

func TestSMTPTimeout(t *testing.T) {
	// A server that accepts connections and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	port := ln.Addr().(*net.TCPAddr).Port

	for _, mode := range []string{SMTPModeStartTLS, SMTPModeTLS} {
		t.Run(mode, func(t *testing.T) {
			const limit = 300 * time.Millisecond
			s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Mode: mode, From: "a@cogito.example", Timeout: limit})
			start := time.Now()
			err := s.Send(context.Background(), emailMsg("Code", "x"))
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("silent server: no error")
			}
			if elapsed > limit+2*time.Second {
				t.Errorf("Send took %s with a %s timeout", elapsed, limit)
			}
			if !strings.Contains(err.Error(), "timed out") {
				t.Errorf("error does not mention the timeout: %v", err)
			}
		})
	}

	t.Run("context deadline", func(t *testing.T) {
		s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, From: "a@cogito.example", Timeout: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := s.Send(ctx, emailMsg("Code", "x")); err == nil {
			t.Fatal("no error")
		}
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Errorf("Send ignored the context deadline: %s", elapsed)
		}
	})
}

func TestSMTPIgnoresSMS(t *testing.T) {
	// Nothing listens on this port: an SMTP attempt would fail.
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: 1, Mode: SMTPModeNone, From: "a@cogito.example"})
	m := emailMsg("", "Your code is 123456")
	m.Channel, m.Destination = SMS, "+15555550100"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("SMS message: %v", err)
	}
	if err := (Multi{NewOutbox(10), s}).Send(context.Background(), m); err != nil {
		t.Fatalf("in Multi: %v", err)
	}
}

func TestSMTPHeaderInjection(t *testing.T) {
	be, port, _ := startServer(t, serverOpts{mode: SMTPModeNone})
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Mode: SMTPModeNone, From: "a@cogito.example", Timeout: 5 * time.Second})
	if err := s.Send(context.Background(), emailMsg("Hello\r\nBcc: victim@example.net\nX-Evil: 1", "body")); err != nil {
		t.Fatal(err)
	}
	p := parse(t, oneMessage(t, be).Data)
	if _, ok := p.msg.Header["Bcc"]; ok {
		t.Error("subject injected a Bcc header")
	}
	if _, ok := p.msg.Header["X-Evil"]; ok {
		t.Error("subject injected a header")
	}
	if v := p.msg.Header.Get("Subject"); v != "Hello Bcc: victim@example.net X-Evil: 1" {
		t.Errorf("Subject = %q", v)
	}

	bad := emailMsg("x", "y")
	bad.Destination = "alice@example.org\r\nRCPT TO:<victim@example.net>"
	if err := s.Send(context.Background(), bad); err == nil {
		t.Error("destination with CRLF accepted")
	}
	ctx := WithEmailOverrides(context.Background(), EmailOverrides{From: "not an address"})
	if err := s.Send(ctx, emailMsg("x", "y")); err == nil {
		t.Error("invalid From override accepted")
	}
}

func TestLooksLikeHTML(t *testing.T) {
	for body, want := range map[string]bool{
		"Your code is 123456":                         false,
		"a<b and c>d":                                 false,
		"write to <alice@example.org>":                false,
		"code: <123456>":                              false,
		"Hello<br>your code is 1":                     true,
		"<p>Hi</p>":                                   true,
		`Click <a href="https://x.example/">here</a>`: true,
		"<!DOCTYPE html><title>x</title>":             true,
		"line<br/>break":                              true,
		"<TABLE border=0><TR><TD>1</TD></TR></TABLE>": true,
	} {
		if got := looksLikeHTML(body); got != want {
			t.Errorf("looksLikeHTML(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	ok := []struct {
		raw  string
		want SMTPConfig
	}{
		{"smtp://user:pass@mail.example.com:587?from=no-reply@example.com&tls=starttls",
			SMTPConfig{Host: "mail.example.com", Port: 587, Mode: "starttls", Username: "user", Password: "pass", From: "no-reply@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtps://user:pass@mail.example.com?from=no-reply@example.com",
			SMTPConfig{Host: "mail.example.com", Port: 465, Mode: "tls", Username: "user", Password: "pass", From: "no-reply@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://mail.example.com?from=no-reply@example.com",
			SMTPConfig{Host: "mail.example.com", Port: 587, Mode: "starttls", From: "no-reply@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://mail.example.com:465?from=no-reply@example.com",
			SMTPConfig{Host: "mail.example.com", Port: 465, Mode: "tls", From: "no-reply@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"SMTP://mail.example.com:2525?from=no-reply@example.com&tls=tls",
			SMTPConfig{Host: "mail.example.com", Port: 2525, Mode: "tls", From: "no-reply@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://u:p@127.0.0.1:1025?tls=none&from=a@example.com",
			SMTPConfig{Host: "127.0.0.1", Port: 1025, Mode: "none", Username: "u", Password: "p", From: "a@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://localhost?tls=none&from=a@example.com",
			SMTPConfig{Host: "localhost", Port: 25, Mode: "none", From: "a@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://[::1]:1025?tls=none&from=a@example.com",
			SMTPConfig{Host: "::1", Port: 1025, Mode: "none", From: "a@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://u:p@mail.example.com:25?tls=none&insecure=1&from=a@example.com",
			SMTPConfig{Host: "mail.example.com", Port: 25, Mode: "none", Username: "u", Password: "p", From: "a@example.com", AllowInsecure: true, HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
		{"smtp://AKIAEXAMPLE:p%40ss%2Fw%3Ard@email-smtp.us-east-1.amazonaws.com:587?from=Example%20Inc%20%3Cno-reply%40example.com%3E&timeout=10s&helo=idp.example.com&skip_verify=1",
			SMTPConfig{Host: "email-smtp.us-east-1.amazonaws.com", Port: 587, Mode: "starttls", Username: "AKIAEXAMPLE", Password: "p@ss/w:rd", From: "Example Inc <no-reply@example.com>", InsecureSkipVerify: true, HelloName: "idp.example.com", Timeout: 10 * time.Second}},
		{"smtp://mailer%40example.com:pw@smtp.example.com",
			SMTPConfig{Host: "smtp.example.com", Port: 587, Mode: "starttls", Username: "mailer@example.com", Password: "pw", From: "mailer@example.com", HelloName: "localhost", Timeout: DefaultSMTPTimeout}},
	}
	for _, tc := range ok {
		got, err := ParseSMTPURL(tc.raw)
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tc.raw, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseSMTPURL(%q) =\n%#v\nwant\n%#v", tc.raw, got, tc.want)
		}
	}

	const secret = "Hunter2-secret"
	bad := []struct{ raw, mention string }{
		{"smtp://u:" + secret + "@mail.example.com:25?tls=none&from=a@example.com", "insecure=1"},
		{"smtp://mail.example.com?tls=none&from=a@example.com", "insecure=1"},
		{"smtp://u:" + secret + "@10.0.0.5?tls=none&from=a@example.com", "unencrypted"},
		{"http://mail.example.com?from=a@example.com", "scheme"},
		{"smtp://?from=a@example.com", "host"},
		{"smtp:mail.example.com", "host"},
		{"smtp://mail.example.com/path?from=a@example.com", "path"},
		{"smtp://mail.example.com:99999?from=a@example.com", "port"},
		{"smtp://mail.example.com:abc?from=a@example.com", ""},
		{"smtp://mail.example.com?from=a@example.com&tls=ssl", "tls"},
		{"smtps://mail.example.com?from=a@example.com&tls=starttls", "smtps"},
		{"smtp://mail.example.com?from=a@example.com&frm=b", "frm"},
		{"smtp://mail.example.com?from=a@example.com&from=b@example.com", "more than once"},
		{"smtp://mail.example.com", "From"},
		{"smtp://mail.example.com?from=not-an-address", "not a valid address"},
		{"smtp://mail.example.com?from=a@example.com&timeout=soon", "timeout"},
		{"smtp://mail.example.com?from=a@example.com&insecure=maybe", "insecure"},
		{"smtp://u:" + secret + "%zz@mail.example.com?from=a@example.com", "percent-encoded"},
		{"smtp://:" + secret + "@mail.example.com?from=a@example.com", "user name"},
	}
	for _, tc := range bad {
		_, err := ParseSMTPURL(tc.raw)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", tc.raw)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseSMTPURL(%q) error %q does not mention %q", tc.raw, err, tc.mention)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseSMTPURL(%q) error leaks the password: %v", tc.raw, err)
		}
	}
}

func TestSMTPConfigStringHidesPassword(t *testing.T) {
	cfg, err := ParseSMTPURL("smtp://user:Hunter2-secret@mail.example.com:587?from=no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.String()
	if strings.Contains(s, "Hunter2") {
		t.Fatalf("String() leaks the password: %s", s)
	}
	back, err := ParseSMTPURL(s)
	if err != nil {
		t.Fatalf("String() output does not parse: %s: %v", s, err)
	}
	back.Password = cfg.Password
	if back != cfg {
		t.Errorf("round trip:\n%#v\nwant\n%#v", back, cfg)
	}
}

func TestNewSMTPSenderValidates(t *testing.T) {
	for _, c := range []SMTPConfig{
		{From: "a@example.com"},
		{Host: "mail.example.com"},
		{Host: "mail.example.com", From: "a@example.com", Mode: "ssl"},
		{Host: "mail.example.com", From: "a@example.com", Mode: SMTPModeNone, Username: "u", Password: "p"},
		{Host: "mail.example.com", From: "a@example.com", Timeout: -time.Second},
	} {
		if _, err := NewSMTPSender(c); err == nil {
			t.Errorf("NewSMTPSender(%+v) succeeded", c)
		}
	}
}
