package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
)

// Signing keys, refresh tokens and auth sessions: the records sign-in keeps.

// CreateSigningKey adds a pool's signing key; ErrExists for a taken kid,
// ErrNotFound for an unknown pool.
func (s *Store) CreateSigningKey(ctx context.Context, k *store.SigningKey) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO signing_keys (pool_id, kid, private, public, created, retires, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.PoolID, k.KID, k.Private, string(k.Public), millis(k.Created), millis(k.Retires), millis(k.Expires))
		return s.mapErr("create signing key", err)
	})
}

// ListSigningKeys returns a pool's keys, newest first.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]*store.SigningKey, error) {
	rows, err := s.read().query(ctx, `SELECT pool_id, kid, private, public, created, retires, expires
		FROM signing_keys WHERE pool_id = ? ORDER BY created DESC, kid`, poolID)
	if err != nil {
		return nil, s.mapErr("list signing keys", err)
	}
	defer rows.Close()
	var out []*store.SigningKey
	for rows.Next() {
		var (
			k                         store.SigningKey
			public                    string
			created, retires, expires sql.NullInt64
		)
		if err := rows.Scan(&k.PoolID, &k.KID, &k.Private, &public, &created, &retires, &expires); err != nil {
			return nil, s.mapErr("list signing keys", err)
		}
		k.Public = []byte(public)
		k.Created, k.Retires, k.Expires = fromMillis(created), fromMillis(retires), fromMillis(expires)
		out = append(out, &k)
	}
	return out, s.mapErr("list signing keys", rows.Err())
}

const refreshCols = `hash, pool_id, client_id, username_key, family, auth_time, created, expires, revoked, rotated, data`

func scanRefresh(r rowScanner) (*store.RefreshToken, error) {
	var (
		t                                   store.RefreshToken
		authTime, created, expires, rotated sql.NullInt64
		data                                sql.NullString
	)
	if err := r.Scan(&t.Hash, &t.PoolID, &t.ClientID, &t.UsernameKey, &t.Family, &authTime, &created,
		&expires, &t.Revoked, &rotated, &data); err != nil {
		return nil, err
	}
	t.AuthTime, t.Created, t.Expires, t.Rotated = fromMillis(authTime), fromMillis(created), fromMillis(expires), fromMillis(rotated)
	if data.Valid {
		t.Data = []byte(data.String)
	}
	return &t, nil
}

// CreateRefreshToken stores an issued refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO refresh_tokens (`+refreshCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Hash, t.PoolID, t.ClientID, t.UsernameKey, t.Family, millis(t.AuthTime), millis(t.Created),
			millis(t.Expires), t.Revoked, millis(t.Rotated), text(t.Data))
		return s.mapErr("create refresh token", err)
	})
}

// GetRefreshToken finds a refresh token by hash.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	t, err := scanRefresh(s.read().queryRow(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, s.notFound("get refresh token", err)
	}
	return t, nil
}

// UpdateRefreshToken is a read-modify-write of one refresh token.
func (s *Store) UpdateRefreshToken(ctx context.Context, hash string, fn func(*store.RefreshToken) error) (*store.RefreshToken, error) {
	var t *store.RefreshToken
	err := s.write(ctx, func(c conn) error {
		var err error
		t, err = scanRefresh(c.queryRow(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE hash = ?`+s.d.forUpdate, hash))
		if err != nil {
			return s.notFound("update refresh token", err)
		}
		if err := fn(t); err != nil {
			return err
		}
		if t.Hash != hash {
			return errKeyChanged
		}
		_, err = c.exec(ctx, `UPDATE refresh_tokens SET revoked = ?, rotated = ?, expires = ?, data = ? WHERE hash = ?`,
			t.Revoked, millis(t.Rotated), millis(t.Expires), text(t.Data), hash)
		return s.mapErr("update refresh token", err)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// RevokeFamily revokes every refresh token descended from one sign-in.
func (s *Store) RevokeFamily(ctx context.Context, poolID, family string) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE refresh_tokens SET revoked = ? WHERE pool_id = ? AND family = ?`, true, poolID, family)
		return s.mapErr("revoke family", err)
	})
}

// RevokeUserTokens revokes every refresh token of a user.
func (s *Store) RevokeUserTokens(ctx context.Context, poolID, usernameKey string) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE refresh_tokens SET revoked = ? WHERE pool_id = ? AND username_key = ?`,
			true, poolID, usernameKey)
		return s.mapErr("revoke user tokens", err)
	})
}

// FamilyRevoked reports whether a family is revoked or unknown.
func (s *Store) FamilyRevoked(ctx context.Context, poolID, family string) (bool, error) {
	live, err := s.read().exists(ctx, `SELECT 1 FROM refresh_tokens WHERE pool_id = ? AND family = ? AND revoked = ?`,
		poolID, family, false)
	if err != nil {
		return false, s.mapErr("family revoked", err)
	}
	return !live, nil
}

const sessionCols = `id, pool_id, client_id, username_key, expires, state`

func scanSession(r rowScanner) (*store.AuthSession, error) {
	var (
		a       store.AuthSession
		expires sql.NullInt64
		state   sql.NullString
	)
	if err := r.Scan(&a.ID, &a.PoolID, &a.ClientID, &a.UsernameKey, &expires, &state); err != nil {
		return nil, err
	}
	a.Expires = fromMillis(expires)
	if state.Valid {
		a.State = []byte(state.String)
	}
	return &a, nil
}

// CreateAuthSession stores a sign-in in progress.
func (s *Store) CreateAuthSession(ctx context.Context, a *store.AuthSession) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO auth_sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, a.PoolID, a.ClientID, a.UsernameKey, millis(a.Expires), text(a.State))
		return s.mapErr("create auth session", err)
	})
}

// GetAuthSession reads a session without using it up.
func (s *Store) GetAuthSession(ctx context.Context, id string) (*store.AuthSession, error) {
	a, err := scanSession(s.read().queryRow(ctx, `SELECT `+sessionCols+` FROM auth_sessions WHERE id = ?`, id))
	if err != nil {
		return nil, s.notFound("get auth session", err)
	}
	return a, nil
}

// TakeAuthSession removes a session and returns it: of two concurrent
// takers exactly one gets it.
func (s *Store) TakeAuthSession(ctx context.Context, id string) (*store.AuthSession, error) {
	var a *store.AuthSession
	err := s.write(ctx, func(c conn) error {
		var err error
		a, err = scanSession(c.queryRow(ctx, `SELECT `+sessionCols+` FROM auth_sessions WHERE id = ?`+s.d.forUpdate, id))
		if err != nil {
			return s.notFound("take auth session", err)
		}
		res, err := c.exec(ctx, `DELETE FROM auth_sessions WHERE id = ?`, id)
		if err != nil {
			return s.mapErr("take auth session", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// PruneExpired deletes what can no longer be used.
func (s *Store) PruneExpired(ctx context.Context, now time.Time) error {
	return s.write(ctx, func(c conn) error {
		ms := now.UnixMilli()
		for _, q := range []string{
			`DELETE FROM auth_sessions WHERE expires < ?`,
			`DELETE FROM refresh_tokens WHERE expires < ?`,
			`DELETE FROM signing_keys WHERE expires < ?`,
		} {
			if _, err := c.exec(ctx, q, ms); err != nil {
				return s.mapErr("prune", err)
			}
		}
		return nil
	})
}
