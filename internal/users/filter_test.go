package users

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/store"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzParseFilter from the filter tables")

var validFilters = []struct {
	in   string
	want *store.UserFilter
}{
	{"", nil},
	{"   ", nil},
	{"\t\r\n ", nil},
	{`email = "a@example.com"`, &store.UserFilter{Field: "email", Op: store.FilterEquals, Value: "a@example.com"}},
	{`email="a@example.com"`, &store.UserFilter{Field: "email", Op: store.FilterEquals, Value: "a@example.com"}},
	{`email ^= "test"`, &store.UserFilter{Field: "email", Op: store.FilterPrefix, Value: "test"}},
	{`email^="test"`, &store.UserFilter{Field: "email", Op: store.FilterPrefix, Value: "test"}},
	// The API reference's own examples.
	{`family_name = "Reddy"`, &store.UserFilter{Field: "family_name", Op: store.FilterEquals, Value: "Reddy"}},
	{`given_name ^= "Jon"`, &store.UserFilter{Field: "given_name", Op: store.FilterPrefix, Value: "Jon"}},
	{`"email"^="testuser"`, &store.UserFilter{Field: "email", Op: store.FilterPrefix, Value: "testuser"}},
	{"  phone_number   =   \"+15555550100\"  ", &store.UserFilter{Field: "phone_number", Op: store.FilterEquals, Value: "+15555550100"}},
	{"name\t=\t\"x\"\n", &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: "x"}},
	{`name = "say \"hi\""`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: `say "hi"`}},
	{`name = "back\\slash"`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: `back\slash`}},
	{`name = "\\\""`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: `\"`}},
	{`name = ""`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: ""}},
	{`name = "a ^= b = c"`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: "a ^= b = c"}},
	{`preferred_username = "ünïcödé 名前"`, &store.UserFilter{Field: "preferred_username", Op: store.FilterEquals, Value: "ünïcödé 名前"}},
	{`username = "Alice"`, &store.UserFilter{Field: "username", Op: store.FilterEquals, Value: "Alice"}},
	{`sub = "0d6b2b8e-1d2f-4b7c-9a59-3f0c2b4a5e6f"`, &store.UserFilter{Field: "sub", Op: store.FilterEquals, Value: "0d6b2b8e-1d2f-4b7c-9a59-3f0c2b4a5e6f"}},
	{`status = "Enabled"`, &store.UserFilter{Field: "status", Op: store.FilterEquals, Value: "Enabled"}},
	{`status = "Disabled"`, &store.UserFilter{Field: "status", Op: store.FilterEquals, Value: "Disabled"}},
	// status compares case-sensitively: kept as written, matches nobody.
	{`status = "enabled"`, &store.UserFilter{Field: "status", Op: store.FilterEquals, Value: "enabled"}},
	// cognito:user_status compares case-insensitively: normalised.
	{`cognito:user_status = "confirmed"`, &store.UserFilter{Field: "cognito:user_status", Op: store.FilterEquals, Value: "CONFIRMED"}},
	{`cognito:user_status ^= "Force_"`, &store.UserFilter{Field: "cognito:user_status", Op: store.FilterPrefix, Value: "FORCE_"}},
	{`"cognito:user_status"="UNCONFIRMED"`, &store.UserFilter{Field: "cognito:user_status", Op: store.FilterEquals, Value: "UNCONFIRMED"}},
	{`email = "` + strings.Repeat("a", 246) + `"`, &store.UserFilter{Field: "email", Op: store.FilterEquals, Value: strings.Repeat("a", 246)}},
	{`name = "` + strings.Repeat("é", 247) + `"`, &store.UserFilter{Field: "name", Op: store.FilterEquals, Value: strings.Repeat("é", 247)}},
}

const syntaxErr = "Error while parsing filter."

var invalidFilters = []struct {
	in      string
	wantMsg string
}{
	{"foo", syntaxErr},
	{"email", syntaxErr},
	{"email =", syntaxErr},
	{"email = foo", syntaxErr},
	{`email = "foo`, syntaxErr},
	{`email = "foo" extra`, syntaxErr},
	{`email = "a" and name = "b"`, syntaxErr},
	{`email == "x"`, syntaxErr},
	{`email ~= "x"`, syntaxErr},
	{`email = 'x'`, syntaxErr},
	{`email "x"`, syntaxErr},
	{`email = "a\nb"`, syntaxErr},
	{`email = "trailing\`, syntaxErr},
	{`email = "x"` + "\x00", syntaxErr},
	{"email = \"\xff\"", syntaxErr},
	{`= "x"`, syntaxErr},
	{`^= "x"`, syntaxErr},
	{`"email = "x"`, syntaxErr},
	{`em ail = "x"`, syntaxErr},
	{`custom:tenant = "acme"`, "Invalid search attribute: custom:tenant"},
	{`"custom:tenant" ^= "ac"`, "Invalid search attribute: custom:tenant"},
	{`Email = "x"`, "Invalid search attribute: Email"},
	{`email_verified = "true"`, "Invalid search attribute: email_verified"},
	{`email!= "x"`, "Invalid search attribute: email!"},
	{`"" = "x"`, "Invalid search attribute: "},
	{`email = "` + strings.Repeat("a", 247) + `"`, "1 validation error detected: Value 'email = \"" + strings.Repeat("a", 247) + "\"' at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256"},
	{strings.Repeat(" ", 257), "1 validation error detected: Value '" + strings.Repeat(" ", 257) + "' at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256"},
}

func TestParseFilter(t *testing.T) {
	for _, tc := range validFilters {
		got, err := ParseFilter(tc.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.in, err)
			continue
		}
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("ParseFilter(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, tc := range invalidFilters {
		got, err := ParseFilter(tc.in)
		var fe *FilterError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFilter(%q) = %+v, %v; want *FilterError", tc.in, got, err)
			continue
		}
		if got != nil {
			t.Errorf("ParseFilter(%q) returned a filter with its error", tc.in)
		}
		if fe.Message != tc.wantMsg {
			t.Errorf("ParseFilter(%q) message\n got %q\nwant %q", tc.in, fe.Message, tc.wantMsg)
		}
		if fe.Error() != fe.Message {
			t.Errorf("Error() = %q, want the message", fe.Error())
		}
	}
}

// formatFilter writes f back in the filter grammar, as compactly as
// possible, so it is never longer than a filter that parsed to f.
func formatFilter(f *store.UserFilter) string {
	var b strings.Builder
	b.WriteString(f.Field)
	if f.Op == store.FilterPrefix {
		b.WriteString("^=")
	} else {
		b.WriteString("=")
	}
	b.WriteByte('"')
	for i := 0; i < len(f.Value); i++ {
		if c := f.Value[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(f.Value[i])
	}
	b.WriteByte('"')
	return b.String()
}

func FuzzParseFilter(f *testing.F) {
	for _, tc := range validFilters {
		f.Add(tc.in)
	}
	for _, tc := range invalidFilters {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFilter(s)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("ParseFilter(%q) error %v is not a *FilterError with a message", s, err)
			}
			if got != nil {
				t.Fatalf("ParseFilter(%q) returned a filter with its error", s)
			}
			return
		}
		if got == nil {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("ParseFilter(%q) = nil, nil for a non-blank filter", s)
			}
			return
		}
		if _, ok := searchable[got.Field]; !ok {
			t.Fatalf("ParseFilter(%q) field %q is not searchable", s, got.Field)
		}
		if got.Op != store.FilterEquals && got.Op != store.FilterPrefix {
			t.Fatalf("ParseFilter(%q) op %d", s, got.Op)
		}
		again := formatFilter(got)
		if utf8.RuneCountInString(again) > utf8.RuneCountInString(s) {
			t.Fatalf("re-serialised %q is longer than %q", again, s)
		}
		back, err := ParseFilter(again)
		if err != nil {
			t.Fatalf("ParseFilter(%q) = %+v, but its re-serialisation %q fails: %v", s, got, again, err)
		}
		if back == nil || *back != *got {
			t.Fatalf("ParseFilter(%q) = %+v, re-serialised %q parses to %+v", s, got, again, back)
		}
	})
}

// TestSeedCorpus keeps testdata/fuzz/FuzzParseFilter in step with the
// tables; run with -update-corpus to rewrite it.
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseFilter")
	var inputs []string
	for _, tc := range validFilters {
		inputs = append(inputs, tc.in)
	}
	for _, tc := range invalidFilters {
		inputs = append(inputs, tc.in)
	}
	for _, in := range inputs {
		content := "go test fuzz v1\nstring(" + strconv.Quote(in) + ")\n"
		sum := sha256.Sum256([]byte(content))
		path := filepath.Join(dir, "seed-"+hex.EncodeToString(sum[:8]))
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("seed corpus lacks %q (%v); run go test -run TestSeedCorpus -update-corpus", in, fmt.Sprint(err))
		}
	}
}
