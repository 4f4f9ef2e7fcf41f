package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestServeTLSReload: a certificate replaced on disk is served from the next
// handshake after a reload, without a restart; a pair caught half-written
// (the new certificate beside the old key) keeps the old certificate and is
// logged once however often it is read; TLS below 1.2 is refused. Watch,
// which calls Reload on a timer, is tested with the whole server in app.
func TestServeTLSReload(t *testing.T) {
	a, b := testenv.NewTLSPair(t), testenv.NewTLSPair(t)
	certFile, keyFile := a.Files(t)
	var log bytes.Buffer
	cert, err := LoadCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, cert)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(a.CA)
	roots.AppendCertsFromPEM(b.CA)
	if !a.Is(testenv.PeerCertificate(t, addr, roots)) {
		t.Fatal("the server does not present certificate A")
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("a TLS 1.1 handshake succeeded; the minimum is 1.2")
	}
	if cert.Reload() {
		t.Error("Reload of unchanged files reloaded")
	}

	testenv.ReplaceFile(t, certFile, b.Cert) // the key is still A's
	for range 3 {
		if cert.Reload() {
			t.Fatal("a half-written pair was loaded")
		}
	}
	if n := strings.Count(log.String(), "not reloaded"); n != 1 {
		t.Errorf("the half-written pair was logged %d times, want once:\n%s", n, log.String())
	}
	if !a.Is(testenv.PeerCertificate(t, addr, roots)) {
		t.Fatal("a half-written pair replaced certificate A")
	}

	testenv.ReplaceFile(t, keyFile, b.Key)
	if !cert.Reload() || !b.Is(testenv.PeerCertificate(t, addr, roots)) {
		t.Fatalf("certificate B is not presented after its reload:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "TLS certificate reloaded") {
		t.Errorf("no reload logged:\n%s", log.String())
	}
}

// TestLoadCertificateRefusals: a pair that cannot serve is refused at start
// with the file at fault named, and what to give instead.
func TestLoadCertificateRefusals(t *testing.T) {
	a, b := testenv.NewTLSPair(t), testenv.NewTLSPair(t)
	dir := t.TempDir()
	files := map[string][]byte{"a.crt": a.Cert, "a.key": a.Key, "b.key": b.Key, "junk": []byte("not PEM\n")}
	for name, data := range files {
		testenv.ReplaceFile(t, filepath.Join(dir, name), data)
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

// serveTLS serves an empty MCP server over TLS with cert until the test
// ends, and returns its address.
func serveTLS(t *testing.T, cert *Certificate) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	done := make(chan error, 1)
	go func() {
		done <- ServeTLS(ctx, ln, Mux(server, HTTPOptions{}), ServeOptions{Grace: time.Second}, cert.TLSConfig())
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTLS: %v", err)
		}
	})
	return ln.Addr().String()
}
