// Package audit keeps an append-only, hash-chained record of tool calls: one
// JSON line per call, each carrying the hash of the line before it, so that an
// edited, deleted or reordered line is detected by Verify.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Record is one tool call. Arguments are kept only as a digest: they may hold
// anything, credentials included. Append bounds every string field (Bound).
type Record struct {
	Time       time.Time `json:"time"`
	Identity   string    `json:"identity"`
	Session    string    `json:"session,omitempty"`
	Tool       string    `json:"tool"`
	Cluster    string    `json:"cluster,omitempty"`
	Namespace  string    `json:"namespace,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	Verb       string    `json:"verb"` // read or write, from the tool's annotations
	ArgsDigest string    `json:"args_sha256"`
	Result     string    `json:"result"` // ok, error (isError result), failed (protocol error) or asked (a person is asked between calls)
	DurationMS float64   `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
	Revealed   bool      `json:"revealed,omitempty"` // asked to see Secret values (reveal_secret_values) and was answered
	Prev       string    `json:"prev"`
	Hash       string    `json:"hash"`
}

// Genesis is the prev of a log's first line.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// hashOf is the hash of r's content and prev: the line with an empty hash field.
func hashOf(r Record) (string, error) {
	r.Hash = ""
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Log appends records to a file and, optionally, a second writer (stdout).
type Log struct {
	mu   sync.Mutex
	w    io.Writer
	also io.Writer
	last string
}

// Open opens (or creates) the audit file at path for appending and continues
// its chain from the last line. A file whose chain is broken is refused with a
// *BrokenError: appending to it would hide the damage.
func Open(path string, also io.Writer) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening audit log: %w", err)
	}
	last, _, err := walk(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	return &Log{w: f, also: also, last: last}, nil
}

// New returns a Log writing a new chain to w only (tests, stdout-only setups).
func New(w io.Writer) *Log { return &Log{w: w, last: Genesis} }

// Append chains r, its fields bounded, to the log and writes it as one line.
// It refuses a line longer than MaxLine, which Open and Verify could not read:
// that is a field left unbounded, a bug.
func (l *Log) Append(r Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r = r.bounded()
	r.Prev = l.last
	h, err := hashOf(r)
	if err != nil {
		return err
	}
	r.Hash = h
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	if len(line) > MaxLine {
		return fmt.Errorf("audit record of %d bytes is longer than the %d a reader takes; not written", len(line), MaxLine)
	}
	if _, err := l.w.Write(line); err != nil {
		return fmt.Errorf("writing audit log: %w", err)
	}
	if l.also != nil {
		_, _ = l.also.Write(line)
	}
	l.last = h
	return nil
}

// Close closes the underlying file, if it is one.
func (l *Log) Close() error {
	if c, ok := l.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
