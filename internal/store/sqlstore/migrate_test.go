package sqlstore

import (
	"path/filepath"
	"strings"
	"testing"
)

// A database migrated by a newer build is not opened by an older one.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cogito.db")
	s, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := s.db.QueryRowContext(t.Context(), `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(migrations) {
		t.Fatalf("schema version %d after Open, want %d", version, len(migrations))
	}
	if _, err := s.db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied) VALUES (?, 0)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenSQLite(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("OpenSQLite of a newer schema: no error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("OpenSQLite of a newer schema: %v", err)
	}
}
