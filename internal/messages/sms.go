// SMS delivery.
//
// Two senders carry SMS messages; both ignore EMAIL messages, so that either
// composes with the dev outbox and an SMTPSender in a Multi:
//
//   - WebhookSMSSender POSTs each message as JSON to a URL of the operator's
//     choosing, to bridge Cogito to any SMS gateway (Twilio, a queue, a test
//     harness) with a few lines of glue.
//   - SNSSender publishes each message with Amazon SNS's Publish action, as
//     Amazon Cognito itself does, signed with SigV4; it talks to real SNS or
//     to anything that speaks its Query API (LocalStack, a test double).
//
// No error this file returns carries a message's text, its code, an access
// key secret or the webhook URL (whose query often holds a token).

package messages

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// defaultHTTPClient bounds requests of senders configured without a client;
// http.DefaultClient would wait forever on a silent server.
var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// maxReplyBytes caps how much of a reply is read.
const maxReplyBytes = 1 << 20

// WebhookSMSSender delivers SMS messages by POSTing them as JSON to URL:
//
//	{"poolId": "...", "username": "...", "phoneNumber": "+15555550100",
//	 "message": "Your code is 123456", "kind": "SignUp"}
//
// Any 2xx reply means delivered. The message text already contains the code,
// so there is no separate code field.
type WebhookSMSSender struct {
	URL string
	// Header holds extra request headers, such as Authorization.
	Header http.Header
	// Client defaults to one with a 30-second timeout.
	Client *http.Client
}

// webhookSMS is the JSON body a WebhookSMSSender posts.
type webhookSMS struct {
	PoolID      string `json:"poolId"`
	Username    string `json:"username"`
	PhoneNumber string `json:"phoneNumber"`
	Message     string `json:"message"`
	Kind        string `json:"kind"`
}

// Send implements Sender. Messages on other channels than SMS are not its
// business: it returns nil for them without doing anything.
func (w WebhookSMSSender) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return nil
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("messages: SMS webhook URL must be an absolute http or https URL")
	}
	body, err := json.Marshal(webhookSMS{
		PoolID:      m.PoolID,
		Username:    m.Username,
		PhoneNumber: m.Destination,
		Message:     m.Body,
		Kind:        m.Kind,
	})
	if err != nil {
		return errors.New("messages: SMS webhook: encoding the message failed")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("messages: SMS webhook: building the request failed")
	}
	for name, values := range w.Header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client(w.Client).Do(req)
	if err != nil {
		return fmt.Errorf("messages: SMS webhook at %s: %w", u.Host, stripURL(err))
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; the reply itself
	// is of no interest.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("messages: SMS webhook at %s answered %s", u.Host, resp.Status)
	}
	return nil
}

// SNSSender delivers SMS messages with Amazon SNS's Publish action to a phone
// number, as transactional SMS, exactly as SNS's Query API expects: a
// form-encoded POST signed with SigV4 for the service "sns".
type SNSSender struct {
	// Endpoint is the SNS endpoint URL; "" means the AWS endpoint of
	// Region, https://sns.REGION.amazonaws.com/. LocalStack is usually
	// http://localhost:4566/.
	Endpoint string
	// Region is the signing region, such as us-east-1. Required.
	Region string
	// AccessKeyID and SecretAccessKey sign requests; SessionToken is added
	// for temporary credentials.
	AccessKeyID, SecretAccessKey, SessionToken string
	// Client defaults to one with a 30-second timeout.
	Client *http.Client
}

// SNSError is an error reply from SNS: an <ErrorResponse>, or an HTTP error
// status without one (then Code is empty).
type SNSError struct {
	StatusCode int
	Type       string // Sender or Receiver
	Code       string // such as InvalidParameter, SignatureDoesNotMatch, Throttling
	Message    string
	RequestID  string
}

func (e *SNSError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("messages: SNS Publish failed with HTTP %d", e.StatusCode)
	}
	msg := fmt.Sprintf("messages: SNS Publish failed with %s (HTTP %d)", e.Code, e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// snsPublishResponse is SNS's reply to Publish. XML names without a
// namespace match SNS's http://sns.amazonaws.com/doc/2010-03-31/ ones.
type snsPublishResponse struct {
	XMLName   xml.Name `xml:"PublishResponse"`
	MessageID string   `xml:"PublishResult>MessageId"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

// snsErrorResponse is the Query API's error reply.
type snsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// Send implements Sender. Messages on other channels than SMS are not its
// business: it returns nil for them without doing anything.
func (s SNSSender) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return nil
	}
	_, err := s.Publish(ctx, m.Destination, m.Body)
	return err
}

// Publish sends message to phoneNumber (E.164, such as +15555550100) as a
// transactional SMS and returns the MessageId SNS assigned. An error reply is
// an *SNSError.
func (s SNSSender) Publish(ctx context.Context, phoneNumber, message string) (string, error) {
	if s.Region == "" {
		return "", errors.New("messages: SNS region is required")
	}
	if s.AccessKeyID == "" || s.SecretAccessKey == "" {
		return "", errors.New("messages: SNS access key id and secret access key are required")
	}
	if phoneNumber == "" {
		return "", errors.New("messages: SNS: the message has no phone number")
	}
	endpoint, err := s.endpoint()
	if err != nil {
		return "", err
	}

	form := url.Values{}
	form.Set("Action", "Publish")
	form.Set("Version", "2010-03-31")
	form.Set("PhoneNumber", phoneNumber)
	form.Set("Message", message)
	form.Set("MessageAttributes.entry.1.Name", "AWS.SNS.SMS.SMSType")
	form.Set("MessageAttributes.entry.1.Value.DataType", "String")
	form.Set("MessageAttributes.entry.1.Value.StringValue", "Transactional")
	body := []byte(form.Encode())

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", errors.New("messages: SNS: building the request failed")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sns", s.Region, time.Now()); err != nil {
		return "", fmt.Errorf("messages: SNS: signing the request failed: %w", err)
	}

	resp, err := client(s.Client).Do(req)
	if err != nil {
		return "", fmt.Errorf("messages: SNS Publish to %s: %w", req.URL.Host, stripURL(err))
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return "", fmt.Errorf("messages: SNS Publish to %s: reading the reply: %w", req.URL.Host, err)
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &SNSError{StatusCode: resp.StatusCode}
		var er snsErrorResponse
		if xml.Unmarshal(reply, &er) == nil {
			e.Type, e.Code, e.Message, e.RequestID = er.Error.Type, er.Error.Code, er.Error.Message, er.RequestID
		}
		return "", e
	}
	var pr snsPublishResponse
	if err := xml.Unmarshal(reply, &pr); err != nil {
		var er snsErrorResponse
		if xml.Unmarshal(reply, &er) == nil && er.Error.Code != "" {
			return "", &SNSError{StatusCode: resp.StatusCode, Type: er.Error.Type, Code: er.Error.Code, Message: er.Error.Message, RequestID: er.RequestID}
		}
		return "", fmt.Errorf("messages: SNS Publish to %s: the reply is not a PublishResponse", req.URL.Host)
	}
	if pr.MessageID == "" {
		return "", fmt.Errorf("messages: SNS Publish to %s: the reply carries no MessageId", req.URL.Host)
	}
	return pr.MessageID, nil
}

// endpoint returns the URL Publish posts to.
func (s SNSSender) endpoint() (string, error) {
	if s.Endpoint == "" {
		if strings.ContainsAny(s.Region, "/:@?# ") {
			return "", fmt.Errorf("messages: SNS region %q is not a region name", s.Region)
		}
		host := "sns." + s.Region + ".amazonaws.com"
		if strings.HasPrefix(s.Region, "cn-") {
			host += ".cn"
		}
		return "https://" + host + "/", nil
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("messages: SNS endpoint must be an absolute http or https URL")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// client returns c, or the default client when c is nil.
func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultHTTPClient
}

// stripURL removes the URL that net/http puts in its errors; a webhook URL
// often carries a token in its query.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
