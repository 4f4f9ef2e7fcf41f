package app

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestServeHTTPSRotation: `kubemcp serve --tls-cert-file --tls-key-file`
// serves MCP over HTTPS, and a certificate replaced on disk while it runs is
// what the next connection is shown, with no restart: the session opened
// before the rotation still answers after it. A key caught half-written
// keeps the old certificate.
func TestServeHTTPSRotation(t *testing.T) {
	a, b := testenv.NewTLSPair(t), testenv.NewTLSPair(t)
	certFile, keyFile := a.Files(t)
	var log testenv.SyncBuffer
	line, stop := startServe(t, &log, "--listen", "127.0.0.1:0", "--tls-cert-file", certFile, "--tls-key-file", keyFile,
		"--kubeconfig", offlineKubeconfig(t))
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	url := strings.Fields(rest)[0]
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("start line: %q, want an https:// URL", line)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/mcp")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(a.CA)
	roots.AppendCertsFromPEM(b.CA)
	cs := connectTLS(t, url, roots)
	toolsOverHTTPS(t, cs)
	if !a.Is(testenv.PeerCertificate(t, addr, roots)) {
		t.Fatal("the server does not present certificate A")
	}

	testenv.ReplaceFile(t, certFile, b.Cert)
	testenv.ReplaceFile(t, keyFile, b.Key[:len(b.Key)/2])
	testenv.Eventually(t, 10*time.Second, "the half-written key noticed", func() bool { return strings.Contains(log.String(), "TLS certificate not reloaded") })
	if !a.Is(testenv.PeerCertificate(t, addr, roots)) {
		t.Fatal("a half-written key replaced certificate A")
	}

	testenv.ReplaceFile(t, keyFile, b.Key)
	testenv.Eventually(t, 10*time.Second, "certificate B presented", func() bool { return b.Is(testenv.PeerCertificate(t, addr, roots)) })
	toolsOverHTTPS(t, cs)
	toolsOverHTTPS(t, connectTLS(t, url, roots))
	if n := strings.Count(log.String(), "serving MCP at"); n != 1 {
		t.Errorf("the server started %d times", n)
	}
}

// TestServeTLSRefusals: a pair that is not whole, or cannot be read, is
// refused before serving; TLS does not stand in for auth beyond loopback.
func TestServeTLSRefusals(t *testing.T) {
	a := testenv.NewTLSPair(t)
	certFile, keyFile := a.Files(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"certificate alone", []string{"--listen", "127.0.0.1:0", "--tls-cert-file", certFile}, "give both"},
		{"key alone", []string{"--listen", "127.0.0.1:0", "--tls-key-file", keyFile}, "give both"},
		{"over stdio", []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile}, "TLS is for HTTP"},
		{"unreadable", []string{"--listen", "127.0.0.1:0", "--tls-cert-file", certFile + ".missing", "--tls-key-file", keyFile}, "reading the TLS certificate"},
		{"not a pair", []string{"--listen", "127.0.0.1:0", "--tls-cert-file", certFile, "--tls-key-file", certFile}, "the PEM private key it was issued for"},
		{"beyond loopback without auth", []string{"--listen", "0.0.0.0:0", "--tls-cert-file", certFile, "--tls-key-file", keyFile}, "without authentication"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, nil, append(tt.args, "--kubeconfig", offlineKubeconfig(t))...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v (output %q)", tt.want, err, out)
			}
		})
	}
}

// connectTLS opens an MCP session at url over HTTPS trusting roots.
func connectTLS(t *testing.T, url string, roots *x509.CertPool) *mcp.ClientSession {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	t.Cleanup(tr.CloseIdleConnections)
	ct := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: tr}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "tls"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func toolsOverHTTPS(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil || len(res.Tools) == 0 {
		t.Fatalf("tools/list over HTTPS: %v", err)
	}
}
