// Package sqlstore implements store.Store on SQLite and on PostgreSQL.
//
// One implementation serves both engines so that they cannot drift apart:
// every query is written once, with ? placeholders, and the few things the
// engines disagree on (column types, placeholder syntax, row locking, how a
// constraint violation is reported, serialising schema migrations) live in
// dialect.go. SQLite (modernc.org/sqlite, pure Go) suits a single node and
// tests; PostgreSQL (pgx through database/sql) suits several nodes sharing
// one database.
//
// The schema is shaped by the two hot paths of a Cognito-compatible service:
//
//   - Reading a user (every sign-in, every token refresh) is one primary-key
//     row read: attributes, aliases, the password record and settings are
//     kept inline in the users row as JSON.
//   - ListUsers with a filter must stay fast on pools of millions of users,
//     so every filterable field is served by an index that yields rows in
//     the listing's order: user_index holds one row per user and filterable
//     attribute, and pagination is keyset-based (the opaque cursor is the
//     last row's key), so each page is a short index range scan with no sort
//     and no OFFSET, however deep it is.
//
// user_index and user_aliases duplicate data kept in users; they are written
// in the same transaction as the user row, so they never disagree with it.
// user_aliases' primary key is what makes a sign-in alias unique in a pool.
//
// Schema changes are versioned migrations (migrate.go), applied at Open in
// order, one transaction each; a new version is only ever appended.
package sqlstore
