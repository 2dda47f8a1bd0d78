package userpool

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
)

// IdentityProvider is Cognito's IdentityProviderType less the pool id: a
// third-party IdP (SAML, OIDC or a social provider) users may sign in with.
// A pool's identity providers live in its Config document. ProviderDetails
// holds what the caller gave plus the fields Cognito computes (the fixed
// endpoints of the social providers, attributes_url_add_attributes, the
// SAML endpoints of a metadata file).
type IdentityProvider struct {
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails,omitempty"`
	AttributeMapping map[string]string `json:"AttributeMapping,omitempty"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers,omitempty"`
	CreationDate     time.Time         `json:"CreationDate"`
	LastModifiedDate time.Time         `json:"LastModifiedDate"`
}

// Identity provider types (IdentityProviderTypeType).
const (
	ProviderSAML            = "SAML"
	ProviderOIDC            = "OIDC"
	ProviderFacebook        = "Facebook"
	ProviderGoogle          = "Google"
	ProviderLoginWithAmazon = "LoginWithAmazon"
	ProviderSignInWithApple = "SignInWithApple"
	// ProviderCognito is the name of the user pool's own directory in app
	// clients' SupportedIdentityProviders; no identity provider may take it.
	ProviderCognito = "COGNITO"
)

// Limits of the API reference (IdpIdentifiersListType) and of Cognito's quotas.
const (
	MaxIdentityProviders = 300 // per user pool ("Identity providers per user pool")
	MaxIdpIdentifiers    = 50  // per identity provider
)

var (
	// ProviderNameTypeV2 (CreateIdentityProvider) and ProviderNameType (the others).
	providerNameV2RE   = regexp.MustCompile(`^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$`)
	providerNameRE     = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+$`)
	idpIdentifierRE    = regexp.MustCompile(`^[\w\s+=.@-]+$`)
	providerTypes      = []string{ProviderSAML, ProviderFacebook, ProviderGoogle, ProviderLoginWithAmazon, ProviderSignInWithApple, ProviderOIDC}
	socialProviderType = map[string]bool{ProviderFacebook: true, ProviderGoogle: true, ProviderLoginWithAmazon: true, ProviderSignInWithApple: true}
)

// usernameClaim is the only provider attribute Cognito lets each type map
// to the username (developer guide, "Specifying identity provider attribute
// mappings for your user pool"). SAML has none: the subject (NameID) is it.
var usernameClaim = map[string]string{
	ProviderFacebook:        "id",
	ProviderGoogle:          "sub",
	ProviderLoginWithAmazon: "user_id",
	ProviderSignInWithApple: "sub",
	ProviderOIDC:            "sub",
}

// IdentityProvider returns the pool's identity provider of that name.
func (c *Config) IdentityProvider(name string) (*IdentityProvider, bool) {
	for i := range c.IdentityProviders {
		if c.IdentityProviders[i].ProviderName == name {
			return &c.IdentityProviders[i], true
		}
	}
	return nil, false
}

// IdentityProviderByIdentifier returns the pool's identity provider that
// lists id among its IdpIdentifiers.
func (c *Config) IdentityProviderByIdentifier(id string) (*IdentityProvider, bool) {
	for i := range c.IdentityProviders {
		if slices.Contains(c.IdentityProviders[i].IdpIdentifiers, id) {
			return &c.IdentityProviders[i], true
		}
	}
	return nil, false
}

// HasIdentityProvider reports whether name may appear in an app client's
// SupportedIdentityProviders: COGNITO or one of the pool's providers.
func (c *Config) HasIdentityProvider(name string) bool {
	if name == ProviderCognito {
		return true
	}
	_, ok := c.IdentityProvider(name)
	return ok
}

// IdentityProviderNotFound is the error for an unknown provider name.
func IdentityProviderNotFound(name string) error {
	return errs.NotFound("Identity provider %s does not exist.", name)
}

func copyIdentityProvider(p *IdentityProvider) *IdentityProvider {
	out := *p
	out.ProviderDetails = maps.Clone(p.ProviderDetails)
	out.AttributeMapping = maps.Clone(p.AttributeMapping)
	out.IdpIdentifiers = slices.Clone(p.IdpIdentifiers)
	return &out
}

// PublicDetails is ProviderDetails as DescribeIdentityProvider reports them:
// Cognito returns client_secret but never Sign in with Apple's private_key
// (API reference, CreateIdentityProvider, "Describe response" examples).
func (p *IdentityProvider) PublicDetails() map[string]string {
	out := maps.Clone(p.ProviderDetails)
	if out == nil {
		out = map[string]string{}
	}
	if p.ProviderType == ProviderSignInWithApple {
		delete(out, "private_key")
	}
	return out
}

func validateProviderName(name string, v2 bool) error {
	if name == "" {
		return errs.Param("1 validation error detected: Value null at 'providerName' failed to satisfy constraint: Member must not be null")
	}
	if utf8.RuneCountInString(name) > 32 {
		return errs.Param("1 validation error detected: Value '%s' at 'providerName' failed to satisfy constraint: Member must have length less than or equal to 32", name)
	}
	if v2 && !providerNameV2RE.MatchString(name) {
		return errs.Param("1 validation error detected: Value '%s' at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+", name)
	}
	if !v2 && !providerNameRE.MatchString(name) {
		return errs.Param("1 validation error detected: Value '%s' at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\p{Z}]+", name)
	}
	return nil
}

func validateIdpIdentifier(field, id string) error {
	if id == "" {
		return errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if utf8.RuneCountInString(id) > 40 {
		return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 40", id, field)
	}
	if !idpIdentifierRE.MatchString(id) {
		return errs.Param("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=.@-]+", id, field)
	}
	return nil
}

// validateNameForType applies Cognito's rule that a social provider is
// named after its type ("Provider NameOfGP cannot be of type Google."), so
// a pool has at most one of each, and that SAML and OIDC providers cannot
// take those names or COGNITO.
func validateNameForType(name, typ string) error {
	if socialProviderType[typ] {
		if name != typ {
			return errs.Param("Provider %s cannot be of type %s.", name, typ)
		}
		return nil
	}
	if socialProviderType[name] || name == ProviderCognito {
		return errs.Param("Provider %s cannot be of type %s.", name, typ)
	}
	return nil
}

func validateIdpIdentifiers(ids []string) error {
	if len(ids) > MaxIdpIdentifiers {
		return errs.Param("1 validation error detected: Value at 'idpIdentifiers' failed to satisfy constraint: Member must have length less than or equal to %d", MaxIdpIdentifiers)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if err := validateIdpIdentifier("idpIdentifiers."+strconv.Itoa(i+1)+".member", id); err != nil {
			return err
		}
		if seen[id] {
			return errs.Param("Duplicate IdpIdentifier %s.", id)
		}
		seen[id] = true
	}
	return nil
}

// normalizeAttributeMapping checks the mapping's keys against the pool's
// schema and sets the username mapping the provider type allows (Cognito
// shows it in every describe of a social or OIDC provider).
func normalizeAttributeMapping(pool *Config, typ string, m map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		if k == "" || utf8.RuneCountInString(k) > 32 {
			return nil, errs.Param("1 validation error detected: Value '%s' at 'attributeMapping' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 32, Member must have length greater than or equal to 1]", k)
		}
		if len(v) > 131072 {
			return nil, errs.Param("1 validation error detected: Value at 'attributeMapping' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 131072]")
		}
		if k == "username" {
			want, ok := usernameClaim[typ]
			if !ok || v != want {
				return nil, errs.Param("The attribute username cannot be mapped to %s for provider type %s.", v, typ)
			}
		} else if _, ok := pool.Attribute(k); !ok || k == "sub" || k == "identities" {
			return nil, errs.Param("Invalid attribute mapping: %s is not an attribute of the user pool.", k)
		}
		out[k] = v
	}
	if c, ok := usernameClaim[typ]; ok {
		out["username"] = c
	}
	return out, nil
}

// normalizeProviderDetails checks details against what Cognito requires of
// the provider type (API reference, CreateIdentityProvider ProviderDetails)
// and returns them with the fields Cognito computes. old is the provider's
// current details on update (Sign in with Apple's private_key, never
// described, is kept when the update leaves it out).
func normalizeProviderDetails(typ string, in, old map[string]string) (map[string]string, error) {
	d := maps.Clone(in)
	if d == nil {
		d = map[string]string{}
	}
	for k, v := range d {
		if len(v) > 131072 || len(k) > 131072 {
			return nil, errs.Param("1 validation error detected: Value at 'providerDetails' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 131072]")
		}
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if strings.TrimSpace(d[k]) == "" {
				return false
			}
		}
		return true
	}
	switch typ {
	case ProviderGoogle, ProviderFacebook, ProviderLoginWithAmazon:
		if !has("client_id", "client_secret", "authorize_scopes") {
			return nil, errs.Param("client_id, client_secret and authorize_scopes are all required idp details.")
		}
	case ProviderSignInWithApple:
		if d["private_key"] == "" && old != nil {
			if pk, ok := old["private_key"]; ok {
				d["private_key"] = pk
			}
		}
		if !has("client_id", "team_id", "key_id", "private_key", "authorize_scopes") {
			return nil, errs.Param("client_id, team_id, key_id, private_key and authorize_scopes are all required idp details.")
		}
	case ProviderOIDC:
		if !has("client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes") {
			return nil, errs.Param("client_id, attributes_request_method, oidc_issuer and authorize_scopes are all required idp details.")
		}
		if m := d["attributes_request_method"]; m != "GET" && m != "POST" {
			return nil, errs.Param("attributes_request_method must be GET or POST.")
		}
		for _, k := range []string{"oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri"} {
			if v, ok := d[k]; ok && !absoluteURL(v) {
				return nil, errs.Param("%s must be a valid URL.", k)
			}
		}
	case ProviderSAML:
		if err := normalizeSAMLDetails(d); err != nil {
			return nil, err
		}
	}
	// Computed fields: the fixed endpoints Cognito reports for the social
	// providers (the "Describe response" examples of the API reference).
	set := func(kv ...string) {
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i]] = kv[i+1]
		}
	}
	switch typ {
	case ProviderGoogle:
		set("attributes_url", "https://people.googleapis.com/v1/people/me?personFields=",
			"attributes_url_add_attributes", "true",
			"authorize_url", "https://accounts.google.com/o/oauth2/v2/auth",
			"oidc_issuer", "https://accounts.google.com",
			"token_request_method", "POST",
			"token_url", "https://www.googleapis.com/oauth2/v4/token")
	case ProviderFacebook:
		v := d["api_version"]
		prefix := ""
		if v != "" {
			prefix = "/" + v
		}
		set("attributes_url", "https://graph.facebook.com"+prefix+"/me?fields=",
			"attributes_url_add_attributes", "true",
			"authorize_url", "https://www.facebook.com"+prefix+"/dialog/oauth",
			"token_request_method", "GET",
			"token_url", "https://graph.facebook.com"+prefix+"/oauth/access_token")
	case ProviderLoginWithAmazon:
		set("attributes_url", "https://api.amazon.com/user/profile",
			"attributes_url_add_attributes", "false",
			"authorize_url", "https://www.amazon.com/ap/oa",
			"token_request_method", "POST",
			"token_url", "https://api.amazon.com/auth/o2/token")
	case ProviderSignInWithApple:
		set("attributes_url_add_attributes", "false",
			"authorize_url", "https://appleid.apple.com/auth/authorize",
			"oidc_issuer", "https://appleid.apple.com",
			"token_request_method", "POST",
			"token_url", "https://appleid.apple.com/auth/token")
	case ProviderOIDC:
		// The endpoints come from the issuer's discovery document when not
		// given; discovery happens at sign-in (federation), not here.
		set("attributes_url_add_attributes", "false")
	}
	return d, nil
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// normalizeSAMLDetails checks a SAML provider's details: exactly one of
// MetadataURL and MetadataFile, boolean flags, rsa-sha256 as the only
// request signing algorithm. The SSO and SLO redirect-binding endpoints of
// a metadata file are copied into the details, as Cognito reports them.
func normalizeSAMLDetails(d map[string]string) error {
	file, hasFile := d["MetadataFile"]
	u, hasURL := d["MetadataURL"]
	if hasFile == hasURL || (hasFile && file == "") || (hasURL && u == "") {
		return errs.Param("Exactly one of MetadataURL or MetadataFile must be provided.")
	}
	for _, k := range []string{"IDPSignout", "IDPInit", "EncryptedResponses"} {
		if v, ok := d[k]; ok && v != "true" && v != "false" {
			return errs.Param("%s must be true or false.", k)
		}
	}
	if v, ok := d["RequestSigningAlgorithm"]; ok && v != "rsa-sha256" {
		return errs.Param("RequestSigningAlgorithm must be rsa-sha256.")
	}
	if hasURL {
		if !absoluteURL(u) {
			return errs.Param("MetadataURL must be a valid URL.")
		}
		// Cognito downloads the document; Cogito reads it at sign-in.
		return nil
	}
	sso, slo, err := samlMetadataEndpoints(file)
	if err != nil {
		return errs.Param("Unable to parse the metadata file: %v", err)
	}
	if sso == "" {
		return errs.Param("The metadata file has no SingleSignOnService with the HTTP-Redirect binding.")
	}
	d["SSORedirectBindingURI"] = sso
	if slo != "" {
		d["SLORedirectBindingURI"] = slo
	} else {
		delete(d, "SLORedirectBindingURI")
	}
	return nil
}

const samlRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

// samlMetadataEndpoints reads the IdP's redirect-binding SingleSignOnService
// and SingleLogoutService locations from SAML 2.0 metadata.
func samlMetadataEndpoints(doc string) (sso, slo string, err error) {
	dec := xml.NewDecoder(bytes.NewReader([]byte(doc)))
	sawIDP := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) string {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		switch se.Name.Local {
		case "IDPSSODescriptor":
			sawIDP = true
		case "SingleSignOnService":
			if sso == "" && attr("Binding") == samlRedirectBinding {
				sso = attr("Location")
			}
		case "SingleLogoutService":
			if slo == "" && attr("Binding") == samlRedirectBinding {
				slo = attr("Location")
			}
		}
	}
	if !sawIDP {
		return "", "", errors.New("no IDPSSODescriptor")
	}
	return sso, slo, nil
}

// checkIdentifiersFree reports a DuplicateProviderException when another
// provider of the pool already uses one of ids.
func checkIdentifiersFree(c *Config, self string, ids []string) error {
	for _, id := range ids {
		if p, ok := c.IdentityProviderByIdentifier(id); ok && p.ProviderName != self {
			return errs.New(errs.DuplicateProvider, "The identifier %s is already used by provider %s.", id, p.ProviderName)
		}
	}
	return nil
}

// IdentityProviderInput is CreateIdentityProvider's or
// UpdateIdentityProvider's input. On update, nil fields are left as they are.
type IdentityProviderInput struct {
	ProviderName     string
	ProviderType     string
	ProviderDetails  map[string]string
	AttributeMapping map[string]string
	IdpIdentifiers   []string
}

// CreateIdentityProvider applies CreateIdentityProvider.
func (s *Service) CreateIdentityProvider(ctx context.Context, poolID string, in IdentityProviderInput) (*IdentityProvider, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateProviderName(in.ProviderName, true); err != nil {
		return nil, err
	}
	if in.ProviderType == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'providerType' failed to satisfy constraint: Member must not be null")
	}
	if !slices.Contains(providerTypes, in.ProviderType) {
		return nil, errs.Param("1 validation error detected: Value '%s' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, SignInWithApple, OIDC]", in.ProviderType)
	}
	if in.ProviderDetails == nil {
		return nil, errs.Param("1 validation error detected: Value null at 'providerDetails' failed to satisfy constraint: Member must not be null")
	}
	if err := validateIdpIdentifiers(in.IdpIdentifiers); err != nil {
		return nil, err
	}
	if err := validateNameForType(in.ProviderName, in.ProviderType); err != nil {
		return nil, err
	}
	details, err := normalizeProviderDetails(in.ProviderType, in.ProviderDetails, nil)
	if err != nil {
		return nil, err
	}
	var out *IdentityProvider
	_, err = s.ModifyPool(ctx, poolID, func(c *Config) error {
		if _, ok := c.IdentityProvider(in.ProviderName); ok {
			return errs.New(errs.DuplicateProvider, "%s already exists in user pool %s.", in.ProviderName, poolID)
		}
		if len(c.IdentityProviders) >= MaxIdentityProviders {
			return errs.New(errs.LimitExceeded, "A user pool can have at most %d identity providers.", MaxIdentityProviders)
		}
		if err := checkIdentifiersFree(c, in.ProviderName, in.IdpIdentifiers); err != nil {
			return err
		}
		mapping, err := normalizeAttributeMapping(c, in.ProviderType, in.AttributeMapping)
		if err != nil {
			return err
		}
		now := s.now()
		p := IdentityProvider{ProviderName: in.ProviderName, ProviderType: in.ProviderType, ProviderDetails: details,
			AttributeMapping: mapping, IdpIdentifiers: slices.Clone(in.IdpIdentifiers), CreationDate: now, LastModifiedDate: now}
		c.IdentityProviders = append(c.IdentityProviders, p)
		out = copyIdentityProvider(&p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetIdentityProvider applies DescribeIdentityProvider.
func (s *Service) GetIdentityProvider(ctx context.Context, poolID, name string) (*IdentityProvider, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateProviderName(name, false); err != nil {
		return nil, err
	}
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	idp, ok := p.Config.IdentityProvider(name)
	if !ok {
		return nil, IdentityProviderNotFound(name)
	}
	return copyIdentityProvider(idp), nil
}

// GetIdentityProviderByIdentifier applies GetIdentityProviderByIdentifier.
func (s *Service) GetIdentityProviderByIdentifier(ctx context.Context, poolID, id string) (*IdentityProvider, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateIdpIdentifier("idpIdentifier", id); err != nil {
		return nil, err
	}
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	idp, ok := p.Config.IdentityProviderByIdentifier(id)
	if !ok {
		return nil, errs.NotFound("Identity provider with identifier %s does not exist.", id)
	}
	return copyIdentityProvider(idp), nil
}

// UpdateIdentityProvider applies UpdateIdentityProvider. Each of
// ProviderDetails, AttributeMapping and IdpIdentifiers the request carries
// replaces the stored one whole (details are validated as on create); those
// it leaves out stay as they are. The type cannot change.
func (s *Service) UpdateIdentityProvider(ctx context.Context, poolID string, in IdentityProviderInput) (*IdentityProvider, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if err := validateProviderName(in.ProviderName, false); err != nil {
		return nil, err
	}
	if in.ProviderName == ProviderCognito {
		return nil, errs.New(errs.UnsupportedIdentityProvider, "The identity provider COGNITO cannot be updated.")
	}
	if in.IdpIdentifiers != nil {
		if err := validateIdpIdentifiers(in.IdpIdentifiers); err != nil {
			return nil, err
		}
	}
	var out *IdentityProvider
	_, err := s.ModifyPool(ctx, poolID, func(c *Config) error {
		cur, ok := c.IdentityProvider(in.ProviderName)
		if !ok {
			return IdentityProviderNotFound(in.ProviderName)
		}
		next := copyIdentityProvider(cur)
		if in.ProviderDetails != nil {
			d, err := normalizeProviderDetails(cur.ProviderType, in.ProviderDetails, cur.ProviderDetails)
			if err != nil {
				return err
			}
			next.ProviderDetails = d
		}
		if in.AttributeMapping != nil {
			m, err := normalizeAttributeMapping(c, cur.ProviderType, in.AttributeMapping)
			if err != nil {
				return err
			}
			next.AttributeMapping = m
		}
		if in.IdpIdentifiers != nil {
			if err := checkIdentifiersFree(c, cur.ProviderName, in.IdpIdentifiers); err != nil {
				return err
			}
			next.IdpIdentifiers = slices.Clone(in.IdpIdentifiers)
		}
		next.LastModifiedDate = s.now()
		*cur = *next
		out = copyIdentityProvider(next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteIdentityProvider applies DeleteIdentityProvider. The provider is
// also taken out of the SupportedIdentityProviders of the pool's app
// clients, so no client names a provider that no longer exists.
func (s *Service) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	if err := ValidatePoolID(poolID); err != nil {
		return err
	}
	if err := validateProviderName(name, false); err != nil {
		return err
	}
	if name == ProviderCognito {
		return errs.New(errs.UnsupportedIdentityProvider, "The identity provider COGNITO cannot be deleted.")
	}
	p, err := s.ModifyPool(ctx, poolID, func(c *Config) error {
		i := slices.IndexFunc(c.IdentityProviders, func(p IdentityProvider) bool { return p.ProviderName == name })
		if i < 0 {
			return IdentityProviderNotFound(name)
		}
		c.IdentityProviders = slices.Delete(c.IdentityProviders, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	return s.pruneClientProviders(ctx, poolID, &p.Config)
}

// ListIdentityProviders applies ListIdentityProviders: providers ordered by
// name; the token is the last name returned.
func (s *Service) ListIdentityProviders(ctx context.Context, poolID string, limit int, token string) ([]IdentityProvider, string, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, "", err
	}
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	return pageByKey(p.Config.IdentityProviders, func(x *IdentityProvider) string { return x.ProviderName }, copyIdentityProvider, limit, token)
}

// pruneClientProviders removes from the pool's app clients every supported
// identity provider that cfg no longer has.
func (s *Service) pruneClientProviders(ctx context.Context, poolID string, cfg *Config) error {
	stale := func(name string) bool { return !cfg.HasIdentityProvider(name) }
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
			if !slices.ContainsFunc(c.Config.SupportedIdentityProviders, stale) {
				continue
			}
			s.cache.forgetClient(sc.ID)
			_, err = s.Store.UpdateClient(ctx, poolID, sc.ID, func(sc *store.Client) error {
				c, err := decodeClient(sc)
				if err != nil {
					return err
				}
				c.Config.SupportedIdentityProviders = slices.DeleteFunc(c.Config.SupportedIdentityProviders, stale)
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
