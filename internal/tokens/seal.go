package tokens

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sealer encrypts private keys at rest with AES-256-GCM under a key
// encryption key (KEK). Every node of a deployment must share the KEK.
type Sealer struct{ aead cipher.AEAD }

// NewSealer builds a Sealer from a 32-byte key.
func NewSealer(kek []byte) (*Sealer, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("key encryption key must be 32 bytes, got %d", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (pool id and kid), so a sealed
// key cannot be moved to another pool or kid in the database.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("tokens: crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

// Open decrypts what Seal produced for the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("tokens: sealed key too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, errors.New("tokens: cannot open sealed key (wrong key encryption key?)")
	}
	return out, nil
}

// LoadKEK returns the key encryption key: from value (base64 of 32 bytes)
// when given, else from file, generating the file (mode 0600) on first use.
func LoadKEK(value, file string) ([]byte, error) {
	if value != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil || len(k) != 32 {
			return nil, errors.New("the key encryption key must be the base64 encoding of 32 bytes (openssl rand -base64 32)")
		}
		return k, nil
	}
	if b, err := os.ReadFile(file); err == nil {
		return LoadKEK(string(b), "")
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("read key encryption key: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Write a temporary file completely, then link it into place: the link
	// fails if another process got there first, and nobody ever reads a
	// half-written key.
	tmp, err := os.CreateTemp(dir, ".kek-*")
	if err != nil {
		return nil, fmt.Errorf("create key encryption key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), file); err != nil {
		if os.IsExist(err) {
			return LoadKEK("", file)
		}
		return nil, fmt.Errorf("create key encryption key: %w", err)
	}
	return k, nil
}
