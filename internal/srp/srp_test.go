package srp

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestPadHex(t *testing.T) {
	for _, c := range []struct {
		in   string // hex
		want string
	}{
		{"0", "00"},
		{"1", "01"},
		{"7f", "7f"},
		{"80", "0080"},
		{"ff", "00ff"},
		{"abc", "0abc"}, // odd length: "0" first, and then "0a" starts with 0
		{"8bc", "08bc"},
		{"100", "0100"},
		{"7fff", "7fff"},
		{"8000", "008000"},
		{"f00000000000000000000000000000000000", "00f00000000000000000000000000000000000"},
	} {
		x, _ := new(big.Int).SetString(c.in, 16)
		if got := PadHex(x); got != c.want {
			t.Errorf("PadHex(0x%s) = %s, want %s", c.in, got, c.want)
		}
	}
	// N starts with f, g = 2: the padded forms that k is hashed over.
	if p := PadHex(n); !strings.HasPrefix(p, "00ffffffffffffffffc90f") || len(p) != 770 {
		t.Errorf("PadHex(N) = %s...", p[:24])
	}
	if PadHex(g) != "02" {
		t.Errorf("PadHex(g) = %s", PadHex(g))
	}
}

func TestSaltHex(t *testing.T) {
	for _, c := range []struct{ salt, want string }{
		{"00000000000000000000000000000001", "01"},
		{"0a000000000000000000000000000000", "0a000000000000000000000000000000"},
		{"00f0000000000000000000000000000f", "00f0000000000000000000000000000f"}, // 15 bytes + sign byte
		{"ff000000000000000000000000000000", "00ff000000000000000000000000000000"},
	} {
		salt, _ := new(big.Int).SetString(c.salt, 16)
		raw := salt.FillBytes(make([]byte, 16))
		if got := SaltHex(raw); got != c.want {
			t.Errorf("SaltHex(%s) = %s, want %s", c.salt, got, c.want)
		}
	}
	if len(NewSalt()) != SaltSize || bytes.Equal(NewSalt(), NewSalt()) {
		t.Error("NewSalt: wrong size or not random")
	}
}

func TestPoolName(t *testing.T) {
	for in, want := range map[string]string{
		"us-east-1_aB3dE5fG7": "aB3dE5fG7",
		"eu-west-2_x":         "x",
		"nounderscore":        "nounderscore",
	} {
		if got := PoolName(in); got != want {
			t.Errorf("PoolName(%q) = %q, want %q", in, got, want)
		}
	}
}

// testClient is the client side of the protocol, written from the notes, so
// that random handshakes can be run without Node. The JS vectors pin it (and
// the server) to the real library.
type testClient struct {
	a, A *big.Int
}

func newTestClient(t testing.TB) *testClient {
	buf := make([]byte, 128) // amazon-cognito-identity-js draws 128 bytes too
	if _, err := rand.Read(buf); err != nil {
		t.Fatal(err)
	}
	a := new(big.Int).SetBytes(buf)
	return &testClient{a: a, A: new(big.Int).Exp(g, a, n)}
}

// key computes S = (B - k·g^x)^(a + u·x) mod N and the HKDF key, as
// getPasswordAuthenticationKey does.
func (c *testClient) key(poolName, userID, password string, salt []byte, B *big.Int) []byte {
	u := new(big.Int).SetBytes(hashBytes(padBytes(c.A), padBytes(B)))
	xx := x(poolName, userID, password, salt)
	base := new(big.Int).Exp(g, xx, n)
	base.Mul(base, k)
	base.Sub(B, base)
	base.Mod(base, n) // Go's Mod is Euclidean: non-negative, like the JS result.mod(N)
	e := new(big.Int).Mul(u, xx)
	e.Add(e, c.a)
	S := new(big.Int).Exp(base, e, n)
	key, err := hkdf.Key(sha256.New, padBytes(S), padBytes(u), infoBits, KeySize)
	if err != nil {
		panic(err)
	}
	return key
}

func TestHandshakeRoundTrip(t *testing.T) {
	const pool, user = "aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6"
	ts := FormatTimestamp(time.Now())
	block := []byte("opaque secret block")
	for i := 0; i < 20; i++ {
		salt := NewSalt()
		v := Verifier(pool, user, "Secret-Passw0rd", salt)
		s, err := NewServerSession(v)
		if err != nil {
			t.Fatal(err)
		}
		c := newTestClient(t)

		// The session survives being stored as its secret.
		s2, err := RestoreServerSession(v, s.Secret())
		if err != nil || s2.B().Cmp(s.B()) != 0 {
			t.Fatalf("restore: %v", err)
		}
		key, err := s2.Key(c.A)
		if err != nil {
			t.Fatal(err)
		}
		good := c.key(pool, user, "Secret-Passw0rd", salt, s.B())
		if !bytes.Equal(key, good) {
			t.Fatalf("iteration %d: server and client keys differ", i)
		}
		sig := Signature(good, pool, user, block, ts)
		if !VerifySignature(key, pool, user, block, ts, sig) {
			t.Fatal("signature with the right password rejected")
		}
		bad := c.key(pool, user, "Secret-Passw0rD", salt, s.B())
		if VerifySignature(key, pool, user, block, ts, Signature(bad, pool, user, block, ts)) {
			t.Fatal("signature with a wrong password accepted")
		}
		// Each part of the signed message matters.
		for _, m := range []struct{ pool, user, block, ts string }{
			{"other", user, string(block), ts},
			{pool, "other", string(block), ts},
			{pool, user, "other", ts},
			{pool, user, string(block), ts + "x"},
		} {
			if VerifySignature(key, m.pool, m.user, []byte(m.block), m.ts, sig) {
				t.Fatalf("signature verified over a different message %+v", m)
			}
		}
	}
}

func TestSessionsDiffer(t *testing.T) {
	v := Verifier("p", "u", "pw", NewSalt())
	s1, _ := NewServerSession(v)
	s2, _ := NewServerSession(v)
	if s1.B().Cmp(s2.B()) == 0 || bytes.Equal(s1.Secret(), s2.Secret()) {
		t.Fatal("two sessions share b")
	}
	if len(s1.Secret()) != SecretSize {
		t.Fatalf("Secret() is %d bytes", len(s1.Secret()))
	}
}

func TestKeyRejectsBadA(t *testing.T) {
	v := Verifier("p", "u", "pw", NewSalt())
	s, err := NewServerSession(v)
	if err != nil {
		t.Fatal(err)
	}
	twoN := new(big.Int).Lsh(n, 1)
	huge := new(big.Int).Lsh(big.NewInt(1), 5000)
	for name, A := range map[string]*big.Int{
		"nil":      nil,
		"zero":     big.NewInt(0),
		"negative": big.NewInt(-5),
		"N":        N(),
		"2N":       twoN,
		"huge":     huge,
	} {
		if _, err := s.Key(A); err != ErrBadA {
			t.Errorf("Key(%s) error = %v, want ErrBadA", name, err)
		}
	}
	// A ≥ N but not a multiple of N is reduced, as the clients' math allows.
	c := newTestClient(t)
	k1, err := s.Key(c.A)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := s.Key(new(big.Int).Add(c.A, n))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(k1, k2) {
		t.Error("A+N gave the same key as A (u must hash A as sent)")
	}
}

func TestRestoreRejects(t *testing.T) {
	v := Verifier("p", "u", "pw", NewSalt())
	if _, err := RestoreServerSession(v, make([]byte, SecretSize)); err != ErrBadSecret {
		t.Errorf("zero secret: %v", err)
	}
	if _, err := RestoreServerSession(v, []byte{1, 2, 3}); err != ErrBadSecret {
		t.Errorf("short secret: %v", err)
	}
	for name, bad := range map[string]*big.Int{"nil": nil, "zero": big.NewInt(0), "N": N()} {
		if _, err := RestoreServerSession(bad, bytes.Repeat([]byte{1}, SecretSize)); err != ErrBadVerifier {
			t.Errorf("verifier %s: %v", name, err)
		}
		if _, err := NewServerSession(bad); err != ErrBadVerifier {
			t.Errorf("NewServerSession verifier %s: %v", name, err)
		}
	}
}

func TestParseHex(t *testing.T) {
	for _, ok := range []string{"1", "abcDEF0123", "00ff", strings.Repeat("f", maxHexDigits)} {
		if _, err := ParseHex(ok); err != nil {
			t.Errorf("ParseHex(%.20q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-1", "+1", "0x12", "12 ", "g", "1_0", strings.Repeat("f", maxHexDigits+1)} {
		if _, err := ParseHex(bad); err == nil {
			t.Errorf("ParseHex(%.20q) accepted", bad)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 9, 3, 8, 4, 5, 0, time.UTC), "Tue Sep 3 08:04:05 UTC 2024"},
		{time.Date(2024, 9, 13, 18, 0, 0, 999, time.UTC), "Fri Sep 13 18:00:00 UTC 2024"},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)), "Tue Dec 31 23:00:00 UTC 2024"},
	} {
		if got := FormatTimestamp(c.t); got != c.want {
			t.Errorf("FormatTimestamp(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2024, 9, 3, 8, 4, 5, 0, time.UTC)
	for _, s := range []string{
		"Tue Sep 3 08:04:05 UTC 2024",  // amazon-cognito-identity-js, Amplify, pycognito, Go cognito-srp
		"Tue Sep 03 08:04:05 UTC 2024", // strftime "%d" without pycognito's zero-stripping
		"Tue Sep  3 08:04:05 UTC 2024", // strftime "%e", asctime
		"Tue Sep 3 08:04:05 GMT 2024",  // Java "z" for a GMT zone
		"Mon Sep 3 08:04:05 UTC 2024",  // wrong weekday: read, not trusted
	} {
		got, err := ParseTimestamp(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{
		"",
		"Tue Sep 3 08:04:05 IST 2024",
		"Tue Sep 3 08:04:05 +0000 2024",
		"Tue Sep 31 08:04:05 UTC 2024",
		"2024-09-03T08:04:05Z",
		"Tue Sep 3 08:04:05 UTC 24",
		" Tue Sep 3 08:04:05 UTC 2024",
		"Tue Sep 3 08:04:05 UTC 2024 ",
		"Tuesday Sep 3 08:04:05 UTC 2024",
		"Sat Feb 17 24:03:00 UTC 2024", // Chrome Intl hour12:false; Cognito refuses it too
	} {
		if _, err := ParseTimestamp(s); err != ErrTimestamp {
			t.Errorf("ParseTimestamp(%q) error = %v, want ErrTimestamp", s, err)
		}
	}
	// Round trip over a year of instants, hour by hour.
	for tm := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() == 2031; tm = tm.Add(time.Hour + time.Second) {
		got, err := ParseTimestamp(FormatTimestamp(tm))
		if err != nil || !got.Equal(tm) {
			t.Fatalf("round trip of %v: %v, %v", tm, got, err)
		}
	}
}

// BenchmarkServerHandshake is the server's CPU cost of one USER_SRP_AUTH
// sign-in: NewServerSession (g^b) at InitiateAuth, then Key (v^u and the
// exponentiation by b) and VerifySignature at RespondToAuthChallenge. The
// client's work for each iteration is done with the timer stopped.
func BenchmarkServerHandshake(b *testing.B) {
	const pool, user, pw = "aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6", "Secret-Passw0rd"
	salt := NewSalt()
	v := Verifier(pool, user, pw, salt)
	c := newTestClient(b)
	block := bytes.Repeat([]byte{7}, 1500)
	ts := FormatTimestamp(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewServerSession(v)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		sig := Signature(c.key(pool, user, pw, salt, s.B()), pool, user, block, ts)
		b.StartTimer()
		key, err := s.Key(c.A)
		if err != nil {
			b.Fatal(err)
		}
		if !VerifySignature(key, pool, user, block, ts, sig) {
			b.Fatal("signature rejected")
		}
	}
}

// BenchmarkServerHandshakeRestored is the same handshake as Cogito runs it
// across two requests: the session is rebuilt from its secret for
// RespondToAuthChallenge, which recomputes B (one more exponentiation).
func BenchmarkServerHandshakeRestored(b *testing.B) {
	const pool, user, pw = "aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6", "Secret-Passw0rd"
	salt := NewSalt()
	v := Verifier(pool, user, pw, salt)
	c := newTestClient(b)
	block := bytes.Repeat([]byte{7}, 1500)
	ts := FormatTimestamp(time.Now())
	for b.Loop() {
		s, err := NewServerSession(v)
		if err != nil {
			b.Fatal(err)
		}
		secret := s.Secret()
		b.StopTimer()
		sig := Signature(c.key(pool, user, pw, salt, s.B()), pool, user, block, ts)
		b.StartTimer()
		s, err = RestoreServerSession(v, secret)
		if err != nil {
			b.Fatal(err)
		}
		key, err := s.Key(c.A)
		if err != nil {
			b.Fatal(err)
		}
		if !VerifySignature(key, pool, user, block, ts, sig) {
			b.Fatal("signature rejected")
		}
	}
}

// BenchmarkVerifier is the cost of computing a verifier when a password is
// set (and, equally, of one offline guess against a stolen verifier).
func BenchmarkVerifier(b *testing.B) {
	salt := NewSalt()
	for b.Loop() {
		Verifier("aB3dE5fG7", "user", "Secret-Passw0rd", salt)
	}
}
