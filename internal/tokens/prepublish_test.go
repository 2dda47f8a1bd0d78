package tokens

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
)

// A scheduled rotation publishes the next key before it signs anything, so
// a verifier holding a cached key set already knows the new kid.
func TestScheduledRotationPublishesTheNextKeyFirst(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.CreatePool(ctx, &store.Pool{ID: "us-east-1_keys", Name: "k", Created: now, Modified: now, Config: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	sealer, _ := NewSealer(make([]byte, 32))
	clock := now
	k := &Keyring{Store: st, Sealer: sealer, RotateAfter: 24 * time.Hour, Now: func() time.Time { return clock }}
	kidOf := func() string {
		tok, err := k.Sign(ctx, "us-east-1_keys", map[string]any{"sub": "x"})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := decodeHeader(tok)
		return h
	}
	published := func() int {
		doc, err := k.JWKS(ctx, "us-east-1_keys")
		if err != nil {
			t.Fatal(err)
		}
		var set struct{ Keys []json.RawMessage }
		json.Unmarshal(doc, &set)
		return len(set.Keys)
	}
	first := kidOf()
	if n := published(); n != 1 {
		t.Fatalf("one key expected at start, %d published", n)
	}
	clock = now.Add(24*time.Hour - 10*time.Minute) // within prePublish of the rotation
	if got := kidOf(); got != first {
		t.Fatal("the successor signed before the current key retired")
	}
	if n := published(); n != 2 {
		t.Fatalf("the successor is not published ahead of its use: %d keys", n)
	}
	clock = now.Add(24*time.Hour + time.Second)
	if got := kidOf(); got == first {
		t.Fatal("the successor did not take over at the rotation")
	}
	if n := published(); n != 2 {
		t.Fatalf("the retired key must stay published while its tokens live: %d keys", n)
	}
}

func decodeHeader(tok string) (string, error) {
	var h struct {
		Kid string `json:"kid"`
	}
	b, err := base64.RawURLEncoding.DecodeString(tok[:strings.IndexByte(tok, '.')])
	if err != nil {
		return "", err
	}
	err = json.Unmarshal(b, &h)
	return h.Kid, err
}
