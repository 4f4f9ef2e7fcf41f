// Package audit keeps an append-only, hash-chained record of tool calls: one
// JSON line per call, each carrying the hash of the line before it, so that an
// edited, deleted or reordered line is detected by Verify.
package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Record is one tool call. Arguments are kept only as a digest: they may hold
// anything, credentials included.
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
	Result     string    `json:"result"` // ok, error (isError result) or failed (protocol error)
	DurationMS float64   `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
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
// its chain from the last line. A file whose chain is broken is refused: appending
// to it would hide the damage.
func Open(path string, also io.Writer) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening audit log: %w", err)
	}
	last, _, err := walk(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log %s: %w; move it aside to start a new chain", path, err)
	}
	return &Log{w: f, also: also, last: last}, nil
}

// New returns a Log writing a new chain to w only (tests, stdout-only setups).
func New(w io.Writer) *Log { return &Log{w: w, last: Genesis} }

// Append chains r to the log and writes it as one line.
func (l *Log) Append(r Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
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

// BrokenError names the first line where the chain does not hold.
type BrokenError struct {
	Line   int
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit chain broken at line %d: %s", e.Line, e.Reason)
}

// Verify reads a whole audit log and checks every line's hash and link. It
// returns the number of lines checked, or a *BrokenError for the first bad one.
func Verify(r io.Reader) (int, error) {
	_, n, err := walk(r)
	return n, err
}

// walk checks every line of r and returns the last hash and the number of lines.
func walk(r io.Reader) (string, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	prev := Genesis
	line := 0
	for sc.Scan() {
		line++
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return "", 0, &BrokenError{line, "not an audit record: " + err.Error()}
		}
		if rec.Prev != prev {
			return "", 0, &BrokenError{line, "it does not follow the line before it (a line was deleted, inserted or reordered)"}
		}
		h, err := hashOf(rec)
		if err != nil {
			return "", 0, err
		}
		if h != rec.Hash {
			return "", 0, &BrokenError{line, "its content does not match its hash (the line was edited)"}
		}
		prev = rec.Hash
	}
	if err := sc.Err(); err != nil {
		return "", 0, errors.Join(&BrokenError{line + 1, "unreadable"}, err)
	}
	return prev, line, nil
}
