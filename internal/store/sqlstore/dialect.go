package sqlstore

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. The rest
// of the package writes its SQL once, with ? placeholders and the {…} type
// tokens below, and asks the dialect to finish it.
type dialect struct {
	name string

	// types turns the DDL tokens into column types:
	//   {key}      text compared byte-wise. PostgreSQL needs COLLATE "C":
	//              keyset cursors and prefix ranges assume byte order, and a
	//              locale collation would also stop the indexes serving them.
	//   {bool}     a boolean column.
	//   {blob}     opaque bytes.
	//   {norowid}  table option for small composite-key tables; SQLite stores
	//              them clustered on the primary key instead of in a rowid
	//              table plus a separate index.
	types *strings.Replacer

	// forUpdate is appended to the SELECT of a read-modify-write. SQLite
	// needs nothing: _txlock=immediate already holds the database's write
	// lock for the whole transaction.
	forUpdate string

	// lockMigrations, when set, runs first in every migration transaction so
	// that two processes opening the same database migrate one at a time.
	// SQLite's BEGIN IMMEDIATE already serialises them.
	lockMigrations string

	// numbered placeholders ($1, $2, …) instead of ?.
	numbered bool

	uniqueViolation     func(error) bool
	foreignKeyViolation func(error) bool
}

var sqliteDialect = &dialect{
	name: "sqlite",
	types: strings.NewReplacer(
		"{key}", "TEXT",
		"{bool}", "INTEGER",
		"{blob}", "BLOB",
		"{norowid}", " WITHOUT ROWID",
	),
	uniqueViolation: func(err error) bool {
		var e *sqlite.Error
		if errors.As(err, &e) {
			switch e.Code() {
			case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
				return true
			}
		}
		return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
	},
	foreignKeyViolation: func(err error) bool {
		var e *sqlite.Error
		if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
			return true
		}
		return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
	},
}

var postgresDialect = &dialect{
	name: "postgres",
	types: strings.NewReplacer(
		"{key}", `TEXT COLLATE "C"`,
		"{bool}", "BOOLEAN",
		"{blob}", "BYTEA",
		"{norowid}", "",
	),
	forUpdate: " FOR UPDATE",
	// The key is arbitrary but fixed: every Cogito process must agree on it.
	lockMigrations: "SELECT pg_advisory_xact_lock(7243015927361)",
	numbered:       true,
	uniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	foreignKeyViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23503"
	},
}

// ddl finishes a schema statement.
func (d *dialect) ddl(stmt string) string { return d.types.Replace(stmt) }

// rebind rewrites ? placeholders to $1, $2, … where the engine wants them.
// The package's SQL never holds a literal ?, so no quoting needs honouring.
func (d *dialect) rebind(query string) string {
	if !d.numbered || strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
