package server

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/cogito-idp/cogito/internal/tokens"
)

// SAMLKeyFile is the file under the data directory that keeps the SAML
// service provider's RSA key and self-signed certificate (both PEM),
// sealed with the key encryption key. One key pair serves every pool: the
// pools' SP metadata (/saml2/metadata) carries its certificate, which the
// identity providers use to check signed AuthnRequests and to encrypt
// assertions. Every node of a PostgreSQL deployment must have the same
// file (copy it along with the key encryption key), or a node cannot
// decrypt what the IdP encrypted to another node's certificate.
const SAMLKeyFile = "saml-sp.pem"

const samlKeyContext = "saml-sp"

// loadSAMLKey reads the sealed SP key pair from dir, generating it on
// first use; dir "" keeps a fresh pair in memory only.
func loadSAMLKey(dir string, sealer *tokens.Sealer) (*rsa.PrivateKey, *x509.Certificate, error) {
	if dir == "" {
		return newSAMLKey()
	}
	file := filepath.Join(dir, SAMLKeyFile)
	sealed, err := os.ReadFile(file)
	if err == nil {
		plain, err := sealer.Open(sealed, samlKeyContext)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		return parseSAMLKey(plain)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	key, cert, err := newSAMLKey()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	plain := append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})...)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	// O_EXCL: when two processes race, the loser reads the winner's.
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadSAMLKey(dir, sealer)
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := f.Write(sealer.Seal(plain, samlKeyContext)); err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := f.Close(); err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}

func parseSAMLKey(b []byte) (*rsa.PrivateKey, *x509.Certificate, error) {
	var key *rsa.PrivateKey
	var cert *x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, nil, err
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, nil, errors.New("saml sp key: not an RSA key")
			}
			key = rk
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, nil, err
			}
			cert = c
		}
	}
	if key == nil || cert == nil {
		return nil, nil, errors.New("saml sp key: missing key or certificate")
	}
	return key, cert, nil
}

// newSAMLKey makes an RSA-2048 key and a self-signed certificate valid for
// ten years (IdPs use SP certificates as bare keys).
func newSAMLKey() (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "Cogito SAML service provider"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}
