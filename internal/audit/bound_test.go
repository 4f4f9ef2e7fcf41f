package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestBound(t *testing.T) {
	long := strings.Repeat("ü", 400) // 800 bytes, two per character
	sum := sha256.Sum256([]byte(long))
	tests := []struct {
		name, in string
		want     func(string) bool
	}{
		{"short kept", "shop", func(s string) bool { return s == "shop" }},
		{"at the bound kept", strings.Repeat("a", MaxName), func(s string) bool { return len(s) == MaxName && !strings.Contains(s, "sha256") }},
		{"long cut", long, func(s string) bool {
			kept, marker, _ := strings.Cut(s, "... (")
			return len(s) <= MaxName && utf8.ValidString(s) && kept != "" && strings.HasPrefix(long, kept) &&
				marker == "800 bytes, sha256 "+hex.EncodeToString(sum[:])+")"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bound(tt.in, MaxName); !tt.want(got) {
				t.Errorf("Bound: %q", got)
			}
		})
	}
}

// worstRecord fills every string field of a Record, whatever fields it has,
// with a megabyte of the byte JSON escapes longest (\u0001), and every other
// field with its longest encoding.
func worstRecord() Record {
	var r Record
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(strings.Repeat("\x01", 1<<20))
		}
	}
	r.Time = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(14*3600+59*60)))
	r.DurationMS = -math.MaxFloat64
	r.Revealed = true
	return r
}

// TestLongestRecordFits: the longest record a caller can make is written, is
// at most MaxLine, and Verify and Open read it and go on.
func TestLongestRecordFits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	for round := range 2 {
		l, err := Open(path, nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := l.Append(worstRecord()); err != nil {
			t.Fatalf("the longest record was refused: %v", err)
		}
		l.Close()
	}
	data, _ := os.ReadFile(path)
	for _, line := range bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		t.Logf("longest line: %d bytes of at most %d", len(line), MaxLine)
		if len(line) > MaxLine {
			t.Errorf("a line of %d bytes, more than MaxLine", len(line))
		}
	}
	if n, err := Verify(bytes.NewReader(data)); err != nil || n != 2 {
		t.Fatalf("Verify: %d lines, %v", n, err)
	}
}

// TestTooLongLineNamed: a line longer than any Append writes (as an older
// kubemcp wrote for a huge argument) is reported by number, by Verify and by
// Open, which will not append after it.
func TestTooLongLineNamed(t *testing.T) {
	lines := chain(t, 3)
	huge := strings.Replace(lines[1], `"shop"`, `"`+strings.Repeat("n", 4<<20)+`"`, 1)
	data := lines[0] + huge + lines[2]
	_, err := Verify(strings.NewReader(data))
	var broken *BrokenError
	if !errors.As(err, &broken) || broken.Line != 2 || !strings.Contains(broken.Reason, "longer than") {
		t.Fatalf("Verify: %v", err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	os.WriteFile(path, []byte(data), 0o600)
	if _, err := Open(path, nil); !errors.As(err, &broken) || broken.Line != 2 {
		t.Fatalf("Open: %v", err)
	}
}
