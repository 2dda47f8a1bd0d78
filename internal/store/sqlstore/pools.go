package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cogito-idp/cogito/internal/store"
)

const poolCols = `id, name, created, modified, config`

func scanPool(r rowScanner) (*store.Pool, error) {
	var (
		p                 store.Pool
		created, modified sql.NullInt64
	)
	if err := r.Scan(&p.ID, &p.Name, &created, &modified, &p.Config); err != nil {
		return nil, err
	}
	p.Created, p.Modified = fromMillis(created), fromMillis(modified)
	p.Config = nonEmpty(p.Config)
	return &p, nil
}

// errKeyChanged reports an Update callback that changed the record's
// identity, which would silently turn the update into a move.
var errKeyChanged = errors.New("sqlstore: update callback changed the record's key")

// CreatePool adds a pool; ErrExists when the id is taken.
func (s *Store) CreatePool(ctx context.Context, p *store.Pool) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO pools (`+poolCols+`) VALUES (?, ?, ?, ?, ?)`,
			p.ID, p.Name, millis(p.Created), millis(p.Modified), text(p.Config))
		return s.mapErr("create pool", err)
	})
}

// GetPool returns the pool; ErrNotFound when it is missing.
func (s *Store) GetPool(ctx context.Context, id string) (*store.Pool, error) {
	p, err := scanPool(s.read().queryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
	if err != nil {
		return nil, s.notFound("get pool", err)
	}
	return p, nil
}

// UpdatePool reads the pool, lets fn change it and writes it back in one
// transaction; nothing is written when fn fails, and its error is returned.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(*store.Pool) error) (*store.Pool, error) {
	var p *store.Pool
	err := s.write(ctx, func(c conn) error {
		var err error
		p, err = scanPool(c.queryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`+s.d.forUpdate, id))
		if err != nil {
			return s.notFound("update pool", err)
		}
		if err := fn(p); err != nil {
			return err
		}
		if p.ID != id {
			return errKeyChanged
		}
		_, err = c.exec(ctx, `UPDATE pools SET name = ?, created = ?, modified = ?, config = ? WHERE id = ?`,
			p.Name, millis(p.Created), millis(p.Modified), text(p.Config), id)
		return s.mapErr("update pool", err)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePool removes the pool and everything in it. The foreign keys would
// cascade, but one set-based DELETE per table, children first, is far
// cheaper on a large pool than cascading user by user.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	return s.write(ctx, func(c conn) error {
		ok, err := c.exists(ctx, `SELECT 1 FROM pools WHERE id = ?`+s.d.forUpdate, id)
		if err != nil {
			return s.mapErr("delete pool", err)
		}
		if !ok {
			return store.ErrNotFound
		}
		for _, table := range []string{
			"group_members", "user_index", "user_aliases", "groups", "users", "clients",
		} {
			if _, err := c.exec(ctx, `DELETE FROM `+table+` WHERE pool_id = ?`, id); err != nil {
				return s.mapErr("delete pool", err)
			}
		}
		_, err = c.exec(ctx, `DELETE FROM pools WHERE id = ?`, id)
		return s.mapErr("delete pool", err)
	})
}

// ListPools lists the pools ordered by id.
func (s *Store) ListPools(ctx context.Context, page store.Page) ([]*store.Pool, string, error) {
	after, err := decodeCursor(page.After, 1)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	ks := keyset{keys: []string{"id"}, after: after, limit: limit + 1}
	clause, args, err := ks.clause()
	if err != nil {
		return nil, "", err
	}
	pools, next, err := list(ctx, s.read(), `SELECT `+poolCols+` FROM pools`+clause, args, limit,
		scanPool, func(p *store.Pool) []string { return []string{p.ID} })
	if err != nil {
		return nil, "", s.mapErr("list pools", err)
	}
	return pools, next, nil
}
