package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// DefaultCertPoll is how often Certificate.Watch reads the files again.
const DefaultCertPoll = 2 * time.Second

// Certificate is a serving certificate read from a PEM pair of files and read
// again when either file's content changes, so that a certificate rotated on
// disk (by cert-manager, through a mounted Secret) is served without a
// restart. Polling, like the kubeconfig's, sees a Secret volume's symlink
// swap and a file rewritten in place alike.
type Certificate struct {
	certFile, keyFile string
	logger            *slog.Logger

	mu     sync.Mutex
	cert   *tls.Certificate
	loaded [sha256.Size]byte // the digest of the pair being served
	failed [sha256.Size]byte // the digest of the last pair that did not load, logged once
}

// LoadCertificate reads the pair, and refuses it with what to fix if it cannot
// be read or does not make a certificate and its key. A nil logger discards.
func LoadCertificate(certFile, keyFile string, logger *slog.Logger) (*Certificate, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Certificate{certFile: certFile, keyFile: keyFile, logger: logger}
	certPEM, keyPEM, sum, err := c.read()
	if err != nil {
		return nil, err
	}
	cert, err := parsePair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w; give a PEM certificate (chain) and the PEM private key it was issued for", certFile, keyFile, err)
	}
	c.cert, c.loaded = cert, sum
	return c, nil
}

// TLSConfig serves this certificate, as it is at each handshake, over TLS 1.2
// or later.
func (c *Certificate) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.get}
}

func (c *Certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cert, nil
}

// Watch reloads the pair every interval (DefaultCertPoll when zero) until ctx
// ends.
func (c *Certificate) Watch(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultCertPoll
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.Reload()
		}
	}
}

// Reload reads the pair and, if its content changed and it loads, serves it
// from the next handshake on; it reports whether it did. A pair that does not
// load (unreadable, or caught half-written: a new certificate beside the old
// key) leaves the served certificate as it was, and is logged once until the
// files change again.
func (c *Certificate) Reload() bool {
	certPEM, keyPEM, sum, err := c.read()
	if err != nil {
		sum = sha256.Sum256([]byte(err.Error())) // the same unreadable file is logged once too
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && sum == c.loaded {
		c.failed = [sha256.Size]byte{} // back to what is served: a later failure is news
		return false
	}
	var cert *tls.Certificate
	if err == nil {
		cert, err = parsePair(certPEM, keyPEM)
	}
	if err != nil {
		if sum != c.failed {
			c.logger.Warn("TLS certificate not reloaded; serving the previous one until the files hold a matching certificate and key",
				"cert", c.certFile, "key", c.keyFile, "error", err)
		}
		c.failed = sum
		return false
	}
	c.cert, c.loaded, c.failed = cert, sum, [sha256.Size]byte{}
	c.logger.Info("TLS certificate reloaded", "cert", c.certFile, "subject", cert.Leaf.Subject.String(),
		"notAfter", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
	return true
}

// read returns the pair's contents and their digest together.
func (c *Certificate) read() (certPEM, keyPEM []byte, sum [sha256.Size]byte, err error) {
	if certPEM, err = os.ReadFile(c.certFile); err != nil {
		return nil, nil, sum, fmt.Errorf("reading the TLS certificate: %w", err)
	}
	if keyPEM, err = os.ReadFile(c.keyFile); err != nil {
		return nil, nil, sum, fmt.Errorf("reading the TLS key: %w", err)
	}
	return certPEM, keyPEM, sha256.Sum256(bytes.Join([][]byte{certPEM, keyPEM}, []byte{0})), nil
}

// parsePair is tls.X509KeyPair, which since Go 1.23 also parses the leaf
// (named in the log line).
func parsePair(certPEM, keyPEM []byte) (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return &cert, nil
}
