package sqlstore

import (
	"context"
	"database/sql"

	"github.com/cogito-idp/cogito/internal/store"
)

const clientCols = `pool_id, id, name, created, modified, config, secrets`

func scanClient(r rowScanner) (*store.Client, error) {
	var (
		cl                store.Client
		created, modified sql.NullInt64
		secrets           string
	)
	if err := r.Scan(&cl.PoolID, &cl.ID, &cl.Name, &created, &modified, &cl.Config, &secrets); err != nil {
		return nil, err
	}
	cl.Created, cl.Modified = fromMillis(created), fromMillis(modified)
	cl.Config = nonEmpty(cl.Config)
	var err error
	if cl.Secrets, err = decodeSecrets(secrets); err != nil {
		return nil, err
	}
	return &cl, nil
}

// CreateClient adds an app client: ErrNotFound when the pool does not exist,
// ErrExists when the client id is taken in any pool.
func (s *Store) CreateClient(ctx context.Context, cl *store.Client) error {
	secrets, err := encodeSecrets(cl.Secrets)
	if err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		if err := s.poolExists(ctx, c, cl.PoolID); err != nil {
			return err
		}
		_, err := c.exec(ctx, `INSERT INTO clients (`+clientCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			cl.PoolID, cl.ID, cl.Name, millis(cl.Created), millis(cl.Modified), text(cl.Config), secrets)
		return s.mapErr("create client", err)
	})
}

// poolExists returns ErrNotFound unless the pool exists. Creates check
// first so that a missing pool is reported as such rather than as whatever
// the foreign key violation looks like on the engine.
func (s *Store) poolExists(ctx context.Context, c conn, poolID string) error {
	ok, err := c.exists(ctx, `SELECT 1 FROM pools WHERE id = ?`, poolID)
	switch {
	case err != nil:
		return s.mapErr("look up pool", err)
	case !ok:
		return store.ErrNotFound
	}
	return nil
}

// GetClient returns the pool's client; ErrNotFound when either is missing
// or the client belongs to another pool.
func (s *Store) GetClient(ctx context.Context, poolID, clientID string) (*store.Client, error) {
	cl, err := scanClient(s.read().queryRow(ctx,
		`SELECT `+clientCols+` FROM clients WHERE id = ? AND pool_id = ?`, clientID, poolID))
	if err != nil {
		return nil, s.notFound("get client", err)
	}
	return cl, nil
}

// GetClientByID returns the client with the id, whatever its pool.
func (s *Store) GetClientByID(ctx context.Context, clientID string) (*store.Client, error) {
	cl, err := scanClient(s.read().queryRow(ctx,
		`SELECT `+clientCols+` FROM clients WHERE id = ?`, clientID))
	if err != nil {
		return nil, s.notFound("get client", err)
	}
	return cl, nil
}

// UpdateClient reads the client, lets fn change it and writes it back in one
// transaction; nothing is written when fn fails, and its error is returned.
func (s *Store) UpdateClient(ctx context.Context, poolID, clientID string, fn func(*store.Client) error) (*store.Client, error) {
	var cl *store.Client
	err := s.write(ctx, func(c conn) error {
		var err error
		cl, err = scanClient(c.queryRow(ctx,
			`SELECT `+clientCols+` FROM clients WHERE id = ? AND pool_id = ?`+s.d.forUpdate, clientID, poolID))
		if err != nil {
			return s.notFound("update client", err)
		}
		if err := fn(cl); err != nil {
			return err
		}
		if cl.PoolID != poolID || cl.ID != clientID {
			return errKeyChanged
		}
		secrets, err := encodeSecrets(cl.Secrets)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx,
			`UPDATE clients SET name = ?, created = ?, modified = ?, config = ?, secrets = ? WHERE id = ?`,
			cl.Name, millis(cl.Created), millis(cl.Modified), text(cl.Config), secrets, clientID)
		return s.mapErr("update client", err)
	})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// DeleteClient removes the pool's client; ErrNotFound when it is missing.
func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM clients WHERE id = ? AND pool_id = ?`, clientID, poolID)
		return s.deleted("delete client", res, err)
	})
}

// deleted maps a DELETE that removed nothing to ErrNotFound.
func (s *Store) deleted(op string, res sql.Result, err error) error {
	if err != nil {
		return s.mapErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.mapErr(op, err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ListClients lists the pool's clients ordered by id; ErrNotFound when the
// pool does not exist.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]*store.Client, string, error) {
	after, err := decodeCursor(page.After, 1)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	ks := keyset{
		where: []string{"pool_id = ?"}, args: []any{poolID},
		keys: []string{"id"}, after: after, limit: limit + 1,
	}
	clause, args, err := ks.clause()
	if err != nil {
		return nil, "", err
	}
	c := s.read()
	clients, next, err := list(ctx, c, `SELECT `+clientCols+` FROM clients`+clause, args, limit,
		scanClient, func(cl *store.Client) []string { return []string{cl.ID} })
	if err != nil {
		return nil, "", s.mapErr("list clients", err)
	}
	if len(clients) == 0 {
		return nil, "", s.poolExists(ctx, c, poolID)
	}
	return clients, next, nil
}
