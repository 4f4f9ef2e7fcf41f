package store

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestKeyIsKept: the first key asked for is kept, through a reopen, and
// writers racing to make it all get the one kept.
func TestKeyIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	s := open(t, path)
	ctx := context.Background()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := s.Key(ctx, "session", []byte{byte(i), 1, 2, 3})
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("racing callers got different keys: %v", keys)
		}
	}
	s.Close()
	s = open(t, path)
	k, err := s.Key(ctx, "session", []byte("another"))
	if err != nil || !bytes.Equal(k, keys[0]) {
		t.Fatalf("after reopening: %v %v, want %v", k, err, keys[0])
	}
	if other, err := s.Key(ctx, "other", []byte("another")); err != nil || string(other) != "another" {
		t.Fatalf("another key: %q %v", other, err)
	}
}
