package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// selfSigned writes a certificate and key for domain and returns their
// paths and a pool trusting the certificate.
func selfSigned(t *testing.T, domain string) (certFile, keyFile string, roots *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// A pool's custom domain answers over HTTPS with the certificate the config
// names for it, and its site's URLs are https.
func TestCustomDomainOverHTTPS(t *testing.T) {
	const domain = "auth.example.test"
	certFile, keyFile, roots := selfSigned(t, domain)
	env := cogitotest.Start(t, server.Options{HTTPSAddr: "127.0.0.1:0",
		Certificates: []server.Certificate{{Domain: domain, CertFile: certFile, KeyFile: keyFile}}})
	ctx := context.Background()
	p, err := env.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("tls")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.UserPool.Id, Domain: aws.String(domain),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")}}); err != nil {
		t.Fatal(err)
	}
	addr := env.Srv.HTTPSAddr()
	_, port, _ := net.SplitHostPort(addr)
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	resp, err := client.Get("https://" + domain + ":" + port + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery over HTTPS: %d %v", resp.StatusCode, err)
	}
	if got, want := doc["authorization_endpoint"], "https://"+domain+":"+port+"/oauth2/authorize"; got != want {
		t.Fatalf("authorization_endpoint %v, want %v", got, want)
	}
	// A name without a certificate gets no TLS session.
	bad := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "other.example.test"},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	if _, err := bad.Get("https://other.example.test:" + port + "/"); err == nil {
		t.Fatal("a domain without a certificate was served")
	}
}
