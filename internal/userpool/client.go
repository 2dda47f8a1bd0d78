package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
)

// ClientConfig is an app client's settings in Cognito's field names
// (UserPoolClientType less its ids, name, secret and dates).
type ClientConfig struct {
	RefreshTokenValidity                     *int32                  `json:"RefreshTokenValidity,omitempty"`
	AccessTokenValidity                      *int32                  `json:"AccessTokenValidity,omitempty"`
	IdTokenValidity                          *int32                  `json:"IdTokenValidity,omitempty"`
	TokenValidityUnits                       *TokenValidityUnits     `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                           []string                `json:"ReadAttributes,omitempty"`
	WriteAttributes                          []string                `json:"WriteAttributes,omitempty"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows,omitempty"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders,omitempty"`
	CallbackURLs                             []string                `json:"CallbackURLs,omitempty"`
	LogoutURLs                               []string                `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI                       string                  `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient          *bool                   `json:"AllowedOAuthFlowsUserPoolClient,omitempty"`
	AnalyticsConfiguration                   *AnalyticsConfiguration `json:"AnalyticsConfiguration,omitempty"`
	PreventUserExistenceErrors               string                  `json:"PreventUserExistenceErrors,omitempty"`
	EnableTokenRevocation                    *bool                   `json:"EnableTokenRevocation,omitempty"`
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData,omitempty"`
	AuthSessionValidity                      *int32                  `json:"AuthSessionValidity,omitempty"`
	RefreshTokenRotation                     *RefreshTokenRotation   `json:"RefreshTokenRotation,omitempty"`
}

// TokenValidityUnits gives the unit of each validity: seconds, minutes,
// hours or days.
type TokenValidityUnits struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// AnalyticsConfiguration is the Pinpoint setting (stored, not acted on).
type AnalyticsConfiguration struct {
	ApplicationId  string `json:"ApplicationId,omitempty"`
	ApplicationArn string `json:"ApplicationArn,omitempty"`
	RoleArn        string `json:"RoleArn,omitempty"`
	ExternalId     string `json:"ExternalId,omitempty"`
	UserDataShared *bool  `json:"UserDataShared,omitempty"`
}

// RefreshTokenRotation: with Feature ENABLED each refresh returns a new
// refresh token and the old one stays valid for the grace period.
type RefreshTokenRotation struct {
	Feature                 string `json:"Feature,omitempty"`
	RetryGracePeriodSeconds *int32 `json:"RetryGracePeriodSeconds,omitempty"`
}

// Client is a decoded app client.
type Client struct {
	PoolID   string
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Config   ClientConfig
	Secrets  []store.ClientSecret
}

// Secret is the client's first live secret, as DescribeUserPoolClient shows it.
func (c *Client) Secret() string {
	if len(c.Secrets) == 0 {
		return ""
	}
	return c.Secrets[0].Value
}

// Validity returns the client's token lifetimes, defaults applied: access and
// id tokens one hour, refresh tokens 30 days.
func (c *ClientConfig) Validity() (access, id, refresh time.Duration) {
	units := TokenValidityUnits{}
	if c.TokenValidityUnits != nil {
		units = *c.TokenValidityUnits
	}
	access = validity(c.AccessTokenValidity, units.AccessToken, "hours", 1)
	id = validity(c.IdTokenValidity, units.IdToken, "hours", 1)
	refresh = validity(c.RefreshTokenValidity, units.RefreshToken, "days", 30)
	return
}

func validity(v *int32, unit, defUnit string, def int32) time.Duration {
	if v == nil || *v <= 0 {
		return time.Duration(def) * unitDuration(defUnit)
	}
	if unit == "" {
		unit = defUnit
	}
	return time.Duration(*v) * unitDuration(unit)
}

func unitDuration(unit string) time.Duration {
	switch unit {
	case "seconds":
		return time.Second
	case "minutes":
		return time.Minute
	case "hours":
		return time.Hour
	default:
		return 24 * time.Hour
	}
}

// defaultAuthFlows are the flows of a client created without ExplicitAuthFlows.
var defaultAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}

// AllowsFlow reports whether the client enables an auth flow, given by its
// ALLOW_ name; the legacy names count for their modern equivalents.
func (c *ClientConfig) AllowsFlow(allow string) bool {
	flows := c.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = defaultAuthFlows
	}
	for _, f := range flows {
		if f == allow || legacyFlows[f] == allow {
			return true
		}
	}
	// Legacy clients always could refresh.
	return allow == "ALLOW_REFRESH_TOKEN_AUTH" && hasLegacyFlow(flows)
}

var legacyFlows = map[string]string{
	"ADMIN_NO_SRP_AUTH":     "ALLOW_ADMIN_USER_PASSWORD_AUTH",
	"USER_PASSWORD_AUTH":    "ALLOW_USER_PASSWORD_AUTH",
	"CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}

func hasLegacyFlow(flows []string) bool {
	for _, f := range flows {
		if _, ok := legacyFlows[f]; ok {
			return true
		}
	}
	return false
}

// PreventsUserExistenceErrors reports whether unknown users must look like
// wrong passwords.
func (c *ClientConfig) PreventsUserExistenceErrors() bool {
	return c.PreventUserExistenceErrors == "ENABLED"
}

// ClientInput is what CreateUserPoolClient and UpdateUserPoolClient take.
type ClientInput struct {
	ClientName     string
	GenerateSecret bool
	ClientConfig
}

var (
	clientNameRE = regexp.MustCompile(`^[\w\s+=,.@-]+$`)
	clientIDRE   = regexp.MustCompile(`^[\w+]+$`)
)

// ValidateClientID checks the form of an app client id.
func ValidateClientID(id string) error {
	if id == "" {
		return errs.Param("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	}
	if len(id) > 128 || !clientIDRE.MatchString(id) {
		return errs.Param("1 validation error detected: Value '%s' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+", id)
	}
	return nil
}

// ClientNotFound is Cognito's error for an unknown client.
func ClientNotFound(id string) error { return errs.NotFound("User pool client %s does not exist.", id) }

func decodeClient(sc *store.Client) (*Client, error) {
	c := &Client{PoolID: sc.PoolID, ID: sc.ID, Name: sc.Name, Created: sc.Created, Modified: sc.Modified, Secrets: sc.Secrets}
	if err := json.Unmarshal(sc.Config, &c.Config); err != nil {
		return nil, fmt.Errorf("decode client %s config: %w", sc.ID, err)
	}
	return c, nil
}

func encodeClientConfig(c *ClientConfig) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("userpool: marshal client config: " + err.Error())
	}
	return b
}

// CreateClient validates and stores a new app client.
func (s *Service) CreateClient(ctx context.Context, poolID string, in ClientInput) (*Client, error) {
	return s.createClient(ctx, poolID, "", "", in)
}

// CreateClientWithID stores a client with a fixed id and, when secret is not
// empty, a fixed secret (declarative config).
func (s *Service) CreateClientWithID(ctx context.Context, poolID, id, secret string, in ClientInput) (*Client, error) {
	return s.createClient(ctx, poolID, id, secret, in)
}

func (s *Service) createClient(ctx context.Context, poolID, id, secret string, in ClientInput) (*Client, error) {
	pool, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if err := validateClientName(in.ClientName); err != nil {
		return nil, err
	}
	if secret != "" && !clientSecretRE.MatchString(secret) {
		return nil, errs.Param("ClientSecret must be 24 to 64 characters of letters, digits, underscores or plus signs.")
	}
	cfg := in.ClientConfig
	hasSecret := in.GenerateSecret || secret != ""
	if err := validateClient(pool.ID, &pool.Config, &cfg, hasSecret); err != nil {
		return nil, err
	}
	applyClientDefaults(&cfg)
	now := s.now()
	var secrets []store.ClientSecret
	for attempt := 0; ; attempt++ {
		cid := id
		if cid == "" {
			cid = NewClientID()
		}
		if hasSecret {
			v := secret
			if v == "" {
				v = NewClientSecret()
			}
			secrets = []store.ClientSecret{{ID: newSecretID(cid), Value: v, Created: now}}
		}
		sc := &store.Client{PoolID: poolID, ID: cid, Name: in.ClientName, Created: now, Modified: now,
			Config: encodeClientConfig(&cfg), Secrets: secrets}
		err := s.Store.CreateClient(ctx, sc)
		if errors.Is(err, store.ErrExists) && id == "" && attempt < 5 {
			continue
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, PoolNotFound(poolID)
		}
		if err != nil {
			return nil, err
		}
		return &Client{PoolID: poolID, ID: cid, Name: in.ClientName, Created: now, Modified: now, Config: cfg, Secrets: secrets}, nil
	}
}

// GetClient loads a client of a pool.
func (s *Service) GetClient(ctx context.Context, poolID, clientID string) (*Client, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := ValidateClientID(clientID); err != nil {
		return nil, err
	}
	sc, err := s.Store.GetClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.GetPool(ctx, poolID); perr != nil {
			return nil, perr
		}
		return nil, ClientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	return decodeClient(sc)
}

// FindClient loads a client by id alone, as end-user calls name it.
func (s *Service) FindClient(ctx context.Context, clientID string) (*Client, error) {
	if err := ValidateClientID(clientID); err != nil {
		return nil, err
	}
	if c, ok := s.cache.client(clientID); ok {
		return c, nil
	}
	sc, err := s.Store.GetClientByID(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ClientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	c, err := decodeClient(sc)
	if err != nil {
		return nil, err
	}
	s.cache.putClient(c)
	return c, nil
}

// UpdateClient applies UpdateUserPoolClient. As in Cognito, settings the
// request omits return to their defaults; the name stays unless given.
func (s *Service) UpdateClient(ctx context.Context, poolID, clientID string, in ClientInput) (*Client, error) {
	pool, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if err := ValidateClientID(clientID); err != nil {
		return nil, err
	}
	if in.ClientName != "" {
		if err := validateClientName(in.ClientName); err != nil {
			return nil, err
		}
	}
	var out *Client
	defer s.cache.forgetClient(clientID)
	_, err = s.Store.UpdateClient(ctx, poolID, clientID, func(sc *store.Client) error {
		cfg := in.ClientConfig
		if err := validateClient(pool.ID, &pool.Config, &cfg, len(sc.Secrets) > 0); err != nil {
			return err
		}
		applyClientDefaults(&cfg)
		if in.ClientName != "" {
			sc.Name = in.ClientName
		}
		sc.Modified = s.now()
		sc.Config = encodeClientConfig(&cfg)
		c, err := decodeClient(sc)
		out = c
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ClientNotFound(clientID)
	}
	return out, err
}

// DeleteClient deletes an app client.
func (s *Service) DeleteClient(ctx context.Context, poolID, clientID string) error {
	if _, err := s.GetClient(ctx, poolID, clientID); err != nil {
		return err
	}
	defer s.cache.forgetClient(clientID)
	err := s.Store.DeleteClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return ClientNotFound(clientID)
	}
	return err
}

// ListClients lists a pool's clients a page at a time.
func (s *Service) ListClients(ctx context.Context, poolID string, max int, token string) ([]*Client, string, error) {
	if _, err := s.GetPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	scs, next, err := s.Store.ListClients(ctx, poolID, store.Page{Limit: max, After: token})
	if err != nil {
		return nil, "", err
	}
	out := make([]*Client, 0, len(scs))
	for _, sc := range scs {
		c, err := decodeClient(sc)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}

var clientSecretRE = regexp.MustCompile(`^[\w+]{24,64}$`)

// AddClientSecret adds a second live secret for rotation (Cognito allows two).
// A generated secret's value is returned; a given one is not echoed back.
func (s *Service) AddClientSecret(ctx context.Context, poolID, clientID, value string) (store.ClientSecret, bool, error) {
	if _, err := s.GetClient(ctx, poolID, clientID); err != nil {
		return store.ClientSecret{}, false, err
	}
	generated := value == ""
	if !generated && !clientSecretRE.MatchString(value) {
		return store.ClientSecret{}, false, errs.Param("ClientSecret must be 24 to 64 characters of letters, digits, underscores or plus signs.")
	}
	if generated {
		value = NewClientSecret()
	}
	var added store.ClientSecret
	defer s.cache.forgetClient(clientID)
	_, err := s.Store.UpdateClient(ctx, poolID, clientID, func(sc *store.Client) error {
		if len(sc.Secrets) == 0 {
			return errs.Param("Client %s has no client secret; secrets can only be added to clients created with one.", clientID)
		}
		if len(sc.Secrets) >= 2 {
			return errs.New(errs.LimitExceeded, "Client %s already has the maximum of 2 client secrets.", clientID)
		}
		for _, existing := range sc.Secrets {
			if existing.Value == value {
				return errs.Param("The client secret is already in use by this client.")
			}
		}
		added = store.ClientSecret{ID: newSecretID(clientID), Value: value, Created: s.now()}
		sc.Secrets = append(sc.Secrets, added)
		sc.Modified = s.now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.ClientSecret{}, false, ClientNotFound(clientID)
	}
	return added, generated, err
}

// DeleteClientSecret removes one of a client's secrets; the last one stays.
func (s *Service) DeleteClientSecret(ctx context.Context, poolID, clientID, secretID string) error {
	if _, err := s.GetClient(ctx, poolID, clientID); err != nil {
		return err
	}
	if secretID == "" {
		return errs.Param("1 validation error detected: Value null at 'clientSecretId' failed to satisfy constraint: Member must not be null")
	}
	defer s.cache.forgetClient(clientID)
	_, err := s.Store.UpdateClient(ctx, poolID, clientID, func(sc *store.Client) error {
		for i, sec := range sc.Secrets {
			if sec.ID != secretID {
				continue
			}
			if len(sc.Secrets) == 1 {
				return errs.Param("The last client secret of client %s cannot be deleted.", clientID)
			}
			sc.Secrets = append(sc.Secrets[:i:i], sc.Secrets[i+1:]...)
			sc.Modified = s.now()
			return nil
		}
		return errs.NotFound("Client secret %s does not exist for client %s.", secretID, clientID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return ClientNotFound(clientID)
	}
	return err
}

func validateClientName(name string) error {
	if name == "" {
		return errs.Param("1 validation error detected: Value null at 'clientName' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(name) > 128 || !clientNameRE.MatchString(name) {
		return errs.Param("1 validation error detected: Value '%s' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", name)
	}
	return nil
}

var (
	allFlows = map[string]bool{
		"ADMIN_NO_SRP_AUTH": true, "CUSTOM_AUTH_FLOW_ONLY": true, "USER_PASSWORD_AUTH": true,
		"ALLOW_ADMIN_USER_PASSWORD_AUTH": true, "ALLOW_CUSTOM_AUTH": true, "ALLOW_USER_PASSWORD_AUTH": true,
		"ALLOW_USER_SRP_AUTH": true, "ALLOW_REFRESH_TOKEN_AUTH": true, "ALLOW_USER_AUTH": true,
		"ALLOW_CLIENT_TOKEN_AUTH": true,
	}
	standardScopes = map[string]bool{
		"phone": true, "email": true, "openid": true, "profile": true, "aws.cognito.signin.user.admin": true,
	}
)

// validateClient checks a client's settings against Cognito's rules.
func validateClient(poolID string, pool *Config, c *ClientConfig, hasSecret bool) error {
	legacy, modern := false, false
	for _, f := range c.ExplicitAuthFlows {
		if !allFlows[f] {
			return errs.Param("1 validation error detected: Value '[%s]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, ALLOW_CLIENT_TOKEN_AUTH]]", f)
		}
		if strings.HasPrefix(f, "ALLOW_") {
			modern = true
		} else {
			legacy = true
		}
	}
	if legacy && modern {
		return errs.Param("ExplicitAuthFlows cannot mix the legacy values (ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with the ALLOW_ values.")
	}
	// GetClientToken's flow (machine-to-machine) excludes every user flow and
	// needs the client secret it authenticates with.
	if contains(c.ExplicitAuthFlows, "ALLOW_CLIENT_TOKEN_AUTH") {
		if len(c.ExplicitAuthFlows) > 1 {
			return errs.Param("ALLOW_CLIENT_TOKEN_AUTH must be the only authentication flow of an app client; it cannot be combined with other ExplicitAuthFlows.")
		}
		if !hasSecret {
			return errs.Param("ALLOW_CLIENT_TOKEN_AUTH requires an app client with a client secret.")
		}
	}
	units := TokenValidityUnits{}
	if c.TokenValidityUnits != nil {
		units = *c.TokenValidityUnits
		for field, u := range map[string]string{"accessToken": units.AccessToken, "idToken": units.IdToken, "refreshToken": units.RefreshToken} {
			if err := oneOf("tokenValidityUnits."+field, u, "seconds", "minutes", "hours", "days"); err != nil {
				return err
			}
		}
	}
	check := func(name string, v *int32, unit, defUnit string, lo, hi time.Duration) error {
		if v == nil {
			return nil
		}
		if unit == "" {
			unit = defUnit
		}
		d := time.Duration(*v) * unitDuration(unit)
		if *v <= 0 || d < lo || d > hi {
			return errs.Param("Invalid %s: %d %s is outside the allowed range of %s to %s.", name, *v, unit, human(lo), human(hi))
		}
		return nil
	}
	if err := check("AccessTokenValidity", c.AccessTokenValidity, units.AccessToken, "hours", 5*time.Minute, 24*time.Hour); err != nil {
		return err
	}
	if err := check("IdTokenValidity", c.IdTokenValidity, units.IdToken, "hours", 5*time.Minute, 24*time.Hour); err != nil {
		return err
	}
	if err := check("RefreshTokenValidity", c.RefreshTokenValidity, units.RefreshToken, "days", time.Hour, 3650*24*time.Hour); err != nil {
		return err
	}
	access, id, refresh := c.Validity()
	if refresh <= access || refresh <= id {
		return errs.Param("The refresh token validity must be longer than the access and ID token validities.")
	}
	for _, a := range c.ReadAttributes {
		if _, ok := pool.Attribute(a); !ok {
			return errs.Param("Invalid read attributes specified while creating a client")
		}
	}
	for _, a := range c.WriteAttributes {
		if _, ok := pool.Attribute(a); !ok || a == "sub" || a == "identities" || (!pool.Mutable(a) && a != "email_verified" && a != "phone_number_verified") {
			return errs.Param("Invalid write attributes specified while creating a client")
		}
	}
	for _, p := range c.SupportedIdentityProviders {
		if !pool.HasIdentityProvider(p) {
			return errs.Param("The provider %s does not exist for User Pool %s.", p, poolID)
		}
	}
	codeOrImplicit, credentials := false, false
	for _, f := range c.AllowedOAuthFlows {
		switch f {
		case "code", "implicit":
			codeOrImplicit = true
		case "client_credentials":
			credentials = true
		default:
			return errs.Param("1 validation error detected: Value '[%s]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]", f)
		}
	}
	if codeOrImplicit && credentials {
		return errs.New(errs.InvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
	}
	if credentials && !hasSecret {
		return errs.New(errs.InvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
	}
	oauth := c.AllowedOAuthFlowsUserPoolClient != nil && *c.AllowedOAuthFlowsUserPoolClient
	if oauth {
		if len(c.AllowedOAuthFlows) == 0 {
			return errs.Param("AllowedOAuthFlows must be specified when AllowedOAuthFlowsUserPoolClient is true.")
		}
		if len(c.AllowedOAuthScopes) == 0 {
			return errs.Param("AllowedOAuthScopes must be specified when AllowedOAuthFlowsUserPoolClient is true.")
		}
		if codeOrImplicit && len(c.CallbackURLs) == 0 {
			return errs.Param("CallbackURLs must be specified when the code or implicit flow is allowed.")
		}
	}
	for _, sc := range c.AllowedOAuthScopes {
		if standardScopes[sc] {
			if credentials {
				return errs.New(errs.InvalidOAuthFlow, "%s is not supported with client_credentials flow.", sc)
			}
			continue
		}
		if !pool.HasScope(sc) {
			return errs.New(errs.ScopeDoesNotExist, "Invalid scope requested: %s", sc)
		}
	}
	if len(c.CallbackURLs) > 100 || len(c.LogoutURLs) > 100 {
		return errs.Param("A client can have at most 100 callback URLs and 100 sign-out URLs.")
	}
	for _, u := range c.CallbackURLs {
		if err := checkRedirectURL("CallbackURLs", u); err != nil {
			return err
		}
	}
	for _, u := range c.LogoutURLs {
		if err := checkRedirectURL("LogoutURLs", u); err != nil {
			return err
		}
	}
	if c.DefaultRedirectURI != "" {
		if err := checkRedirectURL("DefaultRedirectURI", c.DefaultRedirectURI); err != nil {
			return err
		}
		if !contains(c.CallbackURLs, c.DefaultRedirectURI) {
			return errs.Param("DefaultRedirectURI must be one of the CallbackURLs.")
		}
	}
	if err := oneOf("preventUserExistenceErrors", c.PreventUserExistenceErrors, "LEGACY", "ENABLED"); err != nil {
		return err
	}
	if v := c.AuthSessionValidity; v != nil && (*v < 3 || *v > 15) {
		return errs.Param("1 validation error detected: Value '%d' at 'authSessionValidity' failed to satisfy constraint: Member must have value between 3 and 15", *v)
	}
	if r := c.RefreshTokenRotation; r != nil {
		if r.Feature == "" {
			return errs.Param("1 validation error detected: Value null at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must not be null")
		}
		if err := oneOf("refreshTokenRotation.feature", r.Feature, "ENABLED", "DISABLED"); err != nil {
			return err
		}
		if g := r.RetryGracePeriodSeconds; g != nil && (*g < 0 || *g > 60) {
			return errs.Param("1 validation error detected: Value '%d' at 'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: Member must have value between 0 and 60", *g)
		}
	}
	return nil
}

// checkRedirectURL applies Cognito's rules: an absolute URL without a
// fragment, HTTPS except for http://localhost (for testing), or an app's
// own scheme (myapp://).
func checkRedirectURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || len(raw) > 1024 || u.Fragment != "" || strings.Contains(raw, "#") {
		return errs.Param("Invalid %s: %s must be an absolute URL without a fragment.", field, raw)
	}
	if u.Scheme == "http" && u.Hostname() != "localhost" {
		return errs.Param("Invalid %s: %s. HTTPS is required over HTTP except for http://localhost.", field, raw)
	}
	return nil
}

func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n%365 == 0 {
			return fmt.Sprintf("%d years", n/365)
		}
		return fmt.Sprintf("%d days", n)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
}

// applyClientDefaults fills what Cognito fills in a client created or
// updated without those settings.
func applyClientDefaults(c *ClientConfig) {
	if c.RefreshTokenValidity == nil {
		c.RefreshTokenValidity = ptr(int32(30))
		if c.TokenValidityUnits != nil && c.TokenValidityUnits.RefreshToken != "" && c.TokenValidityUnits.RefreshToken != "days" {
			// Keep the 30-day default expressed in the unit the caller chose.
			c.RefreshTokenValidity = ptr(int32(30 * 24 * time.Hour / unitDuration(c.TokenValidityUnits.RefreshToken)))
		}
	}
	if c.AllowedOAuthFlowsUserPoolClient == nil {
		c.AllowedOAuthFlowsUserPoolClient = ptr(false)
	}
	if c.PreventUserExistenceErrors == "" {
		c.PreventUserExistenceErrors = "LEGACY"
	}
	if c.EnableTokenRevocation == nil {
		c.EnableTokenRevocation = ptr(true)
	}
	if c.EnablePropagateAdditionalUserContextData == nil {
		c.EnablePropagateAdditionalUserContextData = ptr(false)
	}
	if c.AuthSessionValidity == nil {
		c.AuthSessionValidity = ptr(int32(3))
	}
}

// ReplaceClientSecrets makes value the client's only secret (declarative
// config, where the file is the source of truth).
func (s *Service) ReplaceClientSecrets(ctx context.Context, poolID, clientID, value string) error {
	if !clientSecretRE.MatchString(value) {
		return errs.Param("ClientSecret must be 24 to 64 characters of letters, digits, underscores or plus signs.")
	}
	defer s.cache.forgetClient(clientID)
	_, err := s.Store.UpdateClient(ctx, poolID, clientID, func(sc *store.Client) error {
		now := s.now()
		sc.Secrets = []store.ClientSecret{{ID: newSecretID(clientID), Value: value, Created: now}}
		sc.Modified = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ClientNotFound(clientID)
	}
	return err
}

// CheckSecretHash verifies SECRET_HASH = base64(HMAC-SHA256(client secret,
// username + client id)) against every live secret, so both secrets work
// during a rotation. Clients without a secret take no hash.
func (c *Client) CheckSecretHash(username, hash string) error {
	if len(c.Secrets) == 0 {
		return nil
	}
	if hash == "" {
		return errs.New(errs.NotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received", c.ID)
	}
	got, err := base64.StdEncoding.DecodeString(hash)
	if err != nil {
		return errs.New(errs.NotAuthorized, "Unable to verify secret hash for client %s", c.ID)
	}
	for _, s := range c.Secrets {
		m := hmac.New(sha256.New, []byte(s.Value))
		m.Write([]byte(username + c.ID))
		if hmac.Equal(m.Sum(nil), got) {
			return nil
		}
	}
	return errs.New(errs.NotAuthorized, "Unable to verify secret hash for client %s", c.ID)
}
