// Package cogitotest starts the real Cogito server for integration tests and
// points the real AWS SDK for Go v2 at it, so tests exercise the same wire
// protocol, stores and wiring as production.
package cogitotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// Test credentials used by the SDK client when the options set none. A
// server started without credentials accepts any signature on loopback.
const (
	DefaultAccessKeyID     = "AKIDCOGITOTEST"
	DefaultSecretAccessKey = "cogito-test-secret"
)

// Env is one running server and a client for it.
type Env struct {
	URL     string // base URL, e.g. http://127.0.0.1:40123
	Client  *cognitoidentityprovider.Client
	Srv     *server.Server
	DataDir string
	Opts    server.Options // the options the server was started with (defaults applied)

	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan error
	t        testing.TB
}

// Start runs server.New and Serve on 127.0.0.1:0 (unless opts.Addr says
// otherwise) with opts, DataDir defaulting to t.TempDir(), waits until
// GET /health answers 200, and registers a cleanup that stops the server and
// waits for Serve to return. The SDK client signs with opts' credentials
// when set, else with fixed test credentials.
func Start(t testing.TB, opts server.Options) *Env {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	log := Logger(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, opts, log)
	if err != nil {
		cancel()
		t.Fatalf("cogitotest: start server: %v", err)
	}
	env := &Env{URL: srv.BaseURL(), Srv: srv, DataDir: opts.DataDir, Opts: opts, cancel: cancel,
		done: make(chan error, 1), t: t}
	go func() { env.done <- srv.Serve(ctx) }()
	t.Cleanup(env.Stop)

	if err := waitHealthy(env.URL, env.done, 20*time.Second); err != nil {
		t.Fatalf("cogitotest: server did not become healthy: %v", err)
	}
	key, secret := opts.AccessKeyID, opts.SecretAccessKey
	if key == "" {
		key, secret = DefaultAccessKeyID, DefaultSecretAccessKey
	}
	env.Client = env.NewClient(key, secret)
	return env
}

// NewClient returns an SDK client for this server signing with the given
// credentials (for tests of signature checking).
func (e *Env) NewClient(accessKeyID, secretAccessKey string) *cognitoidentityprovider.Client {
	return cognitoidentityprovider.New(cognitoidentityprovider.Options{
		Region:           e.Opts.Region,
		BaseEndpoint:     aws.String(e.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       bufferedBodyClient{awshttp.NewBuildableClient()},
	})
}

// bufferedBodyClient hands the transport its own copy of each request body.
//
// smithy-go closes the request body as soon as Do returns, while net/http's
// write loop may still be finishing with it; against a server that answers
// in well under a millisecond this sometimes makes the transport close the
// connection under the response being read, and the call fails with "failed
// to decode response body ... use of closed network connection" (roughly one
// call in 4,000 here; see aws/aws-sdk-go-v2#1825). It is a client-side race
// (the same server never fails plain net/http clients), so the helper avoids
// it rather than make every suite flaky, keeping the SDK's own transport.
type bufferedBodyClient struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
}

func (c bufferedBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.inner.Do(r)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(b))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r2.ContentLength = int64(len(b))
	return c.inner.Do(r2)
}

// Stop shuts the server down (cancels its context) and waits for Serve to
// return. It is safe to call more than once; Start registers it as cleanup.
// Tests of restarts call it, then Start a new server on the same DataDir/DB.
func (e *Env) Stop() {
	e.stopOnce.Do(func() {
		e.cancel()
		select {
		case err := <-e.done:
			if err != nil && err != http.ErrServerClosed {
				e.t.Errorf("cogitotest: Serve returned: %v", err)
			}
		case <-time.After(30 * time.Second):
			e.t.Errorf("cogitotest: server did not stop within 30s")
		}
	})
}

func waitHealthy(base string, done <-chan error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("Serve returned early: %v", err)
		default:
		}
		resp, err := c.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("GET /health: %s", resp.Status)
		} else {
			last = err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return last
}

// ForEachStore runs fn once per store as subtests named "sqlite" and
// "postgres", in parallel with each other. The sqlite options are empty
// (Start puts the database in a temporary DataDir); the postgres options
// carry a fresh database from pgtest.New, so that subtest is skipped when
// COGITO_TEST_POSTGRES is unset (and fails under CI=true).
func ForEachStore(t *testing.T, fn func(t *testing.T, opts server.Options)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, server.Options{})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, server.Options{DB: pgtest.New(t)})
	})
}

// Message is one entry of the dev outbox (GET /_local/outbox).
type Message struct {
	PoolID      string    `json:"poolId"`
	Username    string    `json:"username"`
	Channel     string    `json:"channel"`
	Destination string    `json:"destination"`
	Kind        string    `json:"kind"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	Code        string    `json:"code"`
	Time        time.Time `json:"time"`
}

// Outbox returns the messages sent to username (a username or destination;
// empty for all) in poolID (empty for all pools), newest first.
func (e *Env) Outbox(t testing.TB, username, poolID string) []Message {
	t.Helper()
	q := url.Values{}
	if username != "" {
		q.Set("username", username)
	}
	if poolID != "" {
		q.Set("poolId", poolID)
	}
	resp, err := http.Get(e.URL + "/_local/outbox?" + q.Encode())
	if err != nil {
		t.Fatalf("cogitotest: GET outbox: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cogitotest: GET outbox: %s", resp.Status)
	}
	var out []Message
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("cogitotest: decode outbox: %v", err)
	}
	return out
}

// Logger is a slog.Logger that writes warnings and errors to t.Log, and
// drops records once the test has finished (a server shutting down late
// must not make t.Log panic).
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
