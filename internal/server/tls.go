package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
)

// Certificate is a TLS certificate for one of the pools' custom domains,
// from the config file.
type Certificate struct {
	Domain   string
	CertFile string
	KeyFile  string
}

// listenTLS opens the HTTPS listener that serves custom domains: each
// connection gets the certificate of the domain it names (SNI).
func listenTLS(addr string, certs []Certificate) (net.Listener, error) {
	byName := map[string]*tls.Certificate{}
	for _, c := range certs {
		pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("certificate for %s: %w", c.Domain, err)
		}
		byName[strings.ToLower(c.Domain)] = &pair
	}
	if len(byName) == 0 {
		return nil, fmt.Errorf("--https-addr needs certificates for the custom domains (certificates: in the config file)")
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if c, ok := byName[strings.ToLower(hello.ServerName)]; ok {
				return c, nil
			}
			return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
		},
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return tls.NewListener(ln, cfg), nil
}
