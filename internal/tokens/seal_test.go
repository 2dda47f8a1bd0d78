package tokens_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cogito-idp/cogito/internal/tokens"
)

func newSealer(t *testing.T) *tokens.Sealer {
	t.Helper()
	kek := make([]byte, 32)
	rand.Read(kek)
	s, err := tokens.NewSealer(kek)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealer(t *testing.T) {
	s := newSealer(t)
	secret := []byte("-----a private key, as DER-----")
	sealed := s.Seal(secret, "us-east-1_abc/kid-1")
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed form contains the plaintext")
	}
	got, err := s.Open(sealed, "us-east-1_abc/kid-1")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if again := s.Seal(secret, "us-east-1_abc/kid-1"); bytes.Equal(again, sealed) {
		t.Error("two seals of the same plaintext are equal (nonce reused)")
	}

	// The context binds the sealed key to its pool and kid.
	for _, ctx := range []string{"us-east-1_abc/kid-2", "us-east-1_xyz/kid-1", "", "us-east-1_abc/kid-1 "} {
		if _, err := s.Open(sealed, ctx); err == nil {
			t.Errorf("a key sealed for us-east-1_abc/kid-1 opened as %q", ctx)
		}
	}
	// Another KEK, a changed byte, a truncated blob.
	if _, err := newSealer(t).Open(sealed, "us-east-1_abc/kid-1"); err == nil {
		t.Error("opened with another key encryption key")
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x40
		if _, err := s.Open(bad, "us-east-1_abc/kid-1"); err == nil {
			t.Fatalf("opened with byte %d changed", i)
		}
	}
	for _, n := range []int{0, 5, 12, len(sealed) - 1} {
		if _, err := s.Open(sealed[:n], "us-east-1_abc/kid-1"); err == nil {
			t.Errorf("opened a blob cut to %d bytes", n)
		}
	}
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := tokens.NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestLoadKEK(t *testing.T) {
	t.Run("Value", func(t *testing.T) {
		want := make([]byte, 32)
		rand.Read(want)
		v := base64.StdEncoding.EncodeToString(want)
		file := filepath.Join(t.TempDir(), "never-created.key")
		for _, s := range []string{v, " " + v + "\n"} {
			got, err := tokens.LoadKEK(s, file)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("LoadKEK(%q) = %x, %v", s, got, err)
			}
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("a given value still wrote the file: %v", err)
		}
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16)),
			base64.StdEncoding.EncodeToString(make([]byte, 33)), base64.RawURLEncoding.EncodeToString(make([]byte, 31)) + "_"} {
			if _, err := tokens.LoadKEK(bad, file); err == nil {
				t.Errorf("LoadKEK accepted %q", bad)
			}
		}
	})

	t.Run("FileGeneratedOnce", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data", "nested")
		file := filepath.Join(dir, "key-encryption.key")
		first, err := tokens.LoadKEK("", file)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
			t.Fatalf("generated key %x", first)
		}
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
		}
		if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
			t.Errorf("created directory mode %v (%v), want 0700", di.Mode().Perm(), err)
		}
		content, _ := os.ReadFile(file)
		if got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(content))); err != nil || !bytes.Equal(got, first) {
			t.Errorf("file holds %q, not the base64 of the key", content)
		}
		for range 3 {
			again, err := tokens.LoadKEK("", file)
			if err != nil || !bytes.Equal(again, first) {
				t.Fatalf("reload = %x, %v; want the generated key", again, err)
			}
		}
		// A sealer from the reloaded key opens what the first one sealed.
		s1, _ := tokens.NewSealer(first)
		again, _ := tokens.LoadKEK("", file)
		s2, _ := tokens.NewSealer(again)
		if _, err := s2.Open(s1.Seal([]byte("x"), "p/k"), "p/k"); err != nil {
			t.Errorf("reloaded key cannot open: %v", err)
		}
	})

	t.Run("ConcurrentFirstUse", func(t *testing.T) {
		// Processes starting together must end up with one key. A caller
		// that loses the O_EXCL race reads the file before the winner has
		// written it, finds it empty and fails ("create key encryption key:
		// open : no such file or directory").
		for round := range 20 {
			file := filepath.Join(t.TempDir(), "key-encryption.key")
			const n = 16
			keys := make([][]byte, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { keys[i], errs[i] = tokens.LoadKEK("", file) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("round %d, caller %d: %v", round, i, errs[i])
				}
				if !bytes.Equal(keys[i], keys[0]) {
					t.Fatalf("round %d: caller %d got another key than caller 0", round, i)
				}
			}
		}
	})

	t.Run("CorruptFile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "key-encryption.key")
		if err := os.WriteFile(file, []byte("garbage\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.LoadKEK("", file); err == nil {
			t.Error("a corrupt key file was accepted")
		}
		if content, _ := os.ReadFile(file); string(content) != "garbage\n" {
			t.Error("a corrupt key file was overwritten")
		}
	})
}

// knownGap skips a test of behaviour where Cogito is known to be wrong, so
// the suite stays green while the gap is open; COGITO_TEST_KNOWN_GAPS=1 runs
// it (as in internal/server).
func knownGap(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("COGITO_TEST_KNOWN_GAPS") == "" {
		t.Skipf("known gap: %s (set COGITO_TEST_KNOWN_GAPS=1 to run)", what)
	}
}
