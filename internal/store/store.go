package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Implementations wrap or return these so callers can test
// with errors.Is.
var (
	// ErrNotFound: the record asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a record with the same key already exists (pool, client,
	// user name, user sub, group).
	ErrExists = errors.New("store: already exists")
	// ErrBadCursor: a Page.After cursor that this store did not issue.
	ErrBadCursor = errors.New("store: invalid cursor")
)

// AliasConflictError reports that a user's alias (Kind, Value) is already
// held by another user of the pool.
type AliasConflictError struct {
	Kind  string // "email", "phone_number" or "preferred_username"
	Value string
	Owner string // username key of the user holding it
}

func (e *AliasConflictError) Error() string {
	return "store: alias " + e.Kind + " already in use"
}

// Pool is a user pool. Its Cognito settings are an opaque JSON document
// owned by package userpool, so that every setting round-trips exactly and new
// settings need no schema change.
type Pool struct {
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Config   []byte // JSON, see userpool.Config
}

// Client is an app client of a pool.
type Client struct {
	PoolID   string
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Config   []byte // JSON, see userpool.ClientConfig
	Secrets  []ClientSecret
}

// ClientSecret is one of a client's live secrets (Cognito allows two).
type ClientSecret struct {
	ID      string
	Value   string
	Created time.Time
}

// User is one user of a pool.
type User struct {
	PoolID string
	// Username is the name as created; UsernameKey the unique lookup key
	// (case-folded in pools that are not case sensitive).
	Username    string
	UsernameKey string
	Sub         string
	Status      string // UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, ...
	Enabled     bool
	// Attributes holds every attribute but sub, by Cognito name
	// ("email", "custom:tenant", "email_verified" ...).
	Attributes map[string]string
	// Aliases are the sign-in names this user holds besides the username,
	// by kind ("email", "phone_number", "preferred_username"); values are
	// already normalised by the caller. Unique per pool and kind.
	Aliases map[string]string
	// Password is the opaque password record (hash scheme, parameters and
	// SRP verifier) owned by package password; nil when none is set.
	Password []byte
	// PasswordSet is when the current password was set (temporary passwords
	// expire relative to it).
	PasswordSet time.Time
	Created     time.Time
	Modified    time.Time
	// MFAOptions and other per-user settings that later features add live
	// here as JSON, owned by the domain packages.
	Settings []byte
}

// Group is a group of a pool.
type Group struct {
	PoolID      string
	Name        string
	Description string
	Precedence  *int32
	RoleArn     string
	Created     time.Time
	Modified    time.Time
}

// SigningKey is one of a pool's token-signing keys. The private key is
// sealed by package tokens before it reaches the store.
type SigningKey struct {
	PoolID  string
	KID     string
	Private []byte // sealed private key
	Public  []byte // public JWK (JSON)
	Created time.Time
	Retires time.Time // signs nothing after this
	Expires time.Time // published until this (the last token it signed has expired)
}

// RefreshToken is an issued refresh token. Only a hash of the token is kept.
type RefreshToken struct {
	Hash        string
	PoolID      string
	ClientID    string
	UsernameKey string
	// Family names every token that descends from one sign-in (the tokens'
	// origin_jti). Revoking a refresh token revokes its family, and with it
	// the access tokens minted from it.
	Family   string
	AuthTime time.Time
	Created  time.Time
	Expires  time.Time
	Revoked  bool
	// Rotated is when a successor replaced this token (rotation); the token
	// stays valid for the client's grace period after it.
	Rotated time.Time
	Data    []byte // JSON owned by package tokens (scopes, ...)
}

// AuthSession is a sign-in in progress between challenges.
type AuthSession struct {
	ID          string // a hash of the handle given to the client
	PoolID      string
	ClientID    string
	UsernameKey string
	Expires     time.Time
	State       []byte // JSON owned by package auth
}

// Domain is a pool's hosted-UI domain: a prefix domain
// ({prefix}.auth.{region}.amazoncognito.com, served locally as
// {prefix}.auth.localhost) or a custom domain. Domains are unique across
// pools.
type Domain struct {
	Domain  string
	PoolID  string
	Custom  bool
	Config  []byte // JSON owned by package userpool (CustomDomainConfig, ...)
	Created time.Time
}

// Page asks for one page of a listing: at most Limit items after the
// position named by After (an opaque cursor returned by the previous page;
// empty for the first page).
type Page struct {
	Limit int
	After string
}

// FilterOp is the comparison of a ListUsers filter.
type FilterOp int

const (
	FilterEquals FilterOp = iota // attr = "value"
	FilterPrefix                 // attr ^= "value"
)

// UserFilter restricts ListUsers to users whose field matches. Field is one
// of the indexed names in IndexedAttributes, or "username", "sub",
// "cognito:user_status" or "status" (Enabled / Disabled).
type UserFilter struct {
	Field string
	Op    FilterOp
	Value string
}

// IndexedAttributes are the user attributes that ListUsers can filter on
// (besides username, sub and status); implementations index exactly these.
var IndexedAttributes = []string{
	"email", "phone_number", "name", "given_name", "family_name",
	"preferred_username",
}

// Store is everything Cogito keeps. Every method is safe for concurrent use;
// every write is one transaction.
type Store interface {
	// Ping reports whether the store answers (for /health).
	Ping(ctx context.Context) error
	Close() error

	// Pools.
	CreatePool(ctx context.Context, p *Pool) error // ErrExists
	GetPool(ctx context.Context, id string) (*Pool, error)
	// UpdatePool reads the pool, calls fn on it inside the transaction and
	// writes back what fn left, unless fn returns an error.
	UpdatePool(ctx context.Context, id string, fn func(*Pool) error) (*Pool, error)
	// DeletePool removes the pool and everything in it.
	DeletePool(ctx context.Context, id string) error
	// ListPools lists pools ordered by id.
	ListPools(ctx context.Context, page Page) (pools []*Pool, next string, err error)

	// Clients. Client ids are unique across pools.
	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, poolID, clientID string) (*Client, error)
	// GetClientByID finds a client by id alone (end-user calls carry no pool id).
	GetClientByID(ctx context.Context, clientID string) (*Client, error)
	UpdateClient(ctx context.Context, poolID, clientID string, fn func(*Client) error) (*Client, error)
	DeleteClient(ctx context.Context, poolID, clientID string) error
	ListClients(ctx context.Context, poolID string, page Page) ([]*Client, string, error)

	// Users. A user is found by its username key, by sub, or by an alias.
	// CreateUser fails with ErrExists when the username key or sub is taken and
	// with *AliasConflictError when an alias is.
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, poolID, usernameKey string) (*User, error)
	GetUserBySub(ctx context.Context, poolID, sub string) (*User, error)
	GetUserByAlias(ctx context.Context, poolID, kind, value string) (*User, error)
	// UpdateUser is read-modify-write in one transaction; fn may change every
	// field but PoolID and UsernameKey. Alias changes are checked as in
	// CreateUser. When fn returns an error nothing is written and that error is
	// returned.
	UpdateUser(ctx context.Context, poolID, usernameKey string, fn func(*User) error) (*User, error)
	DeleteUser(ctx context.Context, poolID, usernameKey string) error
	// ListUsers lists the pool's users matching filter (nil: all), in a stable
	// order that the cursor continues.
	ListUsers(ctx context.Context, poolID string, filter *UserFilter, page Page) ([]*User, string, error)
	// CountUsers is the pool's estimated number of users (DescribeUserPool).
	CountUsers(ctx context.Context, poolID string) (int64, error)

	// Groups.
	CreateGroup(ctx context.Context, g *Group) error // ErrExists
	GetGroup(ctx context.Context, poolID, name string) (*Group, error)
	UpdateGroup(ctx context.Context, poolID, name string, fn func(*Group) error) (*Group, error)
	// DeleteGroup removes the group and its memberships.
	DeleteGroup(ctx context.Context, poolID, name string) error
	ListGroups(ctx context.Context, poolID string, page Page) ([]*Group, string, error)
	// AddUserToGroup is idempotent. ErrNotFound when user or group is missing.
	AddUserToGroup(ctx context.Context, poolID, usernameKey, group string) error
	RemoveUserFromGroup(ctx context.Context, poolID, usernameKey, group string) error
	// ListGroupsForUser lists a user's groups ordered by name.
	ListGroupsForUser(ctx context.Context, poolID, usernameKey string, page Page) ([]*Group, string, error)
	ListUsersInGroup(ctx context.Context, poolID, group string, page Page) ([]*User, string, error)

	// Signing keys.
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns a pool's keys, newest first.
	ListSigningKeys(ctx context.Context, poolID string) ([]*SigningKey, error)

	// Refresh tokens.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	GetRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	UpdateRefreshToken(ctx context.Context, hash string, fn func(*RefreshToken) error) (*RefreshToken, error)
	// RevokeFamily revokes every refresh token of a family.
	RevokeFamily(ctx context.Context, poolID, family string) error
	// RevokeUserTokens revokes every refresh token of a user (global sign-out).
	RevokeUserTokens(ctx context.Context, poolID, usernameKey string) error
	// FamilyRevoked reports whether a family's tokens were revoked; a family
	// with no stored token counts as revoked.
	FamilyRevoked(ctx context.Context, poolID, family string) (bool, error)

	// Auth sessions. TakeAuthSession removes and returns a session, so each
	// is used once; ErrNotFound when it is gone or was never there.
	CreateAuthSession(ctx context.Context, s *AuthSession) error
	GetAuthSession(ctx context.Context, id string) (*AuthSession, error)
	TakeAuthSession(ctx context.Context, id string) (*AuthSession, error)

	// Domains. CreateDomain fails with ErrExists when the domain is taken
	// and ErrNotFound when the pool is missing.
	CreateDomain(ctx context.Context, d *Domain) error
	GetDomain(ctx context.Context, domain string) (*Domain, error)
	UpdateDomain(ctx context.Context, domain string, fn func(*Domain) error) (*Domain, error)
	DeleteDomain(ctx context.Context, domain string) error
	// ListPoolDomains returns a pool's domains (at most one prefix and one
	// custom domain).
	ListPoolDomains(ctx context.Context, poolID string) ([]*Domain, error)

	// PruneExpired deletes sessions, refresh tokens and signing keys that
	// expired before now.
	PruneExpired(ctx context.Context, now time.Time) error
}
