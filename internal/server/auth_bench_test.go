//go:build linux || darwin

package server_test

// Sign-in benchmarks against the real server through the AWS SDK (SQLite,
// and PostgreSQL when COGITO_TEST_POSTGRES is set), next to the physical
// limits the same work cannot beat: what the server must compute for one
// sign-in (argon2id or the SRP exponentiations, plus two RS256 signatures),
// with nothing else. Compare a sign-in's ns/op with its limit's at the same
// -cpu: the ratio limit/sign-in is the share of the per-core crypto limit
// the server reaches.
//
// "serial" sends one request at a time; "parallel" uses b.RunParallel
// (GOMAXPROCS goroutines). The SDK client runs in the same process as the
// server and shares its cores. In USER_SRP_AUTH/serial the client's own
// SRP arithmetic (A = g^a and the key, several times the server's work) is
// excluded from the timing; in USER_SRP_AUTH/parallel it cannot be, and
// BenchmarkLimit/SRPClient measures it so it can be subtracted.
//
// Besides ns/op (wall time), every benchmark reports cpu-ms/op: the
// process's CPU time (getrusage, user and system) per operation, which is
// what per-core throughput is made of and which other processes on the
// machine hardly disturb. It covers the server and the in-process SDK
// client (and SQLite), not a PostgreSQL server. (Unix only, hence the build
// constraint.) Example:
//
//	go test ./internal/server/ -run '^$' -bench 'SignIn|Refresh|GetUser|Limit' -cpu 1,2 -benchtime 2s

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/srp"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// signInBench is one server with a pool, an app client and users who all
// have the password goodPassword.
type signInBench struct {
	store        string
	env          *cogitotest.Env
	pool, client string
	users        []string
}

const benchSignInUsers = 8

// signInBenches starts a server on SQLite and, when configured, one on
// PostgreSQL, each with its pool and users.
func signInBenches(b *testing.B) []*signInBench {
	out := []*signInBench{newSignInBench(b, "sqlite", server.Options{})}
	if os.Getenv(pgtest.EnvURL) != "" {
		out = append(out, newSignInBench(b, "postgres", server.Options{DB: pgtest.New(b)}))
	}
	return out
}

func newSignInBench(b *testing.B, name string, opts server.Options) *signInBench {
	env := cogitotest.Start(b, opts)
	ctx := context.Background()
	c := env.Client
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench-signin")})
	if err != nil {
		b.Fatal(err)
	}
	pool := aws.ToString(p.UserPool.Id)
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool),
		ClientName: aws.String("bench"), ExplicitAuthFlows: allFlows})
	if err != nil {
		b.Fatal(err)
	}
	s := &signInBench{store: name, env: env, pool: pool, client: aws.ToString(cl.UserPoolClient.ClientId)}
	var wg sync.WaitGroup
	errs := make([]error, benchSignInUsers)
	for i := range benchSignInUsers {
		name := fmt.Sprintf("bench%d", i)
		s.users = append(s.users, name)
		wg.Go(func() {
			if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(name),
				MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword),
				UserAttributes: []types.AttributeType{attr("email", name+"@example.com"), attr("email_verified", "true")}}); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool),
				Username: aws.String(name), Password: aws.String(goodPassword), Permanent: true})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func (s *signInBench) passwordSignIn(ctx context.Context, i int) (*types.AuthenticationResultType, error) {
	out, err := s.env.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.client),
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": s.users[i%len(s.users)], "PASSWORD": goodPassword}})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("challenge %s instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// srpSignIn runs USER_SRP_AUTH; the client's arithmetic runs between
// pause and resume.
func (s *signInBench) srpSignIn(ctx context.Context, i int, pause, resume func()) error {
	pause()
	sc := newSRPClient(s.pool)
	resume()
	out, err := s.env.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": s.users[i%len(s.users)], "SRP_A": sc.AHex()}})
	if err != nil {
		return err
	}
	pause()
	proof, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
	resume()
	if err != nil {
		return err
	}
	r, err := s.env.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.client),
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: proof.Responses()})
	if err != nil {
		return err
	}
	if r.AuthenticationResult == nil {
		return fmt.Errorf("challenge %s instead of tokens", r.ChallengeName)
	}
	return nil
}

// tokens signs every user in once.
func (s *signInBench) tokens(b *testing.B) []*types.AuthenticationResultType {
	var out []*types.AuthenticationResultType
	for i := range s.users {
		res, err := s.passwordSignIn(context.Background(), i)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, res)
	}
	return out
}

// cpuMeter sums the process's CPU time over the timed parts of a
// benchmark.
type cpuMeter struct {
	since, total time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() *cpuMeter   { return &cpuMeter{since: processCPU()} }
func (m *cpuMeter) pause()  { m.total += processCPU() - m.since }
func (m *cpuMeter) resume() { m.since = processCPU() }
func (m *cpuMeter) stop(b *testing.B) {
	m.pause()
	b.ReportMetric(float64(m.total)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// serialAndParallel runs op(i) one call at a time and from b.RunParallel,
// reporting calls per second.
func serialAndParallel(b *testing.B, op func(i int) error) {
	b.Run("serial", func(b *testing.B) {
		b.ResetTimer()
		cpu := startCPU()
		for i := range b.N {
			if err := op(i); err != nil {
				b.Fatal(describeErr(err))
			}
		}
		cpu.stop(b)
	})
	b.Run("parallel", func(b *testing.B) {
		var n atomic.Int64
		b.ResetTimer()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(int(n.Add(1))); err != nil {
					b.Error(describeErr(err))
					return
				}
			}
		})
		cpu.stop(b)
	})
}

func BenchmarkSignIn(b *testing.B) {
	benches := signInBenches(b)
	ctx := context.Background()
	b.Run("USER_PASSWORD_AUTH", func(b *testing.B) {
		for _, s := range benches {
			b.Run(s.store, func(b *testing.B) {
				serialAndParallel(b, func(i int) error {
					_, err := s.passwordSignIn(ctx, i)
					return err
				})
			})
		}
	})
	b.Run("USER_SRP_AUTH", func(b *testing.B) {
		for _, s := range benches {
			b.Run(s.store, func(b *testing.B) {
				b.Run("serial", func(b *testing.B) {
					b.ResetTimer()
					cpu := startCPU()
					pause := func() { cpu.pause(); b.StopTimer() }
					resume := func() { b.StartTimer(); cpu.resume() }
					for i := range b.N {
						if err := s.srpSignIn(ctx, i, pause, resume); err != nil {
							b.Fatal(describeErr(err))
						}
					}
					cpu.stop(b)
				})
				b.Run("parallel", func(b *testing.B) {
					var n atomic.Int64
					nop := func() {}
					b.ResetTimer()
					cpu := startCPU()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := s.srpSignIn(ctx, int(n.Add(1)), nop, nop); err != nil {
								b.Error(describeErr(err))
								return
							}
						}
					})
					cpu.stop(b)
				})
			})
		}
	})
}

// BenchmarkRefresh: REFRESH_TOKEN_AUTH (new id and access tokens, no
// rotation).
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	for _, s := range signInBenches(b) {
		toks := s.tokens(b)
		b.Run(s.store, func(b *testing.B) {
			serialAndParallel(b, func(i int) error {
				out, err := s.env.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.client),
					AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
					AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(toks[i%len(toks)].RefreshToken)}})
				if err == nil && out.AuthenticationResult == nil {
					err = fmt.Errorf("no tokens")
				}
				return err
			})
		})
	}
}

// BenchmarkGetUser: GetUser with an access token (signature, revocation
// and user checks).
func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	for _, s := range signInBenches(b) {
		toks := s.tokens(b)
		b.Run(s.store, func(b *testing.B) {
			serialAndParallel(b, func(i int) error {
				_, err := s.env.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: toks[i%len(toks)].AccessToken})
				return err
			})
		})
	}
}

// BenchmarkLimit is the crypto a sign-in cannot avoid, run with nothing
// else: the bound the sign-in benchmarks are measured against.
func BenchmarkLimit(b *testing.B) {
	const poolID = "us-east-1_benchLim1"
	poolName := srp.PoolName(poolID)
	rec, err := password.New(poolName, "bench0", goodPassword)
	if err != nil {
		b.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithHeader("kid", "bench-kid"))
	if err != nil {
		b.Fatal(err)
	}
	// Claim sets shaped like the server's.
	now := time.Now()
	base := func() map[string]any {
		return map[string]any{"sub": uuid.NewString(), "iss": "http://127.0.0.1:9229/" + poolID, "origin_jti": uuid.NewString(),
			"event_id": uuid.NewString(), "auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": uuid.NewString()}
	}
	access := base()
	access["token_use"], access["client_id"], access["scope"], access["username"] = "access", "abcdefghijklmnopqrstuvwxyz", "aws.cognito.signin.user.admin", "bench0"
	id := base()
	id["token_use"], id["aud"], id["cognito:username"], id["email"], id["email_verified"] = "id", "abcdefghijklmnopqrstuvwxyz", "bench0", "bench0@example.com", true
	signTwo := func() {
		for _, claims := range []map[string]any{access, id} {
			payload, _ := json.Marshal(claims)
			jws, err := signer.Sign(payload)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := jws.CompactSerialize(); err != nil {
				b.Error(err)
			}
		}
	}
	parallel := func(b *testing.B, op func()) {
		b.ResetTimer()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op()
			}
		})
		cpu.stop(b)
	}

	// One argon2id verification and two RS256 signatures.
	b.Run("PasswordSignIn", func(b *testing.B) {
		parallel(b, func() {
			if !rec.Verify(goodPassword) {
				b.Error("password does not verify")
			}
			signTwo()
		})
	})

	// The server's exponentiations (B = k·v + g^b; S = (A·v^u)^b), the
	// key, the signature check, and two RS256 signatures.
	_, v := rec.SRP()
	clientA := newSRPClient(poolID).A
	block := make([]byte, 96)
	rand.Read(block)
	ts := srpTimestamp(now)
	sig := make([]byte, 32)
	b.Run("SRPSignIn", func(b *testing.B) {
		parallel(b, func() {
			ss, err := srp.NewServerSession(v)
			if err != nil {
				b.Error(err)
				return
			}
			k, err := ss.Key(clientA)
			if err != nil {
				b.Error(err)
				return
			}
			srp.VerifySignature(k, poolName, "bench0", block, ts, sig)
			signTwo()
		})
	})

	// What the SRP client computes per sign-in (A = g^a, then g^x and S):
	// in-process load the server does not do.
	salt, _ := rec.SRP()
	ss, err := srp.NewServerSession(v)
	if err != nil {
		b.Fatal(err)
	}
	params := map[string]string{"SRP_B": ss.B().Text(16), "SALT": srp.SaltHex(salt), "USER_ID_FOR_SRP": "bench0",
		"SECRET_BLOCK": base64.StdEncoding.EncodeToString(block)}
	b.Run("SRPClient", func(b *testing.B) {
		parallel(b, func() {
			if _, err := newSRPClient(poolID).prove(params, goodPassword, now); err != nil {
				b.Error(err)
			}
		})
	})

	// A refresh's bound: two RS256 signatures.
	b.Run("TwoSigns", func(b *testing.B) { parallel(b, signTwo) })

	// GetUser's crypto: one RS256 verification.
	payload, _ := json.Marshal(access)
	jws, _ := signer.Sign(payload)
	tok, _ := jws.CompactSerialize()
	b.Run("VerifyRS256", func(b *testing.B) {
		parallel(b, func() {
			p, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
			if err == nil {
				_, err = p.Verify(&key.PublicKey)
			}
			if err != nil {
				b.Error(err)
			}
		})
	})
}
