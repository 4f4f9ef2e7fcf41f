package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// tlsUpstream serves helloServer over TLS with pair's certificate, at /mcp,
// /sse and /ws (transport.Mux, as kubemcp serves them); tweak, if given,
// changes the server (its TLS settings, its hooks) before it starts.
func tlsUpstream(t *testing.T, pair testenv.TLSPair, tweak func(*httptest.Server)) *httptest.Server {
	t.Helper()
	cert, err := tls.X509KeyPair(pair.Cert, pair.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(transport.Mux(helloServer("tls-upstream"), transport.HTTPOptions{}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	if tweak != nil {
		tweak(srv)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// tlsURLs are srv's endpoints by transport.
func tlsURLs(srv *httptest.Server) map[string]string {
	return map[string]string{config.TransportHTTP: srv.URL + transport.PathMCP, config.TransportSSE: srv.URL + transport.PathSSE,
		config.TransportWebSocket: "wss" + strings.TrimPrefix(srv.URL, "https") + transport.PathWS}
}

// TestTLSUpstreams: an https, legacy SSE or wss upstream whose certificate
// a private CA signed is refused without its tls.caFile, with an error that
// says so and names the setting; the CA file is read at each connect, so
// once it holds the right CA the upstream connects, its tools are listed
// and called.
func TestTLSUpstreams(t *testing.T) {
	pair, other := testenv.NewTLSPair(t), testenv.NewTLSPair(t)
	srv := tlsUpstream(t, pair, nil)
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	testenv.ReplaceFile(t, caFile, other.CA) // not the CA that signed it, yet
	var ups []config.Upstream
	for kind, url := range tlsURLs(srv) {
		ups = append(ups, config.Upstream{Name: kind + "-none", URL: url, Transport: kind},
			config.Upstream{Name: kind, URL: url, Transport: kind, TLS: config.UpstreamTLS{CAFile: caFile}})
	}
	k := mustServe(t, Options{Upstreams: ups, Probe: time.Second, MinBackoff: 100 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	for _, u := range ups {
		testenv.Eventually(t, 5*time.Second, u.Name+" refused for its certificate", func() bool {
			s, _ := k.gw.State(u.Name)
			return strings.Contains(s.LastError, "certificate signed by unknown authority") && strings.Contains(s.LastError, "tls.caFile")
		})
	}
	if tools := k.tools(t); len(tools) != 1 { // upstreams_list alone
		t.Fatalf("tools of unverified upstreams are served: %v", tools)
	}

	testenv.ReplaceFile(t, caFile, pair.CA)
	for kind := range tlsURLs(srv) {
		testenv.Eventually(t, 5*time.Second, kind+"'s tools listed with the CA", func() bool { return has(k.tools(t), kind+"__hello") })
		if got := upstreamText(t, k.call(t, kind+"__hello", map[string]any{"Name": kind})); got != "hello "+kind {
			t.Errorf("%s__hello: %q", kind, got)
		}
		if s, _ := k.gw.State(kind + "-none"); s.Connected {
			t.Errorf("%s-none connected without the CA", kind)
		}
	}
}

// TestTLSClientCertificate: an upstream that asks for a client certificate
// gets the one in tls.certFile and tls.keyFile; without one it refuses the
// connection. The server checks the certificate is that one, not that a CA
// signed it for client use: testenv's certificates are for serving.
func TestTLSClientCertificate(t *testing.T) {
	pair, client := testenv.NewTLSPair(t), testenv.NewTLSPair(t)
	srv := tlsUpstream(t, pair, func(srv *httptest.Server) {
		c := srv.TLS
		c.ClientAuth = tls.RequireAnyClientCert
		c.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if !client.Is(raw[0]) {
				return errors.New("not the client certificate configured")
			}
			return nil
		}
	})
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	testenv.ReplaceFile(t, caFile, pair.CA)
	certFile, keyFile := client.Files(t)
	url := tlsURLs(srv)[config.TransportHTTP]
	k := mustServe(t, Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Upstreams: []config.Upstream{
		{Name: "mtls", URL: url, TLS: config.UpstreamTLS{CAFile: caFile, CertFile: certFile, KeyFile: keyFile}},
		{Name: "nocert", URL: url, TLS: config.UpstreamTLS{CAFile: caFile}}}})
	if got := upstreamText(t, k.call(t, "mtls__hello", map[string]any{"Name": "mtls"})); got != "hello mtls" {
		t.Errorf("mtls__hello: %q", got)
	}
	testenv.Eventually(t, 5*time.Second, "nocert refused", func() bool {
		s, _ := k.gw.State("nocert")
		return !s.Connected && strings.Contains(s.LastError, "certificate")
	})
}
