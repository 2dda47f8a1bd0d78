package srp

import (
	"bytes"
	"math/big"
	"testing"
)

// A session resumed with its kept B derives the same key as one that
// recomputes B, and refuses a B outside the group.
func TestResumeMatchesRestore(t *testing.T) {
	salt := NewSalt()
	v := Verifier("pool", "user", "Passw0rd!", salt)
	s, err := NewServerSession(v)
	if err != nil {
		t.Fatal(err)
	}
	a := big.NewInt(123456789)
	A := new(big.Int).Exp(G(), a, N())
	restored, err := RestoreServerSession(v, s.Secret())
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := ResumeServerSession(v, s.Secret(), s.B())
	if err != nil {
		t.Fatal(err)
	}
	k1, err := restored.Key(A)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := resumed.Key(A)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1, k2) {
		t.Fatal("resumed session derives another key")
	}
	for _, bad := range []*big.Int{nil, big.NewInt(0), N()} {
		if _, err := ResumeServerSession(v, s.Secret(), bad); err == nil {
			t.Fatalf("B = %v accepted", bad)
		}
	}
}
