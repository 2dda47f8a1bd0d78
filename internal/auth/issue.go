package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// AdminScope is the scope of tokens from the API sign-in flows: it lets the
// access token call the user's own API operations (GetUser, ...).
const AdminScope = "aws.cognito.signin.user.admin"

// IssueOptions shape the tokens of a sign-in.
type IssueOptions struct {
	AuthTime time.Time
	// Scopes granted through OAuth; none means an API sign-in, whose access
	// token carries aws.cognito.signin.user.admin and which gets an ID token.
	Scopes []string
	// Nonce of the OpenID authentication request, echoed in the ID token.
	Nonce string
	// Source is the PreTokenGeneration trigger source (default
	// TokenGeneration_Authentication) and ClientMetadata what the caller
	// passed for triggers.
	Source         string
	ClientMetadata map[string]string
	// NoRefreshToken keeps the refresh token to the server (implicit grant):
	// it is stored, so global sign-out and revocation still reach the
	// access token, but not returned.
	NoRefreshToken bool
	// family continues a refresh token's family; empty starts a new one.
	family string
}

// refreshData is what a stored refresh token remembers of its sign-in.
type refreshData struct {
	Scopes []string `json:"scopes,omitempty"`
	// Sub binds the token to its user: a new user who takes the name of a
	// deleted one must not inherit the deleted user's sessions.
	Sub string `json:"sub,omitempty"`
}

// issue mints ID, access and (for a new sign-in) refresh tokens.
func (s *Service) Issue(ctx context.Context, pool *userpool.Pool, c *userpool.Client, u *store.User, o IssueOptions) (*TokenSet, error) {
	now := s.now()
	accessTTL, idTTL, refreshTTL := c.Config.Validity()
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{AdminScope}
	}
	out := &TokenSet{ExpiresIn: int32(accessTTL / time.Second), TokenType: "Bearer"}
	family := o.family
	if family == "" {
		family = uuid.NewString()
		raw, hash := newRefreshToken()
		data, _ := json.Marshal(refreshData{Scopes: o.Scopes, Sub: u.Sub})
		if err := s.Store.CreateRefreshToken(ctx, &store.RefreshToken{
			Hash: hash, PoolID: pool.ID, ClientID: c.ID, UsernameKey: u.UsernameKey, Family: family,
			AuthTime: o.AuthTime, Created: now, Expires: now.Add(refreshTTL), Data: data,
		}); err != nil {
			return nil, err
		}
		if !o.NoRefreshToken {
			out.RefreshToken = raw
		}
	}
	groups, err := s.groupsOf(ctx, pool.ID, u.UsernameKey)
	if err != nil {
		return nil, err
	}
	iss := s.Issuer(pool.ID)
	eventID := uuid.NewString()
	base := func(ttl time.Duration) map[string]any {
		return map[string]any{
			"sub": u.Sub, "iss": iss, "origin_jti": family, "event_id": eventID,
			"auth_time": o.AuthTime.Unix(), "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": uuid.NewString(),
		}
	}
	access := base(accessTTL)
	access["token_use"] = "access"
	access["client_id"] = c.ID
	access["username"] = u.Username
	if names := groupNames(groups); len(names) > 0 {
		access["cognito:groups"] = names
	}
	oauth := len(o.Scopes) > 0
	if oauth {
		access["version"] = 2
	}
	var id map[string]any
	if !oauth || hasScope(o.Scopes, "openid") { // OAuth without openid: no ID token
		id = base(idTTL)
		id["token_use"] = "id"
		id["aud"] = c.ID
		id["cognito:username"] = u.Username
		if o.Nonce != "" {
			id["nonce"] = o.Nonce
		}
		for k, v := range idAttributes(pool, c, u) {
			id[k] = v
		}
		if names := groupNames(groups); len(names) > 0 {
			id["cognito:groups"] = names
			roles, preferred := groupRoles(groups)
			if len(roles) > 0 {
				id["cognito:roles"] = roles
			}
			if preferred != "" {
				id["cognito:preferred_role"] = preferred
			}
		}
	}
	tc := &tokenClaims{id: id, access: access, scopes: scopes, groups: groups}
	if err := s.preTokenGeneration(ctx, pool, c, u, o.Source, o.ClientMetadata, tc); err != nil {
		return nil, err
	}
	access["scope"] = strings.Join(tc.scopes, " ")
	if out.AccessToken, err = s.Keys.Sign(ctx, pool.ID, access); err != nil {
		return nil, err
	}
	if id == nil {
		return out, nil
	}
	if oauth {
		id["at_hash"] = atHash(out.AccessToken)
	}
	if out.IdToken, err = s.Keys.Sign(ctx, pool.ID, id); err != nil {
		return nil, err
	}
	return out, nil
}

// atHash is OpenID Connect's at_hash: the left half of the SHA-256 of the
// access token, base64url.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// ClientCredentials mints a machine-to-machine access token for a client:
// sub is the client, scope the resource-server scopes granted.
func (s *Service) ClientCredentials(ctx context.Context, pool *userpool.Pool, c *userpool.Client, scopes []string) (*TokenSet, error) {
	now := s.now()
	accessTTL, _, _ := c.Config.Validity()
	claims := map[string]any{
		"sub": c.ID, "client_id": c.ID, "iss": s.Issuer(pool.ID), "token_use": "access",
		"auth_time": now.Unix(), "iat": now.Unix(),
		"exp": now.Add(accessTTL).Unix(), "jti": uuid.NewString(), "version": 2,
	}
	scopes, err := s.machineTokenGeneration(ctx, pool, c, claims, scopes)
	if err != nil {
		return nil, err
	}
	claims["scope"] = strings.Join(scopes, " ")
	tok, err := s.Keys.Sign(ctx, pool.ID, claims)
	if err != nil {
		return nil, err
	}
	return &TokenSet{AccessToken: tok, ExpiresIn: int32(accessTTL / time.Second), TokenType: "Bearer"}, nil
}

func hasScope(scopes []string, s string) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}

// newRefreshToken returns an opaque refresh token and its stored hash.
func newRefreshToken() (raw, hash string) {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, hashHandle(raw)
}

// groupsOf lists all of a user's groups, in precedence order.
func (s *Service) groupsOf(ctx context.Context, poolID, usernameKey string) ([]*store.Group, error) {
	var all []*store.Group
	after := ""
	for {
		gs, next, err := s.Store.ListGroupsForUser(ctx, poolID, usernameKey, store.Page{Limit: 60, After: after})
		if err != nil {
			return nil, err
		}
		all = append(all, gs...)
		if next == "" {
			break
		}
		after = next
	}
	sort.SliceStable(all, func(i, j int) bool { return precedence(all[i]) < precedence(all[j]) })
	return all, nil
}

// precedence orders groups; a group without one comes last, as in Cognito.
func precedence(g *store.Group) int64 {
	if g.Precedence == nil {
		return 1 << 40
	}
	return int64(*g.Precedence)
}

func groupNames(gs []*store.Group) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

// groupRoles gives cognito:roles and cognito:preferred_role: the role of the
// group with the lowest precedence, none when that precedence is shared by
// groups with different roles.
func groupRoles(gs []*store.Group) ([]string, string) {
	var roles []string
	seen := map[string]bool{}
	preferred := ""
	best := int64(-1)
	tied := false
	for _, g := range gs {
		if g.RoleArn == "" {
			continue
		}
		if !seen[g.RoleArn] {
			seen[g.RoleArn] = true
			roles = append(roles, g.RoleArn)
		}
		p := precedence(g)
		switch {
		case best == -1 || p < best:
			best, preferred, tied = p, g.RoleArn, false
		case p == best && g.RoleArn != preferred:
			tied = true
		}
	}
	if tied {
		preferred = ""
	}
	return roles, preferred
}

// idAttributes are the user attributes the ID token carries: those the
// client may read (all when ReadAttributes is unset), typed as Cognito types
// them.
func idAttributes(pool *userpool.Pool, c *userpool.Client, u *store.User) map[string]any {
	readable := func(string) bool { return true }
	if ra := c.Config.ReadAttributes; len(ra) > 0 {
		set := map[string]bool{}
		for _, a := range ra {
			set[a] = true
		}
		readable = func(n string) bool { return set[n] }
	}
	out := map[string]any{}
	for name, v := range u.Attributes {
		if !readable(name) || strings.HasPrefix(name, "dev:") {
			continue
		}
		switch name {
		case "email_verified", "phone_number_verified":
			out[name] = v == "true"
		case "updated_at":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[name] = n
			} else {
				out[name] = v
			}
		case "identities":
			var list []any
			if json.Unmarshal([]byte(v), &list) == nil {
				out[name] = list
			} else {
				out[name] = v
			}
		default:
			out[name] = v
		}
	}
	return out
}
