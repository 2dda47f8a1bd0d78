package users

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/store"
)

// maxFilterLength is the UserFilterType length constraint of the ListUsers
// API ("Maximum length of 256"), counted in characters.
const maxFilterLength = 256

// FilterError is a ListUsers Filter that Cognito rejects. Message is the text
// of the InvalidParameterException Cognito returns for it; the caller wraps
// it in that exception.
type FilterError struct {
	Message string
}

func (e *FilterError) Error() string { return e.Message }

// msgFilterSyntax is Cognito's answer to a Filter it cannot parse.
const msgFilterSyntax = "Error while parsing filter."

// searchable maps the attribute names ListUsers can filter on to the
// store.UserFilter field. Names are matched exactly: the API reference lists
// them in lower case, and the "(case-sensitive)" / "(case-insensitive)" notes
// there are about how values compare, not names.
var searchable = map[string]string{
	"username":            "username",
	"email":               "email",
	"phone_number":        "phone_number",
	"name":                "name",
	"given_name":          "given_name",
	"family_name":         "family_name",
	"preferred_username":  "preferred_username",
	"cognito:user_status": "cognito:user_status",
	"status":              "status",
	"sub":                 "sub",
}

// ParseFilter parses the Filter of a ListUsers request:
//
//	AttributeName Filter-Type "AttributeValue"
//
// Filter-Type is = (exact match) or ^= (prefix match); spaces around it are
// optional. AttributeValue is in double quotes, inside which \" stands for a
// quote and \\ for a backslash. AttributeName may also be quoted, as AWS's own
// example "\"email\"^=\"testuser\"" does. An empty or all-space filter means
// no filter and yields (nil, nil).
//
// Values are returned as written, with one exception: cognito:user_status
// compares case-insensitively in Cognito, so its value is upper-cased to match
// store.User.Status (CONFIRMED, UNCONFIRMED ...) exactly. status compares
// case-sensitively against "Enabled" and "Disabled"; any other value is
// accepted and simply matches no user.
//
// Errors are *FilterError.
func ParseFilter(s string) (*store.UserFilter, error) {
	// Cognito validates the length before it looks at the content.
	if utf8.RuneCountInString(s) > maxFilterLength {
		return nil, &FilterError{Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'filter' failed to satisfy constraint: "+
				"Member must have length less than or equal to %d", s, maxFilterLength)}
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if !utf8.ValidString(s) {
		// A JSON request cannot carry invalid UTF-8; refusing it here keeps
		// every accepted filter representable.
		return nil, &FilterError{Message: msgFilterSyntax}
	}

	p := filterParser{s: s}
	p.skipSpace()
	var name string
	var ok bool
	if p.peek() == '"' {
		name, ok = p.quoted()
	} else {
		name, ok = p.bareName()
	}
	if !ok {
		return nil, &FilterError{Message: msgFilterSyntax}
	}
	p.skipSpace()
	op, ok := p.operator()
	if !ok {
		return nil, &FilterError{Message: msgFilterSyntax}
	}
	p.skipSpace()
	value, ok := p.quoted()
	if !ok {
		return nil, &FilterError{Message: msgFilterSyntax}
	}
	p.skipSpace()
	if !p.done() {
		return nil, &FilterError{Message: msgFilterSyntax}
	}

	field, known := searchable[name]
	if !known {
		return nil, &FilterError{Message: "Invalid search attribute: " + name}
	}
	if field == "cognito:user_status" {
		value = upperASCII(value)
	}
	return &store.UserFilter{Field: field, Op: op, Value: value}, nil
}

// filterParser walks a filter once, left to right; every step consumes input
// or fails, so parsing is linear and cannot loop.
type filterParser struct {
	s string
	i int
}

func (p *filterParser) done() bool { return p.i >= len(p.s) }

func (p *filterParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *filterParser) skipSpace() {
	for !p.done() {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !unicode.IsSpace(r) {
			return
		}
		p.i += n
	}
}

// bareName reads an unquoted attribute name: everything up to a space, the
// operator or a quote. Any other character is part of the name, so that
// "custom:tenant" reaches the "Invalid search attribute" check rather than
// being reported as a syntax error.
func (p *filterParser) bareName() (string, bool) {
	start := p.i
	for !p.done() {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if unicode.IsSpace(r) || r == '=' || r == '^' || r == '"' || r == '\\' {
			break
		}
		p.i += n
	}
	return p.s[start:p.i], p.i > start
}

func (p *filterParser) operator() (store.FilterOp, bool) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "^="):
		p.i += 2
		return store.FilterPrefix, true
	case strings.HasPrefix(p.s[p.i:], "="):
		p.i++
		return store.FilterEquals, true
	}
	return 0, false
}

// quoted reads a double-quoted string. Only \" and \\ are escapes, as the
// ListUsers reference documents; a backslash before anything else, or a
// missing closing quote, is a syntax error.
func (p *filterParser) quoted() (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), true
		case '\\':
			if p.done() || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", false
			}
			b.WriteByte(p.s[p.i])
			p.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// upperASCII upper-cases ASCII letters only: user statuses are ASCII, and
// unlike strings.ToUpper it never changes a string's length, so a filter that
// fits the limit still fits once normalised.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
