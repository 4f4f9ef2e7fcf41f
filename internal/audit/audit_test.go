package audit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func record(i int) Record {
	return Record{Time: time.Date(2026, 11, 21, 10, 0, i, 0, time.UTC), Identity: "alice", Session: "s1", Tool: "pods_list",
		Namespace: "shop", Verb: "read", ArgsDigest: "abc", Result: "ok", DurationMS: 1.25}
}

func chain(t *testing.T, n int) []string {
	t.Helper()
	var buf bytes.Buffer
	l := New(&buf)
	for i := range n {
		if err := l.Append(record(i)); err != nil {
			t.Fatal(err)
		}
	}
	return strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestChainVerifies(t *testing.T) {
	lines := chain(t, 5)
	n, err := Verify(strings.NewReader(strings.Join(lines, "")))
	if err != nil || n != 5 {
		t.Fatalf("Verify: %d lines, %v", n, err)
	}
}

// TestTamperingDetected: editing, deleting, inserting or reordering one line is
// found, and the first broken line is named.
func TestTamperingDetected(t *testing.T) {
	lines := chain(t, 5)
	tests := []struct {
		name     string
		tamper   func([]string) []string
		wantLine int
	}{
		{"edit", func(l []string) []string { l[2] = strings.Replace(l[2], `"alice"`, `"mallory"`, 1); return l }, 3},
		{"delete", func(l []string) []string { return append(l[:1], l[2:]...) }, 2},
		{"reorder", func(l []string) []string { l[1], l[3] = l[3], l[1]; return l }, 2},
		{"insert copy", func(l []string) []string { return append(l[:3], append([]string{l[1]}, l[3:]...)...) }, 4},
		{"drop first", func(l []string) []string { return l[1:] }, 1},
		{"garbage", func(l []string) []string { l[4] = "not json\n"; return l }, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tampered := tt.tamper(append([]string(nil), lines...))
			_, err := Verify(strings.NewReader(strings.Join(tampered, "")))
			var broken *BrokenError
			if !errors.As(err, &broken) || broken.Line != tt.wantLine {
				t.Fatalf("want broken at line %d, got %v", tt.wantLine, err)
			}
		})
	}
}

func TestReopenContinuesChainAndRefusesBroken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	for round := range 2 {
		l, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := l.Append(record(round*3 + i)); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
	}
	f, _ := os.Open(path)
	n, err := Verify(f)
	f.Close()
	if err != nil || n != 6 {
		t.Fatalf("after reopening: %d lines, %v", n, err)
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(data, []byte(`"shop"`), []byte(`"prod"`), 1), 0o600)
	if _, err := Open(path, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a broken log must not be appended to: %v", err)
	}
}
