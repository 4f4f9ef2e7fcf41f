package config

import (
	"crypto/x509"
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
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return pool, nil
}
