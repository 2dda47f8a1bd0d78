// Package messages delivers what Cogito sends to users (confirmation codes,
// temporary passwords, links) by email or SMS, and keeps the dev outbox that
// records every message so local tests can read codes back.
package messages

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Channels.
const (
	Email = "EMAIL"
	SMS   = "SMS"
)

// Kinds name why a message was sent; they follow the CustomMessage trigger
// sources so a trigger and the outbox speak of the same events.
const (
	KindAdminCreateUser     = "AdminCreateUser"
	KindSignUp              = "SignUp"
	KindResendCode          = "ResendCode"
	KindForgotPassword      = "ForgotPassword"
	KindUpdateUserAttribute = "UpdateUserAttribute"
	KindVerifyUserAttribute = "VerifyUserAttribute"
	KindAuthentication      = "Authentication"
)

// Message is one email or SMS.
type Message struct {
	PoolID      string    `json:"poolId"`
	Username    string    `json:"username"`
	Channel     string    `json:"channel"`
	Destination string    `json:"destination"`
	Kind        string    `json:"kind"`
	Subject     string    `json:"subject,omitempty"`
	Body        string    `json:"body"`
	Code        string    `json:"code,omitempty"`
	Time        time.Time `json:"time"`
}

// Sender delivers messages. Implementations: the outbox, SMTP, SMS gateways.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox keeps the newest messages in memory for GET /_local/outbox. It is a
// development aid: losing it on restart is fine.
type Outbox struct {
	mu   sync.Mutex
	max  int
	msgs []Message // oldest first
}

// NewOutbox keeps at most max messages.
func NewOutbox(max int) *Outbox { return &Outbox{max: max} }

// Send records m.
func (o *Outbox) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > o.max {
		o.msgs = append(o.msgs[:0:0], o.msgs[len(o.msgs)-o.max:]...)
	}
	return nil
}

// List returns messages newest first, filtered by username (case-insensitive,
// matching the user's name or the message's destination) and pool when given.
func (o *Outbox) List(username, poolID string) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := []Message{}
	for i := len(o.msgs) - 1; i >= 0; i-- {
		m := o.msgs[i]
		if username != "" && !strings.EqualFold(m.Username, username) && !strings.EqualFold(m.Destination, username) {
			continue
		}
		if poolID != "" && m.PoolID != poolID {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Multi sends every message through each sender in turn and reports the
// first failure after trying them all.
type Multi []Sender

// Send implements Sender.
func (ms Multi) Send(ctx context.Context, m Message) error {
	var first error
	for _, s := range ms {
		if err := s.Send(ctx, m); err != nil && first == nil {
			first = err
		}
	}
	return first
}
