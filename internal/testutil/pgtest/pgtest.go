// Package pgtest gives each test its own empty PostgreSQL database on a
// server named by the environment, so tests against PostgreSQL can run in
// parallel and leave nothing behind.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvURL names the environment variable holding the server's URL, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. The role
// needs CREATEDB.
const EnvURL = "COGITO_TEST_POSTGRES"

// New creates a fresh, empty database for this test and returns its URL.
// The database is dropped when the test ends.
//
// Without a server (EnvURL unset) the test is skipped, except under CI
// (CI=true), where a skip would hide that the PostgreSQL half of the suite
// never ran, so the test fails instead.
func New(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvURL)
	if server == "" {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("pgtest: %s is not set; under CI the PostgreSQL tests must run", EnvURL)
		}
		t.Skipf("pgtest: set %s to a PostgreSQL server URL to run this test", EnvURL)
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Not quoting the value or the parse error: it may hold a password.
		t.Fatalf("pgtest: %s must be a postgres:// URL", EnvURL)
	}

	name := dbName(t.Name())
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("pgtest: open server: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 because nothing connects to it: CREATE DATABASE fails when
	// its template has other sessions, and tests create databases in
	// parallel. UTF8 like production; a server whose locale cannot host
	// it gets its default encoding.
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		if _, err2 := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0`); err2 != nil {
			t.Fatalf("pgtest: create database: %v", err)
		}
	}
	t.Cleanup(func() {
		// FORCE (PostgreSQL 13+) ends sessions the test left open.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := sql.Open("pgx", server)
		if err != nil {
			t.Errorf("pgtest: open server: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})

	u.Path = "/" + name
	return u.String()
}

// dbName is a unique database name that also says which test made it, for
// whoever finds it left behind by a killed test run. It needs no quoting:
// lower-case letters, digits and underscores only, within PostgreSQL's 63
// bytes.
func dbName(test string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("cogito_test_%s_%s", b.String(), hex.EncodeToString(suffix[:]))
}
