package testenv

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// TLSPair is a new CA and a serving certificate it signed, for localhost and
// 127.0.0.1, with the certificate's key, all PEM: for tests of kubemcp's own
// HTTPS listener.
type TLSPair struct{ CA, Cert, Key []byte }

// NewTLSPair makes a TLSPair, each with its own CA.
func NewTLSPair(t testing.TB) TLSPair {
	t.Helper()
	caKey, caCert, caDER, err := newCA()
	if err != nil {
		t.Fatal(err)
	}
	certDER, key, err := newServingCert(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := ecKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return TLSPair{CA: pemBlock("CERTIFICATE", caDER), Cert: pemBlock("CERTIFICATE", certDER), Key: keyPEM}
}

// Is says whether der is this pair's certificate.
func (p TLSPair) Is(der []byte) bool {
	block, _ := pem.Decode(p.Cert)
	return block != nil && bytes.Equal(block.Bytes, der)
}

// PeerCertificate is the certificate a new TLS connection to addr, trusting
// roots, is shown for localhost.
func PeerCertificate(t testing.TB, addr string, roots *x509.CertPool) []byte {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// Files writes p to tls.crt and tls.key in a new temporary folder, as a
// mounted TLS Secret holds them, and returns their paths; ReplaceFile
// rotates them.
func (p TLSPair) Files(t testing.TB) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	ReplaceFile(t, certFile, p.Cert)
	ReplaceFile(t, keyFile, p.Key)
	return certFile, keyFile
}

// ReplaceFile swaps path's content by rename, as the kubelet updates a
// mounted Secret, so that a reader never sees the file cut short.
func ReplaceFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}
