package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/store"
)

// A user pool domain hosts the hosted UI and the OAuth 2.0 endpoints. A
// prefix domain is the first label of {prefix}.auth.{region}.amazoncognito.com
// (served locally as {prefix}.auth.localhost too); a custom domain is a full
// host name the owner points at Cognito, created with a CustomDomainConfig.
// A pool has at most one of each, and a domain belongs to one pool.

// Domain is a decoded user pool domain.
type Domain struct {
	Domain  string // the prefix alone, or the custom domain's full name
	PoolID  string
	Custom  bool
	Created time.Time
	Config  DomainConfig
}

// DomainConfig is what a domain keeps besides its name (store.Domain.Config).
type DomainConfig struct {
	CustomDomainConfig  *CustomDomainConfig `json:"CustomDomainConfig,omitempty"`
	ManagedLoginVersion int32               `json:"ManagedLoginVersion"`
	// Version is DescribeUserPoolDomain's "app version": Cognito shows the
	// time of the domain's last deployment as yyyyMMddHHmmss.
	Version string `json:"Version"`
}

// CustomDomainConfig is Cognito's CustomDomainConfigType.
type CustomDomainConfig struct {
	CertificateArn string `json:"CertificateArn"`
}

// DomainInput is what CreateUserPoolDomain and UpdateUserPoolDomain take
// besides the pool and the domain.
type DomainInput struct {
	CustomDomainConfig  *CustomDomainConfig
	ManagedLoginVersion *int32
}

// CloudFrontDomain is the host name a custom domain's DNS alias points at.
// Cognito answers with the CloudFront distribution in front of the hosted UI
// (d + 13 characters + .cloudfront.net). Cogito has no CloudFront: it
// returns a name of the same form derived from the domain, so it is stable
// across restarts and stores, and serves the hosted UI itself on whatever
// host the request names. Locally the custom domain must simply resolve to
// Cogito (an /etc/hosts entry or a DNS record), and requests for it are
// mapped to the pool by PoolForHost.
func (d *Domain) CloudFrontDomain() string {
	sum := sha256.Sum256([]byte("cogito-domain:" + d.Domain))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 13)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return "d" + string(b) + ".cloudfront.net"
}

// DomainHost is the domain's full host name in Cognito's form.
func (s *Service) DomainHost(d *Domain) string {
	if d.Custom {
		return d.Domain
	}
	return d.Domain + ".auth." + s.Region + ".amazoncognito.com"
}

// S3Bucket is DescribeUserPoolDomain's S3Bucket: the bucket of Cognito's own
// hosted-UI assets in the region (aws-cognito-prod-iad-assets in us-east-1),
// named after the region's airport code.
func (s *Service) S3Bucket() string {
	code, ok := regionAirports[s.Region]
	if !ok {
		code = s.Region
	}
	return "aws-cognito-prod-" + code + "-assets"
}

var regionAirports = map[string]string{
	"us-east-1": "iad", "us-east-2": "cmh", "us-west-1": "sfo", "us-west-2": "pdx",
	"ca-central-1": "yul", "sa-east-1": "gru", "eu-west-1": "dub", "eu-west-2": "lhr",
	"eu-west-3": "cdg", "eu-central-1": "fra", "eu-north-1": "arn", "eu-south-1": "mxp",
	"ap-northeast-1": "nrt", "ap-northeast-2": "icn", "ap-northeast-3": "kix",
	"ap-southeast-1": "sin", "ap-southeast-2": "syd", "ap-south-1": "bom",
	"me-south-1": "bah", "af-south-1": "cpt",
}

var (
	// The documented pattern of a prefix domain (and of each label of a
	// custom domain): lowercase letters, digits and inner hyphens.
	domainLabelRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	certArnRE     = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)
	reservedWords = []string{"aws", "amazon", "cognito"}
)

func invalidDomainChars() error {
	return errs.Param("The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")
}

// noSuchDomain is Cognito's answer when a domain named with a pool does not
// exist or belongs to another pool.
func noSuchDomain() error { return errs.Param("No such domain or user pool exists.") }

func validateDomainName(domain string, custom bool) error {
	if domain == "" {
		return errs.Param("1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
	}
	if !custom {
		// Without a CustomDomainConfig the domain is a prefix: a name with a
		// dot is refused with the invalid-character message, as in Cognito.
		if len(domain) > 63 {
			return errs.Param("1 validation error detected: Value '%s' at 'domain' failed to satisfy constraint: Member must have length less than or equal to 63", domain)
		}
		if !domainLabelRE.MatchString(domain) {
			return invalidDomainChars()
		}
		for _, w := range reservedWords {
			if strings.Contains(domain, w) {
				return errs.Param("Domain cannot contain reserved word: %s", w)
			}
		}
		return nil
	}
	if len(domain) > 253 {
		return errs.Param("1 validation error detected: Value '%s' at 'domain' failed to satisfy constraint: Member must have length less than or equal to 253", domain)
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return errs.Param("A custom domain must be a fully-qualified domain name, such as auth.example.com.")
	}
	for _, l := range labels {
		if !domainLabelRE.MatchString(l) {
			return invalidDomainChars()
		}
	}
	return nil
}

func validateDomainInput(in *DomainInput) error {
	if cdc := in.CustomDomainConfig; cdc != nil {
		if cdc.CertificateArn == "" {
			return errs.Param("1 validation error detected: Value null at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must not be null")
		}
		if len(cdc.CertificateArn) < 20 || len(cdc.CertificateArn) > 2048 || !certArnRE.MatchString(cdc.CertificateArn) {
			return errs.Param("1 validation error detected: Value '%s' at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?", cdc.CertificateArn)
		}
	}
	if v := in.ManagedLoginVersion; v != nil && *v != 1 && *v != 2 {
		return errs.Param("Invalid ManagedLoginVersion %d: the version must be 1 (hosted UI classic) or 2 (managed login).", *v)
	}
	return nil
}

// checkLoginVersion refuses managed login (version 2) on the Lite plan.
func checkLoginVersion(pool *Config, v int32) error {
	if v == 2 && pool.UserPoolTier == "LITE" {
		return errs.New("FeatureUnavailableInTierException", "Managed login (ManagedLoginVersion 2) is not available in the LITE feature plan.")
	}
	return nil
}

func decodeDomain(sd *store.Domain) (*Domain, error) {
	d := &Domain{Domain: sd.Domain, PoolID: sd.PoolID, Custom: sd.Custom, Created: sd.Created}
	if len(sd.Config) > 0 {
		if err := json.Unmarshal(sd.Config, &d.Config); err != nil {
			return nil, fmt.Errorf("decode domain %s config: %w", sd.Domain, err)
		}
	}
	if d.Config.ManagedLoginVersion == 0 {
		d.Config.ManagedLoginVersion = 1
	}
	return d, nil
}

func encodeDomainConfig(c *DomainConfig) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("userpool: marshal domain config: " + err.Error())
	}
	return b
}

func domainVersion(t time.Time) string { return t.UTC().Format("20060102150405") }

// CreateDomain applies CreateUserPoolDomain.
func (s *Service) CreateDomain(ctx context.Context, poolID, domain string, in DomainInput) (*Domain, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	custom := in.CustomDomainConfig != nil
	if err := validateDomainName(domain, custom); err != nil {
		return nil, err
	}
	if err := validateDomainInput(&in); err != nil {
		return nil, err
	}
	pool, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	version := int32(1)
	if in.ManagedLoginVersion != nil {
		version = *in.ManagedLoginVersion
	}
	if err := checkLoginVersion(&pool.Config, version); err != nil {
		return nil, err
	}
	if existing, err := s.Store.GetDomain(ctx, domain); err == nil {
		if existing.PoolID != poolID {
			return nil, errs.Param("Domain already associated with another user pool.")
		}
		return nil, errs.Param("Domain already exists.")
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	held, err := s.Store.ListPoolDomains(ctx, poolID)
	if err != nil {
		return nil, err
	}
	for _, h := range held {
		if h.Custom == custom {
			return nil, errs.Param("User pool already has a domain configured.")
		}
	}
	now := s.now()
	d := &Domain{Domain: domain, PoolID: poolID, Custom: custom, Created: now,
		Config: DomainConfig{CustomDomainConfig: in.CustomDomainConfig, ManagedLoginVersion: version, Version: domainVersion(now)}}
	err = s.Store.CreateDomain(ctx, &store.Domain{Domain: domain, PoolID: poolID, Custom: custom,
		Config: encodeDomainConfig(&d.Config), Created: now})
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, errs.Param("Domain already associated with another user pool.")
	case errors.Is(err, store.ErrNotFound):
		return nil, PoolNotFound(poolID)
	case err != nil:
		return nil, err
	}
	return d, nil
}

// GetDomain finds a domain by name (the prefix alone, or the custom domain);
// nil when there is none, which DescribeUserPoolDomain reports as an empty
// description rather than an error.
func (s *Service) GetDomain(ctx context.Context, domain string) (*Domain, error) {
	if domain == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
	}
	sd, err := s.Store.GetDomain(ctx, domain)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeDomain(sd)
}

// Domains lists a pool's domains (at most one prefix and one custom domain).
func (s *Service) Domains(ctx context.Context, poolID string) ([]*Domain, error) {
	sds, err := s.Store.ListPoolDomains(ctx, poolID)
	if err != nil {
		return nil, err
	}
	out := make([]*Domain, 0, len(sds))
	for _, sd := range sds {
		d, err := decodeDomain(sd)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// UpdateDomain applies UpdateUserPoolDomain: a new certificate for a custom
// domain and/or a new managed login version. The name never changes.
func (s *Service) UpdateDomain(ctx context.Context, poolID, domain string, in DomainInput) (*Domain, error) {
	if err := ValidatePoolID(poolID); err != nil {
		return nil, err
	}
	if domain == "" {
		return nil, errs.Param("1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
	}
	if err := validateDomainInput(&in); err != nil {
		return nil, err
	}
	pool, err := s.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if in.ManagedLoginVersion != nil {
		if err := checkLoginVersion(&pool.Config, *in.ManagedLoginVersion); err != nil {
			return nil, err
		}
	}
	var out *Domain
	_, err = s.Store.UpdateDomain(ctx, domain, func(sd *store.Domain) error {
		if sd.PoolID != poolID {
			return noSuchDomain()
		}
		d, err := decodeDomain(sd)
		if err != nil {
			return err
		}
		if in.CustomDomainConfig != nil {
			if !d.Custom {
				return errs.Param("CustomDomainConfig can only be set for a custom domain; %s is a prefix domain.", domain)
			}
			d.Config.CustomDomainConfig = in.CustomDomainConfig
		}
		if in.ManagedLoginVersion != nil {
			d.Config.ManagedLoginVersion = *in.ManagedLoginVersion
		}
		d.Config.Version = domainVersion(s.now())
		sd.Config = encodeDomainConfig(&d.Config)
		out = d
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchDomain()
	}
	return out, err
}

// DeleteDomain applies DeleteUserPoolDomain; the domain must belong to the
// pool named.
func (s *Service) DeleteDomain(ctx context.Context, poolID, domain string) error {
	if err := ValidatePoolID(poolID); err != nil {
		return err
	}
	if domain == "" {
		return errs.Param("1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
	}
	sd, err := s.Store.GetDomain(ctx, domain)
	if errors.Is(err, store.ErrNotFound) {
		return noSuchDomain()
	}
	if err != nil {
		return err
	}
	if sd.PoolID != poolID {
		return noSuchDomain()
	}
	err = s.Store.DeleteDomain(ctx, domain)
	if errors.Is(err, store.ErrNotFound) {
		return noSuchDomain()
	}
	return err
}

// PoolForHost maps the Host of a hosted-UI or OAuth request (a port is
// ignored) to its pool: {prefix}.auth.localhost and
// {prefix}.auth.{region}.amazoncognito.com name a prefix domain, any other
// host must be a custom domain exactly. ResourceNotFoundException when no
// domain matches.
func (s *Service) PoolForHost(ctx context.Context, host string) (*Pool, error) {
	d, err := s.DomainForHost(ctx, host)
	if err != nil {
		return nil, err
	}
	return s.GetPool(ctx, d.PoolID)
}

// DomainForHost is PoolForHost's lookup, returning the domain itself.
func (s *Service) DomainForHost(ctx context.Context, host string) (*Domain, error) {
	name := strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.TrimSuffix(name, ".")
	notFound := errs.NotFound("No user pool domain matches host %s.", host)
	if name == "" {
		return nil, notFound
	}
	custom := true
	for _, suffix := range []string{".auth.localhost", ".auth." + strings.ToLower(s.Region) + ".amazoncognito.com"} {
		if prefix, ok := strings.CutSuffix(name, suffix); ok {
			if prefix == "" || strings.Contains(prefix, ".") {
				return nil, notFound
			}
			name, custom = prefix, false
			break
		}
	}
	sd, err := s.Store.GetDomain(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if sd.Custom != custom {
		return nil, notFound
	}
	return decodeDomain(sd)
}
