package userpool

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
)

// ResourceServer is Cognito's ResourceServerType less the pool id: an OAuth
// 2.0 API whose custom scopes (identifier/scopeName) app clients may allow.
// A pool's resource servers live in its Config document.
type ResourceServer struct {
	Identifier string                `json:"Identifier"`
	Name       string                `json:"Name"`
	Scopes     []ResourceServerScope `json:"Scopes,omitempty"`
}

// ResourceServerScope is Cognito's ResourceServerScopeType.
type ResourceServerScope struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

// Limits of the API reference (ResourceServerType) and of Cognito's quotas.
const (
	MaxResourceServers      = 25  // per user pool
	MaxResourceServerScopes = 100 // per resource server
)

var (
	rsIdentifierRE = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
	rsNameRE       = regexp.MustCompile(`^[\w\s+=,.@-]+$`)
	scopeNameRE    = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$`)
)

// HasScope reports whether scope is a custom scope of the pool: the
// identifier of one of its resource servers, a slash, and the name of one of
// that server's scopes. Scope names cannot contain a slash, identifiers can
// (https://api.example.com/v1), so the scope name is what follows the last one.
func (c *Config) HasScope(scope string) bool {
	i := strings.LastIndexByte(scope, '/')
	if i <= 0 {
		return false
	}
	rs := c.resourceServer(scope[:i])
	if rs == nil {
		return false
	}
	for _, sc := range rs.Scopes {
		if sc.ScopeName == scope[i+1:] {
			return true
		}
	}
	return false
}

func (c *Config) resourceServer(identifier string) *ResourceServer {
	for i := range c.ResourceServers {
		if c.ResourceServers[i].Identifier == identifier {
			return &c.ResourceServers[i]
		}
	}
	return nil
}

func validateRSIdentifier(id string) error {
	if id == "" {
		return errs.Param("1 validation error detected: Value null at 'identifier' failed to satisfy constraint: Member must not be null")
	}
	if len(id) > 256 {
		return errs.Param("1 validation error detected: Value '%s' at 'identifier' failed to satisfy constraint: Member must have length less than or equal to 256", id)
	}
	if !rsIdentifierRE.MatchString(id) {
		return errs.Param("1 validation error detected: Value '%s' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+", id)
	}
	return nil
}

// validateResourceServer checks CreateResourceServer / UpdateResourceServer
// input against the API reference's constraints.
func validateResourceServer(rs *ResourceServer) error {
	if err := validateRSIdentifier(rs.Identifier); err != nil {
		return err
	}
	if rs.Name == "" {
		return errs.Param("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(rs.Name) > 256 {
		return errs.Param("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length less than or equal to 256", rs.Name)
	}
	if !rsNameRE.MatchString(rs.Name) {
		return errs.Param("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", rs.Name)
	}
	if len(rs.Scopes) > MaxResourceServerScopes {
		return errs.Param("1 validation error detected: Value at 'scopes' failed to satisfy constraint: Member must have length less than or equal to %d", MaxResourceServerScopes)
	}
	seen := map[string]bool{}
	for i, sc := range rs.Scopes {
		field := func(name string) string { return "scopes." + strconv.Itoa(i+1) + ".member." + name }
		if sc.ScopeName == "" {
			return errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field("scopeName"))
		}
		if len(sc.ScopeName) > 256 {
			return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", sc.ScopeName, field("scopeName"))
		}
		if !scopeNameRE.MatchString(sc.ScopeName) {
			return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+", sc.ScopeName, field("scopeName"))
		}
		if sc.ScopeDescription == "" {
			return errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field("scopeDescription"))
		}
		if utf8.RuneCountInString(sc.ScopeDescription) > 256 {
			return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", sc.ScopeDescription, field("scopeDescription"))
		}
		if seen[sc.ScopeName] {
			return errs.Param("Duplicate scope name %s in resource server %s.", sc.ScopeName, rs.Identifier)
		}
		seen[sc.ScopeName] = true
	}
	return nil
}

// ResourceServerNotFound is the error for an unknown resource server.
func ResourceServerNotFound(identifier string) error {
	return errs.NotFound("Resource server %s does not exist.", identifier)
}

func copyResourceServer(rs *ResourceServer) *ResourceServer {
	out := *rs
	out.Scopes = slices.Clone(rs.Scopes)
	return &out
}

// CreateResourceServer applies CreateResourceServer.
func (s *Service) CreateResourceServer(ctx context.Context, poolID string, rs ResourceServer) (*ResourceServer, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateResourceServer(&rs); err != nil {
		return nil, err
	}
	_, err := s.ModifyPool(ctx, poolID, func(c *Config) error {
		if c.resourceServer(rs.Identifier) != nil {
			return errs.Param("%s already exists in user pool %s.", rs.Identifier, poolID)
		}
		if len(c.ResourceServers) >= MaxResourceServers {
			return errs.New(errs.LimitExceeded, "A user pool can have at most %d resource servers.", MaxResourceServers)
		}
		c.ResourceServers = append(c.ResourceServers, *copyResourceServer(&rs))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rs, nil
}

// GetResourceServer applies DescribeResourceServer.
func (s *Service) GetResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateRSIdentifier(identifier); err != nil {
		return nil, err
	}
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	rs := p.Config.resourceServer(identifier)
	if rs == nil {
		return nil, ResourceServerNotFound(identifier)
	}
	return copyResourceServer(rs), nil
}

// UpdateResourceServer applies UpdateResourceServer: the name and the scopes
// are replaced (scopes the request omits are gone). App clients lose the
// scopes that no longer exist.
func (s *Service) UpdateResourceServer(ctx context.Context, poolID string, rs ResourceServer) (*ResourceServer, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateResourceServer(&rs); err != nil {
		return nil, err
	}
	p, err := s.ModifyPool(ctx, poolID, func(c *Config) error {
		cur := c.resourceServer(rs.Identifier)
		if cur == nil {
			return ResourceServerNotFound(rs.Identifier)
		}
		*cur = *copyResourceServer(&rs)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.pruneClientScopes(ctx, poolID, &p.Config); err != nil {
		return nil, err
	}
	return &rs, nil
}

// DeleteResourceServer applies DeleteResourceServer. Cognito lets a resource
// server go while app clients still allow its scopes; those scopes are
// removed from the clients, so no client keeps a scope that no longer exists.
func (s *Service) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if err := ValidatePoolID(poolID); err != nil {
		return err
	}
	if err := validateRSIdentifier(identifier); err != nil {
		return err
	}
	p, err := s.ModifyPool(ctx, poolID, func(c *Config) error {
		i := slices.IndexFunc(c.ResourceServers, func(rs ResourceServer) bool { return rs.Identifier == identifier })
		if i < 0 {
			return ResourceServerNotFound(identifier)
		}
		c.ResourceServers = slices.Delete(c.ResourceServers, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	return s.pruneClientScopes(ctx, poolID, &p.Config)
}

// ListResourceServers applies ListResourceServers: servers ordered by
// identifier; the token is the last identifier returned.
func (s *Service) ListResourceServers(ctx context.Context, poolID string, limit int, token string) ([]ResourceServer, string, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, "", err
	}
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	return pageByKey(p.Config.ResourceServers, func(x *ResourceServer) string { return x.Identifier }, copyResourceServer, limit, token)
}

// pruneClientScopes removes from the pool's app clients every custom scope
// that cfg no longer defines.
func (s *Service) pruneClientScopes(ctx context.Context, poolID string, cfg *Config) error {
	stale := func(scopes []string) bool {
		return slices.ContainsFunc(scopes, func(sc string) bool { return !standardScopes[sc] && !cfg.HasScope(sc) })
	}
	after := ""
	for {
		scs, next, err := s.Store.ListClients(ctx, poolID, store.Page{Limit: 60, After: after})
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, sc := range scs {
			c, err := decodeClient(sc)
			if err != nil {
				return err
			}
			if !stale(c.Config.AllowedOAuthScopes) {
				continue
			}
			s.cache.forgetClient(sc.ID)
			_, err = s.Store.UpdateClient(ctx, poolID, sc.ID, func(sc *store.Client) error {
				c, err := decodeClient(sc)
				if err != nil {
					return err
				}
				c.Config.AllowedOAuthScopes = slices.DeleteFunc(c.Config.AllowedOAuthScopes, func(sc string) bool {
					return !standardScopes[sc] && !cfg.HasScope(sc)
				})
				sc.Config = encodeClientConfig(&c.Config)
				return nil
			})
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}
