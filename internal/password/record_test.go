package password

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/cogito-idp/cogito/internal/srp"
)

func TestNewVerify(t *testing.T) {
	r, err := New("aB3dE5fG7", "alice", "Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if r.Scheme != SchemeArgon2id || r.Params != (Params{Memory: 7168, Iterations: 5, Parallelism: 1}) ||
		len(r.Salt) != 16 || len(r.Hash) != 32 {
		t.Fatalf("record %+v", r)
	}
	// The hash is plain argon2id with the stated parameters (interoperable
	// with any other implementation given the same inputs).
	if want := argon2.IDKey([]byte("Correct-Horse-9"), r.Salt, 5, 7168, 1, 32); !bytes.Equal(r.Hash, want) {
		t.Fatal("hash is not argon2id(m=7168, t=5, p=1)")
	}
	if !r.Verify("Correct-Horse-9") {
		t.Fatal("right password rejected")
	}
	for _, wrong := range []string{"", "correct-horse-9", "Correct-Horse-9 ", "Correct-Horse-"} {
		if r.Verify(wrong) {
			t.Fatalf("wrong password %q accepted", wrong)
		}
	}
	r2, _ := New("aB3dE5fG7", "alice", "Correct-Horse-9")
	if bytes.Equal(r.Salt, r2.Salt) || bytes.Equal(r.Hash, r2.Hash) || bytes.Equal(r.SRPSalt, r2.SRPSalt) {
		t.Fatal("two records share a salt")
	}
	if r.NeedsRehash() {
		t.Error("a fresh record needs rehash")
	}
}

func TestRecordSRP(t *testing.T) {
	const pool, user, pw = "aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6", "Pässwörd-1"
	r, err := New(pool, user, pw)
	if err != nil {
		t.Fatal(err)
	}
	salt, v := r.SRP()
	if len(salt) != srp.SaltSize || len(r.SRPVerifier) != 384 {
		t.Fatalf("SRP salt %d bytes, verifier %d bytes", len(salt), len(r.SRPVerifier))
	}
	if v.Cmp(srp.Verifier(pool, user, pw, salt)) != 0 {
		t.Fatal("stored verifier is not srp.Verifier of the password")
	}
	if v.Cmp(srp.Verifier(pool, user, pw+"x", salt)) == 0 || v.Cmp(srp.Verifier(pool, "other", pw, salt)) == 0 {
		t.Fatal("verifier ignores password or user id")
	}
	// The verifier serves a handshake.
	if _, err := srp.NewServerSession(v); err != nil {
		t.Fatal(err)
	}
	// SRP returns copies.
	salt[0] ^= 1
	if s2, _ := r.SRP(); s2[0] == salt[0] {
		t.Error("SRP returned the record's own salt slice")
	}

	noSRP := &Record{Scheme: r.Scheme, Params: r.Params, Salt: r.Salt, Hash: r.Hash}
	if s, v := noSRP.SRP(); s != nil || v != nil {
		t.Error("record without verifier returned one")
	}
	if !noSRP.NeedsRehash() {
		t.Error("record without verifier does not need rehash")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	r, err := New("p", "u", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	data := r.Marshal()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scheme", "params", "salt", "hash", "srpSalt", "srpVerifier"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("marshalled record lacks %q: %s", k, data)
		}
	}
	if string(fields["params"]) != `{"memoryKiB":7168,"iterations":5,"parallelism":1}` {
		t.Errorf("params = %s", fields["params"])
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Verify("Passw0rd!") || back.Verify("Passw0rd?") {
		t.Fatal("unmarshalled record verifies wrongly")
	}
	_, v1 := r.SRP()
	_, v2 := back.SRP()
	if v1.Cmp(v2) != 0 {
		t.Fatal("verifier changed in the round trip")
	}
}

// A record's own parameters drive Verify, so records made with other costs
// (older defaults, imports) keep working.
func TestVerifyUsesRecordParams(t *testing.T) {
	salt := []byte("0123456789abcdef")
	r := &Record{
		Scheme: SchemeArgon2id,
		Params: Params{Memory: 64, Iterations: 1, Parallelism: 2},
		Salt:   salt,
		Hash:   argon2.IDKey([]byte("pw"), salt, 1, 64, 2, 24),
	}
	if !r.Verify("pw") || r.Verify("pW") {
		t.Fatal("verify with record parameters failed")
	}
	if !r.NeedsRehash() {
		t.Error("weaker parameters do not need rehash")
	}
	if _, err := Unmarshal(r.Marshal()); err != nil {
		t.Fatal(err)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	good, _ := New("p", "u", "pw")
	mutate := func(f func(r *Record)) []byte {
		c := *good
		f(&c)
		return c.Marshal()
	}
	for name, data := range map[string][]byte{
		"not json":         []byte("{"),
		"unknown scheme":   mutate(func(r *Record) { r.Scheme = "md5" }),
		"no scheme":        mutate(func(r *Record) { r.Scheme = "" }),
		"huge memory":      mutate(func(r *Record) { r.Params.Memory = 1 << 30 }),
		"zero memory":      mutate(func(r *Record) { r.Params.Memory = 0 }),
		"zero iterations":  mutate(func(r *Record) { r.Params.Iterations = 0 }),
		"many iterations":  mutate(func(r *Record) { r.Params.Iterations = 1000 }),
		"zero parallelism": mutate(func(r *Record) { r.Params.Parallelism = 0 }),
		"short hash":       mutate(func(r *Record) { r.Hash = r.Hash[:8] }),
		"short salt":       mutate(func(r *Record) { r.Salt = r.Salt[:4] }),
		"half SRP":         mutate(func(r *Record) { r.SRPVerifier = nil }),
	} {
		if _, err := Unmarshal(data); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name != "not json" && !errors.Is(err, ErrBadRecord) {
			t.Errorf("%s: error %v is not ErrBadRecord", name, err)
		}
	}
	// Verify refuses the same records without spending the resources.
	bad := *good
	bad.Params.Memory = 1 << 30
	if bad.Verify("pw") {
		t.Error("Verify accepted an out-of-bounds record")
	}
	var nilRec *Record
	if nilRec.Verify("pw") {
		t.Error("nil record verified")
	}
}

func TestDummyVerify(t *testing.T) {
	if DummyVerify("anything") || DummyVerify("dummy password that is never checked") {
		t.Fatal("DummyVerify returned true")
	}
}

// BenchmarkNew is the cost of setting a password: argon2id (m=7 MiB, t=5,
// p=1) plus the SRP verifier (one 3072-bit exponentiation).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New("aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6", "Correct-Horse-9"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the cost of one password sign-in check, the figure the
// roadmap's ~48 sign-ins per second per core is based on.
func BenchmarkVerify(b *testing.B) {
	r, err := New("aB3dE5fG7", "7f0c2e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6", "Correct-Horse-9")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !r.Verify("Correct-Horse-9") {
			b.Fatal("rejected")
		}
	}
}
