package password

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func int32p(v int32) *int32 { return &v }

func TestPolicyJSON(t *testing.T) {
	got, err := json.Marshal(DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"MinimumLength":8,"RequireUppercase":true,"RequireLowercase":true,"RequireNumbers":true,"RequireSymbols":true,"TemporaryPasswordValidityDays":7}`
	if string(got) != want {
		t.Errorf("DefaultPolicy JSON\n got %s\nwant %s", got, want)
	}

	p := Policy{MinimumLength: 12, PasswordHistorySize: int32p(5), TemporaryPasswordValidityDays: 3}
	got, _ = json.Marshal(p)
	want = `{"MinimumLength":12,"RequireUppercase":false,"RequireLowercase":false,"RequireNumbers":false,"RequireSymbols":false,"PasswordHistorySize":5,"TemporaryPasswordValidityDays":3}`
	if string(got) != want {
		t.Errorf("policy JSON\n got %s\nwant %s", got, want)
	}

	// History 0 is not displayed, as DescribeUserPool does.
	p.PasswordHistorySize = int32p(0)
	got, _ = json.Marshal(p)
	if strings.Contains(string(got), "PasswordHistorySize") {
		t.Errorf("history 0 marshalled: %s", got)
	}
	if *p.PasswordHistorySize != 0 {
		t.Error("MarshalJSON modified its receiver")
	}
	// Also inside a larger response, by value and by pointer.
	type policies struct {
		PasswordPolicy *Policy `json:"PasswordPolicy"`
	}
	got, _ = json.Marshal(policies{&p})
	if strings.Contains(string(got), "PasswordHistorySize") || !strings.Contains(string(got), `"MinimumLength":12`) {
		t.Errorf("nested: %s", got)
	}

	// Round trip from a request body.
	var in Policy
	if err := json.Unmarshal([]byte(`{"MinimumLength":10,"RequireSymbols":true,"PasswordHistorySize":3}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.MinimumLength != 10 || !in.RequireSymbols || in.RequireUppercase || in.PasswordHistorySize == nil || *in.PasswordHistorySize != 3 {
		t.Errorf("unmarshal: %+v", in)
	}
}

func TestCheckPolicy(t *testing.T) {
	def := DefaultPolicy()
	const prefix = "Password did not conform with policy: "
	for _, c := range []struct {
		p      Policy
		pw     string
		reason string // "" = accepted
	}{
		{def, "Passw0rd!", ""},
		{def, "Pa0!", ReasonTooShort},
		{def, "Pass0!x", ReasonTooShort}, // 7
		{def, "passw0rd!", ReasonNoUppercase},
		{def, "PASSW0RD!", ReasonNoLowercase},
		{def, "Password!", ReasonNoNumbers},
		{def, "Passw0rdx", ReasonNoSymbols},
		{def, "pass word", ReasonNoUppercase},         // first failing rule only
		{def, "asdfasilguhasulf!", ReasonNoUppercase}, // no capital, no digit: uppercase reported
		{def, "Asdfasilguhasulf!", ReasonNoNumbers},
		{def, "abc", ReasonTooShort},          // length before classes
		{def, "Pass w0rd", ""},                // inner space is a symbol
		{def, "Pässwörd1", ReasonNoSymbols},   // non-Latin letters count as nothing
		{def, "ÄÖÜßäöü1!", ReasonNoUppercase}, // only A-Z are uppercase
		{def, "PASSWÖRD1!", ReasonNoLowercase},
		{def, "Passwörd١!", ReasonNoNumbers}, // Arabic-Indic digit one is not 0-9
		{def, "Passw0rd€", ReasonNoSymbols},  // € is not in Cognito's set
		{def, "Pw0!ééé", ReasonTooShort},     // 7 runes, 10 bytes
		{def, "Pw0!éééé", ""},                // 8 runes
		{Policy{MinimumLength: 6}, "abcdef", ""},
		{Policy{MinimumLength: 6}, "abcde", ReasonTooShort},
		{Policy{MinimumLength: 6, RequireNumbers: true}, "abcdef", ReasonNoNumbers},
		{Policy{MinimumLength: 6, RequireSymbols: true}, "abcdef", ReasonNoSymbols},
		{Policy{MinimumLength: 99}, strings.Repeat("a", 99), ""},
		{Policy{MinimumLength: 99}, strings.Repeat("a", 98), ReasonTooShort},
	} {
		err := c.p.Check(c.pw)
		if c.reason == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v, want nil", c.pw, err)
			}
			continue
		}
		var pe *PolicyError
		if !errors.As(err, &pe) {
			t.Errorf("Check(%q) = %v, want PolicyError %q", c.pw, err, c.reason)
			continue
		}
		if pe.Reason != c.reason || pe.Message != prefix+c.reason || pe.Error() != pe.Message {
			t.Errorf("Check(%q) = %q (reason %q), want %q", c.pw, pe.Message, pe.Reason, prefix+c.reason)
		}
		if want := "Password did not conform with password policy: " + c.reason; pe.AdminMessage() != want {
			t.Errorf("AdminMessage = %q, want %q", pe.AdminMessage(), want)
		}
	}
}

func TestEverySymbolCounts(t *testing.T) {
	p := DefaultPolicy()
	for _, r := range `^$*.[]{}()?"!@#%&/\,><':;|_~` + "`=+- " {
		pw := "Abcdef1" + string(r) + "x"
		if err := p.Check(pw); err != nil {
			t.Errorf("symbol %q not accepted: %v", r, err)
		}
	}
}

func TestCheckFormat(t *testing.T) {
	pattern := "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
	length := "Member must have length less than or equal to 256"
	for _, c := range []struct {
		pw   string
		want []string
	}{
		{"ab", nil},
		{"a b", nil},
		{"a\tb", nil},
		{strings.Repeat("x", 256), nil},
		{strings.Repeat("é", 256), nil}, // 256 characters, 512 bytes
		{"a", []string{pattern}},
		{"", []string{pattern}},
		{" Passw0rd!", []string{pattern}},
		{"Passw0rd! ", []string{pattern}},
		{"\tPassw0rd!", []string{pattern}},
		{"Passw0rd!\n", []string{pattern}},
		{"Pass\nw0rd!", []string{pattern}},
		{"Pass\rw0rd!", []string{pattern}},
		{"Passw0rd!\u00a0", nil}, // Java's \S admits non-ASCII spaces
		{strings.Repeat("x", 257), []string{length}},
		{strings.Repeat("x", 257) + " ", []string{length, pattern}},
	} {
		err := CheckFormat(c.pw)
		if c.want == nil {
			if err != nil {
				t.Errorf("CheckFormat(%.20q) = %v", c.pw, err)
			}
			continue
		}
		var fe *FormatError
		if !errors.As(err, &fe) || strings.Join(fe.Violations, "|") != strings.Join(c.want, "|") {
			t.Errorf("CheckFormat(%.20q) = %v, want %v", c.pw, err, c.want)
		}
		// Check reports the format error before the policy.
		if err := DefaultPolicy().Check(c.pw); !errors.As(err, &fe) {
			t.Errorf("Check(%.20q) = %v, want FormatError", c.pw, err)
		}
	}

	one := (&FormatError{Violations: []string{pattern}}).Message("proposedPassword")
	if want := "1 validation error detected: Value at 'proposedPassword' failed to satisfy constraint: " + pattern; one != want {
		t.Errorf("message\n got %s\nwant %s", one, want)
	}
	two := (&FormatError{Violations: []string{length, pattern}}).Error()
	if want := "2 validation errors detected: Value at 'password' failed to satisfy constraint: " + length +
		"; Value at 'password' failed to satisfy constraint: " + pattern; two != want {
		t.Errorf("message\n got %s\nwant %s", two, want)
	}
}

func TestGenerate(t *testing.T) {
	policies := []Policy{
		DefaultPolicy(),
		{MinimumLength: 6},
		{MinimumLength: 6, RequireSymbols: true},
		{MinimumLength: 20, RequireUppercase: true, RequireNumbers: true},
		{MinimumLength: 99, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true},
	}
	for _, p := range policies {
		seen := map[string]bool{}
		for i := 0; i < 500; i++ {
			pw := p.Generate()
			if err := p.Check(pw); err != nil {
				t.Fatalf("Generate() = %q fails its own policy %+v: %v", pw, p, err)
			}
			if err := DefaultPolicy().Check(pw); err != nil && p.MinimumLength >= 8 {
				t.Fatalf("Generate() = %q lacks a class: %v", pw, err)
			}
			want := max(int(p.MinimumLength), 8)
			if utf8.RuneCountInString(pw) != want {
				t.Fatalf("Generate() = %q, length %d, want %d", pw, len(pw), want)
			}
			if strings.ContainsAny(pw, " \"'`\\<>&") {
				t.Fatalf("Generate() = %q uses a character it should avoid", pw)
			}
			if seen[pw] {
				t.Fatalf("Generate() repeated %q", pw)
			}
			seen[pw] = true
		}
	}
}

// TestGenerateSpread is a coarse check that every position draws from the
// whole alphabet (the shuffle moves the guaranteed classes around).
func TestGenerateSpread(t *testing.T) {
	p := DefaultPolicy()
	counts := make([]map[byte]int, 8)
	for i := range counts {
		counts[i] = map[byte]int{}
	}
	for i := 0; i < 20000; i++ {
		pw := p.Generate()
		for j := 0; j < len(pw); j++ {
			counts[j][pw[j]]++
		}
	}
	for j, c := range counts {
		if len(c) != len(genAll) {
			t.Errorf("position %d saw %d distinct characters, want %d", j, len(c), len(genAll))
		}
	}
}

func TestRandIndex(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 26, 87, 1 << 16} {
		for i := 0; i < 1000; i++ {
			if v := randIndex(n); v < 0 || v >= n {
				t.Fatalf("randIndex(%d) = %d", n, v)
			}
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	p := DefaultPolicy()
	for b.Loop() {
		_ = p.Check("Correct-Horse-Battery-9")
	}
}

func BenchmarkGenerate(b *testing.B) {
	p := DefaultPolicy()
	for b.Loop() {
		_ = p.Generate()
	}
}
