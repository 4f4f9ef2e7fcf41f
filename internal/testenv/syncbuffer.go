package testenv

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer a server's goroutines may write (its log,
// its stdout) while the test reads it; a plain Buffer would race.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
