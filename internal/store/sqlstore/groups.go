package sqlstore

import (
	"context"
	"database/sql"

	"github.com/cogito-idp/cogito/internal/store"
)

const (
	groupCols  = `pool_id, name, description, precedence, role_arn, created, modified`
	groupColsG = `g.pool_id, g.name, g.description, g.precedence, g.role_arn, g.created, g.modified`
)

func scanGroup(r rowScanner) (*store.Group, error) {
	var (
		g                 store.Group
		precedence        sql.Null[int32]
		created, modified sql.NullInt64
	)
	if err := r.Scan(&g.PoolID, &g.Name, &g.Description, &precedence, &g.RoleArn, &created, &modified); err != nil {
		return nil, err
	}
	if precedence.Valid {
		p := precedence.V
		g.Precedence = &p
	}
	g.Created, g.Modified = fromMillis(created), fromMillis(modified)
	return &g, nil
}

// precedenceArg binds a nil precedence as NULL.
func precedenceArg(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

// CreateGroup adds a group: ErrNotFound when the pool does not exist,
// ErrExists when the name is taken.
func (s *Store) CreateGroup(ctx context.Context, g *store.Group) error {
	return s.write(ctx, func(c conn) error {
		if err := s.poolExists(ctx, c, g.PoolID); err != nil {
			return err
		}
		_, err := c.exec(ctx, `INSERT INTO groups (`+groupCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			g.PoolID, g.Name, g.Description, precedenceArg(g.Precedence), g.RoleArn,
			millis(g.Created), millis(g.Modified))
		return s.mapErr("create group", err)
	})
}

// GetGroup returns the pool's group; ErrNotFound when it is missing.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*store.Group, error) {
	g, err := scanGroup(s.read().queryRow(ctx,
		`SELECT `+groupCols+` FROM groups WHERE pool_id = ? AND name = ?`, poolID, name))
	if err != nil {
		return nil, s.notFound("get group", err)
	}
	return g, nil
}

// UpdateGroup reads the group, lets fn change it and writes it back in one
// transaction; nothing is written when fn fails, and its error is returned.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(*store.Group) error) (*store.Group, error) {
	var g *store.Group
	err := s.write(ctx, func(c conn) error {
		var err error
		g, err = scanGroup(c.queryRow(ctx,
			`SELECT `+groupCols+` FROM groups WHERE pool_id = ? AND name = ?`+s.d.forUpdate, poolID, name))
		if err != nil {
			return s.notFound("update group", err)
		}
		if err := fn(g); err != nil {
			return err
		}
		if g.PoolID != poolID || g.Name != name {
			return errKeyChanged
		}
		_, err = c.exec(ctx, `UPDATE groups SET description = ?, precedence = ?, role_arn = ?,
			created = ?, modified = ? WHERE pool_id = ? AND name = ?`,
			g.Description, precedenceArg(g.Precedence), g.RoleArn, millis(g.Created), millis(g.Modified),
			poolID, name)
		return s.mapErr("update group", err)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup removes the group; its memberships go with it through the
// foreign key's ON DELETE CASCADE.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM groups WHERE pool_id = ? AND name = ?`, poolID, name)
		return s.deleted("delete group", res, err)
	})
}

// ListGroups lists the pool's groups ordered by name; ErrNotFound when the
// pool does not exist.
func (s *Store) ListGroups(ctx context.Context, poolID string, page store.Page) ([]*store.Group, string, error) {
	after, err := decodeCursor(page.After, 1)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	ks := keyset{
		where: []string{"pool_id = ?"}, args: []any{poolID},
		keys: []string{"name"}, after: after, limit: limit + 1,
	}
	clause, args, err := ks.clause()
	if err != nil {
		return nil, "", err
	}
	c := s.read()
	groups, next, err := list(ctx, c, `SELECT `+groupCols+` FROM groups`+clause, args, limit,
		scanGroup, func(g *store.Group) []string { return []string{g.Name} })
	if err != nil {
		return nil, "", s.mapErr("list groups", err)
	}
	if len(groups) == 0 {
		return nil, "", s.poolExists(ctx, c, poolID)
	}
	return groups, next, nil
}

// memberExists returns ErrNotFound unless both the user and the group exist.
func (s *Store) memberExists(ctx context.Context, c conn, poolID, usernameKey, group string) error {
	for _, check := range []struct{ query, key string }{
		{`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, usernameKey},
		{`SELECT 1 FROM groups WHERE pool_id = ? AND name = ?`, group},
	} {
		ok, err := c.exists(ctx, check.query, poolID, check.key)
		if err != nil {
			return s.mapErr("look up membership", err)
		}
		if !ok {
			return store.ErrNotFound
		}
	}
	return nil
}

// AddUserToGroup makes the user a member of the group; being one already is
// no error, a missing user or group is ErrNotFound.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, usernameKey, group string) error {
	return s.write(ctx, func(c conn) error {
		if err := s.memberExists(ctx, c, poolID, usernameKey, group); err != nil {
			return err
		}
		_, err := c.exec(ctx, `INSERT INTO group_members (pool_id, group_name, username_key)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, poolID, group, usernameKey)
		return s.mapErr("add user to group", err)
	})
}

// RemoveUserFromGroup removes a membership. Removing a user who is not a
// member is no error; a missing user or group is ErrNotFound.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, usernameKey, group string) error {
	return s.write(ctx, func(c conn) error {
		if err := s.memberExists(ctx, c, poolID, usernameKey, group); err != nil {
			return err
		}
		_, err := c.exec(ctx, `DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND username_key = ?`,
			poolID, group, usernameKey)
		return s.mapErr("remove user from group", err)
	})
}

// ListGroupsForUser lists the user's groups ordered by name; ErrNotFound
// when the user does not exist.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, usernameKey string, page store.Page) ([]*store.Group, string, error) {
	after, err := decodeCursor(page.After, 1)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	ks := keyset{
		where: []string{"pool_id = ?", "username_key = ?"}, args: []any{poolID, usernameKey},
		keys: []string{"group_name"}, after: after, limit: limit + 1,
	}
	clause, args, err := ks.clause()
	if err != nil {
		return nil, "", err
	}
	query := `SELECT ` + groupColsG + ` FROM (SELECT group_name FROM group_members` + clause + `) m
		JOIN groups g ON g.pool_id = ? AND g.name = m.group_name
		ORDER BY m.group_name`
	c := s.read()
	groups, next, err := list(ctx, c, query, append(args, poolID), limit,
		scanGroup, func(g *store.Group) []string { return []string{g.Name} })
	if err != nil {
		return nil, "", s.mapErr("list groups for user", err)
	}
	if len(groups) == 0 {
		ok, err := c.exists(ctx, `SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey)
		if err != nil {
			return nil, "", s.mapErr("list groups for user", err)
		}
		if !ok {
			return nil, "", store.ErrNotFound
		}
	}
	return groups, next, nil
}

// ListUsersInGroup lists the group's members ordered by username key;
// ErrNotFound when the group does not exist.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, page store.Page) ([]*store.User, string, error) {
	after, err := decodeCursor(page.After, 1)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	ks := keyset{
		where: []string{"pool_id = ?", "group_name = ?"}, args: []any{poolID, group},
		keys: []string{"username_key"}, after: after, limit: limit + 1,
	}
	clause, args, err := ks.clause()
	if err != nil {
		return nil, "", err
	}
	query := `SELECT ` + userColsU + ` FROM (SELECT username_key FROM group_members` + clause + `) m
		JOIN users u ON u.pool_id = ? AND u.username_key = m.username_key
		ORDER BY m.username_key`
	c := s.read()
	users, next, err := list(ctx, c, query, append(args, poolID), limit,
		scanUser, func(u *store.User) []string { return []string{u.UsernameKey} })
	if err != nil {
		return nil, "", s.mapErr("list users in group", err)
	}
	if len(users) == 0 {
		ok, err := c.exists(ctx, `SELECT 1 FROM groups WHERE pool_id = ? AND name = ?`, poolID, group)
		if err != nil {
			return nil, "", s.mapErr("list users in group", err)
		}
		if !ok {
			return nil, "", store.ErrNotFound
		}
	}
	return users, next, nil
}
