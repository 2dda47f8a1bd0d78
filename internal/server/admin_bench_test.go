package server_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// benchStores runs fn on a server over SQLite and, when a PostgreSQL server
// is configured, over PostgreSQL.
func benchStores(b *testing.B, fn func(b *testing.B, env *cogitotest.Env)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, cogitotest.Start(b, server.Options{})) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(pgtest.EnvURL) == "" {
			b.Skip("set " + pgtest.EnvURL + " to benchmark on PostgreSQL")
		}
		fn(b, cogitotest.Start(b, server.Options{DB: pgtest.New(b)}))
	})
}

func benchPool(b *testing.B, env *cogitotest.Env) string {
	out, err := env.Client.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(out.UserPool.Id)
}

// BenchmarkAdminCreateUser: users created per second through the API. Each
// hashes its temporary password with argon2id and computes its SRP
// verifier, which dominate.
func BenchmarkAdminCreateUser(b *testing.B) {
	benchStores(b, func(b *testing.B, env *cogitotest.Env) {
		poolID := benchPool(b, env)
		var n atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				if _, err := env.Client.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
					UserPoolId: aws.String(poolID), Username: aws.String(fmt.Sprintf("user%d", i)),
					TemporaryPassword: aws.String("Tmp0rary!Pass"), MessageAction: types.MessageActionTypeSuppress,
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(fmt.Sprintf("user%d@example.com", i))}},
				}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
	})
}

// seedUsers writes n users straight into the store (one shared password
// record, so seeding is not argon2-bound) and returns the pool id.
func seedUsers(b *testing.B, env *cogitotest.Env, n int) string {
	poolID := benchPool(b, env)
	rec, err := password.New("bench", "seed", "Passw0rd!")
	if err != nil {
		b.Fatal(err)
	}
	pw := rec.Marshal()
	st := env.Srv.Store()
	now := time.Now().UTC()
	var wg sync.WaitGroup
	var failed atomic.Value
	next := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				name := fmt.Sprintf("user%07d", i)
				email := fmt.Sprintf("%s@example.com", name)
				err := st.CreateUser(context.Background(), &store.User{
					PoolID: poolID, Username: name, UsernameKey: name, Sub: uuid.NewString(), Status: "CONFIRMED",
					Enabled: true, Attributes: map[string]string{"email": email, "email_verified": "true", "given_name": "Bench"},
					Aliases: map[string]string{}, Password: pw, PasswordSet: now, Created: now, Modified: now,
				})
				if err != nil {
					failed.Store(err)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return poolID
}

func benchUsers() []int {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("COGITO_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	return []int{n}
}

// BenchmarkAdminGetUser: AdminGetUser calls per second in a populated pool.
func BenchmarkAdminGetUser(b *testing.B) {
	benchStores(b, func(b *testing.B, env *cogitotest.Env) {
		n := benchUsers()[0]
		poolID := seedUsers(b, env, n)
		var i atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := i.Add(7919) % int64(n)
				if _, err := env.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
					UserPoolId: aws.String(poolID), Username: aws.String(fmt.Sprintf("user%07d", k))}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	})
}

// BenchmarkListUsersFilter: latency of a filtered ListUsers page in a pool
// of COGITO_BENCH_USERS users (default 10,000): an exact email, and an
// email prefix matching 1,000 users (a page of 60).
func BenchmarkListUsersFilter(b *testing.B) {
	benchStores(b, func(b *testing.B, env *cogitotest.Env) {
		for _, n := range benchUsers() {
			poolID := seedUsers(b, env, n)
			for _, tc := range []struct{ name, filter string }{
				{"equals", fmt.Sprintf(`email = "user%07d@example.com"`, n/2)},
				{"prefix", fmt.Sprintf(`email ^= "user%04d"`, (n/2)/1000)},
				{"status", `cognito:user_status = "CONFIRMED"`},
			} {
				b.Run(fmt.Sprintf("%dusers/%s", n, tc.name), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						out, err := env.Client.ListUsers(context.Background(), &cip.ListUsersInput{
							UserPoolId: aws.String(poolID), Filter: aws.String(tc.filter), Limit: aws.Int32(60)})
						if err != nil {
							b.Fatal(err)
						}
						if len(out.Users) == 0 {
							b.Fatalf("filter %s matched nobody", tc.filter)
						}
					}
				})
			}
		}
	})
}
