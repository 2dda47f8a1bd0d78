package server_test

// OAuth 2.0 token endpoint benchmarks against the real server (SQLite, and
// PostgreSQL when COGITO_TEST_POSTGRES is set), beside the limit the same
// work cannot beat:
//
//   - BenchmarkClientCredentials: POST /oauth2/token with
//     grant_type=client_credentials (client_secret_basic, one
//     resource-server scope): one RS256 signature per token.
//   - BenchmarkRS256Sign: one go-jose RS256 signature with a 2048-bit key
//     of a claim set shaped like a client-credentials access token.
//   - BenchmarkCodeExchange: POST /oauth2/token with
//     grant_type=authorization_code and a PKCE verifier: the code is taken
//     from the store, a refresh token stored, an access and an ID token
//     signed (two RS256 signatures). The codes are minted before the timer
//     starts, by authorization requests of a signed-in browser.
//
// Compare at the same -cpu: ClientCredentials' ns/op against RS256Sign's is
// the share of the per-core signing limit the endpoint reaches. Example:
//
//	go test ./internal/server/ -run '^$' -bench 'ClientCredentials|RS256Sign|CodeExchange' -cpu 1,2 -benchtime 2s

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// oauthBench is one server with a pool, a resource server, a
// client-credentials client, a code-flow client and a signed-in browser.
type oauthBench struct {
	store          string
	env            *cogitotest.Env
	pool, issuer   string
	m2m, m2mSecret string
	web, webSecret string
	browser        *oaBrowser
	http           *http.Client
	pkce           string
}

func oauthBenches(b *testing.B) []*oauthBench {
	out := []*oauthBench{newOAuthBench(b, "sqlite", server.Options{})}
	if os.Getenv(pgtest.EnvURL) != "" {
		out = append(out, newOAuthBench(b, "postgres", server.Options{DB: pgtest.New(b)}))
	}
	return out
}

func newOAuthBench(b *testing.B, name string, opts server.Options) *oauthBench {
	env := cogitotest.Start(b, opts)
	ctx := context.Background()
	c := env.Client
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench-oauth")})
	if err != nil {
		b.Fatal(err)
	}
	s := &oauthBench{store: name, env: env, pool: aws.ToString(p.UserPool.Id), pkce: oauth2.GenerateVerifier()}
	s.issuer = env.URL + "/" + s.pool
	if _, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(s.pool),
		Identifier: aws.String(oaAPI), Name: aws.String("orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}}); err != nil {
		b.Fatal(err)
	}
	m2m, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.pool), ClientName: aws.String("m2m"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{oaAPI + "/read"}})
	if err != nil {
		b.Fatal(err)
	}
	s.m2m, s.m2mSecret = aws.ToString(m2m.UserPoolClient.ClientId), aws.ToString(m2m.UserPoolClient.ClientSecret)
	web, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.pool), ClientName: aws.String("web"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{oaCallbackURL}, SupportedIdentityProviders: []string{"COGNITO"}})
	if err != nil {
		b.Fatal(err)
	}
	s.web, s.webSecret = aws.ToString(web.UserPoolClient.ClientId), aws.ToString(web.UserPoolClient.ClientSecret)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.pool), Username: aws.String("bench"),
		MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword),
		UserAttributes: []types.AttributeType{attr("email", "bench@example.com"), attr("email_verified", "true")}}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(s.pool), Username: aws.String("bench"),
		Password: aws.String(goodPassword), Permanent: true}); err != nil {
		b.Fatal(err)
	}
	s.http = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	// Sign the browser in once: every later authorization request of it is
	// answered with a code at once.
	s.browser = newOABrowser(b, nil)
	loc := oaSignIn(b, s.browser, s.authURL(), "bench", goodPassword, oaCallbackURL)
	if loc.Query().Get("code") == "" {
		b.Fatalf("no code in %s", loc)
	}
	return s
}

func (s *oauthBench) authURL() string {
	return s.issuer + "/oauth2/authorize?" + url.Values{"client_id": {s.web}, "response_type": {"code"},
		"redirect_uri": {oaCallbackURL}, "scope": {"openid email"}, "state": {"bench"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(s.pkce)}, "code_challenge_method": {"S256"}}.Encode()
}

// postToken posts a form to the token endpoint with HTTP Basic and checks
// that an access token came back.
func (s *oauthBench) postToken(form url.Values, id, secret string) error {
	req, err := http.NewRequest(http.MethodPost, s.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"access_token"`) {
		return fmt.Errorf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return nil
}

// mintCodes returns n fresh authorization codes (several requests in flight).
func (s *oauthBench) mintCodes(b *testing.B, n int) []string {
	codes := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 8 {
		wg.Go(func() {
			c := &http.Client{Jar: s.browser.jar, Transport: s.http.Transport,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				resp, err := c.Get(s.authURL())
				if err != nil {
					failed.Store(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				loc, err := url.Parse(resp.Header.Get("Location"))
				if err != nil || loc.Query().Get("code") == "" {
					failed.Store(fmt.Errorf("authorize: %s, Location %q", resp.Status, resp.Header.Get("Location")))
					return
				}
				codes[i] = loc.Query().Get("code")
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	return codes
}

func BenchmarkClientCredentials(b *testing.B) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {oaAPI + "/read"}}
	for _, s := range oauthBenches(b) {
		b.Run(s.store, func(b *testing.B) {
			serialAndParallel(b, func(int) error { return s.postToken(form, s.m2m, s.m2mSecret) })
		})
	}
}

// BenchmarkRS256Sign is one RS256 signature (2048-bit key, go-jose) of a
// client-credentials access token's claims: the token endpoint's limit.
func BenchmarkRS256Sign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithHeader("kid", "bench-kid").WithType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	claims := map[string]any{"sub": "abcdefghijklmnopqrstuvwxyz", "client_id": "abcdefghijklmnopqrstuvwxyz",
		"iss": "http://127.0.0.1:9229/us-east-1_benchLim1", "token_use": "access", "scope": oaAPI + "/read",
		"auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": uuid.NewString(), "version": 2}
	sign := func(int) error {
		payload, err := json.Marshal(claims)
		if err != nil {
			return err
		}
		jws, err := signer.Sign(payload)
		if err != nil {
			return err
		}
		_, err = jws.CompactSerialize()
		return err
	}
	serialAndParallel(b, sign)
}

func BenchmarkCodeExchange(b *testing.B) {
	for _, s := range oauthBenches(b) {
		exchange := func(code string) error {
			return s.postToken(url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"redirect_uri": {oaCallbackURL}, "code_verifier": {s.pkce}}, s.web, s.webSecret)
		}
		b.Run(s.store, func(b *testing.B) {
			b.Run("serial", func(b *testing.B) {
				codes := s.mintCodes(b, b.N)
				b.ResetTimer()
				for i := range b.N {
					if err := exchange(codes[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			b.Run("parallel", func(b *testing.B) {
				codes := s.mintCodes(b, b.N)
				var next atomic.Int64
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := exchange(codes[int(next.Add(1))-1]); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		})
	}
}
