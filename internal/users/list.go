package users

import (
	"context"
	"errors"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// ListUsers is the ListUsers operation: an optional filter, a page size of
// at most 60 and an opaque pagination token.
func (s *Service) ListUsers(ctx context.Context, poolID, filter string, limit int, token string, attributesToGet []string) ([]*store.User, string, error) {
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	if limit < 0 || limit > 60 {
		return nil, "", errs.Param("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", limit)
	}
	for _, a := range attributesToGet {
		if _, ok := pool.Config.Attribute(a); !ok {
			return nil, "", errs.Param("One or more requested attributes do not exist.")
		}
	}
	f, err := ParseFilter(filter)
	if err != nil {
		var fe *FilterError
		if errors.As(err, &fe) {
			return nil, "", errs.Param("%s", fe.Message)
		}
		return nil, "", errs.Param("Error while parsing filter.")
	}
	if f != nil && f.Field == "username" {
		f.Value = Key(&pool.Config, f.Value)
	}
	list, next, err := s.Store.ListUsers(ctx, pool.ID, f, store.Page{Limit: limit, After: token})
	if err != nil {
		return nil, "", badToken(err)
	}
	return list, next, nil
}

// badToken maps a cursor the store could not read to Cognito's error.
func badToken(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return errs.Param("Invalid pagination token.")
	}
	return err
}

// AddToGroup is AdminAddUserToGroup.
func (s *Service) AddToGroup(ctx context.Context, poolID, name, group string) error {
	pool, u, err := s.userAndGroup(ctx, poolID, name, group)
	if err != nil {
		return err
	}
	return s.membershipErr(s.Store.AddUserToGroup(ctx, pool.ID, u.UsernameKey, group), group)
}

// RemoveFromGroup is AdminRemoveUserFromGroup.
func (s *Service) RemoveFromGroup(ctx context.Context, poolID, name, group string) error {
	pool, u, err := s.userAndGroup(ctx, poolID, name, group)
	if err != nil {
		return err
	}
	return s.membershipErr(s.Store.RemoveUserFromGroup(ctx, pool.ID, u.UsernameKey, group), group)
}

func (s *Service) membershipErr(err error, group string) error {
	if errors.Is(err, store.ErrNotFound) {
		return userpool.GroupNotFound(group)
	}
	return err
}

func (s *Service) userAndGroup(ctx context.Context, poolID, name, group string) (*userpool.Pool, *store.User, error) {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return nil, nil, err
	}
	if err := userpool.ValidateGroupName(group); err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.GetGroup(ctx, pool.ID, group); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, userpool.GroupNotFound(group)
		}
		return nil, nil, err
	}
	return pool, u, nil
}

// GroupsForUser is AdminListGroupsForUser.
func (s *Service) GroupsForUser(ctx context.Context, poolID, name string, limit int, token string) ([]*store.Group, string, error) {
	pool, u, err := s.Get(ctx, poolID, name)
	if err != nil {
		return nil, "", err
	}
	gs, next, err := s.Store.ListGroupsForUser(ctx, pool.ID, u.UsernameKey, store.Page{Limit: limit, After: token})
	return gs, next, badToken(err)
}

// UsersInGroup is ListUsersInGroup.
func (s *Service) UsersInGroup(ctx context.Context, poolID, group string, limit int, token string) ([]*store.User, string, error) {
	if _, err := s.Pools.GetGroup(ctx, poolID, group); err != nil {
		return nil, "", err
	}
	us, next, err := s.Store.ListUsersInGroup(ctx, poolID, group, store.Page{Limit: limit, After: token})
	return us, next, badToken(err)
}
