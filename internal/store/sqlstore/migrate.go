package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations is the schema's history. migrations[i] is version i+1. Never
// edit or reorder an entry once it has shipped: databases in the field have
// applied it. Change the schema by appending a new version.
//
// Statements use the dialect's type tokens ({key}, {bool}, {blob},
// {norowid}); see dialect.go.
var migrations = [][]string{
	// 1: initial schema. Times are unix milliseconds; JSON documents are TEXT.
	{
		`CREATE TABLE pools (
			id       {key} PRIMARY KEY,
			name     TEXT NOT NULL,
			created  BIGINT,
			modified BIGINT,
			config   TEXT
		)`,
		`CREATE TABLE clients (
			id       {key} PRIMARY KEY,
			pool_id  {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			name     TEXT NOT NULL,
			created  BIGINT,
			modified BIGINT,
			config   TEXT,
			secrets  TEXT NOT NULL
		)`,
		`CREATE INDEX clients_pool ON clients (pool_id, id)`,
		`CREATE TABLE users (
			pool_id      {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			username_key {key} NOT NULL,
			username     TEXT NOT NULL,
			sub          {key} NOT NULL,
			status       {key} NOT NULL,
			enabled      {bool} NOT NULL,
			attributes   TEXT NOT NULL,
			aliases      TEXT NOT NULL,
			password     {blob},
			password_set BIGINT,
			created      BIGINT,
			modified     BIGINT,
			settings     TEXT,
			PRIMARY KEY (pool_id, username_key),
			UNIQUE (pool_id, sub)
		)`,
		`CREATE INDEX users_status ON users (pool_id, status, username_key)`,
		`CREATE INDEX users_enabled ON users (pool_id, enabled, username_key)`,
		// One row per user and filterable attribute it has. The primary key
		// serves the per-user rewrite and the cascade from users;
		// user_index_lookup serves the filters, already in listing order.
		`CREATE TABLE user_index (
			pool_id      {key} NOT NULL,
			username_key {key} NOT NULL,
			name         {key} NOT NULL,
			value        {key} NOT NULL,
			PRIMARY KEY (pool_id, username_key, name),
			FOREIGN KEY (pool_id, username_key)
				REFERENCES users (pool_id, username_key) ON DELETE CASCADE
		){norowid}`,
		`CREATE INDEX user_index_lookup ON user_index (pool_id, name, value, username_key)`,
		// The primary key makes an alias unique within a pool.
		`CREATE TABLE user_aliases (
			pool_id      {key} NOT NULL,
			kind         {key} NOT NULL,
			value        {key} NOT NULL,
			username_key {key} NOT NULL,
			PRIMARY KEY (pool_id, kind, value),
			FOREIGN KEY (pool_id, username_key)
				REFERENCES users (pool_id, username_key) ON DELETE CASCADE
		){norowid}`,
		`CREATE INDEX user_aliases_user ON user_aliases (pool_id, username_key)`,
		`CREATE TABLE groups (
			pool_id     {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			name        {key} NOT NULL,
			description TEXT NOT NULL,
			precedence  INTEGER,
			role_arn    TEXT NOT NULL,
			created     BIGINT,
			modified    BIGINT,
			PRIMARY KEY (pool_id, name)
		)`,
		`CREATE TABLE group_members (
			pool_id      {key} NOT NULL,
			group_name   {key} NOT NULL,
			username_key {key} NOT NULL,
			PRIMARY KEY (pool_id, group_name, username_key),
			FOREIGN KEY (pool_id, group_name)
				REFERENCES groups (pool_id, name) ON DELETE CASCADE,
			FOREIGN KEY (pool_id, username_key)
				REFERENCES users (pool_id, username_key) ON DELETE CASCADE
		){norowid}`,
		// Serves ListGroupsForUser in order and the cascade from users.
		`CREATE INDEX group_members_user ON group_members (pool_id, username_key, group_name)`,
	},
	// 2: sign-in: signing keys, refresh tokens, auth sessions.
	{
		`CREATE TABLE signing_keys (
			pool_id  {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			kid      {key} NOT NULL,
			private  {blob} NOT NULL,
			public   TEXT NOT NULL,
			created  BIGINT NOT NULL,
			retires  BIGINT NOT NULL,
			expires  BIGINT NOT NULL,
			PRIMARY KEY (pool_id, kid)
		)`,
		`CREATE TABLE refresh_tokens (
			hash         {key} PRIMARY KEY,
			pool_id      {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			client_id    {key} NOT NULL,
			username_key {key} NOT NULL,
			family       {key} NOT NULL,
			auth_time    BIGINT,
			created      BIGINT NOT NULL,
			expires      BIGINT NOT NULL,
			revoked      {bool} NOT NULL,
			rotated      BIGINT,
			data         TEXT
		)`,
		// Revocation by family (RevokeToken, access-token checks) and by user
		// (global sign-out); expiry for pruning.
		`CREATE INDEX refresh_tokens_family ON refresh_tokens (pool_id, family)`,
		`CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, username_key)`,
		`CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires)`,
		`CREATE TABLE auth_sessions (
			id           {key} PRIMARY KEY,
			pool_id      {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			client_id    {key} NOT NULL,
			username_key {key} NOT NULL,
			expires      BIGINT NOT NULL,
			state        TEXT
		)`,
		`CREATE INDEX auth_sessions_expires ON auth_sessions (expires)`,
	},
	// 3: hosted-UI domains.
	{
		`CREATE TABLE domains (
			domain   {key} PRIMARY KEY,
			pool_id  {key} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			custom   {bool} NOT NULL,
			config   TEXT,
			created  BIGINT NOT NULL
		)`,
		`CREATE INDEX domains_pool ON domains (pool_id, domain)`,
	},
}

// migrate applies the migrations the database lacks, each in its own
// transaction together with its schema_migrations row, so a crash leaves the
// database at a whole version.
func (s *Store) migrate(ctx context.Context) error {
	for i, stmts := range migrations {
		if err := s.applyMigration(ctx, i+1, stmts); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, stmts []string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: begin: %w", err)
	}
	defer tx.Rollback()
	c := conn{q: tx, d: s.d}
	// Everything below runs under the lock, so a second process opening the
	// database at the same moment waits and then finds the work done. On
	// PostgreSQL even CREATE TABLE IF NOT EXISTS can fail when run
	// concurrently, hence the lock comes first.
	if s.d.lockMigrations != "" {
		if _, err := c.exec(ctx, s.d.lockMigrations); err != nil {
			return fmt.Errorf("sqlstore: migrate: lock: %w", err)
		}
	}
	if _, err := c.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	var latest sql.NullInt64
	if err := c.queryRow(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("sqlstore: migrate: read version: %w", err)
	}
	if latest.Int64 > int64(len(migrations)) {
		// Written by a newer Cogito; this build does not know that schema and
		// must not write to it.
		return fmt.Errorf("sqlstore: database schema version %d is newer than this build's %d",
			latest.Int64, len(migrations))
	}
	done, err := c.exists(ctx, `SELECT 1 FROM schema_migrations WHERE version = ?`, version)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if done {
		return nil
	}
	for _, stmt := range stmts {
		if _, err := c.exec(ctx, s.d.ddl(stmt)); err != nil {
			return fmt.Errorf("sqlstore: migrate to version %d: %w", version, err)
		}
	}
	if _, err := c.exec(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`,
		version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: migrate to version %d: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrate to version %d: commit: %w", version, err)
	}
	return nil
}
