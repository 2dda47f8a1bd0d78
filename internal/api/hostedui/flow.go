package hostedui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"

	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// secretHash computes SECRET_HASH for a client with a secret: the hosted UI
// is Cognito's own page, trusted with the client's secret, so the browser
// never needs it.
func secretHash(c *userpool.Client, username string) string {
	sec := c.Secret()
	if sec == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(sec))
	m.Write([]byte(username + c.ID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// notices are the fixed messages a redirect may ask the sign-in page to
// show: the query names one, so no text comes from the URL.
var loginNotices = map[string]string{
	"confirmed":       "Your account is confirmed. Sign in to continue.",
	"password_reset":  "Your password has been changed. Sign in with your new password.",
	"session_expired": "That took too long, so we stopped for your security. Please sign in again.",
	"pending":         "Your account was created. An administrator must confirm it before you can sign in.",
	"signed_up":       "Your account is ready. Sign in to continue.",
}

// maskedRE matches the masked destinations package users reports
// ("a***@e***", "+*******1234"): a URL can name where a code went, but
// not put arbitrary words on the page.
var maskedRE = regexp.MustCompile(`^(\S\*\*\*@\S\*\*\*|\+\**[0-9]{0,4})$`)

// deliveryParams carries where a code went to the next page.
func deliveryParams(d *users.CodeDeliveryDetails, notice, username string) url.Values {
	v := url.Values{"notice": {notice}, "username": {username}}
	if d != nil {
		v.Set("medium", d.DeliveryMedium)
		v.Set("dest", d.Destination)
	}
	return v
}

// deliveredTo words where a code went: "by email to a***@e***".
func deliveredTo(q url.Values) string {
	out := "to you"
	switch q.Get("medium") {
	case messages.Email:
		out = "by email"
	case messages.SMS:
		out = "by text message"
	}
	if d := q.Get("dest"); maskedRE.MatchString(d) {
		if out == "to you" {
			return "to " + d
		}
		return out + " to " + d
	}
	return out
}

// codeNotice is the code pages' notice named by the query.
func codeNotice(q url.Values) string {
	switch q.Get("notice") {
	case "sent":
		return "We sent a code " + deliveredTo(q) + ". Enter it below."
	case "resent":
		return "We sent a new code " + deliveredTo(q) + "."
	case "unconfirmed":
		return "Your account isn't confirmed yet. We sent a code " + deliveredTo(q) + "."
	case "reset_required":
		return "You need to choose a new password. We sent a code " + deliveredTo(q) + "."
	}
	return ""
}

// queryName is a sign-in name passed between pages.
func queryName(q url.Values) string { return clip(q.Get("username"), 128) }

// compactCode drops the spaces people type or paste inside codes.
func compactCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
