package sqlstore_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// The benchmarks run on both engines. Each engine's function sets its store
// up once and measures in sub-benchmarks: a benchmark that has
// sub-benchmarks runs only once, while a leaf runs again for every b.N.

var engines = []struct {
	name string
	open func(b *testing.B) *sqlstore.Store
}{
	{"sqlite", func(b *testing.B) *sqlstore.Store { return openSQLite(b) }},
	{"postgres", func(b *testing.B) *sqlstore.Store { return openPostgres(b, pgtest.New(b)) }},
}

// forEngines runs fn on a fresh store of each engine, holding pool "bench".
func forEngines(b *testing.B, fn func(b *testing.B, s *sqlstore.Store)) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			s := e.open(b)
			b.Cleanup(func() { s.Close() })
			if err := s.CreatePool(b.Context(), &store.Pool{ID: "bench", Name: "bench"}); err != nil {
				b.Fatalf("CreatePool: %v", err)
			}
			fn(b, s)
		})
	}
}

// benchUsers is the population of the read benchmarks: COGITO_BENCH_USERS,
// default 10000.
func benchUsers(b *testing.B) int {
	n := 10000
	if v := os.Getenv("COGITO_BENCH_USERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("COGITO_BENCH_USERS=%q: want a positive integer", v)
		}
	}
	return n
}

// benchUser is user i of the population: 100 family names and 50 given
// names shared round-robin, a unique email (also its alias) and phone.
func benchUser(i int) *store.User {
	key := fmt.Sprintf("user%07d", i)
	email := key + "@example.com"
	return &store.User{
		PoolID: "bench", Username: key, UsernameKey: key, Sub: fmt.Sprintf("sub-%07d", i),
		Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{
			"email": email, "email_verified": "true",
			"phone_number":  fmt.Sprintf("+1555%07d", i),
			"given_name":    fmt.Sprintf("Given%02d", i%50),
			"family_name":   fmt.Sprintf("Family%02d", i%100),
			"custom:tenant": "acme",
		},
		Aliases:  map[string]string{"email": email},
		Password: make([]byte, 200), // about the size of a real password record
		Created:  time.Now(), Modified: time.Now(),
	}
}

// populate creates n users through the public API, from concurrent
// goroutines so that a large population loads in reasonable time.
func populate(b *testing.B, s *sqlstore.Store, n int) {
	b.Helper()
	start := time.Now()
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		errMu  sync.Mutex
		failed error
	)
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := s.CreateUser(b.Context(), benchUser(i)); err != nil {
					errMu.Lock()
					failed = err
					errMu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if failed != nil {
		b.Fatalf("populate: %v", failed)
	}
	d := time.Since(start)
	b.Logf("populated %d users in %v (%.0f creates/s)", n, d.Round(time.Millisecond), float64(n)/d.Seconds())
}

func reportOps(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkCreateUser(b *testing.B) {
	forEngines(b, func(b *testing.B, s *sqlstore.Store) {
		var next atomic.Int64
		b.Run("serial", func(b *testing.B) {
			for b.Loop() {
				if err := s.CreateUser(b.Context(), benchUser(int(next.Add(1)))); err != nil {
					b.Fatal(err)
				}
			}
			reportOps(b)
		})
		b.Run("parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.CreateUser(b.Context(), benchUser(int(next.Add(1)))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportOps(b)
		})
	})
}

func BenchmarkGetUser(b *testing.B) {
	forEngines(b, func(b *testing.B, s *sqlstore.Store) {
		n := benchUsers(b)
		populate(b, s, n)
		b.Run("key", func(b *testing.B) {
			i := 0
			for b.Loop() {
				key := fmt.Sprintf("user%07d", (i*7919)%n)
				if _, err := s.GetUser(b.Context(), "bench", key); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportOps(b)
		})
		b.Run("alias", func(b *testing.B) {
			i := 0
			for b.Loop() {
				email := fmt.Sprintf("user%07d@example.com", (i*7919)%n)
				if _, err := s.GetUserByAlias(b.Context(), "bench", "email", email); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportOps(b)
		})
	})
}

func BenchmarkListUsersFilter(b *testing.B) {
	forEngines(b, func(b *testing.B, s *sqlstore.Store) {
		n := benchUsers(b)
		populate(b, s, n)
		page := store.Page{Limit: 60}
		// want is the size of a full page, or of all matches when fewer.
		run := func(b *testing.B, filter func(i int) store.UserFilter, want func(i int) int) {
			i := 0
			for b.Loop() {
				f := filter(i)
				users, _, err := s.ListUsers(b.Context(), "bench", &f, page)
				if err != nil {
					b.Fatal(err)
				}
				if len(users) != want(i) {
					b.Fatalf("%+v: %d users, want %d", f, len(users), want(i))
				}
				i++
			}
			reportOps(b)
		}
		// family_name = FamilyNN: every 100th user.
		b.Run("equals", func(b *testing.B) {
			run(b, func(i int) store.UserFilter {
				return store.UserFilter{Field: "family_name", Value: fmt.Sprintf("Family%02d", i%min(100, n))}
			}, func(i int) int { return min(60, (n-i%min(100, n)+99)/100) })
		})
		// email ^= "user000D": a tenth of the users of the first 10000.
		b.Run("prefix", func(b *testing.B) {
			run(b, func(i int) store.UserFilter {
				return store.UserFilter{Field: "email", Op: store.FilterPrefix, Value: fmt.Sprintf("user000%d", i%10)}
			}, func(i int) int { return min(60, max(0, min(n, (i%10+1)*1000)-(i%10)*1000)) })
		})
	})
}
