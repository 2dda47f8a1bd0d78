// SMTP delivery.
//
// SMTPSender is the real email channel: it hands EMAIL messages to an SMTP
// relay (a corporate mail server, Amazon SES's SMTP interface, Mailpit in
// development, ...) and ignores SMS messages, so that it composes with the
// dev outbox and an SMS sender in a Multi. It opens one connection per
// message over TLS (implicit, port 465), STARTTLS (port 587) or, on loopback
// or when explicitly allowed, plain TCP; authenticates with AUTH PLAIN (or
// LOGIN when the server offers nothing else); and writes an RFC 5322 message
// whose body is quoted-printable text/plain or text/html.
//
// A pool's own sender address and reply-to address travel in the context
// (WithEmailOverrides), so that one SMTPSender serves every pool.
//
// No error this file returns carries the SMTP password, a message's body or
// its code.

package messages

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SMTP transport security modes.
const (
	// SMTPModeStartTLS connects in plain text and upgrades with STARTTLS
	// before anything else is sent; a server that does not offer STARTTLS is
	// refused. The default, on port 587.
	SMTPModeStartTLS = "starttls"
	// SMTPModeTLS speaks TLS from the first byte ("implicit TLS", SMTPS);
	// the default on port 465.
	SMTPModeTLS = "tls"
	// SMTPModeNone never encrypts. Allowed only to a loopback host or with
	// SMTPConfig.AllowInsecure.
	SMTPModeNone = "none"
)

// DefaultSMTPTimeout bounds a whole delivery (connect, TLS, AUTH, DATA) when
// SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig configures an SMTPSender. ParseSMTPURL builds one from a single
// flag value; NewSMTPSender validates it and fills in defaults.
//
// Its String method renders it as an smtp:// URL with the password masked, so
// printing a config never leaks the password.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port int
	// Mode is SMTPModeStartTLS, SMTPModeTLS or SMTPModeNone. "" means tls
	// when Port is 465 and starttls otherwise.
	Mode string
	// Username and Password, when Username is set, authenticate with AUTH
	// PLAIN (or LOGIN when the server offers only that).
	Username, Password string
	// From is the default From address, such as "no-reply@example.com" or
	// "Example <no-reply@example.com>"; a pool's EmailOverrides.From
	// replaces it. It is also the envelope sender (MAIL FROM).
	From string
	// InsecureSkipVerify accepts any server certificate. For tests and
	// self-signed development relays only.
	InsecureSkipVerify bool
	// RootCAs, when set, replaces the system roots for verifying the
	// server certificate.
	RootCAs *x509.CertPool
	// AllowInsecure permits Mode none to a host that is not loopback, which
	// sends mail and the password in clear text over the network.
	AllowInsecure bool
	// HelloName is the name sent in EHLO; "" means "localhost".
	HelloName string
	// Timeout bounds each delivery; 0 means DefaultSMTPTimeout.
	Timeout time.Duration
}

// ParseSMTPURL parses a single flag value into an SMTPConfig, validated and
// with defaults filled in:
//
//	smtp://[user[:password]@]host[:port][?param=value&...]
//	smtps://[user[:password]@]host[:port][?param=value&...]
//
// smtps means implicit TLS (default port 465). With smtp the mode is
// starttls (default port 587), or tls when the port is 465, unless tls=
// says otherwise. Special characters in the user name and password must be
// percent-encoded ("@" as %40, ":" as %3A, "/" as %2F).
//
// Parameters:
//
//	from=ADDRESS     default From address; "Name <addr>" percent-encoded is fine.
//	                 Defaults to the user name when that is an email address.
//	tls=MODE         starttls | tls | none
//	insecure=1       allow tls=none to a host that is not loopback
//	skip_verify=1    do not verify the server certificate
//	timeout=DURATION per-delivery timeout, e.g. 10s (default 30s)
//	helo=NAME        name to send in EHLO (default localhost)
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error quotes the whole URL, password included: say nothing
		// of it.
		return c, errors.New("messages: invalid SMTP URL; it must look like smtp://user:password@host:port?from=address, with special characters in the user name and password percent-encoded")
	}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.Mode = SMTPModeTLS
	default:
		return c, fmt.Errorf("messages: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return c, errors.New("messages: SMTP URL has no host; it must look like smtp://host:port")
	}
	if u.Path != "" && u.Path != "/" {
		return c, errors.New("messages: SMTP URL must not have a path")
	}
	if u.Fragment != "" {
		return c, errors.New("messages: SMTP URL must not have a fragment")
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("messages: SMTP URL port %q is not a port number", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, errors.New("messages: SMTP URL query is malformed")
	}
	for key, values := range q {
		if len(values) != 1 {
			return c, fmt.Errorf("messages: SMTP URL parameter %q given more than once", key)
		}
		v := values[0]
		switch key {
		case "from":
			c.From = v
		case "tls":
			mode := strings.ToLower(v)
			if mode != SMTPModeStartTLS && mode != SMTPModeTLS && mode != SMTPModeNone {
				return c, fmt.Errorf("messages: SMTP URL tls=%q: want starttls, tls or none", v)
			}
			if u.Scheme == "smtps" && mode != SMTPModeTLS {
				return c, fmt.Errorf("messages: SMTP URL scheme smtps means implicit TLS; it contradicts tls=%s (use smtp:// for that)", mode)
			}
			c.Mode = mode
		case "insecure", "skip_verify":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return c, fmt.Errorf("messages: SMTP URL %s=%q: want 1 or 0", key, v)
			}
			if key == "insecure" {
				c.AllowInsecure = b
			} else {
				c.InsecureSkipVerify = b
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("messages: SMTP URL timeout=%q: want a positive duration such as 10s", v)
			}
			c.Timeout = d
		case "helo":
			c.HelloName = v
		default:
			return c, fmt.Errorf("messages: SMTP URL parameter %q is unknown (known: from, tls, insecure, skip_verify, timeout, helo)", key)
		}
	}
	if c.From == "" && strings.Contains(c.Username, "@") {
		if _, err := mail.ParseAddress(c.Username); err == nil {
			c.From = c.Username
		}
	}
	return c.normalized()
}

// normalized validates c and fills in its defaults.
func (c SMTPConfig) normalized() (SMTPConfig, error) {
	if c.Host == "" {
		return c, errors.New("messages: SMTP host is required")
	}
	if strings.ContainsAny(c.Host, " \t\r\n/@") {
		return c, fmt.Errorf("messages: SMTP host %q is not a host name", c.Host)
	}
	c.Mode = strings.ToLower(c.Mode)
	if c.Mode == "" {
		c.Mode = SMTPModeStartTLS
		if c.Port == 465 {
			c.Mode = SMTPModeTLS
		}
	}
	switch c.Mode {
	case SMTPModeStartTLS, SMTPModeTLS, SMTPModeNone:
	default:
		return c, fmt.Errorf("messages: SMTP mode %q: want starttls, tls or none", c.Mode)
	}
	if c.Port == 0 {
		c.Port = map[string]int{SMTPModeStartTLS: 587, SMTPModeTLS: 465, SMTPModeNone: 25}[c.Mode]
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, fmt.Errorf("messages: SMTP port %d is out of range", c.Port)
	}
	if c.Mode == SMTPModeNone && !isLoopbackHost(c.Host) && !c.AllowInsecure {
		what := "mail"
		if c.Username != "" {
			what = "the password and mail"
		}
		return c, fmt.Errorf("messages: SMTP tls=none to %s would send %s unencrypted over the network; use starttls or tls, or add insecure=1 if that is really intended", c.Host, what)
	}
	if c.Password != "" && c.Username == "" {
		return c, errors.New("messages: SMTP password given without a user name")
	}
	if c.From == "" {
		return c, errors.New("messages: SMTP default From address is required (from=no-reply@example.com)")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return c, fmt.Errorf("messages: SMTP From %q is not a valid address (a display name with commas must be quoted)", c.From)
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	if strings.ContainsAny(c.HelloName, " \t\r\n") {
		return c, fmt.Errorf("messages: SMTP helo name %q contains white space", c.HelloName)
	}
	if c.Timeout < 0 {
		return c, errors.New("messages: SMTP timeout must not be negative")
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	return c, nil
}

// String renders c as an SMTP URL with the password masked.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Host}
	if c.Port != 0 {
		u.Host = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	} else if strings.Contains(c.Host, ":") {
		u.Host = "[" + c.Host + "]"
	}
	switch {
	case c.Username != "" && c.Password != "":
		u.User = url.UserPassword(c.Username, "xxxxx")
	case c.Username != "":
		u.User = url.User(c.Username)
	}
	q := url.Values{}
	if c.From != "" {
		q.Set("from", c.From)
	}
	if c.Mode != "" {
		q.Set("tls", c.Mode)
	}
	if c.AllowInsecure {
		q.Set("insecure", "1")
	}
	if c.InsecureSkipVerify {
		q.Set("skip_verify", "1")
	}
	if c.Timeout != 0 {
		q.Set("timeout", c.Timeout.String())
	}
	if c.HelloName != "" && c.HelloName != "localhost" {
		q.Set("helo", c.HelloName)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// isLoopbackHost reports whether host names this machine: "localhost" or a
// loopback IP address.
func isLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// EmailOverrides are a pool's own addresses for the mail it sends, from its
// EmailConfiguration: From ("Example <no-reply@example.com>" or a bare
// address) replaces the SMTPConfig From in the From header and the envelope;
// ReplyTo (one address or a comma-separated list) adds a Reply-To header.
// Empty fields change nothing.
type EmailOverrides struct {
	From    string
	ReplyTo string
}

type emailOverridesKey struct{}

// WithEmailOverrides returns a context that makes an SMTPSender send with o.
func WithEmailOverrides(ctx context.Context, o EmailOverrides) context.Context {
	return context.WithValue(ctx, emailOverridesKey{}, o)
}

// emailOverrides returns the overrides WithEmailOverrides put in ctx, if any.
func emailOverrides(ctx context.Context) EmailOverrides {
	o, _ := ctx.Value(emailOverridesKey{}).(EmailOverrides)
	return o
}

// SMTPSender delivers EMAIL messages through an SMTP relay. It is safe for
// concurrent use; each Send opens its own connection.
type SMTPSender struct {
	cfg  SMTPConfig
	from *mail.Address
}

// NewSMTPSender validates cfg, fills in its defaults and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	c, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("messages: SMTP From %q is not a valid address", c.From)
	}
	return &SMTPSender{cfg: c, from: from}, nil
}

// Config returns the sender's configuration with defaults filled in.
func (s *SMTPSender) Config() SMTPConfig { return s.cfg }

// Send implements Sender. Messages on other channels than EMAIL are not its
// business: it returns nil for them without doing anything.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return nil
	}
	from, to, data, err := s.compose(ctx, m)
	if err != nil {
		return err
	}
	return s.deliver(ctx, from, to, data)
}

// compose builds the RFC 5322 message for m and returns it with its
// envelope sender and recipient.
func (s *SMTPSender) compose(ctx context.Context, m Message) (envFrom, envTo string, data []byte, err error) {
	to, err := mail.ParseAddress(m.Destination)
	if err != nil {
		return "", "", nil, errors.New("messages: SMTP: the message's destination is not a valid email address")
	}
	o := emailOverrides(ctx)
	from := s.from
	if o.From != "" {
		if from, err = mail.ParseAddress(o.From); err != nil {
			return "", "", nil, fmt.Errorf("messages: SMTP: pool From address %q is not a valid address (a display name with commas must be quoted)", o.From)
		}
	}
	var replyTo []*mail.Address
	if o.ReplyTo != "" {
		if replyTo, err = mail.ParseAddressList(o.ReplyTo); err != nil {
			return "", "", nil, fmt.Errorf("messages: SMTP: pool reply-to address %q is not a valid address list", o.ReplyTo)
		}
	}

	date := m.Time
	if date.IsZero() {
		date = time.Now()
	}
	contentType := "text/plain; charset=UTF-8"
	if looksLikeHTML(m.Body) {
		contentType = "text/html; charset=UTF-8"
	}

	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("From", from.String())
	if len(replyTo) > 0 {
		list := make([]string, len(replyTo))
		for i, a := range replyTo {
			list[i] = a.String()
		}
		header("Reply-To", strings.Join(list, ", "))
	}
	header("To", to.String())
	if subject := encodeSubject(m.Subject); subject != "" {
		header("Subject", subject)
	}
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", contentType)
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Body)); err != nil {
		return "", "", nil, errors.New("messages: SMTP: encoding the body failed")
	}
	if err := qp.Close(); err != nil {
		return "", "", nil, errors.New("messages: SMTP: encoding the body failed")
	}
	if !strings.HasSuffix(m.Body, "\n") && !strings.HasSuffix(m.Body, "\r") {
		// DATA ends with a line break that is part of the message; a soft
		// line break keeps it out of the decoded body.
		b.WriteString("=\r\n")
	}
	return from.Address, to.Address, b.Bytes(), nil
}

// encodeSubject turns a subject into a header value: line breaks become
// spaces (no header injection), non-ASCII text becomes RFC 2047 encoded
// words, folded onto continuation lines so that lines stay short.
func encodeSubject(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
	s = strings.TrimSpace(s)
	enc := mime.QEncoding.Encode("UTF-8", s)
	if enc == s {
		return s
	}
	// mime separates the encoded words it produces with single spaces;
	// folding there is allowed and keeps each line under 78 characters.
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

// messageID makes a unique Message-ID in the domain of the sender address.
func messageID(fromAddress string) string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	domain := "cogito.invalid"
	if i := strings.LastIndexByte(fromAddress, '@'); i >= 0 && i+1 < len(fromAddress) {
		domain = fromAddress[i+1:]
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}

// htmlTag matches what marks a body as HTML: a doctype, a comment, a void
// element (<br>, <hr>, <img ...>, <meta ...>) or the closing tag of a common
// element. Requiring a closing tag keeps plain text such as "a<b and c>d" or
// "<user@example.com>" from being taken for HTML.
var htmlTag = regexp.MustCompile(`(?i)<!doctype\s|<!--|<(?:br|hr|img|meta)(?:\s[^<>]*)?/?>|</(?:html|head|body|title|style|p|div|span|a|b|i|u|s|em|strong|small|big|sub|sup|font|center|table|thead|tbody|tfoot|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|pre|code|blockquote)\s*>`)

// looksLikeHTML reports whether body contains HTML tags.
func looksLikeHTML(body string) bool { return htmlTag.MatchString(body) }

// deliver runs one SMTP session that hands data to the relay for to.
func (s *SMTPSender) deliver(ctx context.Context, from, to string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	start := time.Now()
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	fail := func(stage string, err error) error {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("messages: SMTP %s %s: %w", stage, addr, ctx.Err())
		}
		var ne net.Error
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return fmt.Errorf("messages: SMTP %s %s: timed out after %s: %w", stage, addr, time.Since(start).Round(time.Millisecond), err)
		}
		return fmt.Errorf("messages: SMTP %s %s: %w", stage, addr, err)
	}

	d := net.Dialer{Timeout: s.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail("connect to", err)
	}
	defer conn.Close()
	// One deadline for the whole session: a server that accepts and then
	// goes silent cannot hold a delivery longer than Timeout. Cancelling
	// ctx cuts the session short as well.
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	tlsConfig := &tls.Config{
		ServerName:         s.cfg.Host,
		InsecureSkipVerify: s.cfg.InsecureSkipVerify, //nolint:gosec // opt-in, for development relays
		RootCAs:            s.cfg.RootCAs,
		MinVersion:         tls.VersionTLS12,
	}
	if s.cfg.Mode == SMTPModeTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("TLS handshake with", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fail("greeting from", err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return fail("EHLO to", err)
	}
	if s.cfg.Mode == SMTPModeStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("messages: SMTP server %s does not offer STARTTLS; refusing to continue unencrypted (use tls=tls for implicit TLS, or tls=none to send in clear text)", addr)
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fail("STARTTLS with", err)
		}
	}
	if s.cfg.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return fmt.Errorf("messages: SMTP server %s does not offer AUTH, but a user name is configured", addr)
		}
		offered := strings.Fields(strings.ToUpper(mechs))
		var a smtp.Auth
		switch {
		case slices.Contains(offered, "PLAIN"):
			a = &plainAuth{username: s.cfg.Username, password: s.cfg.Password, allowClear: s.cfg.Mode == SMTPModeNone}
		case slices.Contains(offered, "LOGIN"):
			a = &loginAuth{username: s.cfg.Username, password: s.cfg.Password, allowClear: s.cfg.Mode == SMTPModeNone}
		default:
			return fmt.Errorf("messages: SMTP server %s offers neither AUTH PLAIN nor LOGIN (it offers %q)", addr, mechs)
		}
		if err := c.Auth(a); err != nil {
			return fail("authentication as "+strconv.Quote(s.cfg.Username)+" failed at", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fail("MAIL FROM rejected by", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fail("RCPT TO rejected by", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA rejected by", err)
	}
	if _, err := w.Write(data); err != nil {
		return fail("sending the message to", err)
	}
	if err := w.Close(); err != nil {
		return fail("message rejected by", err)
	}
	// The relay has taken the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// errClearAuth refuses to send credentials over an unencrypted connection
// the configuration did not explicitly allow.
var errClearAuth = errors.New("refusing to send the password over an unencrypted connection")

// plainAuth is SASL PLAIN (RFC 4616). Unlike net/smtp's PlainAuth it follows
// the configuration's decision on clear-text connections instead of its own
// host-name test.
type plainAuth struct {
	username, password string
	allowClear         bool
}

func (a *plainAuth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if !si.TLS && !a.allowClear {
		return "", nil, errClearAuth
	}
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a *plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected challenge after AUTH PLAIN")
	}
	return nil, nil
}

// loginAuth is the LOGIN mechanism, for servers (Microsoft's among them)
// that offer no PLAIN: the server asks for the user name, then the password.
type loginAuth struct {
	username, password string
	allowClear         bool
	step               int
}

func (a *loginAuth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if !si.TLS && !a.allowClear {
		return "", nil, errClearAuth
	}
	a.step = 0
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(_ []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch a.step {
	case 1:
		return []byte(a.username), nil
	case 2:
		return []byte(a.password), nil
	}
	return nil, errors.New("unexpected challenge after AUTH LOGIN")
}
