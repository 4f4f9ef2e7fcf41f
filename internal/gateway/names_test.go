package gateway

import (
	"errors"
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

// TestSafeError: what upstreams_list, /readyz and an MCPServer's status show
// of an upstream's error keeps no user-info, query or fragment of any URL in
// it, nor a credential.
func TestSafeError(t *testing.T) {
	err := errors.New(`Post "https://bot:hunter2@mcp.example.com/mcp?token=s3cret#frag": dial tcp: refused; then wss://mcp.example.com/ws?sessionid=abc, and Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl; refusing a request to http://127.0.0.1:4711, not its configured http://127.0.0.1:4712`)
	got := safeError(err)
	for _, secret := range []string{"hunter2", "s3cret", "frag", "sessionid=abc", "eyJzdWIiOiJ4In0"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q is in %q", secret, got)
		}
	}
	if !strings.Contains(got, `"https://mcp.example.com/mcp"`) || !strings.Contains(got, "wss://mcp.example.com/ws, and") ||
		!strings.Contains(got, "refusing a request to http://127.0.0.1:4711, not its configured http://127.0.0.1:4712") {
		t.Errorf("the URLs' hosts and paths are gone: %q", got)
	}
}
