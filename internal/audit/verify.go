package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

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
	br := bufio.NewReaderSize(r, MaxLine)
	prev := Genesis
	for line := 1; ; line++ {
		text, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return "", 0, &BrokenError{line, fmt.Sprintf("it is longer than the %d bytes kubemcp writes in a line (not an audit log, or one an older kubemcp wrote unbounded)", MaxLine)}
		case errors.Is(err, io.EOF) && len(text) == 0:
			return prev, line - 1, nil
		case err != nil && !errors.Is(err, io.EOF):
			return "", 0, errors.Join(&BrokenError{line, "unreadable"}, err)
		}
		rec, err := check(text, prev)
		if err != nil {
			return "", 0, &BrokenError{line, err.Error()}
		}
		prev = rec.Hash
	}
}

// check decodes one line and checks that it follows prev and matches its hash.
func check(line []byte, prev string) (Record, error) {
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("not an audit record: %w", err)
	}
	if rec.Prev != prev {
		return rec, errors.New("it does not follow the line before it (a line was deleted, inserted or reordered)")
	}
	h, err := hashOf(rec)
	if err != nil {
		return rec, err
	}
	if h != rec.Hash {
		return rec, errors.New("its content does not match its hash (the line was edited)")
	}
	return rec, nil
}
