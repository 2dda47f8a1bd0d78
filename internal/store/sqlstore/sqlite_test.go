package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/store/storetest"
)

func openSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "cogito.db"))
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	return s
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}

// Reopening runs no migration twice and keeps the data.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cogito.db")
	s, err := sqlstore.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	if err := s.CreatePool(t.Context(), &store.Pool{ID: "p", Name: "p"}); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}
	s.Close()
	s, err = sqlstore.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite again: %v", err)
	}
	defer s.Close()
	if _, err := s.GetPool(t.Context(), "p"); err != nil {
		t.Fatalf("GetPool after reopening: %v", err)
	}
}

func TestSQLiteBadPath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := sqlstore.OpenSQLite(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q): no error", path)
		}
	}
}
