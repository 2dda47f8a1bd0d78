package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cogito-idp/cogito/internal/api/cognitoidp"
	"github.com/cogito-idp/cogito/internal/api/hostedui"
	"github.com/cogito-idp/cogito/internal/api/oauth2"
	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/config"
	"github.com/cogito-idp/cogito/internal/federation"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/sigv4"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// Options are the server's settings, from flags and environment.
type Options struct {
	Addr           string // listen address; port 0 picks a free one
	DataDir        string // SQLite database and generated keys
	DB             string // postgres:// URL; empty means SQLite under DataDir
	Region         string
	Account        string // AWS account id in ARNs
	PublicURL      string // base of issuer and hosted-UI URLs; default http://ADDR
	LambdaEndpoint string
	// LambdaWebhooks maps function ARNs to HTTP webhooks that take the
	// trigger event and return it (from the config file's lambdaWebhooks).
	LambdaWebhooks map[string]string
	// LambdaAccessKeyID and LambdaSecretAccessKey sign Lambda Invoke API
	// calls; when empty the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the
	// environment do, and without those the calls go unsigned (local runners
	// accept that).
	LambdaAccessKeyID     string
	LambdaSecretAccessKey string
	// HTTPSAddr, when set, serves the pools' custom domains over HTTPS with
	// Certificates (from the config file's certificates:).
	HTTPSAddr    string
	Certificates []Certificate
	ConfigFile   string
	SeedDemo     bool
	ReadyFile    string // written with the base URL once listening
	Production   bool   // no dev outbox, credentials required
	// Management credentials (SigV4 access key and secret). When set, every
	// management call is verified; off loopback they are required.
	AccessKeyID     string
	SecretAccessKey string
	// KeyEncryptionKey (base64 of 32 bytes) seals signing keys at rest; when
	// empty one is generated into DataDir. Every node of a PostgreSQL
	// deployment must be given the same one.
	KeyEncryptionKey string
	// Delivery of email and SMS (the dev outbox records them as well).
	SMTPURL     string // smtp://user:pass@host:587?from=no-reply@example.com
	SMSWebhook  string // URL receiving {"poolId","username","phoneNumber","message","kind"}
	SNSEndpoint string // Amazon SNS (or compatible) endpoint for SMS via Publish
	SNSRegion   string
	// IdentityProviderEndpoints relocate the well-known identity providers
	// (Google, Facebook, LoginWithAmazon, SignInWithApple), keyed by
	// provider type, for tests and air-gapped sites; merged with the config
	// file's identityProviderEndpoints (these win).
	IdentityProviderEndpoints federation.Overrides
}

// Server is a running Cogito.
type Server struct {
	opts     Options
	log      *slog.Logger
	store    store.Store
	pools    *userpool.Service
	users    *users.Service
	auth     *auth.Service
	oauth    *oauth.Service
	triggers *triggers.Router
	keys     *tokens.Keyring
	domains  domainCache
	outbox   *messages.Outbox
	listener net.Listener
	tls      net.Listener // custom domains over HTTPS, when configured
	http     *http.Server
	baseURL  string

	// federation runs the hosted UI's sign-in with identity providers.
	federation *oauth.Federation
}

// New opens the store and builds the services; Serve starts listening.
func New(ctx context.Context, opts Options, log *slog.Logger) (*Server, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	loopback := isLoopback(ln.Addr())
	if !loopback {
		opts.Production = true
	}
	if opts.Production && (opts.AccessKeyID == "" || opts.SecretAccessKey == "") {
		ln.Close()
		return nil, errors.New("refusing to start: off loopback (or in production mode) Cogito verifies SigV4 on every management call, " +
			"so management credentials are required: set --access-key-id and --secret-access-key (or COGITO_ACCESS_KEY_ID and COGITO_SECRET_ACCESS_KEY)")
	}
	st, err := openStore(ctx, opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{opts: opts, log: log, store: st, listener: ln}
	// One cleanup for every failure below: listeners and store are closed.
	built := false
	defer func() {
		if !built {
			s.Close()
		}
	}()
	s.baseURL = "http://" + ln.Addr().String()
	if opts.PublicURL == "" {
		s.opts.PublicURL = s.baseURL
	}
	s.opts.PublicURL = strings.TrimRight(s.opts.PublicURL, "/")

	senders, err := buildSenders(opts)
	if err != nil {
		return nil, err
	}
	var outbox messages.Sender
	if !opts.Production {
		s.outbox = messages.NewOutbox(1000)
		senders = append(messages.Multi{s.outbox}, senders...)
		outbox = s.outbox
	}
	var sender messages.Sender = senders
	s.pools = &userpool.Service{Store: st, Region: opts.Region, Account: opts.Account}
	var cfgFile *config.File
	if opts.ConfigFile != "" {
		if cfgFile, err = config.Load(opts.ConfigFile); err != nil {
			return nil, err
		}
		opts.LambdaWebhooks = mergeWebhooks(opts.LambdaWebhooks, cfgFile.LambdaWebhooks)
		for _, c := range cfgFile.Certificates {
			opts.Certificates = append(opts.Certificates, Certificate{Domain: c.Domain, CertFile: c.CertFile, KeyFile: c.KeyFile})
		}
		s.opts.IdentityProviderEndpoints = mergeEndpoints(cfgFile.IdentityProviderEndpoints, opts.IdentityProviderEndpoints)
	}
	if opts.HTTPSAddr != "" {
		if s.tls, err = listenTLS(opts.HTTPSAddr, opts.Certificates); err != nil {
			return nil, err
		}
	}
	s.triggers = buildTriggers(opts)
	s.users = &users.Service{Store: st, Pools: s.pools, Sender: sender, Log: log, Triggers: s.triggers, Outbox: outbox}
	kek, err := tokens.LoadKEK(opts.KeyEncryptionKey, filepath.Join(opts.DataDir, "key-encryption.key"))
	if err != nil {
		return nil, err
	}
	sealer, err := tokens.NewSealer(kek)
	if err != nil {
		return nil, err
	}
	s.keys = &tokens.Keyring{Store: st, Sealer: sealer}
	s.auth = &auth.Service{Store: st, Pools: s.pools, Users: s.users, Keys: s.keys, Issuer: s.Issuer, Triggers: s.triggers}
	s.oauth = &oauth.Service{Store: st, Pools: s.pools, Auth: s.auth}
	samlKey, samlCert, err := loadSAMLKey(opts.DataDir, sealer)
	if err != nil {
		return nil, fmt.Errorf("saml service provider key: %w", err)
	}
	s.federation = &oauth.Federation{OAuth: s.oauth, Users: s.users, Overrides: s.opts.IdentityProviderEndpoints,
		SAMLKey: samlKey, SAMLCert: samlCert}

	if cfgFile != nil {
		if err := cfgFile.Apply(ctx, s.pools, s.users, log); err != nil {
			return nil, err
		}
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	built = true
	return s, nil
}

// mergeEndpoints lays the options' endpoint overrides over the config
// file's.
func mergeEndpoints(file map[string]config.Endpoints, opts federation.Overrides) federation.Overrides {
	if len(file) == 0 {
		return opts
	}
	out := federation.Overrides{}
	for typ, e := range file {
		out[typ] = federation.Endpoints{AuthorizeURL: e.AuthorizeURL, TokenURL: e.TokenURL,
			UserInfoURL: e.UserInfoURL, Issuer: e.Issuer, JWKSURL: e.JWKSURL}
	}
	for typ, e := range opts {
		out[typ] = e
	}
	return out
}

// buildTriggers routes Lambda triggers: functions with a webhook in the
// config file go there, the rest to the Lambda Invoke API at
// --lambda-endpoint (sam local start-lambda, LocalStack or AWS), signed with
// the AWS credentials of the environment when there are some.
func buildTriggers(opts Options) *triggers.Router {
	r := &triggers.Router{}
	if len(opts.LambdaWebhooks) > 0 {
		r.Webhooks = &triggers.WebhookInvoker{URLs: opts.LambdaWebhooks}
	}
	if opts.LambdaEndpoint != "" {
		inv := &triggers.LambdaInvoker{Endpoint: opts.LambdaEndpoint}
		key, secret, token := opts.LambdaAccessKeyID, opts.LambdaSecretAccessKey, ""
		if key == "" {
			key, secret, token = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
		}
		if key != "" && secret != "" {
			inv.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token)
		}
		// Local runners (sam local start-lambda) refuse query parameters
		// and know no versions or aliases.
		if u, err := url.Parse(opts.LambdaEndpoint); err == nil && isLoopbackHost(u.Hostname()) {
			inv.OmitQualifier = true
		}
		r.Lambda = inv
	}
	return r
}

func mergeWebhooks(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// buildSenders creates the configured email and SMS channels.
func buildSenders(opts Options) (messages.Multi, error) {
	var out messages.Multi
	if opts.SMTPURL != "" {
		cfg, err := messages.ParseSMTPURL(opts.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("--smtp: %w", err)
		}
		smtp, err := messages.NewSMTPSender(cfg)
		if err != nil {
			return nil, fmt.Errorf("--smtp: %w", err)
		}
		out = append(out, smtp)
	}
	if opts.SMSWebhook != "" {
		out = append(out, messages.WebhookSMSSender{URL: opts.SMSWebhook})
	}
	if opts.SNSEndpoint != "" {
		region := opts.SNSRegion
		if region == "" {
			region = opts.Region
		}
		key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		if key == "" || secret == "" {
			return nil, errors.New("--sns-endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for signing SNS Publish calls")
		}
		out = append(out, messages.SNSSender{Endpoint: opts.SNSEndpoint, Region: region, AccessKeyID: key,
			SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN")})
	}
	return out, nil
}

func openStore(ctx context.Context, opts Options) (store.Store, error) {
	if opts.DB != "" {
		st, err := sqlstore.OpenPostgres(ctx, opts.DB)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		return st, nil
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(opts.DataDir, "cogito.db"))
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	return st, nil
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// HTTPSAddr is the address of the custom-domain HTTPS listener, if any.
func (s *Server) HTTPSAddr() string {
	if s.tls == nil {
		return ""
	}
	return s.tls.Addr().String()
}

// BaseURL is the address the server listens on, as a URL.
func (s *Server) BaseURL() string { return s.baseURL }

// Pools exposes the pool service (tests and the seed use it).
func (s *Server) Pools() *userpool.Service { return s.pools }

// Users is the server's users service (federated sign-in calls it).
func (s *Server) Users() *users.Service { return s.users }

// Store exposes the store (benchmarks seed large pools through it).
func (s *Server) Store() store.Store { return s.store }

// RotateSigningKey retires a pool's current signing key now: new tokens are
// signed with a fresh key, and the old one stays published until the tokens
// it signed have expired.
func (s *Server) RotateSigningKey(ctx context.Context, poolID string) error {
	return s.keys.Rotate(ctx, poolID)
}

// Keys is the pools' signing keyring (tests sign tokens with it).
func (s *Server) Keys() *tokens.Keyring { return s.keys }

func (s *Server) routes() http.Handler {
	api := &cognitoidp.Handler{Pools: s.pools, Users: s.users, Auth: s.auth, OAuth: s.oauth, Log: s.log, PublicURL: s.opts.PublicURL}
	if s.opts.AccessKeyID != "" {
		v := &sigv4.Verifier{Service: "cognito-idp", Credentials: func(id string) (string, bool) {
			if id == s.opts.AccessKeyID {
				return s.opts.SecretAccessKey, true
			}
			return "", false
		}}
		api.Authenticate = func(r *http.Request, body []byte) error {
			_, err := v.Verify(r, body)
			return sigv4Error(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("POST /{$}", api)
	mux.HandleFunc("GET /health", s.health)
	site := s.siteMux()
	mux.Handle("/{pool}/{rest...}", s.byPoolPath(site))
	if s.outbox != nil {
		mux.HandleFunc("GET /_local/outbox", s.listOutbox)
	}
	return withHeaders(s.byHost(site, mux))
}

// siteMux is the mux of a pool's site: the OAuth 2.0 endpoints and the
// hosted UI, at root paths (byPoolPath and byHost put the site in context).
func (s *Server) siteMux() *http.ServeMux {
	mux := http.NewServeMux()
	secure := strings.HasPrefix(s.opts.PublicURL, "https:")
	(&oauth2.Handler{OAuth: s.oauth, Keys: s.keys, Issuer: s.Issuer, Log: s.log, Secure: secure,
		Federation: s.federation}).Register(mux)
	(&hostedui.Handler{OAuth: s.oauth, Auth: s.auth, Users: s.users, Pools: s.pools, Log: s.log, Secure: secure,
		PublicURL: s.opts.PublicURL}).Register(mux)
	return mux
}

// sigv4Error carries a signature failure to the API edge with AWS's type.
func sigv4Error(err error) error {
	if err == nil {
		return nil
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &authError{se}
	}
	return err
}

type authError struct{ e *sigv4.Error }

func (a *authError) Error() string { return a.e.Error() }

// AWSErrorType lets the API edge render the failure; AWS answers
// authentication failures with 403 (400 for an incomplete signature).
func (a *authError) AWSErrorType() (string, string, int) {
	status := http.StatusForbidden
	if a.e.Type == "IncompleteSignatureException" {
		status = http.StatusBadRequest
	}
	return a.e.Type, a.e.Message, status
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check: store does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"unavailable"}`)
		return
	}
	io.WriteString(w, `{"status":"ok"}`)
}

func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.outbox.List(q.Get("username"), q.Get("poolId")))
}

// Serve answers requests until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to 15 s) and closes the store.
func (s *Server) Serve(ctx context.Context) error {
	if s.opts.ReadyFile != "" {
		if err := os.WriteFile(s.opts.ReadyFile, []byte(s.baseURL+"\n"), 0o644); err != nil {
			return fmt.Errorf("write ready file: %w", err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	if s.tls != nil {
		go func() { errc <- s.http.Serve(s.tls) }()
	}
	go s.prune(ctx)
	select {
	case err := <-errc:
		s.store.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := s.http.Shutdown(shutCtx)
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close releases the listener and store of a server that never served.
func (s *Server) Close() error {
	s.listener.Close()
	if s.tls != nil {
		s.tls.Close()
	}
	return s.store.Close()
}

// withHeaders adds the headers every reply should have.
func withHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// Banner prints where the server is and how to use it.
func (s *Server) Banner(ctx context.Context, w io.Writer) {
	storeDesc := "SQLite in " + filepath.Join(s.opts.DataDir, "cogito.db")
	if s.opts.DB != "" {
		storeDesc = "PostgreSQL"
	}
	auth := "any SigV4 credentials accepted (loopback development mode; set --access-key-id to verify signatures)"
	if s.opts.AccessKeyID != "" {
		auth = "SigV4 verified for access key " + s.opts.AccessKeyID
	}
	fmt.Fprintf(w, "Cogito: Amazon Cognito user pools, locally\n")
	fmt.Fprintf(w, "  listening on %s\n", s.baseURL)
	fmt.Fprintf(w, "  endpoint     %s   (AWS SDKs and CLI: --endpoint-url %s)\n", s.baseURL, s.baseURL)
	fmt.Fprintf(w, "  region       %s\n", s.opts.Region)
	fmt.Fprintf(w, "  store        %s\n", storeDesc)
	fmt.Fprintf(w, "  management   %s\n", auth)
	if s.opts.SMTPURL != "" {
		if cfg, err := messages.ParseSMTPURL(s.opts.SMTPURL); err == nil {
			fmt.Fprintf(w, "  email        SMTP %s:%d (%s)\n", cfg.Host, cfg.Port, cfg.Mode)
		}
	}
	if s.opts.SMSWebhook != "" {
		fmt.Fprintf(w, "  sms          webhook\n")
	}
	if s.opts.SNSEndpoint != "" {
		fmt.Fprintf(w, "  sms          Amazon SNS at %s\n", s.opts.SNSEndpoint)
	}
	if s.outbox != nil {
		fmt.Fprintf(w, "  dev outbox   %s/_local/outbox   (every email and SMS sent, newest first)\n", s.baseURL)
	}
	pools, _, err := s.store.ListPools(ctx, store.Page{Limit: 1})
	if err == nil && len(pools) == 0 {
		fmt.Fprintf(w, "\nNo user pools yet. Create one and an app client with the AWS CLI:\n")
		fmt.Fprintf(w, "  aws cognito-idp create-user-pool --pool-name my-pool --endpoint-url %s\n", s.baseURL)
		fmt.Fprintf(w, "  aws cognito-idp create-user-pool-client --user-pool-id <Id from above> --client-name my-app \\\n")
		fmt.Fprintf(w, "      --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH --endpoint-url %s\n", s.baseURL)
		fmt.Fprintf(w, "or start with --seed-demo, or declare pools in a file given with --config.\n")
	}
}
