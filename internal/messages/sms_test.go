package messages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/sigv4"
)

func smsMsg() Message {
	return Message{
		PoolID:      "us-east-1_Test",
		Username:    "alice",
		Channel:     SMS,
		Destination: "+15555550100",
		Kind:        KindForgotPassword,
		Body:        "Your password reset code is 654321. Ünïcode & symbols = fine",
		Code:        "654321",
		Time:        time.Now(),
	}
}

func TestWebhookSMSSender(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var headers []http.Header
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		var body map[string]any
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&body); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		mu.Lock()
		got = append(got, body)
		headers = append(headers, r.Header.Clone())
		s := status
		mu.Unlock()
		w.WriteHeader(s)
		fmt.Fprint(w, "reply text that may echo 654321")
	}))
	defer srv.Close()

	s := WebhookSMSSender{URL: srv.URL + "/sms?token=hook-secret", Header: http.Header{"Authorization": {"Bearer abc"}}}
	m := smsMsg()
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 1 {
		t.Fatalf("webhook called %d times", len(got))
	}
	want := map[string]any{
		"poolId": m.PoolID, "username": m.Username, "phoneNumber": m.Destination,
		"message": m.Body, "kind": m.Kind,
	}
	if len(got[0]) != len(want) {
		t.Errorf("payload has fields %v, want exactly %v", got[0], want)
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("payload %s = %v, want %v", k, got[0][k], v)
		}
	}
	if ct := headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if a := headers[0].Get("Authorization"); a != "Bearer abc" {
		t.Errorf("Authorization = %q", a)
	}
	status = http.StatusOK
	mu.Unlock()

	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("200: %v", err)
	}

	// EMAIL is not its business.
	e := m
	e.Channel, e.Destination = Email, "alice@example.org"
	if err := s.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 2 {
		t.Errorf("webhook called for an email: %d calls", len(got))
	}
	status = http.StatusServiceUnavailable
	mu.Unlock()

	err := s.Send(context.Background(), m)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503 reply: err = %v, want one naming the status", err)
	}
	for _, leak := range []string{m.Code, "hook-secret"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q leaks %q", err, leak)
		}
	}
}

func TestWebhookSMSSenderUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	s := WebhookSMSSender{URL: u + "/sms?token=hook-secret", Client: &http.Client{Timeout: 2 * time.Second}}
	err := s.Send(context.Background(), smsMsg())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), "hook-secret") {
		t.Errorf("error leaks the URL's token: %v", err)
	}
	if err := (WebhookSMSSender{URL: "not a url"}).Send(context.Background(), smsMsg()); err == nil {
		t.Error("relative URL accepted")
	}
}

const (
	snsKey    = "AKIDSNSEXAMPLE"
	snsSecret = "snsSecretKeyEXAMPLE/K7MDENG+bPxRfiCY"
)

// snsDouble is an SNS Query API endpoint that verifies SigV4 and answers
// Publish like SNS.
type snsDouble struct {
	t         *testing.T
	mu        sync.Mutex
	forms     []url.Values
	identity  []*sigv4.Identity
	tokens    []string
	errorCode string // reply with this error instead of success
}

func (d *snsDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		d.t.Error(err)
		return
	}
	v := &sigv4.Verifier{Service: "sns", Credentials: func(id string) (string, bool) {
		if id == snsKey {
			return snsSecret, true
		}
		return "", false
	}}
	w.Header().Set("Content-Type", "text/xml")
	id, err := v.Verify(r, body)
	if err != nil {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error><RequestId>req-sig</RequestId></ErrorResponse>`, "The request signature we calculated does not match the signature you provided.")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		d.t.Errorf("Content-Type = %q", ct)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		d.t.Errorf("body is not a form: %v", err)
	}
	d.mu.Lock()
	d.forms = append(d.forms, form)
	d.identity = append(d.identity, id)
	d.tokens = append(d.tokens, r.Header.Get("X-Amz-Security-Token"))
	code := d.errorCode
	d.mu.Unlock()
	if code != "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error>
    <Type>Sender</Type>
    <Code>%s</Code>
    <Message>Invalid parameter: PhoneNumber Reason: not a valid phone number</Message>
  </Error>
  <RequestId>req-err</RequestId>
</ErrorResponse>`, code)
		return
	}
	fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId>
  </ResponseMetadata>
</PublishResponse>`)
}

func TestSNSSenderPublish(t *testing.T) {
	d := &snsDouble{t: t}
	srv := httptest.NewServer(d)
	defer srv.Close()
	s := SNSSender{Endpoint: srv.URL, Region: "eu-west-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret}
	m := smsMsg()

	id, err := s.Publish(context.Background(), m.Destination, m.Body)
	if err != nil {
		t.Fatal(err)
	}
	if id != "567910cd-659e-55d4-8ccb-5aaf14679dc0" {
		t.Errorf("MessageId = %q", id)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	e := m
	e.Channel = Email
	if err := s.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.forms) != 2 {
		t.Fatalf("SNS called %d times, want 2 (none for the email)", len(d.forms))
	}
	want := url.Values{
		"Action":                         {"Publish"},
		"Version":                        {"2010-03-31"},
		"PhoneNumber":                    {m.Destination},
		"Message":                        {m.Body},
		"MessageAttributes.entry.1.Name": {"AWS.SNS.SMS.SMSType"},
		"MessageAttributes.entry.1.Value.DataType":    {"String"},
		"MessageAttributes.entry.1.Value.StringValue": {"Transactional"},
	}
	for _, form := range d.forms {
		if len(form) != len(want) {
			t.Errorf("form = %v, want %v", form, want)
		}
		for k, v := range want {
			if form.Get(k) != v[0] {
				t.Errorf("form %s = %q, want %q", k, form.Get(k), v[0])
			}
		}
	}
	if got := d.identity[0]; got.AccessKeyID != snsKey || got.Region != "eu-west-1" || got.Service != "sns" {
		t.Errorf("signed as %+v", got)
	}
}

func TestSNSSenderSessionToken(t *testing.T) {
	d := &snsDouble{t: t}
	srv := httptest.NewServer(d)
	defer srv.Close()
	s := SNSSender{Endpoint: srv.URL + "/", Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret, SessionToken: "session-token-example"}
	if _, err := s.Publish(context.Background(), "+15555550100", "hi"); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.tokens) != 1 || d.tokens[0] != "session-token-example" {
		t.Errorf("X-Amz-Security-Token = %q", d.tokens)
	}
}

func TestSNSSenderErrors(t *testing.T) {
	d := &snsDouble{t: t}
	srv := httptest.NewServer(d)
	defer srv.Close()

	// A wrong secret fails the double's signature check.
	bad := SNSSender{Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: "wrong-secret"}
	m := smsMsg()
	err := bad.Send(context.Background(), m)
	var se *SNSError
	if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" || se.StatusCode != http.StatusForbidden || se.RequestID != "req-sig" {
		t.Fatalf("wrong secret: err = %#v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") || strings.Contains(err.Error(), m.Code) {
		t.Errorf("error leaks a secret: %v", err)
	}

	// An ErrorResponse maps to an *SNSError naming its code.
	d.mu.Lock()
	d.errorCode = "InvalidParameter"
	d.mu.Unlock()
	s := SNSSender{Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret}
	err = s.Send(context.Background(), m)
	if !errors.As(err, &se) || se.Code != "InvalidParameter" || se.Type != "Sender" || se.StatusCode != http.StatusBadRequest {
		t.Fatalf("error reply: err = %#v", err)
	}
	if !strings.Contains(err.Error(), "InvalidParameter") {
		t.Errorf("error does not name the code: %v", err)
	}
	if strings.Contains(err.Error(), m.Body) || strings.Contains(err.Error(), m.Code) {
		t.Errorf("error leaks the message: %v", err)
	}

	// Replies that are not SNS's.
	for name, h := range map[string]http.HandlerFunc{
		"500 without XML": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) },
		"200 without MessageId": func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `<PublishResponse><PublishResult></PublishResult></PublishResponse>`)
		},
		"200 not XML": func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"ok":true}`) },
	} {
		other := httptest.NewServer(h)
		s := SNSSender{Endpoint: other.URL, Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret}
		if _, err := s.Publish(context.Background(), "+15555550100", "hi"); err == nil {
			t.Errorf("%s: no error", name)
		}
		other.Close()
	}

	// Configuration faults.
	for name, s := range map[string]SNSSender{
		"no region":      {Endpoint: srv.URL, AccessKeyID: snsKey, SecretAccessKey: snsSecret},
		"no credentials": {Endpoint: srv.URL, Region: "us-east-1"},
		"bad endpoint":   {Endpoint: "sns.example", Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret},
	} {
		if _, err := s.Publish(context.Background(), "+15555550100", "hi"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSNSDefaultEndpoint(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":  "https://sns.us-east-1.amazonaws.com/",
		"cn-north-1": "https://sns.cn-north-1.amazonaws.com.cn/",
	} {
		got, err := SNSSender{Region: region}.endpoint()
		if err != nil || got != want {
			t.Errorf("endpoint for %s = %q (%v), want %q", region, got, err, want)
		}
	}
}

func TestSendersCompose(t *testing.T) {
	d := &snsDouble{t: t}
	srv := httptest.NewServer(d)
	defer srv.Close()
	be, port, _ := startServer(t, serverOpts{mode: SMTPModeNone})
	mail := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, Mode: SMTPModeNone, From: "a@cogito.example", Timeout: 5 * time.Second})
	outbox := NewOutbox(10)
	all := Multi{outbox, mail, SNSSender{Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: snsKey, SecretAccessKey: snsSecret}}

	if err := all.Send(context.Background(), smsMsg()); err != nil {
		t.Fatal(err)
	}
	if err := all.Send(context.Background(), emailMsg("Code", "Your code is 123456")); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox.List("", "")); n != 2 {
		t.Errorf("outbox has %d messages", n)
	}
	if n := len(be.messages()); n != 1 {
		t.Errorf("SMTP server got %d messages", n)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.forms); n != 1 {
		t.Errorf("SNS got %d messages", n)
	}
}
