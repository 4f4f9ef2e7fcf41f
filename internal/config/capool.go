package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// CAPool is the certificates in the PEM file at path, which a setting names
// as the CAs to trust; its errors name the file, the caller the setting.
func CAPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := CAPoolFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pool, nil
}

// errNoPEM says what a CA setting should hold; it names no value, since
// what is there instead may be anything, a secret included.
var errNoPEM = errors.New("no PEM certificate in it; give the CA certificate (-----BEGIN CERTIFICATE-----) that signed the server's")

// CAPoolFromPEM is the certificates in pem, CA data given inline or read
// from a Secret or ConfigMap; an error if there are none.
func CAPoolFromPEM(pem []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errNoPEM
	}
	return pool, nil
}
