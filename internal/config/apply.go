package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// ApplyFile loads a configuration file and applies it.
func ApplyFile(ctx context.Context, pools *userpool.Service, us *users.Service, path string, log *slog.Logger) error {
	f, err := Load(path)
	if err != nil {
		return err
	}
	return f.Apply(ctx, pools, us, log)
}

// Apply makes the declared pools, clients, groups and users exist. Running it
// again with the same file changes nothing.
func (f *File) Apply(ctx context.Context, pools *userpool.Service, us *users.Service, log *slog.Logger) error {
	for i := range f.Pools {
		if err := applyPool(ctx, pools, us, &f.Pools[i], log); err != nil {
			return fmt.Errorf("config: pool %q: %w", f.Pools[i].Name, err)
		}
	}
	return nil
}

func applyPool(ctx context.Context, ps *userpool.Service, us *users.Service, p *Pool, log *slog.Logger) error {
	in, err := p.poolInput()
	if err != nil {
		return err
	}
	pool, err := findPool(ctx, ps, p)
	if err != nil {
		return err
	}
	if pool == nil {
		if p.ID != "" {
			pool, err = ps.CreatePoolWithID(ctx, p.ID, in, nil)
		} else {
			pool, err = ps.CreatePool(ctx, in)
		}
		if err != nil {
			return err
		}
		log.Info("config: created pool", "pool", pool.ID, "name", pool.Name)
	} else {
		if _, err := ps.UpdatePool(ctx, pool.ID, in); err != nil {
			return err
		}
		if err := addMissingAttributes(ctx, ps, pool, in.Schema); err != nil {
			return err
		}
	}
	for i := range p.Clients {
		if err := applyClient(ctx, ps, pool.ID, &p.Clients[i], log); err != nil {
			return fmt.Errorf("client %q: %w", p.Clients[i].Name, err)
		}
	}
	for _, g := range p.Groups {
		gi := userpool.GroupInput{Description: g.Description, Precedence: g.Precedence, RoleArn: g.RoleArn}
		_, err := ps.CreateGroup(ctx, pool.ID, g.Name, gi)
		if errs.Is(err, errs.GroupExists) {
			_, err = ps.UpdateGroup(ctx, pool.ID, g.Name, gi)
		}
		if err != nil {
			return fmt.Errorf("group %q: %w", g.Name, err)
		}
	}
	for _, u := range p.Users {
		if err := applyUser(ctx, us, pool.ID, u); err != nil {
			return fmt.Errorf("user %q: %w", u.Username, err)
		}
	}
	return nil
}

// findPool finds a declared pool by id, or by name when no id is given.
func findPool(ctx context.Context, ps *userpool.Service, p *Pool) (*userpool.Pool, error) {
	if p.ID != "" {
		pool, err := ps.GetPool(ctx, p.ID)
		if errs.Is(err, errs.ResourceNotFound) {
			return nil, nil
		}
		return pool, err
	}
	token := ""
	for {
		list, next, err := ps.ListPools(ctx, 60, token)
		if err != nil {
			return nil, err
		}
		for _, pool := range list {
			if pool.Name == p.Name {
				return pool, nil
			}
		}
		if next == "" {
			return nil, nil
		}
		token = next
	}
}

func addMissingAttributes(ctx context.Context, ps *userpool.Service, pool *userpool.Pool, schema []userpool.SchemaAttribute) error {
	var missing []userpool.SchemaAttribute
	for _, a := range schema {
		if _, std := pool.Config.Attribute(a.Name); std {
			continue
		}
		if _, ok := pool.Config.Attribute("custom:" + a.Name); ok {
			continue
		}
		if _, ok := pool.Config.Attribute("dev:custom:" + a.Name); ok {
			continue
		}
		missing = append(missing, a)
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := ps.ModifyPool(ctx, pool.ID, func(c *userpool.Config) error { return c.AddCustomAttributes(missing) })
	return err
}

func applyClient(ctx context.Context, ps *userpool.Service, poolID string, c *Client, log *slog.Logger) error {
	in, err := c.clientInput()
	if err != nil {
		return err
	}
	existing, err := findClient(ctx, ps, poolID, c)
	if err != nil {
		return err
	}
	if existing == nil {
		cl, err := ps.CreateClientWithID(ctx, poolID, c.ID, c.Secret, in)
		if err != nil {
			return err
		}
		log.Info("config: created app client", "pool", poolID, "client", cl.ID, "name", cl.Name)
		return nil
	}
	if _, err := ps.UpdateClient(ctx, poolID, existing.ID, in); err != nil {
		return err
	}
	if c.Secret != "" && !hasSecret(existing, c.Secret) {
		return ps.ReplaceClientSecrets(ctx, poolID, existing.ID, c.Secret)
	}
	return nil
}

func hasSecret(c *userpool.Client, v string) bool {
	for _, s := range c.Secrets {
		if s.Value == v {
			return true
		}
	}
	return false
}

func findClient(ctx context.Context, ps *userpool.Service, poolID string, c *Client) (*userpool.Client, error) {
	if c.ID != "" {
		cl, err := ps.GetClient(ctx, poolID, c.ID)
		if errs.Is(err, errs.ResourceNotFound) {
			return nil, nil
		}
		return cl, err
	}
	token := ""
	for {
		list, next, err := ps.ListClients(ctx, poolID, 60, token)
		if err != nil {
			return nil, err
		}
		for _, cl := range list {
			if cl.Name == c.Name {
				return cl, nil
			}
		}
		if next == "" {
			return nil, nil
		}
		token = next
	}
}

func applyUser(ctx context.Context, us *users.Service, poolID string, u User) error {
	attrs := make([]users.Attribute, 0, len(u.Attributes))
	for k, v := range u.Attributes {
		attrs = append(attrs, users.Attribute{Name: k, Value: v})
	}
	_, existing, err := us.Get(ctx, poolID, u.Username)
	switch {
	case errs.Is(err, errs.UserNotFound):
		created, err := us.AdminCreateUser(ctx, poolID, users.CreateInput{
			Username: u.Username, UserAttributes: attrs, TemporaryPassword: u.Password, MessageAction: "SUPPRESS"})
		if err != nil {
			return err
		}
		if !u.Temporary {
			if err := us.AdminSetUserPassword(ctx, poolID, created.Username, u.Password, true); err != nil {
				return err
			}
		}
		existing = created
	case err != nil:
		return err
	default:
		if len(attrs) > 0 {
			if _, err := us.AdminUpdateUserAttributes(ctx, poolID, existing.Username, attrs); err != nil {
				return err
			}
		}
	}
	if err := us.SetEnabled(ctx, poolID, existing.Username, !u.Disabled); err != nil {
		return err
	}
	for _, g := range u.Groups {
		if err := us.AddToGroup(ctx, poolID, existing.Username, g); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return nil
}
