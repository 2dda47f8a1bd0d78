package server_test

// Hosted-UI domains, resource servers (custom OAuth scopes) and hosted UI
// (classic) customization through the AWS SDK for Go v2, on both stores.

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/userpool"
)

var (
	cloudFrontRE    = regexp.MustCompile(`^d[0-9a-z]{13}\.cloudfront\.net$`)
	domainVersionRE = regexp.MustCompile(`^20[0-9]{12}$`)
	testCertArn     = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)

// uniqPrefix is a prefix domain unique within the test binary (lowercase,
// digits and hyphens only).
func uniqPrefix(base string) string { return fmt.Sprintf("%s-%d", base, nameSeq.Add(1)) }

func createDomain(t *testing.T, c *cip.Client, pool, domain string, cert string) *cip.CreateUserPoolDomainOutput {
	t.Helper()
	in := &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(domain)}
	if cert != "" {
		in.CustomDomainConfig = &types.CustomDomainConfigType{CertificateArn: aws.String(cert)}
	}
	out, err := c.CreateUserPoolDomain(t.Context(), in)
	must(t, err, "CreateUserPoolDomain "+domain)
	return out
}

func describeDomain(t *testing.T, c *cip.Client, domain string) *types.DomainDescriptionType {
	t.Helper()
	out, err := c.DescribeUserPoolDomain(t.Context(), &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
	must(t, err, "DescribeUserPoolDomain "+domain)
	if out.DomainDescription == nil {
		t.Fatalf("DescribeUserPoolDomain %s: no DomainDescription", domain)
	}
	return out.DomainDescription
}

func TestUserPoolDomains(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		t.Run("PrefixAndCustomDomain", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			prefix := uniqPrefix("myapp")
			custom := uniqPrefix("login") + ".example.com"

			out := createDomain(t, c, pool, prefix, "")
			if out.CloudFrontDomain != nil {
				t.Errorf("prefix domain: CloudFrontDomain %q, want none", aws.ToString(out.CloudFrontDomain))
			}
			if aws.ToInt32(out.ManagedLoginVersion) != 1 {
				t.Errorf("prefix domain: ManagedLoginVersion %d, want 1 by default", aws.ToInt32(out.ManagedLoginVersion))
			}
			d := describeDomain(t, c, prefix)
			if aws.ToString(d.UserPoolId) != pool || aws.ToString(d.Domain) != prefix || d.Status != types.DomainStatusTypeActive ||
				aws.ToString(d.S3Bucket) != "aws-cognito-prod-iad-assets" || !cloudFrontRE.MatchString(aws.ToString(d.CloudFrontDistribution)) ||
				!domainVersionRE.MatchString(aws.ToString(d.Version)) || aws.ToString(d.AWSAccountId) == "" ||
				aws.ToInt32(d.ManagedLoginVersion) != 1 || d.CustomDomainConfig != nil {
				t.Errorf("describe prefix domain: %s", jsonOf(d))
			}
			if p := describePool(t, c, pool); aws.ToString(p.Domain) != prefix || p.CustomDomain != nil {
				t.Errorf("DescribeUserPool Domain %q CustomDomain %q, want %q and none", aws.ToString(p.Domain), aws.ToString(p.CustomDomain), prefix)
			}

			cout, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(custom),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}, ManagedLoginVersion: aws.Int32(2)})
			must(t, err, "CreateUserPoolDomain custom")
			if !cloudFrontRE.MatchString(aws.ToString(cout.CloudFrontDomain)) || aws.ToInt32(cout.ManagedLoginVersion) != 2 {
				t.Errorf("custom domain: CloudFrontDomain %q ManagedLoginVersion %d", aws.ToString(cout.CloudFrontDomain), aws.ToInt32(cout.ManagedLoginVersion))
			}
			cd := describeDomain(t, c, custom)
			if aws.ToString(cd.UserPoolId) != pool || aws.ToString(cd.Domain) != custom || cd.CustomDomainConfig == nil ||
				aws.ToString(cd.CustomDomainConfig.CertificateArn) != testCertArn || aws.ToInt32(cd.ManagedLoginVersion) != 2 ||
				aws.ToString(cd.CloudFrontDistribution) != aws.ToString(cout.CloudFrontDomain) {
				t.Errorf("describe custom domain: %s", jsonOf(cd))
			}
			if p := describePool(t, c, pool); aws.ToString(p.Domain) != prefix || aws.ToString(p.CustomDomain) != custom {
				t.Errorf("DescribeUserPool Domain %q CustomDomain %q, want %q and %q", aws.ToString(p.Domain), aws.ToString(p.CustomDomain), prefix, custom)
			}

			// One prefix and one custom domain per pool.
			_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(uniqPrefix("second"))})
			wantErr[*types.InvalidParameterException](t, err, "second prefix domain")
			_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(uniqPrefix("other") + ".example.com"),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}})
			wantErr[*types.InvalidParameterException](t, err, "second custom domain")
			// A domain belongs to one pool.
			other := newPool(t, c, nil)
			_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String(prefix)})
			wantMsg[*types.InvalidParameterException](t, err, "Domain already associated with another user pool.", "prefix taken by another pool")
			_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String(custom),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}})
			wantMsg[*types.InvalidParameterException](t, err, "Domain already associated with another user pool.", "custom domain taken by another pool")

			// Update: managed login version and certificate; never the name.
			up, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(prefix), ManagedLoginVersion: aws.Int32(2)})
			must(t, err, "UpdateUserPoolDomain prefix")
			if up.CloudFrontDomain != nil || aws.ToInt32(up.ManagedLoginVersion) != 2 {
				t.Errorf("update prefix: %s", jsonOf(up))
			}
			if d := describeDomain(t, c, prefix); aws.ToInt32(d.ManagedLoginVersion) != 2 {
				t.Errorf("after update ManagedLoginVersion %d, want 2", aws.ToInt32(d.ManagedLoginVersion))
			}
			newCert := strings.Replace(testCertArn, "11111111", "99999999", 1)
			up, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(custom),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(newCert)}})
			must(t, err, "UpdateUserPoolDomain custom")
			if aws.ToString(up.CloudFrontDomain) != aws.ToString(cout.CloudFrontDomain) || aws.ToInt32(up.ManagedLoginVersion) != 2 {
				t.Errorf("update custom: %s", jsonOf(up))
			}
			if d := describeDomain(t, c, custom); d.CustomDomainConfig == nil || aws.ToString(d.CustomDomainConfig.CertificateArn) != newCert {
				t.Errorf("after certificate update: %s", jsonOf(d))
			}
			_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(prefix),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}})
			wantErr[*types.InvalidParameterException](t, err, "certificate for a prefix domain")
			_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String(prefix), ManagedLoginVersion: aws.Int32(1)})
			wantMsg[*types.InvalidParameterException](t, err, "No such domain or user pool exists.", "update through the wrong pool")

			// Requests reach the pool through the domain's host names.
			pools := env.Srv.Pools()
			for _, host := range []string{prefix + ".auth.localhost", prefix + ".auth.localhost:8080", strings.ToUpper(prefix) + ".AUTH.LOCALHOST",
				prefix + ".auth.us-east-1.amazoncognito.com", prefix + ".auth.us-east-1.amazoncognito.com:443", custom, custom + ":8443"} {
				p, err := pools.PoolForHost(ctx, host)
				if err != nil || p.ID != pool {
					t.Errorf("PoolForHost(%q): %v, %v; want pool %s", host, p, err, pool)
				}
			}
			for _, host := range []string{"nosuch-prefix.auth.localhost", prefix + ".auth.eu-west-1.amazoncognito.com", prefix,
				"x." + prefix + ".auth.localhost", "nosuch.example.com", "", custom + ".auth.localhost"} {
				if p, err := pools.PoolForHost(ctx, host); !errs.Is(err, errs.ResourceNotFound) {
					t.Errorf("PoolForHost(%q): %v, %v; want ResourceNotFoundException", host, p, err)
				}
			}

			// A pool with a domain cannot be deleted.
			_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)})
			wantMsg[*types.InvalidParameterException](t, err, "User pool cannot be deleted. It has a domain configured that should be deleted first.", "delete pool with domains")

			// Delete: only through the pool that holds the domain.
			_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String(prefix)})
			wantMsg[*types.InvalidParameterException](t, err, "No such domain or user pool exists.", "delete through the wrong pool")
			_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(uniqPrefix("nosuch"))})
			wantMsg[*types.InvalidParameterException](t, err, "No such domain or user pool exists.", "delete unknown domain")
			_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(prefix)})
			must(t, err, "DeleteUserPoolDomain prefix")
			if d := describeDomain(t, c, prefix); d.Status != "" || d.UserPoolId != nil || d.Domain != nil {
				t.Errorf("describe deleted domain: %s, want an empty description", jsonOf(d))
			}
			if p := describePool(t, c, pool); p.Domain != nil || aws.ToString(p.CustomDomain) != custom {
				t.Errorf("after deleting the prefix: Domain %q CustomDomain %q", aws.ToString(p.Domain), aws.ToString(p.CustomDomain))
			}
			if _, err := pools.PoolForHost(ctx, prefix+".auth.localhost"); !errs.Is(err, errs.ResourceNotFound) {
				t.Errorf("PoolForHost after delete: %v", err)
			}
			// The freed prefix can be taken by another pool.
			createDomain(t, c, other, prefix, "")
			_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(custom)})
			must(t, err, "DeleteUserPoolDomain custom")
			_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)})
			must(t, err, "DeleteUserPool once its domains are gone")
		})

		t.Run("DescribeUnknownIsEmpty", func(t *testing.T) {
			t.Parallel()
			out, err := c.DescribeUserPoolDomain(t.Context(), &cip.DescribeUserPoolDomainInput{Domain: aws.String(uniqPrefix("never-created"))})
			must(t, err, "DescribeUserPoolDomain unknown")
			if out.DomainDescription == nil {
				t.Fatal("no DomainDescription")
			}
			if d := out.DomainDescription; d.Status != "" || d.Domain != nil || d.UserPoolId != nil || d.CloudFrontDistribution != nil {
				t.Errorf("unknown domain: %s, want {}", jsonOf(d))
			}
			r := rawCall(t, env.URL, targetPrefix+"DescribeUserPoolDomain", []byte(`{"Domain":"never-there-either"}`))
			if r.Status != 200 || strings.TrimSpace(string(r.Body)) != `{"DomainDescription":{}}` {
				t.Errorf("raw DescribeUserPoolDomain unknown: %d %s", r.Status, r.Body)
			}
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			create := func(domain string, cfg *types.CustomDomainConfigType, version *int32) error {
				_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(domain),
					CustomDomainConfig: cfg, ManagedLoginVersion: version})
				return err
			}
			for word, domain := range map[string]string{"aws": "my-aws-app", "amazon": "amazonish", "cognito": "newcognito"} {
				wantMsg[*types.InvalidParameterException](t, create(domain, nil, nil), "Domain cannot contain reserved word: "+word, domain)
			}
			invalid := "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
			for _, domain := range []string{"My-App", "my_app", "-myapp", "myapp-", "auth.example.com"} {
				wantMsg[*types.InvalidParameterException](t, create(domain, nil, nil), invalid, domain)
			}
			wantErr[*types.InvalidParameterException](t, create(strings.Repeat("a", 64), nil, nil), "64-character prefix")
			wantErr[*types.InvalidParameterException](t, create("auth.Example.com", &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}, nil), "uppercase custom domain")
			wantErr[*types.InvalidParameterException](t, create("localhost", &types.CustomDomainConfigType{CertificateArn: aws.String(testCertArn)}, nil), "custom domain without a dot")
			wantErr[*types.InvalidParameterException](t, create("auth.example.com", &types.CustomDomainConfigType{CertificateArn: aws.String("not-an-arn")}, nil), "bad certificate ARN")
			// Without a certificate ARN the SDK refuses the request itself; the server does too.
			r := rawCall(t, env.URL, targetPrefix+"CreateUserPoolDomain", []byte(fmt.Sprintf(`{"UserPoolId":%q,"Domain":"auth.example.org","CustomDomainConfig":{}}`, pool)))
			wantRawError(t, r, 400, "InvalidParameterException", "custom domain without CertificateArn")
			wantErr[*types.InvalidParameterException](t, create(uniqPrefix("v"), nil, aws.Int32(3)), "ManagedLoginVersion 3")
			_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), Domain: aws.String(uniqPrefix("orphan"))})
			wantErr[*types.ResourceNotFoundException](t, err, "unknown pool")

			lite := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeLite})
			_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(lite), Domain: aws.String(uniqPrefix("lite")), ManagedLoginVersion: aws.Int32(2)})
			wantErr[*types.FeatureUnavailableInTierException](t, err, "managed login on the Lite plan")
			createDomain(t, c, lite, uniqPrefix("lite"), "")
		})
	})
}

func TestResourceServers(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client

		scopes := func(names ...string) []types.ResourceServerScopeType {
			out := make([]types.ResourceServerScopeType, 0, len(names))
			for _, n := range names {
				out = append(out, types.ResourceServerScopeType{ScopeName: aws.String(n), ScopeDescription: aws.String("the " + n + " scope")})
			}
			return out
		}
		scopeNames := func(list []types.ResourceServerScopeType) []string {
			var out []string
			for _, s := range list {
				out = append(out, aws.ToString(s.ScopeName))
			}
			return out
		}

		t.Run("CRUD", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			out, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool),
				Identifier: aws.String("https://api.example.com/v1"), Name: aws.String("Example API"), Scopes: scopes("read", "write")})
			must(t, err, "CreateResourceServer")
			rs := out.ResourceServer
			if aws.ToString(rs.UserPoolId) != pool || aws.ToString(rs.Identifier) != "https://api.example.com/v1" || aws.ToString(rs.Name) != "Example API" ||
				!slices.Equal(scopeNames(rs.Scopes), []string{"read", "write"}) || aws.ToString(rs.Scopes[0].ScopeDescription) != "the read scope" {
				t.Errorf("created: %s", jsonOf(rs))
			}
			d, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v1")})
			must(t, err, "DescribeResourceServer")
			if jsonOf(d.ResourceServer) != jsonOf(rs) {
				t.Errorf("describe %s, want %s", jsonOf(d.ResourceServer), jsonOf(rs))
			}
			_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool),
				Identifier: aws.String("https://api.example.com/v1"), Name: aws.String("Again")})
			wantErr[*types.InvalidParameterException](t, err, "duplicate identifier")

			// Update replaces the name and the scopes.
			up, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool),
				Identifier: aws.String("https://api.example.com/v1"), Name: aws.String("Renamed API"), Scopes: scopes("admin")})
			must(t, err, "UpdateResourceServer")
			if aws.ToString(up.ResourceServer.Name) != "Renamed API" || !slices.Equal(scopeNames(up.ResourceServer.Scopes), []string{"admin"}) {
				t.Errorf("updated: %s", jsonOf(up.ResourceServer))
			}
			up, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool),
				Identifier: aws.String("https://api.example.com/v1"), Name: aws.String("No Scopes")})
			must(t, err, "UpdateResourceServer without scopes")
			if up.ResourceServer.Scopes == nil || len(up.ResourceServer.Scopes) != 0 {
				t.Errorf("update without scopes: %s, want Scopes []", jsonOf(up.ResourceServer))
			}
			_, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool),
				Identifier: aws.String("nosuch"), Name: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "update unknown")

			// UpdateUserPool leaves resource servers alone, and they are not part of UserPoolType.
			_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOff})
			must(t, err, "UpdateUserPool")
			_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v1")})
			must(t, err, "DescribeResourceServer after UpdateUserPool")
			r := rawCall(t, env.URL, targetPrefix+"DescribeUserPool", []byte(fmt.Sprintf(`{"UserPoolId":%q}`, pool)))
			if bytes.Contains(r.Body, []byte("ResourceServers")) || bytes.Contains(r.Body, []byte("UICustomizations")) {
				t.Errorf("DescribeUserPool shows resource servers: %s", r.Body)
			}

			_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v1")})
			must(t, err, "DeleteResourceServer")
			_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v1")})
			wantErr[*types.ResourceNotFoundException](t, err, "describe deleted")
			_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v1")})
			wantErr[*types.ResourceNotFoundException](t, err, "delete twice")
			_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), Identifier: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "describe in unknown pool")
			_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), Identifier: aws.String("x"), Name: aws.String("x")})
			wantErr[*types.ResourceNotFoundException](t, err, "create in unknown pool")
		})

		t.Run("ListPages", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			for _, id := range []string{"gamma", "alpha", "beta"} {
				_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String(id)})
				must(t, err, "CreateResourceServer "+id)
			}
			var got []string
			var token *string
			for pages := 0; ; pages++ {
				out, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(2), NextToken: token})
				must(t, err, "ListResourceServers")
				for _, rs := range out.ResourceServers {
					got = append(got, aws.ToString(rs.Identifier))
					if aws.ToString(rs.UserPoolId) != pool {
						t.Errorf("listed server pool %q", aws.ToString(rs.UserPoolId))
					}
				}
				if out.NextToken == nil {
					break
				}
				if pages > 3 {
					t.Fatal("pagination does not end")
				}
				token = out.NextToken
			}
			if !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
				t.Errorf("listed %v", got)
			}
			all, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool)})
			must(t, err, "ListResourceServers without MaxResults")
			if len(all.ResourceServers) != 3 || all.NextToken != nil {
				t.Errorf("without MaxResults: %d servers, token %v", len(all.ResourceServers), all.NextToken)
			}
			for _, n := range []int32{0, 51} {
				_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(n)})
				wantErr[*types.InvalidParameterException](t, err, fmt.Sprintf("MaxResults %d", n))
			}
			_, err = c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(2), NextToken: aws.String("!!not-a-token")})
			wantErr[*types.InvalidParameterException](t, err, "bad NextToken")
			_, err = c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String("us-east-1_nosuchpoo"), MaxResults: aws.Int32(2)})
			wantErr[*types.ResourceNotFoundException](t, err, "list in unknown pool")
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			create := func(id, name string, sc []types.ResourceServerScopeType) error {
				_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool),
					Identifier: aws.String(id), Name: aws.String(name), Scopes: sc})
				return err
			}
			wantErr[*types.InvalidParameterException](t, create("has space", "n", nil), "identifier with a space")
			wantErr[*types.InvalidParameterException](t, create(`quote"d`, "n", nil), "identifier with a double quote")
			wantErr[*types.InvalidParameterException](t, create(strings.Repeat("i", 257), "n", nil), "257-character identifier")
			wantErr[*types.InvalidParameterException](t, create("ok", "bad/name", nil), "name with a slash")
			wantErr[*types.InvalidParameterException](t, create("ok", strings.Repeat("n", 257), nil), "257-character name")
			wantErr[*types.InvalidParameterException](t, create("ok", "n", scopes("read/all")), "scope name with a slash")
			wantErr[*types.InvalidParameterException](t, create("ok", "n", scopes(`back\slash`)), "scope name with a backslash")
			wantErr[*types.InvalidParameterException](t, create("ok", "n", []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("")}}), "empty scope description")
			many := make([]string, 101)
			for i := range many {
				many[i] = fmt.Sprintf("s%d", i)
			}
			wantErr[*types.InvalidParameterException](t, create("ok", "n", scopes(many...)), "101 scopes")
			must(t, create("ok", "n", scopes(many[:100]...)), "100 scopes")
			must(t, create("chars!#$%&'()*+,-.:;<=>?@[]^_`{|}~", "n", scopes("a!#$%&'()*+,-.:;<=>?@[]^_`{|}~")), "every allowed character")
			for i := 0; i < userpool.MaxResourceServers-2; i++ {
				must(t, create(fmt.Sprintf("rs%d", i), "n", nil), "resource server "+fmt.Sprint(i))
			}
			wantErr[*types.LimitExceededException](t, create("one-too-many", "n", nil), "26th resource server")
		})

		t.Run("ClientScopes", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			pool := newPool(t, c, nil)
			client := func(scopes ...string) (*types.UserPoolClientType, error) {
				out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web"),
					AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
					CallbackURLs: []string{"https://app.example.com/cb"}, AllowedOAuthScopes: scopes})
				if err != nil {
					return nil, err
				}
				return out.UserPoolClient, nil
			}
			_, err := client("openid", "orders/read")
			wantMsg[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: orders/read", "scope before its resource server")
			_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("orders"),
				Name: aws.String("Orders"), Scopes: scopes("read", "write")})
			must(t, err, "CreateResourceServer orders")
			_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com/v2"),
				Name: aws.String("API"), Scopes: scopes("admin")})
			must(t, err, "CreateResourceServer URL identifier")
			cl, err := client("openid", "orders/read", "orders/write", "https://api.example.com/v2/admin")
			must(t, err, "client with defined scopes")
			_, err = client("openid", "orders/delete")
			wantErr[*types.ScopeDoesNotExistException](t, err, "undefined scope of a defined server")
			_, err = client("openid", "https://api.example.com/admin")
			wantErr[*types.ScopeDoesNotExistException](t, err, "scope of an undefined identifier")

			describe := func() []string {
				out, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.ClientId})
				must(t, err, "DescribeUserPoolClient")
				return out.UserPoolClient.AllowedOAuthScopes
			}
			// Scopes that stop existing leave the clients that allowed them.
			_, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("orders"),
				Name: aws.String("Orders"), Scopes: scopes("read")})
			must(t, err, "UpdateResourceServer drops write")
			if got := describe(); !slices.Equal(got, []string{"openid", "orders/read", "https://api.example.com/v2/admin"}) {
				t.Errorf("after dropping orders/write: %v", got)
			}
			_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("orders")})
			must(t, err, "DeleteResourceServer orders")
			if got := describe(); !slices.Equal(got, []string{"openid", "https://api.example.com/v2/admin"}) {
				t.Errorf("after deleting orders: %v", got)
			}
			// The client can be updated with its remaining settings.
			_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.ClientId,
				AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
				CallbackURLs: []string{"https://app.example.com/cb"}, AllowedOAuthScopes: describe()})
			must(t, err, "UpdateUserPoolClient with the remaining scopes")
		})

		// CreateUserPool and UpdateUserPool cannot smuggle resource servers in.
		t.Run("NotSettableThroughPoolInput", func(t *testing.T) {
			t.Parallel()
			r := rawCall(t, env.URL, targetPrefix+"CreateUserPool", []byte(`{"PoolName":"smuggle","ResourceServers":[{"Identifier":"x","Name":"x","Scopes":[{"ScopeName":"a","ScopeDescription":"a"}]}]}`))
			if r.Status != 200 {
				t.Fatalf("CreateUserPool: %d %s", r.Status, r.Body)
			}
			pool, _ := r.JSON["UserPool"].(map[string]any)["Id"].(string)
			out, err := c.ListResourceServers(t.Context(), &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(10)})
			must(t, err, "ListResourceServers")
			if len(out.ResourceServers) != 0 {
				t.Errorf("CreateUserPool set resource servers: %s", jsonOf(out.ResourceServers))
			}
		})
	})
}

func TestClientTokenAuthFlow(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		ctx := t.Context()
		pool := newPool(t, c, nil)
		const clientToken = types.ExplicitAuthFlowsType("ALLOW_CLIENT_TOKEN_AUTH")
		create := func(secret bool, flows ...types.ExplicitAuthFlowsType) (*types.UserPoolClientType, error) {
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("m2m"),
				GenerateSecret: secret, ExplicitAuthFlows: flows})
			if err != nil {
				return nil, err
			}
			return out.UserPoolClient, nil
		}
		_, err := create(false, clientToken)
		wantErr[*types.InvalidParameterException](t, err, "ALLOW_CLIENT_TOKEN_AUTH without a secret")
		_, err = create(true, clientToken, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
		wantErr[*types.InvalidParameterException](t, err, "ALLOW_CLIENT_TOKEN_AUTH with another flow")
		cl, err := create(true, clientToken)
		must(t, err, "ALLOW_CLIENT_TOKEN_AUTH alone with a secret")
		if !slices.Equal(cl.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{clientToken}) {
			t.Errorf("ExplicitAuthFlows %v", cl.ExplicitAuthFlows)
		}
		// A public client cannot switch to it on update either.
		pub, err := create(false)
		must(t, err, "public client")
		_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: pub.ClientId,
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{clientToken}})
		wantErr[*types.InvalidParameterException](t, err, "update public client to ALLOW_CLIENT_TOKEN_AUTH")
	})
}

// A 1x1 PNG and a JPEG header are enough for the format check.
var (
	tinyPNG  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	tinyJPEG = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
)

func TestUICustomization(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		ctx := t.Context()
		pool := newPool(t, c, nil)
		newClient := func(name string) string {
			out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String(name)})
			must(t, err, "CreateUserPoolClient")
			return aws.ToString(out.UserPoolClient.ClientId)
		}
		c1, c2 := newClient("one"), newClient("two")
		get := func(clientID string) *types.UICustomizationType {
			t.Helper()
			in := &cip.GetUICustomizationInput{UserPoolId: aws.String(pool)}
			if clientID != "" {
				in.ClientId = aws.String(clientID)
			}
			out, err := c.GetUICustomization(ctx, in)
			must(t, err, "GetUICustomization "+clientID)
			return out.UICustomization
		}
		allCSS := ".submitButton-customizable { background-color: #123456; }\n.banner-customizable, .logo-customizable { padding: 0; }"

		_, err := c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), CSS: aws.String(allCSS)})
		wantMsg[*types.InvalidParameterException](t, err, "A domain must be associated with this user pool.", "SetUICustomization without a domain")
		createDomain(t, c, pool, uniqPrefix("branded"), "")

		if u := get(c1); aws.ToString(u.ClientId) != "ALL" || u.CSS != nil || u.ImageUrl != nil || aws.ToString(u.UserPoolId) != pool {
			t.Errorf("nothing set: %s, want an empty ALL customization", jsonOf(u))
		}

		set, err := c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), CSS: aws.String(allCSS), ImageFile: tinyPNG})
		must(t, err, "SetUICustomization ALL")
		all := set.UICustomization
		if aws.ToString(all.ClientId) != "ALL" || aws.ToString(all.CSS) != allCSS || !domainVersionRE.MatchString(aws.ToString(all.CSSVersion)) ||
			all.CreationDate == nil || all.LastModifiedDate == nil || aws.ToString(all.UserPoolId) != pool {
			t.Errorf("set ALL: %s", jsonOf(all))
		}
		// ImageUrl comes from the hosted UI's userpool.ImageURL hook (unset: none).
		if all.ImageUrl != nil && !strings.Contains(aws.ToString(all.ImageUrl), pool) {
			t.Errorf("ImageUrl %q does not name the pool", aws.ToString(all.ImageUrl))
		}
		// Clients without their own customization fall back to ALL.
		for _, id := range []string{"", "ALL", c1, c2} {
			if u := get(id); aws.ToString(u.ClientId) != "ALL" || aws.ToString(u.CSS) != allCSS {
				t.Errorf("get %q: %s, want the ALL customization", id, jsonOf(u))
			}
		}
		own := ".label-customizable { font-weight: 700; }"
		_, err = c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String(c1), CSS: aws.String(own), ImageFile: tinyJPEG})
		must(t, err, "SetUICustomization client")
		if u := get(c1); aws.ToString(u.ClientId) != c1 || aws.ToString(u.CSS) != own {
			t.Errorf("get own: %s", jsonOf(u))
		}
		if u := get(c2); aws.ToString(u.ClientId) != "ALL" {
			t.Errorf("other client: %s, want ALL", jsonOf(u))
		}
		// The hosted UI serves each client's logo.
		pools := env.Srv.Pools()
		for id, want := range map[string][]byte{c1: tinyJPEG, c2: tinyPNG} {
			typ, data, err := pools.UIImage(ctx, pool, id)
			if err != nil || !bytes.Equal(data, want) || (typ != "image/png" && typ != "image/jpeg") {
				t.Errorf("UIImage %s: %q %d bytes %v", id, typ, len(data), err)
			}
		}
		if u, err := pools.UICustomization(ctx, pool, c2); err != nil || u.ClientID != "ALL" || u.CSS != allCSS {
			t.Errorf("Service.UICustomization: %+v %v", u, err)
		}
		// A second Set keeps the creation date; CSS and logo are set together.
		again, err := c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), CSS: aws.String(allCSS)})
		must(t, err, "SetUICustomization ALL again")
		if !again.UICustomization.CreationDate.Equal(*all.CreationDate) || again.UICustomization.LastModifiedDate.Before(*all.LastModifiedDate) ||
			again.UICustomization.ImageUrl != nil {
			t.Errorf("set again: %s (first %s)", jsonOf(again.UICustomization), jsonOf(all))
		}
		if _, _, err := pools.UIImage(ctx, pool, c2); !errs.Is(err, errs.ResourceNotFound) {
			t.Errorf("UIImage after the logo was removed: %v", err)
		}

		for what, css := range map[string]string{
			"other class":     ".foo { color: red; }",
			"element":         "body { color: red; }",
			"descendant":      ".banner-customizable div { color: red; }",
			"@import":         "@import url(https://evil.example.com/x.css);",
			"@media":          "@media (max-width: 600px) { .label-customizable { color: red; } }",
			"javascript":      ".logo-customizable { background: url(javascript:alert(1)); }",
			"unbalanced":      ".label-customizable { color: red;",
			"stray text":      ".label-customizable { color: red; } junk",
			"unknown pseudo":  ".label-customizable:hover { color: red; }",
			"mixed selectors": ".label-customizable, .nope { color: red; }",
		} {
			_, err := c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), CSS: aws.String(css)})
			wantErr[*types.InvalidParameterException](t, err, "CSS "+what)
		}
		big := append(slices.Clone(tinyPNG), make([]byte, userpool.MaxLogoBytes)...)
		_, err = c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ImageFile: big})
		wantErr[*types.InvalidParameterException](t, err, "logo over 100 KB")
		_, err = c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ImageFile: []byte("GIF89a\x01\x00\x01\x00")})
		wantErr[*types.InvalidParameterException](t, err, "GIF logo")
		_, err = c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ImageFile: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")})
		wantErr[*types.InvalidParameterException](t, err, "SVG logo")
		_, err = c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
		wantErr[*types.ResourceNotFoundException](t, err, "set for an unknown client")
		_, err = c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
		wantErr[*types.ResourceNotFoundException](t, err, "get for an unknown client")
		_, err = c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String("us-east-1_nosuchpoo")})
		wantErr[*types.ResourceNotFoundException](t, err, "get in an unknown pool")
		// UpdateUserPool keeps the customizations.
		_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool)})
		must(t, err, "UpdateUserPool")
		if u := get(c1); aws.ToString(u.ClientId) != c1 {
			t.Errorf("after UpdateUserPool: %s", jsonOf(u))
		}
	})
}
