package password

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Policy is Cognito's PasswordPolicyType (CreateUserPool, UpdateUserPool,
// DescribeUserPool: Policies.PasswordPolicy), used directly as the wire type,
// so its JSON names are the AWS member names. Valid ranges per the API
// reference: MinimumLength 6-99, PasswordHistorySize 0-24,
// TemporaryPasswordValidityDays 0-365.
type Policy struct {
	MinimumLength    int32 `json:"MinimumLength"`
	RequireUppercase bool  `json:"RequireUppercase"`
	RequireLowercase bool  `json:"RequireLowercase"`
	RequireNumbers   bool  `json:"RequireNumbers"`
	RequireSymbols   bool  `json:"RequireSymbols"`
	// PasswordHistorySize is nil when unset. The API reference says history
	// "isn't displayed in DescribeUserPool responses when you set this value
	// to 0 or don't provide it", so MarshalJSON leaves out 0 as well as nil.
	PasswordHistorySize           *int32 `json:"PasswordHistorySize,omitempty"`
	TemporaryPasswordValidityDays int32  `json:"TemporaryPasswordValidityDays"`
}

// DefaultPolicy is the policy Cognito gives a new user pool created without
// one: at least 8 characters with an uppercase letter, a lowercase letter, a
// number and a symbol, temporary passwords valid 7 days, no history.
func DefaultPolicy() Policy {
	return Policy{
		MinimumLength:                 8,
		RequireUppercase:              true,
		RequireLowercase:              true,
		RequireNumbers:                true,
		RequireSymbols:                true,
		TemporaryPasswordValidityDays: 7,
	}
}

// MarshalJSON writes the policy as DescribeUserPool does: every member but
// PasswordHistorySize always present, PasswordHistorySize only when above 0.
func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy // no methods: avoids recursion
	if p.PasswordHistorySize != nil && *p.PasswordHistorySize == 0 {
		p.PasswordHistorySize = nil
	}
	return json.Marshal(plain(p))
}

// MaxLength is the longest password Cognito accepts: the API's PasswordType
// has "max": 256, whatever the policy's MinimumLength (at most 99).
const MaxLength = 256

// Symbols is Cognito's special-character set, from the developer guide
// ("Adding user pool password requirements"): ^ $ * . [ ] { } ( ) ? " ! @ # %
// & / \ , > < ' : ; | _ ~ ` = + - and the space character, which can only
// count when it is neither leading nor trailing (see FormatError).
const Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// PolicyError is a password that breaks the pool's policy: Cognito's
// InvalidPasswordException. Message is the exact message Cognito sends from
// the end-user APIs (SignUp, ChangePassword, ConfirmForgotPassword,
// RespondToAuthChallenge NEW_PASSWORD_REQUIRED), "Password did not conform
// with policy: " followed by Reason. The admin APIs (AdminCreateUser's
// TemporaryPassword, AdminSetUserPassword) word the prefix "Password did not
// conform with password policy: "; AdminMessage gives that form. Both
// spellings appear verbatim in published error reports and client code that
// matches on them.
type PolicyError struct {
	Message string
	Reason  string // e.g. "Password not long enough"
}

func (e *PolicyError) Error() string { return e.Message }

// AdminMessage is the message as AdminCreateUser and AdminSetUserPassword
// word it.
func (e *PolicyError) AdminMessage() string {
	return "Password did not conform with password policy: " + e.Reason
}

func policyError(reason string) *PolicyError {
	return &PolicyError{Message: "Password did not conform with policy: " + reason, Reason: reason}
}

// The reasons Cognito gives, one per rule.
const (
	ReasonTooShort     = "Password not long enough"
	ReasonNoUppercase  = "Password must have uppercase characters"
	ReasonNoLowercase  = "Password must have lowercase characters"
	ReasonNoNumbers    = "Password must have numeric characters"
	ReasonNoSymbols    = "Password must have symbol characters"
	formatLengthReason = "Member must have length less than or equal to 256"
	// formatPattern is the pattern Cognito names when a password has leading
	// or trailing whitespace (or is a single character): "Member must
	// satisfy regular expression pattern: ^[\S]+.*[\S]+$".
	formatPattern = `^[\S]+.*[\S]+$`
)

// FormatError is a password the API rejects before looking at the policy:
// Cognito's InvalidParameterException from request validation. The
// constraints are the PasswordType shape's: at most 256 characters, and the
// pattern ^[\S]+.*[\S]+$ (no leading or trailing whitespace, no line breaks
// inside, at least two characters). Violations holds each failed constraint
// in the order AWS lists them (length before pattern).
type FormatError struct {
	Violations []string
}

func (e *FormatError) Error() string { return e.Message("password") }

// Message is the AWS validation message for the request member named field
// ("password" for SignUp, AdminSetUserPassword and ConfirmForgotPassword,
// "proposedPassword" and "previousPassword" for ChangePassword,
// "temporaryPassword" for AdminCreateUser), e.g. "1 validation error
// detected: Value at 'password' failed to satisfy constraint: Member must
// satisfy regular expression pattern: ^[\S]+.*[\S]+$". Passwords are
// sensitive members, so, unlike other fields, AWS does not echo the value.
func (e *FormatError) Message(field string) string {
	var b strings.Builder
	if len(e.Violations) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		b.WriteString(strconv.Itoa(len(e.Violations)) + " validation errors detected: ")
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("Value at '" + field + "' failed to satisfy constraint: " + v)
	}
	return b.String()
}

// javaSpace is Java's \s: the only characters \S excludes.
func javaSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\x0b' || r == '\f' || r == '\r'
}

// CheckFormat applies the API's PasswordType constraints, which hold for
// every password member (including ChangePassword's PreviousPassword, which
// no policy applies to). It returns nil or a *FormatError.
//
// The pattern ^[\S]+.*[\S]+$ is read with Java's regular-expression meaning:
// \S excludes only ASCII whitespace (space, \t, \n, \v, \f, \r), and "."
// matches anything but the line terminators, of which only \n and \r can
// stand between two \S runs. Lengths count Unicode code points.
func CheckFormat(pw string) error {
	var v []string
	n := utf8.RuneCountInString(pw)
	if n > MaxLength {
		v = append(v, formatLengthReason)
	}
	first, _ := utf8.DecodeRuneInString(pw)
	last, _ := utf8.DecodeLastRuneInString(pw)
	if n < 2 || javaSpace(first) || javaSpace(last) || strings.ContainsAny(pw, "\n\r") {
		v = append(v, "Member must satisfy regular expression pattern: "+formatPattern)
	}
	if v != nil {
		return &FormatError{Violations: v}
	}
	return nil
}

// Check applies, in Cognito's order, the request constraints (CheckFormat,
// giving a *FormatError for InvalidParameterException) and then the pool's
// policy, giving a *PolicyError for InvalidPasswordException. Cognito reports
// only the first policy rule broken, checked in the order: length,
// uppercase, lowercase, numbers, symbols (a published AdminCreateUser trace
// shows a password lacking both capitals and digits reported as "must have
// uppercase characters"). Length counts Unicode code points; uppercase and
// lowercase mean the Basic Latin letters A-Z and a-z and numbers the digits
// 0-9, as the developer guide defines them; characters outside those classes
// and Symbols are allowed but count towards no class.
func (p Policy) Check(pw string) error {
	if err := CheckFormat(pw); err != nil {
		return err
	}
	if int64(utf8.RuneCountInString(pw)) < int64(p.MinimumLength) {
		return policyError(ReasonTooShort)
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case r < utf8.RuneSelf && strings.ContainsRune(Symbols, r):
			symbol = true
		}
	}
	switch {
	case p.RequireUppercase && !upper:
		return policyError(ReasonNoUppercase)
	case p.RequireLowercase && !lower:
		return policyError(ReasonNoLowercase)
	case p.RequireNumbers && !digit:
		return policyError(ReasonNoNumbers)
	case p.RequireSymbols && !symbol:
		return policyError(ReasonNoSymbols)
	}
	return nil
}

// Alphabets for Generate. The symbol set is a subset of Symbols without the
// characters that cause trouble where temporary passwords travel: space,
// quotes and backtick (copy and paste, shell quoting), backslash, and < > &
// (HTML invitation e-mails).
const (
	genUpper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	genLower  = "abcdefghijklmnopqrstuvwxyz"
	genDigits = "0123456789"
	genSymbol = "^$*.[]{}()?!@#%/,:;|_~=+-"
	genAll    = genUpper + genLower + genDigits + genSymbol
)

// generatedMinLength is the shortest temporary password Generate makes.
// Cognito's own temporary passwords under the default policy are 8
// characters long and mix all four classes (e.g. "3,Wtbz8h").
const generatedMinLength = 8

// Generate returns a random temporary password that satisfies p, as
// AdminCreateUser does when no TemporaryPassword is given. It always holds
// at least one character of each class, so it satisfies every policy, and
// has max(MinimumLength, 8) characters, drawn with crypto/rand. With 87
// symbols per position an 8-character password carries about 51 bits.
func (p Policy) Generate() string {
	n := generatedMinLength
	if int(p.MinimumLength) > n {
		n = int(p.MinimumLength)
	}
	if n > MaxLength {
		n = MaxLength
	}
	out := make([]byte, n)
	out[0] = genUpper[randIndex(len(genUpper))]
	out[1] = genLower[randIndex(len(genLower))]
	out[2] = genDigits[randIndex(len(genDigits))]
	out[3] = genSymbol[randIndex(len(genSymbol))]
	for i := 4; i < n; i++ {
		out[i] = genAll[randIndex(len(genAll))]
	}
	// Fisher-Yates, so the four guaranteed classes sit anywhere.
	for i := n - 1; i > 0; i-- {
		j := randIndex(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// randIndex returns a uniform integer in [0, n) from crypto/rand, rejecting
// the top partial range of 32-bit values so that no index is favoured.
func randIndex(n int) int {
	limit := uint32(1<<32 - (1<<32)%uint64(n))
	var b [4]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand.Read does not fail on supported platforms
		}
		if v := binary.BigEndian.Uint32(b[:]); limit == 0 || v < limit {
			return int(v % uint32(n))
		}
	}
}
