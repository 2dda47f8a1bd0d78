// Package store is Cogito's storage contract: the records it keeps and the
// one interface that the SQLite and PostgreSQL implementations (package
// sqlstore) both satisfy and that package storetest checks them against.
//
// Records are plain values. The store knows nothing of Cognito's rules: the
// domain packages decide usernames' case folding, aliases and validation and
// hand the store finished records; the store keeps them transactionally and
// enforces uniqueness.
package store
