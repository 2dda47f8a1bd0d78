package sqlstore

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct {
		p         string
		validUTF8 bool
		end       string
		ok        bool
	}{
		{"", false, "", false},
		{"abc", false, "abd", true},
		{"abc", true, "abd", true},
		{"ab\xff", false, "ac", true},
		{"\xff\xff", false, "", false},
		{"é", true, "ê", true},
		{"日本", true, "日札", true},
		// Incrementing the last byte breaks UTF-8 ...
		{"¿", false, "\xc2\xc0", true},
		{"\x7f", false, "\x80", true},
		// ... so where text must be UTF-8 the next code point is used.
		{"¿", true, "À", true},
		{"\x7f", true, "\u0080", true},
		{"\uD7FF", true, "\uE000", true}, // surrogates have no UTF-8 form
		{"a\U0010FFFF", true, "b", true},
		{"\U0010FFFF\U0010FFFF", true, "", false},
	} {
		end, ok := prefixEnd(c.p, c.validUTF8)
		if end != c.end || ok != c.ok {
			t.Errorf("prefixEnd(%q, %v) = %q, %v; want %q, %v", c.p, c.validUTF8, end, ok, c.end, c.ok)
		}
	}
}

// FuzzPrefixEnd checks the property the filters rely on: s starts with p
// exactly when p <= s < end (byte order), for valid UTF-8 in UTF-8 mode and
// for any bytes otherwise, and that the bound is valid UTF-8 when asked.
func FuzzPrefixEnd(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"a", "ab"}, {"¿", "¿Qué"}, {"¿", "À"}, {"\x7f", "\u0080"},
		{"a\U0010FFFF", "a\U0010FFFFz"}, {"a\U0010FFFF", "b"}, {"\uD7FF", "\uE000"},
		{"日本", "日本語"}, {"日本", "日曜"}, {"ab\xff", "ab\xff\x00"}, {"ab\xff", "ac"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		for _, validUTF8 := range []bool{false, true} {
			if validUTF8 && (!utf8.ValidString(p) || !utf8.ValidString(s)) {
				continue
			}
			end, ok := prefixEnd(p, validUTF8)
			if validUTF8 && ok && !utf8.ValidString(end) {
				t.Fatalf("prefixEnd(%q) = %q, not UTF-8", p, end)
			}
			inRange := s >= p && (!ok || s < end)
			if inRange != strings.HasPrefix(s, p) {
				t.Fatalf("p=%q s=%q validUTF8=%v: end %q, %v; in range %v, has prefix %v",
					p, s, validUTF8, end, ok, inRange, !inRange)
			}
		}
	})
}

func TestCursor(t *testing.T) {
	for _, parts := range [][]string{{"alice"}, {"", ""}, {"a\x00b", "\xff"}, {"日本", strings.Repeat("x", 300)}} {
		c := encodeCursor(parts)
		got, err := decodeCursor(c, len(parts))
		if err != nil || !slices.Equal(got, parts) {
			t.Errorf("cursor %q: got %q, %v; want %q", parts, got, err, parts)
		}
		if _, err := decodeCursor(c, len(parts)+1); err == nil {
			t.Errorf("cursor %q decoded with the wrong number of parts", parts)
		}
	}
	if got, err := decodeCursor("", 2); got != nil || err != nil {
		t.Errorf(`decodeCursor("") = %q, %v; want nil, nil`, got, err)
	}
	for _, bad := range []string{"!!", "AQ", "/w==", encodeCursor([]string{"a"})[:1]} {
		if _, err := decodeCursor(bad, 1); err == nil {
			t.Errorf("decodeCursor(%q): no error", bad)
		}
	}
}

func TestRebind(t *testing.T) {
	const q = "SELECT 1 FROM t WHERE a = ? AND (b, c) > (?, ?)"
	if got := sqliteDialect.rebind(q); got != q {
		t.Errorf("SQLite rebind: %q", got)
	}
	if got, want := postgresDialect.rebind(q), "SELECT 1 FROM t WHERE a = $1 AND (b, c) > ($2, $3)"; got != want {
		t.Errorf("PostgreSQL rebind: %q, want %q", got, want)
	}
}
