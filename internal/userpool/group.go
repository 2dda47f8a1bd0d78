package userpool

import (
	"context"
	"errors"
	"regexp"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
)

var groupNameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// ValidateGroupName checks a group name's form.
func ValidateGroupName(name string) error {
	if name == "" {
		return errs.Param("1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(name) > 128 || !groupNameRE.MatchString(name) {
		return errs.Param("1 validation error detected: Value '%s' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+", name)
	}
	return nil
}

// GroupNotFound is Cognito's error for an unknown group.
func GroupNotFound(name string) error { return errs.NotFound("Group not found.") }

// GroupInput is CreateGroup's and UpdateGroup's settings.
type GroupInput struct {
	Description *string
	Precedence  *int32
	RoleArn     *string
}

func validateGroupInput(in GroupInput) error {
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 2048 {
		return errs.Param("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	if in.Precedence != nil && *in.Precedence < 0 {
		return errs.Param("1 validation error detected: Value '%d' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.Precedence)
	}
	if in.RoleArn != nil && *in.RoleArn != "" {
		if err := checkArn("roleArn", *in.RoleArn); err != nil {
			return err
		}
	}
	return nil
}

// CreateGroup creates a group in a pool.
func (s *Service) CreateGroup(ctx context.Context, poolID, name string, in GroupInput) (*store.Group, error) {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	if err := ValidateGroupName(name); err != nil {
		return nil, err
	}
	if err := validateGroupInput(in); err != nil {
		return nil, err
	}
	now := s.now()
	g := &store.Group{PoolID: poolID, Name: name, Precedence: in.Precedence, Created: now, Modified: now}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.RoleArn != nil {
		g.RoleArn = *in.RoleArn
	}
	err := s.Store.CreateGroup(ctx, g)
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, errs.New(errs.GroupExists, "A group with the name %s already exists.", name)
	case errors.Is(err, store.ErrNotFound):
		return nil, PoolNotFound(poolID)
	case err != nil:
		return nil, err
	}
	return g, nil
}

// GetGroup loads a group.
func (s *Service) GetGroup(ctx context.Context, poolID, name string) (*store.Group, error) {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	if err := ValidateGroupName(name); err != nil {
		return nil, err
	}
	g, err := s.Store.GetGroup(ctx, poolID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, GroupNotFound(name)
	}
	return g, err
}

// UpdateGroup changes the settings given in the request and keeps the rest.
func (s *Service) UpdateGroup(ctx context.Context, poolID, name string, in GroupInput) (*store.Group, error) {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	if err := ValidateGroupName(name); err != nil {
		return nil, err
	}
	if err := validateGroupInput(in); err != nil {
		return nil, err
	}
	g, err := s.Store.UpdateGroup(ctx, poolID, name, func(g *store.Group) error {
		if in.Description != nil {
			g.Description = *in.Description
		}
		if in.Precedence != nil {
			g.Precedence = in.Precedence
		}
		if in.RoleArn != nil {
			g.RoleArn = *in.RoleArn
		}
		g.Modified = s.now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, GroupNotFound(name)
	}
	return g, err
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, poolID, name string) error {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return err
	}
	if err := ValidateGroupName(name); err != nil {
		return err
	}
	err := s.Store.DeleteGroup(ctx, poolID, name)
	if errors.Is(err, store.ErrNotFound) {
		return GroupNotFound(name)
	}
	return err
}

// ListGroups lists a pool's groups a page at a time.
func (s *Service) ListGroups(ctx context.Context, poolID string, limit int, token string) ([]*store.Group, string, error) {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	return s.Store.ListGroups(ctx, poolID, store.Page{Limit: limit, After: token})
}
