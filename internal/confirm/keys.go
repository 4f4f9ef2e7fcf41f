package confirm

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
)

// minKeyLen is the shortest approval key accepted: 32 bytes, as many as the
// HMAC-SHA256 output, so the key is never the weaker part.
const minKeyLen = 32

// keyring gives the approval keys: the first signs, every one verifies.
type keyring func() ([][]byte, error)

// processKey is a random key that lives and dies with this process: its
// approvals are redeemed here and nowhere else.
func processKey() keyring {
	key := make([]byte, minKeyLen)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return func() ([][]byte, error) { return [][]byte{key}, nil }
}

// fileKeys reads path at every use, so that a rotated key (a Secret's mounted
// file updates in place) takes effect without a restart. Approvals are rare
// enough that the read costs nothing that matters.
func fileKeys(path string) keyring {
	return func() ([][]byte, error) { return readKeys(path) }
}

// readKeys reads one key a line; blank lines and lines starting with # are
// skipped. Each key is the line's bytes, so `openssl rand -base64 32` makes one.
func readKeys(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the approval key file: %w", err)
	}
	var keys [][]byte
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0 || line[0] == '#':
			continue
		case len(line) < minKeyLen:
			return nil, fmt.Errorf("approval key file %s, line %d: a key needs at least %d bytes (openssl rand -base64 32 makes one)", path, i+1, minKeyLen)
		}
		keys = append(keys, line)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("approval key file %s holds no key: put one a line (openssl rand -base64 32 makes one)", path)
	}
	return keys, nil
}
