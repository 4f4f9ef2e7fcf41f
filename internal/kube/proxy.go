package kube

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// Proxy lets a command-line tool (kubectl, helm) reach the cluster only
// through kubemcp: it listens on loopback, accepts one bearer token of its
// own, and forwards with the client's real credentials through the same policy
// RoundTripper every kubemcp request passes. The tool never sees the real
// credentials, and read-only mode and deny rules hold for whatever it sends.
type Proxy struct {
	URL   string // https://127.0.0.1:PORT
	token string
	ca    []byte // PEM of the proxy's own certificate, which the kubeconfig trusts
	srv   *http.Server
}

// StartProxy starts a proxy to c's cluster.
func (c *Client) StartProxy() (*Proxy, error) {
	target, err := url.Parse(c.Config.Host)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", c.Config.Host, err)
	}
	rt, err := rest.TransportFor(c.Config) // carries the credentials and the policy guard
	if err != nil {
		return nil, err
	}
	cert, err := proxyCert()
	if err != nil {
		return nil, err
	}
	// HTTPS even on loopback: kubectl sends a bearer token only over TLS.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert.tls}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "https://" + ln.Addr().String(), token: rand.Text(), ca: cert.pem}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = target.Host
			r.Out.Header.Del("Authorization")
			// The tool must not borrow the server's right to impersonate:
			// only kubemcp's own transport may set these.
			for h := range r.Out.Header {
				if strings.HasPrefix(strings.ToLower(h), "impersonate-") {
					r.Out.Header.Del(h)
				}
			}
		},
		Transport:     rt,
		FlushInterval: -1, // watches and followed logs stream through at once
		ErrorHandler:  proxyError,
	}
	p.srv = &http.Server{Handler: p.authorize(rp)}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *Proxy) authorize(next http.Handler) http.Handler {
	want := []byte("Bearer " + p.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "kubemcp proxy: unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// proxyError answers a refused request the way the apiserver answers a
// forbidden one, so the tool prints kubemcp's reason, and a failed one as
// unavailable (not forbidden: the CLI tools would report an auth error).
func proxyError(w http.ResponseWriter, _ *http.Request, err error) {
	var denied *policy.DeniedError
	code, reason := http.StatusBadGateway, "ServiceUnavailable"
	if errors.As(err, &denied) {
		code, reason = http.StatusForbidden, "Forbidden"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"reason":%q,"code":%d}`, unwrapURL(err).Error(), reason, code)
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// WriteKubeconfig writes a kubeconfig that reaches the cluster only through p,
// with namespace as its default, into dir, and returns its path.
func (p *Proxy) WriteKubeconfig(dir, namespace string) (string, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubemcp"] = &clientcmdapi.Cluster{Server: p.URL, CertificateAuthorityData: p.ca}
	cfg.AuthInfos["kubemcp"] = &clientcmdapi.AuthInfo{Token: p.token}
	cfg.Contexts["kubemcp"] = &clientcmdapi.Context{Cluster: "kubemcp", AuthInfo: "kubemcp", Namespace: namespace}
	cfg.CurrentContext = "kubemcp"
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", err
	}
	return path, os.Chmod(path, 0o600)
}

type selfSigned struct {
	tls tls.Certificate
	pem []byte
}

// proxyCert is a self-signed certificate for 127.0.0.1, made once per process:
// its key never leaves memory.
var proxyCert = sync.OnceValues(func() (selfSigned, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return selfSigned{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kubemcp CLI proxy"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return selfSigned{}, err
	}
	return selfSigned{
		tls: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
})

// Close stops the proxy; its token is then worthless.
func (p *Proxy) Close() error { return p.srv.Close() }
