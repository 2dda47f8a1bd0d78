// Command cogito runs Cogito: an identity provider that speaks Amazon
// Cognito User Pools' API, for local development and self-hosting.
//
// Every flag has a COGITO_* environment variable (--public-url is
// COGITO_PUBLIC_URL); a flag given on the command line wins.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/cogito-idp/cogito/internal/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cogito:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("cogito", flag.ContinueOnError)
	var o server.Options
	var logLevel string
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:9229", "listen address (port 0 picks a free port)")
	fs.StringVar(&o.DataDir, "data", "./cogito-data", "data directory (SQLite database, keys)")
	fs.StringVar(&o.DB, "db", "", "PostgreSQL URL (postgres://...) to use instead of SQLite")
	fs.StringVar(&o.Region, "region", "us-east-1", "AWS region the pools live in (pool ids, ARNs, issuers)")
	fs.StringVar(&o.Account, "account-id", "000000000000", "AWS account id used in ARNs")
	fs.StringVar(&o.PublicURL, "public-url", "", "base URL of issuer and hosted-UI URLs (default http://ADDR)")
	fs.StringVar(&o.LambdaEndpoint, "lambda-endpoint", "", "URL of the Lambda Invoke API that runs triggers")
	fs.StringVar(&o.ConfigFile, "config", "", "YAML or JSON file of pools, clients, groups and users to apply at start")
	fs.BoolVar(&o.SeedDemo, "seed-demo", false, "create a demo pool and app client if none exist and print their ids")
	fs.StringVar(&o.ReadyFile, "ready-file", "", "write the base URL to this file once listening (for test harnesses)")
	fs.BoolVar(&o.Production, "production", false, "production mode: no dev outbox, management credentials required")
	fs.StringVar(&o.AccessKeyID, "access-key-id", "", "management access key id; when set, SigV4 is verified on every management call")
	fs.StringVar(&o.SecretAccessKey, "secret-access-key", "", "management secret access key (prefer COGITO_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.KeyEncryptionKey, "key-encryption-key", "", "base64 of 32 bytes sealing signing keys at rest (default: generated into --data)")
	fs.StringVar(&o.HTTPSAddr, "https-addr", "", "serve the pools' custom domains over HTTPS on this address (certificates from --config)")
	fs.StringVar(&o.SMTPURL, "smtp", "", "send email through this server: smtp[s]://user:pass@host:port?from=addr (password: prefer COGITO_SMTP)")
	fs.StringVar(&o.SMSWebhook, "sms-webhook", "", "deliver SMS by POSTing JSON to this URL")
	fs.StringVar(&o.SNSEndpoint, "sns-endpoint", "", "deliver SMS through Amazon SNS Publish at this endpoint (signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.SNSRegion, "sns-region", "", "region of --sns-endpoint (default --region)")
	fs.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(ctx, o, log)
	if err != nil {
		return err
	}
	if o.SeedDemo {
		if err := srv.SeedDemo(ctx, os.Stdout); err != nil {
			srv.Close()
			return err
		}
	}
	srv.Banner(ctx, os.Stdout)
	return srv.Serve(ctx)
}

// applyEnv sets each flag from its COGITO_* variable before the command line
// is parsed, so flags override the environment.
func applyEnv(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "COGITO_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok || err != nil {
			return
		}
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			if _, perr := strconv.ParseBool(v); perr != nil {
				err = fmt.Errorf("%s: %q is not a boolean", name, v)
				return
			}
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("%s: %w", name, serr)
		}
	})
	return err
}
