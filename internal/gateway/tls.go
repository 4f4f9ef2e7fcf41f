package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/kubemcp/kubemcp/internal/config"
)

// tlsConfig is how u's certificate is checked and kubemcp's own shown, read
// now from its files, so that a CA or client certificate rotated on disk
// is used from the next connect on; nil: the defaults (the system's roots,
// no client certificate).
func (u *upstream) tlsConfig() (*tls.Config, error) {
	t := u.cfg.TLS
	if t == (config.UpstreamTLS{}) {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case t.CAFile != "":
		pool, err := config.CAPool(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.caFile: %w", err)
		}
		c.RootCAs = pool
	case t.CAData != "":
		pool, err := config.CAPoolFromPEM([]byte(t.CAData))
		if err != nil {
			return nil, fmt.Errorf("tls.caData: %w", err)
		}
		c.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.certFile and tls.keyFile: %w; give a PEM client certificate and the key it was issued for", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// tlsProblem is a failed certificate check with what to do about it.
type tlsProblem struct {
	err  error
	hint string
}

func (p *tlsProblem) Error() string { return p.err.Error() + "; " + p.hint }
func (p *tlsProblem) Unwrap() error { return p.err }

// explainTLS adds to a failed check of an upstream's certificate the
// setting that fixes it; other errors pass as they are.
func explainTLS(err error) error {
	var (
		done      *tlsProblem
		authority x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case err == nil || errors.As(err, &done):
		return err
	case errors.As(err, &authority):
		return &tlsProblem{err, "trust the CA that signed the upstream's certificate with its tls.caFile (a PEM file; tls.ca in an MCPServer)"}
	case errors.As(err, &host):
		return &tlsProblem{err, "use a URL whose host the upstream's certificate names, or have it issued for this one"}
	case errors.As(err, &invalid):
		return &tlsProblem{err, "the upstream's certificate must be renewed or reissued; kubemcp does not skip the check, since credentials go there"}
	}
	return err
}
