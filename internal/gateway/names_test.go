package gateway

import (
	"strings"
	"testing"
)

func TestServedName(t *testing.T) {
	long := strings.Repeat("very-long-tool-name-", 5)
	for _, tc := range []struct{ upstream, tool, want string }{
		{"everything", "echo", "everything__echo"},
		{"fs", "read/file name", "fs__read_file_name"},
		{"everything", long, "everything__very-long-tool-name-very-long-tool-name-ver_1cff8e14"},
	} {
		got := servedName(tc.upstream, tc.tool)
		if got != tc.want {
			t.Errorf("servedName(%q, %q) = %q, want %q", tc.upstream, tc.tool, got, tc.want)
		}
		if len(got) > maxName {
			t.Errorf("%q is %d characters, over %d", got, len(got), maxName)
		}
	}
	// Two long names that differ only past the cut still differ.
	if a, b := servedName("everything", long+"a"), servedName("everything", long+"b"); a == b || len(a) != maxName {
		t.Errorf("%q and %q: want two different names of %d characters", a, b, maxName)
	}
}
