package sqlstore

import (
	"context"
	"database/sql"

	"github.com/cogito-idp/cogito/internal/store"
)

const domainCols = `domain, pool_id, custom, config, created`

func scanDomain(r rowScanner) (*store.Domain, error) {
	var (
		d       store.Domain
		config  sql.NullString
		created sql.NullInt64
	)
	if err := r.Scan(&d.Domain, &d.PoolID, &d.Custom, &config, &created); err != nil {
		return nil, err
	}
	if config.Valid {
		d.Config = []byte(config.String)
	}
	d.Created = fromMillis(created)
	return &d, nil
}

// CreateDomain claims a domain for a pool.
func (s *Store) CreateDomain(ctx context.Context, d *store.Domain) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO domains (`+domainCols+`) VALUES (?, ?, ?, ?, ?)`,
			d.Domain, d.PoolID, d.Custom, text(d.Config), millis(d.Created))
		return s.mapErr("create domain", err)
	})
}

// GetDomain finds a domain.
func (s *Store) GetDomain(ctx context.Context, domain string) (*store.Domain, error) {
	d, err := scanDomain(s.read().queryRow(ctx, `SELECT `+domainCols+` FROM domains WHERE domain = ?`, domain))
	if err != nil {
		return nil, s.notFound("get domain", err)
	}
	return d, nil
}

// UpdateDomain is a read-modify-write of a domain's settings.
func (s *Store) UpdateDomain(ctx context.Context, domain string, fn func(*store.Domain) error) (*store.Domain, error) {
	var d *store.Domain
	err := s.write(ctx, func(c conn) error {
		var err error
		d, err = scanDomain(c.queryRow(ctx, `SELECT `+domainCols+` FROM domains WHERE domain = ?`+s.d.forUpdate, domain))
		if err != nil {
			return s.notFound("update domain", err)
		}
		if err := fn(d); err != nil {
			return err
		}
		if d.Domain != domain {
			return errKeyChanged
		}
		_, err = c.exec(ctx, `UPDATE domains SET config = ? WHERE domain = ?`, text(d.Config), domain)
		return s.mapErr("update domain", err)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDomain releases a domain.
func (s *Store) DeleteDomain(ctx context.Context, domain string) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM domains WHERE domain = ?`, domain)
		if err != nil {
			return s.mapErr("delete domain", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// ListPoolDomains returns a pool's domains.
func (s *Store) ListPoolDomains(ctx context.Context, poolID string) ([]*store.Domain, error) {
	rows, err := s.read().query(ctx, `SELECT `+domainCols+` FROM domains WHERE pool_id = ? ORDER BY domain`, poolID)
	if err != nil {
		return nil, s.mapErr("list pool domains", err)
	}
	defer rows.Close()
	var out []*store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, s.mapErr("list pool domains", err)
		}
		out = append(out, d)
	}
	return out, s.mapErr("list pool domains", rows.Err())
}
