package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/cogito-idp/cogito/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	db *sql.DB
	d  *dialect

	// writers admits one write transaction of this process at a time on
	// SQLite. SQLite allows one writer anyway; queueing here, where waiting
	// honours ctx and wakes the next writer at once, avoids the busy handler's
	// sleep-and-retry polling. Other processes sharing the file are still held
	// off by busy_timeout. Nil on PostgreSQL, which locks rows instead.
	writers chan struct{}
}

// OpenSQLite opens (creating if need be) the SQLite database file at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	// The pragmas are per connection, so they go in the DSN, which the driver
	// applies to every connection it opens. busy_timeout comes first so that
	// switching to WAL waits for another process instead of failing.
	// _txlock=immediate makes every transaction take the write lock when it
	// begins: a read-modify-write that began as a reader and then tried to
	// upgrade could otherwise fail with SQLITE_BUSY when a second writer
	// holds the lock, whatever the timeout.
	switch {
	case path == "":
		return nil, errors.New("sqlstore: empty SQLite path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		// An in-memory database is private to one connection of the pool, and
		// URIs are passed through to SQLite, which would ignore the
		// parameters below.
		return nil, fmt.Errorf("sqlstore: SQLite path %q: need a plain file name", path)
	case strings.ContainsRune(path, '?'):
		return nil, fmt.Errorf("sqlstore: SQLite path %q: '?' is not allowed", path)
	}
	dsn := path + "?_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open SQLite: %w", err)
	}
	// WAL lets readers run beside the writer, so a pool of connections
	// serves concurrent reads; writers queue on s.writers.
	n := runtime.NumCPU()*2 + 2
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	s := &Store{db: db, d: sqliteDialect, writers: make(chan struct{}, 1)}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL or a libpq key=value string) and brings its schema up to date.
// Several processes may open the same database at once.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		// pgx's parse errors can quote the connection string, password
		// included, so they are not passed on.
		return nil, errors.New("sqlstore: invalid PostgreSQL connection string")
	}
	// database/sql keeps only two idle connections by default, which under
	// concurrent load means dialling a new one for most queries.
	n := runtime.NumCPU()*4 + 4
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, d: postgresDialect}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: connect to %s: %w", s.d.name, err)
	}
	if s.d == sqliteDialect {
		// Cascading deletes and referential checks depend on this pragma,
		// which SQLite silently ignores if misspelt; make sure it took.
		var on int
		if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			return fmt.Errorf("sqlstore: check foreign_keys: %w", err)
		}
		if on != 1 {
			return errors.New("sqlstore: SQLite foreign key enforcement is off")
		}
	}
	return s.migrate(ctx)
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Close closes the database connections.
func (s *Store) Close() error { return s.db.Close() }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs the package's ?-placeholder SQL on a database or transaction,
// rewriting it for the dialect.
type conn struct {
	q querier
	d *dialect
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.d.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.d.rebind(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.d.rebind(query), args...)
}

// exists reports whether query returns a row.
func (c conn) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := c.queryRow(ctx, query, args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// read returns a conn for queries outside a transaction.
func (s *Store) read() conn { return conn{q: s.db, d: s.d} }

// write runs fn in a transaction and commits it unless fn fails. An error
// from fn is returned unchanged, so callbacks' errors and the store's
// sentinels reach the caller intact.
func (s *Store) write(ctx context.Context, fn func(c conn) error) error {
	if s.writers != nil {
		select {
		case s.writers <- struct{}{}:
			defer func() { <-s.writers }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	// Rolls back on every path that does not commit, panics in fn included.
	defer tx.Rollback()
	if err := fn(conn{q: tx, d: s.d}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.mapErr("commit", err)
	}
	return nil
}

// mapErr turns a constraint violation into the store's sentinel (a unique
// key taken by a concurrent writer between our check and our insert is
// ErrExists; a parent deleted meanwhile is ErrNotFound) and labels other
// errors with the operation. The constrained columns hold identifiers, never
// secrets, and other driver errors do not quote bound values, so the result
// is safe to log.
func (s *Store) mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case s.d.uniqueViolation(err):
		return store.ErrExists
	case s.d.foreignKeyViolation(err):
		return store.ErrNotFound
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// notFound maps sql.ErrNoRows to store.ErrNotFound.
func (s *Store) notFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return s.mapErr(op, err)
}
