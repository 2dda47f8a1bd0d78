package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cogito-idp/cogito/internal/store"
)

// userColumns are the users columns a User is read from, in scanUser's order.
var userColumns = []string{
	"pool_id", "username_key", "username", "sub", "status", "enabled",
	"attributes", "aliases", "password", "password_set", "created", "modified", "settings",
}

var (
	userCols  = strings.Join(userColumns, ", ")
	userColsU = "u." + strings.Join(userColumns, ", u.") // for joins, users aliased u
	userMarks = strings.TrimSuffix(strings.Repeat("?, ", len(userColumns)), ", ")
)

// indexed is store.IndexedAttributes as a set.
var indexed = func() map[string]bool {
	m := make(map[string]bool, len(store.IndexedAttributes))
	for _, a := range store.IndexedAttributes {
		m[a] = true
	}
	return m
}()

func scanUser(r rowScanner) (*store.User, error) {
	var (
		u                              store.User
		attrs, aliases                 string
		passwordSet, created, modified sql.NullInt64
	)
	err := r.Scan(&u.PoolID, &u.UsernameKey, &u.Username, &u.Sub, &u.Status, &u.Enabled,
		&attrs, &aliases, &u.Password, &passwordSet, &created, &modified, &u.Settings)
	if err != nil {
		return nil, err
	}
	if u.Attributes, err = decodeMap(attrs); err != nil {
		return nil, errors.New("sqlstore: user attributes column is not valid JSON")
	}
	if u.Aliases, err = decodeMap(aliases); err != nil {
		return nil, errors.New("sqlstore: user aliases column is not valid JSON")
	}
	u.Password = nonEmpty(u.Password)
	u.Settings = nonEmpty(u.Settings)
	u.PasswordSet, u.Created, u.Modified = fromMillis(passwordSet), fromMillis(created), fromMillis(modified)
	return &u, nil
}

// userRow is the users row of u, in userColumns order.
func userRow(u *store.User) ([]any, error) {
	attrs, err := encodeMap(u.Attributes)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode user attributes: %T", err)
	}
	aliases, err := encodeMap(u.Aliases)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode user aliases: %T", err)
	}
	return []any{
		u.PoolID, u.UsernameKey, u.Username, u.Sub, u.Status, u.Enabled,
		attrs, aliases, blob(u.Password), millis(u.PasswordSet), millis(u.Created), millis(u.Modified),
		text(u.Settings),
	}, nil
}

// CreateUser adds a user: ErrNotFound when the pool does not exist, ErrExists
// when the username key or sub is taken, *store.AliasConflictError when an
// alias is held by another user.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	row, err := userRow(u)
	if err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		if err := s.poolExists(ctx, c, u.PoolID); err != nil {
			return err
		}
		// Checked rather than left to the constraints so that the caller
		// learns which alias is taken, and by whom; a writer racing us past
		// these checks still hits the constraints (ErrExists).
		for _, check := range []struct{ query, key string }{
			{`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, u.UsernameKey},
			{`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, u.Sub},
		} {
			taken, err := c.exists(ctx, check.query, u.PoolID, check.key)
			if err != nil {
				return s.mapErr("create user", err)
			}
			if taken {
				return store.ErrExists
			}
		}
		added := sortedKeys(u.Aliases)
		if err := s.checkAliases(ctx, c, u, added); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `INSERT INTO users (`+userCols+`) VALUES (`+userMarks+`)`, row...); err != nil {
			return s.mapErr("create user", err)
		}
		if err := s.insertAliases(ctx, c, u, added); err != nil {
			return err
		}
		var names []string
		for _, name := range store.IndexedAttributes {
			if _, ok := u.Attributes[name]; ok {
				names = append(names, name)
			}
		}
		return s.insertIndex(ctx, c, u, names)
	})
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// checkAliases fails with *store.AliasConflictError when another user of the
// pool holds one of u's aliases of the given kinds.
func (s *Store) checkAliases(ctx context.Context, c conn, u *store.User, kinds []string) error {
	for _, kind := range kinds {
		value := u.Aliases[kind]
		var owner string
		err := c.queryRow(ctx,
			`SELECT username_key FROM user_aliases WHERE pool_id = ? AND kind = ? AND value = ?`,
			u.PoolID, kind, value).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return s.mapErr("check alias", err)
		case owner != u.UsernameKey:
			return &store.AliasConflictError{Kind: kind, Value: value, Owner: owner}
		}
	}
	return nil
}

// insertAliases adds alias rows for u's aliases of the given kinds, in one
// statement.
func (s *Store) insertAliases(ctx context.Context, c conn, u *store.User, kinds []string) error {
	if len(kinds) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(kinds))
	for _, kind := range kinds {
		args = append(args, u.PoolID, kind, u.Aliases[kind], u.UsernameKey)
	}
	_, err := c.exec(ctx, `INSERT INTO user_aliases (pool_id, kind, value, username_key) VALUES `+
		valuesList(len(kinds), 4), args...)
	return s.mapErr("write aliases", err)
}

// insertIndex adds user_index rows for u's attributes of the given names, in
// one statement.
func (s *Store) insertIndex(ctx context.Context, c conn, u *store.User, names []string) error {
	if len(names) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(names))
	for _, name := range names {
		args = append(args, u.PoolID, u.UsernameKey, name, u.Attributes[name])
	}
	_, err := c.exec(ctx, `INSERT INTO user_index (pool_id, username_key, name, value) VALUES `+
		valuesList(len(names), 4), args...)
	return s.mapErr("write user index", err)
}

// valuesList is "(?, ?), (?, ?)" for rows rows of cols columns.
func valuesList(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// GetUser returns the user with the username key: one primary-key read.
func (s *Store) GetUser(ctx context.Context, poolID, usernameKey string) (*store.User, error) {
	u, err := scanUser(s.read().queryRow(ctx,
		`SELECT `+userCols+` FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey))
	if err != nil {
		return nil, s.notFound("get user", err)
	}
	return u, nil
}

// GetUserBySub returns the user with the sub.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*store.User, error) {
	u, err := scanUser(s.read().queryRow(ctx,
		`SELECT `+userCols+` FROM users WHERE pool_id = ? AND sub = ?`, poolID, sub))
	if err != nil {
		return nil, s.notFound("get user", err)
	}
	return u, nil
}

// GetUserByAlias returns the user holding the alias (kind, value).
func (s *Store) GetUserByAlias(ctx context.Context, poolID, kind, value string) (*store.User, error) {
	u, err := scanUser(s.read().queryRow(ctx, `SELECT `+userColsU+` FROM user_aliases a
		JOIN users u ON u.pool_id = a.pool_id AND u.username_key = a.username_key
		WHERE a.pool_id = ? AND a.kind = ? AND a.value = ?`, poolID, kind, value))
	if err != nil {
		return nil, s.notFound("get user", err)
	}
	return u, nil
}

// UpdateUser reads the user, lets fn change it and writes it back, with its
// alias and index rows brought in line, all in one transaction.
func (s *Store) UpdateUser(ctx context.Context, poolID, usernameKey string, fn func(*store.User) error) (*store.User, error) {
	var u *store.User
	err := s.write(ctx, func(c conn) error {
		var err error
		u, err = scanUser(c.queryRow(ctx,
			`SELECT `+userCols+` FROM users WHERE pool_id = ? AND username_key = ?`+s.d.forUpdate,
			poolID, usernameKey))
		if err != nil {
			return s.notFound("update user", err)
		}
		// fn may change the maps in place, so keep copies of what the
		// secondary rows were derived from.
		oldSub, oldAliases, oldAttrs := u.Sub, maps.Clone(u.Aliases), maps.Clone(u.Attributes)
		if err := fn(u); err != nil {
			return err
		}
		if u.PoolID != poolID || u.UsernameKey != usernameKey {
			return errKeyChanged
		}
		if u.Sub != oldSub {
			taken, err := c.exists(ctx, `SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, poolID, u.Sub)
			if err != nil {
				return s.mapErr("update user", err)
			}
			if taken {
				return store.ErrExists
			}
		}

		// Aliases: kinds whose value changed lose their old row and gain
		// a new one. Conflicts are checked before anything is written.
		var dropped, added []string
		for _, kind := range sortedKeys(oldAliases) {
			if v, ok := u.Aliases[kind]; !ok || v != oldAliases[kind] {
				dropped = append(dropped, kind)
			}
		}
		for _, kind := range sortedKeys(u.Aliases) {
			if v, ok := oldAliases[kind]; !ok || v != u.Aliases[kind] {
				added = append(added, kind)
			}
		}
		if err := s.checkAliases(ctx, c, u, added); err != nil {
			return err
		}

		row, err := userRow(u)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, `UPDATE users SET username = ?, sub = ?, status = ?, enabled = ?,
			attributes = ?, aliases = ?, password = ?, password_set = ?, created = ?, modified = ?,
			settings = ? WHERE pool_id = ? AND username_key = ?`,
			append(row[2:], poolID, usernameKey)...); err != nil {
			return s.mapErr("update user", err)
		}
		for _, kind := range dropped {
			if _, err := c.exec(ctx, `DELETE FROM user_aliases
				WHERE pool_id = ? AND kind = ? AND value = ? AND username_key = ?`,
				poolID, kind, oldAliases[kind], usernameKey); err != nil {
				return s.mapErr("update user", err)
			}
		}
		if err := s.insertAliases(ctx, c, u, added); err != nil {
			return err
		}

		// Index rows: only filterable attributes that changed are touched,
		// so most updates (status, password, settings) write none.
		var insert []string
		for _, name := range store.IndexedAttributes {
			oldV, had := oldAttrs[name]
			newV, has := u.Attributes[name]
			switch {
			case had && !has:
				_, err = c.exec(ctx, `DELETE FROM user_index WHERE pool_id = ? AND username_key = ? AND name = ?`,
					poolID, usernameKey, name)
			case has && !had:
				insert = append(insert, name)
			case has && newV != oldV:
				_, err = c.exec(ctx, `UPDATE user_index SET value = ? WHERE pool_id = ? AND username_key = ? AND name = ?`,
					newV, poolID, usernameKey, name)
			}
			if err != nil {
				return s.mapErr("update user index", err)
			}
		}
		return s.insertIndex(ctx, c, u, insert)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUser removes the user; its index rows, aliases and group
// memberships go with it through the foreign keys' ON DELETE CASCADE.
func (s *Store) DeleteUser(ctx context.Context, poolID, usernameKey string) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey)
		return s.deleted("delete user", res, err)
	})
}

// ListUsers lists the pool's users matching filter. Each filter walks an
// index in its own key order (see userListing); ErrNotFound when the pool
// does not exist.
func (s *Store) ListUsers(ctx context.Context, poolID string, filter *store.UserFilter, page store.Page) ([]*store.User, string, error) {
	l, err := s.userListing(poolID, filter)
	if err != nil {
		return nil, "", err
	}
	if l.none {
		return nil, "", s.poolExists(ctx, s.read(), poolID)
	}
	limit := pageLimit(page)
	query, args, err := l.query(poolID, page.After, limit)
	if err != nil {
		return nil, "", err
	}
	c := s.read()
	users, next, err := list(ctx, c, query, args, limit, scanUser, l.keyOf)
	if err != nil {
		return nil, "", s.mapErr("list users", err)
	}
	if len(users) == 0 {
		return nil, "", s.poolExists(ctx, c, poolID)
	}
	return users, next, nil
}

// query is the SQL for one page of the listing.
func (l *userListing) query(poolID, after string, limit int) (string, []any, error) {
	var err error
	if l.ks.after, err = decodeCursor(after, len(l.ks.keys)); err != nil {
		return "", nil, err
	}
	l.ks.limit = limit + 1
	clause, args, err := l.ks.clause()
	if err != nil {
		return "", nil, err
	}
	if l.attr == "" {
		return `SELECT ` + userCols + ` FROM users` + clause, args, nil
	}
	// Walk the attribute index for one page of keys, then fetch those users
	// by primary key. Limiting inside the subquery keeps both planners from
	// considering anything but the index range scan, and the outer ORDER BY,
	// the same as the subquery's, lets them keep its order without a sort.
	order := "i." + strings.Join(l.ks.orderBy(), ", i.")
	return `SELECT ` + userColsU + ` FROM (SELECT value, username_key FROM user_index` + clause + `) i
		JOIN users u ON u.pool_id = ? AND u.username_key = i.username_key
		ORDER BY ` + order, append(args, poolID), nil
}

// userListing is how ListUsers walks the users for one filter.
type userListing struct {
	ks    keyset
	attr  string // walk user_index for this attribute instead of users
	keyOf func(*store.User) []string
	none  bool // the filter matches no user at all
}

func (s *Store) userListing(poolID string, f *store.UserFilter) (userListing, error) {
	byKey := func(u *store.User) []string { return []string{u.UsernameKey} }
	l := userListing{
		ks:    keyset{where: []string{"pool_id = ?"}, args: []any{poolID}, keys: []string{"username_key"}},
		keyOf: byKey,
	}
	if f == nil {
		return l, nil
	}
	if f.Op != store.FilterEquals && f.Op != store.FilterPrefix {
		return l, fmt.Errorf("sqlstore: unknown filter operator %d", f.Op)
	}
	// restrict applies the filter's comparison to the walk's leading key.
	restrict := func() {
		v := f.Value
		if f.Op == store.FilterEquals {
			l.ks.eq = &v
			return
		}
		l.ks.lo = &v
		if end, ok := prefixEnd(v, s.d.numbered); ok {
			l.ks.hi = &end
		}
	}
	switch field := f.Field; {
	case field == "username":
		restrict()
	case field == "sub":
		// sub is unique in the pool, so it alone orders the walk.
		l.ks.keys = []string{"sub"}
		l.keyOf = func(u *store.User) []string { return []string{u.Sub} }
		restrict()
	case field == "cognito:user_status":
		l.ks.keys = []string{"status", "username_key"}
		l.keyOf = func(u *store.User) []string { return []string{u.Status, u.UsernameKey} }
		restrict()
	case field == "status":
		// Only two values, so the filter picks which of them match and the
		// walk is users_enabled in username order.
		match := func(s string) bool {
			if f.Op == store.FilterEquals {
				return s == f.Value
			}
			return strings.HasPrefix(s, f.Value)
		}
		enabled, disabled := match("Enabled"), match("Disabled")
		switch {
		case !enabled && !disabled:
			l.none = true
		case enabled != disabled:
			l.ks.where = append(l.ks.where, "enabled = ?")
			l.ks.args = append(l.ks.args, enabled)
		}
	case indexed[field]:
		l.attr = field
		l.ks.where = append(l.ks.where, "name = ?")
		l.ks.args = append(l.ks.args, field)
		l.ks.keys = []string{"value", "username_key"}
		l.keyOf = func(u *store.User) []string { return []string{u.Attributes[field], u.UsernameKey} }
		restrict()
	default:
		return l, fmt.Errorf("sqlstore: cannot filter users on %q", field)
	}
	return l, nil
}

// CountUsers counts the pool's users; ErrNotFound when the pool does not
// exist.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int64, error) {
	c := s.read()
	var n int64
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = ?`, poolID).Scan(&n); err != nil {
		return 0, s.mapErr("count users", err)
	}
	if n == 0 {
		return 0, s.poolExists(ctx, c, poolID)
	}
	return n, nil
}
