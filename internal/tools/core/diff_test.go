package core

import (
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				if s != "" {
					b.WriteString(s + "\n")
				}
				continue
			}
			b.WriteString("line " + string(rune('a'+i%26)) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"create", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"delete all", "a\n", "", "--- a\n+++ b\n@@ -1,1 +0,0 @@\n-a\n"},
		{"one changed line in the middle", lines(20, nil), lines(20, map[int]string{10: "changed"}),
			"--- a\n+++ b\n@@ -7,7 +7,7 @@\n line h\n line i\n line j\n-line k\n+changed\n line l\n line m\n line n\n"},
		{"two hunks", lines(30, nil), lines(30, map[int]string{2: "x", 25: "y"}),
			"--- a\n+++ b\n@@ -1,5 +1,5 @@\n line b\n-line c\n+x\n line d\n line e\n line f\n@@ -22,7 +22,7 @@\n line w\n line x\n line y\n-line z\n+y\n line a\n line b\n line c\n"},
		{"insert", "a\nc\n", "a\nb\nc\n", "--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n+b\n c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unifiedDiff(tt.a, tt.b, "a", "b"); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
