package srp

import (
	"errors"
	"strings"
	"time"
)

// timestampLayout is Cognito's TIMESTAMP form, "Tue Sep 3 08:04:05 UTC 2024":
// English weekday and month abbreviations, day of month without a leading
// zero, zero-padded 24-hour time, the literal zone "UTC", four-digit year.
// Cognito's own error text names it in Java's terms: "TIMESTAMP format should
// be EEE MMM d HH:mm:ss z yyyy in english." amazon-cognito-identity-js
// (DateHelper.getNowString), Amplify v6 (getNowString) and pycognito/warrant
// (strftime "%a %b %d ..." with the day's leading zero stripped by a regular
// expression) produce it. Go's alexrudd/cognito-srp formats "Mon Jan 2
// 03:04:05 MST 2006", a 12-hour clock: its afternoon timestamps read 12 hours
// early, so they parse but fail any freshness window shorter than that.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// FormatTimestamp renders t (converted to UTC) in Cognito's TIMESTAMP form.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// ErrTimestamp reports a TIMESTAMP that cannot be read; the API answers it
// with InvalidParameterException and TimestampErrorMessage.
var ErrTimestamp = errors.New("srp: unreadable TIMESTAMP")

// TimestampErrorMessage is Cognito's InvalidParameterException message for an
// unreadable TIMESTAMP (amazon-cognito-identity-js issue #683;
// amazon-cognito-passwordless-auth issue #145, where Chrome's Intl produced
// the hour "24").
const TimestampErrorMessage = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."

// parseLayouts accept, beyond the canonical form: a zero-padded day
// ("Sep 03", sent by older warrant and by hand-written clients that use
// strftime "%d"), a space-padded day ("Sep  3", C's asctime and strftime
// "%e"), and the zone spelled GMT (Java's SimpleDateFormat "z" accepts it,
// and Cognito's error message names Java's pattern letters). Go's "_2" reads one or two digits after an
// optional extra space, so a single layout covers all three day spellings.
var parseLayouts = []string{
	"Mon Jan _2 15:04:05 UTC 2006",
	"Mon Jan _2 15:04:05 GMT 2006",
}

// ParseTimestamp reads a TIMESTAMP as clients send it and returns the instant
// it names, in UTC. It accepts the canonical form and the variants listed at
// parseLayouts; the weekday must be a valid abbreviation but is not checked
// against the date; out-of-range fields (hour 24, September 31) are errors,
// as the hour 24 is for Cognito.
//
// Accepting a variant is not the same as Cognito accepting the sign-in.
// Reports measured against real user pools (warrant pull request #12, 2017;
// ministack pull request #1758, 2026) show Cognito answering a zero-padded day
// ("Sep 05") and a wrong weekday with NotAuthorizedException "Incorrect
// username or password.", consistent with a server that parses the string
// and checks the signature over its own canonical rendering of the instant. A caller that wants Cognito's exact behaviour verifies the
// signature over FormatTimestamp(t) (or requires FormatTimestamp(t) == s); a
// caller that wants to admit those clients verifies it over s as sent.
func ParseTimestamp(s string) (time.Time, error) {
	// time.Parse matches month and weekday names case-insensitively and
	// treats a run of spaces in the input like a single space.
	if len(s) < len("Mon Jan 2 15:04:05 UTC 2006") || len(s) > 40 || strings.TrimSpace(s) != s {
		return time.Time{}, ErrTimestamp
	}
	for _, layout := range parseLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrTimestamp
}
