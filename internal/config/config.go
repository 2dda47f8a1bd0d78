// Package config reads Cogito's declarative configuration file (YAML or
// JSON): the pools, app clients, groups and users a deployment or a test
// suite wants to exist, applied idempotently at every start. Settings use
// Cognito's own field names, exactly as CreateUserPool and
// CreateUserPoolClient take them, so what works against the API works here.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cogito-idp/cogito/internal/userpool"
)

// File is the configuration file.
type File struct {
	Pools []Pool `yaml:"pools" json:"pools"`
	// LambdaWebhooks maps Lambda function ARNs (as named in a pool's
	// LambdaConfig) to HTTP endpoints that take the trigger event as a POST
	// and answer with it, response filled in.
	LambdaWebhooks map[string]string `yaml:"lambdaWebhooks" json:"lambdaWebhooks"`
	// Certificates serve the pools' custom domains over HTTPS (--https-addr).
	Certificates []Certificate `yaml:"certificates" json:"certificates"`
	// IdentityProviderEndpoints relocate the well-known identity providers,
	// keyed by provider type (Google, Facebook, LoginWithAmazon,
	// SignInWithApple): a local OpenID Provider for tests, a proxy for
	// air-gapped sites. An issuer alone means "discover the rest from it".
	IdentityProviderEndpoints map[string]Endpoints `yaml:"identityProviderEndpoints" json:"identityProviderEndpoints"`
}

// Endpoints locate one well-known identity provider; empty fields keep the
// provider's public endpoints.
type Endpoints struct {
	Issuer       string `yaml:"issuer" json:"issuer"`
	AuthorizeURL string `yaml:"authorizeUrl" json:"authorizeUrl"`
	TokenURL     string `yaml:"tokenUrl" json:"tokenUrl"`
	UserInfoURL  string `yaml:"userInfoUrl" json:"userInfoUrl"`
	JWKSURL      string `yaml:"jwksUri" json:"jwksUri"`
}

// Certificate is a PEM certificate and key for one custom domain.
type Certificate struct {
	Domain   string `yaml:"domain" json:"domain"`
	CertFile string `yaml:"certFile" json:"certFile"`
	KeyFile  string `yaml:"keyFile" json:"keyFile"`
}

// Pool declares a user pool.
type Pool struct {
	// ID fixes the pool id (REGION_ and alphanumerics) so apps can hard-code
	// it; without it the pool is found by name.
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	// Settings are CreateUserPool's fields (Policies, Schema,
	// UsernameAttributes, LambdaConfig, ...).
	Settings map[string]any `yaml:"settings" json:"settings"`
	Clients  []Client       `yaml:"clients" json:"clients"`
	Groups   []Group        `yaml:"groups" json:"groups"`
	Users    []User         `yaml:"users" json:"users"`
}

// Client declares an app client.
type Client struct {
	ID     string `yaml:"id" json:"id"`
	Name   string `yaml:"name" json:"name"`
	Secret string `yaml:"secret" json:"secret"` // fixed secret; implies a confidential client
	// Settings are CreateUserPoolClient's fields (GenerateSecret,
	// ExplicitAuthFlows, CallbackURLs, ...).
	Settings map[string]any `yaml:"settings" json:"settings"`
}

// Group declares a group.
type Group struct {
	Name        string  `yaml:"name" json:"name"`
	Description *string `yaml:"description" json:"description"`
	Precedence  *int32  `yaml:"precedence" json:"precedence"`
	RoleArn     *string `yaml:"roleArn" json:"roleArn"`
}

// User declares a user. A user that already exists keeps its password (it
// may have been changed since); its attributes and groups are brought in
// line with the file.
type User struct {
	Username   string            `yaml:"username" json:"username"`
	Password   string            `yaml:"password" json:"password"`
	Temporary  bool              `yaml:"temporary" json:"temporary"` // FORCE_CHANGE_PASSWORD until changed
	Attributes map[string]string `yaml:"attributes" json:"attributes"`
	Groups     []string          `yaml:"groups" json:"groups"`
	Disabled   bool              `yaml:"disabled" json:"disabled"`
}

// Load reads and checks a configuration file, reporting every problem found.
func Load(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(raw)
}

// Parse decodes YAML or JSON (JSON is YAML) and validates it.
func Parse(raw []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	// An empty file is an empty configuration.
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate reports every problem in the file at once, so a user fixes them
// in one go rather than one per start.
func (f *File) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i, cert := range f.Certificates {
		if cert.Domain == "" || cert.CertFile == "" || cert.KeyFile == "" {
			add("certificates[%d]: domain, certFile and keyFile are required", i)
		}
	}
	for typ, e := range f.IdentityProviderEndpoints {
		switch typ {
		case userpool.ProviderGoogle, userpool.ProviderFacebook, userpool.ProviderLoginWithAmazon, userpool.ProviderSignInWithApple:
		default:
			add("identityProviderEndpoints: %q is not Google, Facebook, LoginWithAmazon or SignInWithApple", typ)
			continue
		}
		for _, kv := range [][2]string{{"issuer", e.Issuer}, {"authorizeUrl", e.AuthorizeURL}, {"tokenUrl", e.TokenURL},
			{"userInfoUrl", e.UserInfoURL}, {"jwksUri", e.JWKSURL}} {
			if kv[1] == "" {
				continue
			}
			if u, err := url.Parse(kv[1]); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add("identityProviderEndpoints.%s.%s: %q is not an http(s) URL", typ, kv[0], kv[1])
			}
		}
		if e == (Endpoints{}) {
			add("identityProviderEndpoints.%s: no endpoint given", typ)
		}
	}
	poolIDs := map[string]bool{}
	for i, p := range f.Pools {
		where := fmt.Sprintf("pools[%d]", i)
		if p.Name == "" {
			add("%s: name is required", where)
		}
		if p.ID != "" {
			if err := userpool.ValidatePoolID(p.ID); err != nil {
				add("%s: id %q is not a pool id (REGION_ and alphanumerics)", where, p.ID)
			}
			if poolIDs[p.ID] {
				add("%s: pool id %s declared twice", where, p.ID)
			}
			poolIDs[p.ID] = true
		}
		if _, err := p.poolInput(); err != nil {
			add("%s.settings: %v", where, err)
		}
		clients := map[string]bool{}
		for j, c := range p.Clients {
			cw := fmt.Sprintf("%s.clients[%d]", where, j)
			if c.Name == "" {
				add("%s: name is required", cw)
			}
			key := c.ID + "\x00" + c.Name
			if clients[key] {
				add("%s: client declared twice", cw)
			}
			clients[key] = true
			if c.ID != "" {
				if err := userpool.ValidateClientID(c.ID); err != nil {
					add("%s: id %q is not a client id", cw, c.ID)
				}
			}
			if _, err := c.clientInput(); err != nil {
				add("%s.settings: %v", cw, err)
			}
		}
		groups := map[string]bool{}
		for j, g := range p.Groups {
			if g.Name == "" {
				add("%s.groups[%d]: name is required", where, j)
			}
			groups[g.Name] = true
		}
		for j, u := range p.Users {
			uw := fmt.Sprintf("%s.users[%d]", where, j)
			if u.Username == "" {
				add("%s: username is required", uw)
			}
			if u.Password == "" {
				add("%s: password is required", uw)
			}
			for _, g := range u.Groups {
				if !groups[g] {
					add("%s: group %q is not declared in this pool", uw, g)
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("config has %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// poolInput decodes the settings into CreateUserPool's input. Unknown
// fields are refused, so a misspelt setting does not pass silently.
func (p *Pool) poolInput() (userpool.PoolInput, error) {
	var in userpool.PoolInput
	if err := strictJSON(p.Settings, &in); err != nil {
		return in, err
	}
	in.PoolName = p.Name
	return in, nil
}

func (c *Client) clientInput() (userpool.ClientInput, error) {
	var in userpool.ClientInput
	if err := strictJSON(c.Settings, &in); err != nil {
		return in, err
	}
	in.ClientName = c.Name
	return in, nil
}

func strictJSON(settings map[string]any, v any) error {
	if settings == nil {
		return nil
	}
	for _, k := range []string{"PoolName", "ClientName", "UserPoolId"} {
		if _, ok := settings[k]; ok {
			return fmt.Errorf("%s is set by the entry itself, not in settings", k)
		}
	}
	b, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
