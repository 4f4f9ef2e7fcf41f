package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestServeTLSRotation: a certificate replaced on disk is served from the
// next handshake on, without a restart; a pair caught half-written (the new
// certificate beside the old key) keeps the old certificate and is logged
// once; TLS below 1.2 is refused.
func TestServeTLSRotation(t *testing.T) {
	a, b := newPair(t), newPair(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeFile(t, certFile, a.cert)
	writeFile(t, keyFile, a.key)
	var log lockedBuffer
	cert, err := LoadCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, cert)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(a.ca)
	roots.AppendCertsFromPEM(b.ca)
	if got := peerCert(t, addr, roots); !a.is(got) {
		t.Fatal("the server does not present certificate A")
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("a TLS 1.1 handshake succeeded; the minimum is 1.2")
	}

	writeFile(t, certFile, b.cert) // the key is still A's
	testenv.Eventually(t, 5*time.Second, "the half-written pair logged", func() bool { return log.count("not reloaded") > 0 })
	time.Sleep(10 * certPoll) // polls that see the same half-written pair
	if n := log.count("not reloaded"); n != 1 {
		t.Errorf("the half-written pair was logged %d times, want once:\n%s", n, log.String())
	}
	if got := peerCert(t, addr, roots); !a.is(got) {
		t.Fatal("a half-written pair replaced certificate A")
	}

	writeFile(t, keyFile, b.key)
	testenv.Eventually(t, 5*time.Second, "certificate B presented", func() bool { return b.is(peerCert(t, addr, roots)) })
	if !strings.Contains(log.String(), "TLS certificate reloaded") {
		t.Errorf("no reload logged:\n%s", log.String())
	}
}

// TestLoadCertificateRefusals: a pair that cannot serve is refused at start
// with the files named and what to give instead.
func TestLoadCertificateRefusals(t *testing.T) {
	a, b := newPair(t), newPair(t)
	dir := t.TempDir()
	files := map[string][]byte{"a.crt": a.cert, "a.key": a.key, "b.key": b.key, "junk": []byte("not PEM\n")}
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
	for _, tt := range []struct{ name, cert, key, named, want string }{
		{"no certificate", "missing.crt", "a.key", "missing.crt", "reading the TLS certificate"},
		{"no key", "a.crt", "missing.key", "missing.key", "reading the TLS key"},
		{"another certificate's key", "a.crt", "b.key", "b.key", "the PEM private key it was issued for"},
		{"not PEM", "junk", "a.key", "junk", "give a PEM certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCertificate(filepath.Join(dir, tt.cert), filepath.Join(dir, tt.key), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.named) {
				t.Fatalf("got %v, want an error naming %s and containing %q", err, tt.named, tt.want)
			}
		})
	}
}

const certPoll = 20 * time.Millisecond

// serveTLS serves an empty MCP server over TLS with cert, reloaded every
// certPoll, until the test ends, and returns its address.
func serveTLS(t *testing.T, cert *Certificate) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go cert.Watch(ctx, certPoll)
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	done := make(chan error, 1)
	go func() { done <- ServeTLS(ctx, ln, Mux(server, HTTPOptions{}), time.Second, cert.TLSConfig()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTLS: %v", err)
		}
	})
	return ln.Addr().String()
}

// peerCert is the certificate a new TLS connection to addr is shown.
func peerCert(t *testing.T, addr string, roots *x509.CertPool) []byte {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// pair is a CA and a serving certificate and key it signed, PEM.
type pair struct{ ca, cert, key []byte }

func newPair(t *testing.T) pair {
	t.Helper()
	ca, cert, key, err := testenv.ServingPair()
	if err != nil {
		t.Fatal(err)
	}
	return pair{ca, cert, key}
}

// is says whether der is this pair's certificate.
func (p pair) is(der []byte) bool {
	block, _ := pem.Decode(p.cert)
	return bytes.Equal(block.Bytes, der)
}

// writeFile replaces path by rename, so that a poll never reads a file cut
// short: the pair the test means to be half-written is the only one.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a log the server writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) count(s string) int { return strings.Count(b.String(), s) }
