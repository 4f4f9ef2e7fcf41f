package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
)

// TestAuditSurvivesHugeCalls: alice sends a 750 KB namespace and a 1 MB tool
// name over HTTP; bob calls as usual. Every call is recorded in a line that
// names alice's values by digest, `audit verify` reads the whole file, the
// next start continues the chain and records bob again, and the server log
// keeps no line of megabytes.
func TestAuditSurvivesHugeCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	args := []string{"--listen", "127.0.0.1:0", "--auth", "token", "--auth-token-file", tokenFile(t, "alice", "bob"),
		"--audit-file", path, "--kubeconfig", offlineKubeconfig(t), "--cluster-timeout", "2s", "--user-rate", "0", "--user-concurrency", "0"}
	// JSON writes "<" as \u003c: unbounded, this namespace made a 4.5 MB line.
	hugeNS, hugeTool := strings.Repeat("<", 750<<10), strings.Repeat("t", 1<<20)
	var log bytes.Buffer
	line, stop := startServe(t, &log, args...)
	alice, bob := connectAs(t, line, "alice"), connectAs(t, line, "bob")
	callAs(t, alice, "pods_list", map[string]any{"namespace": hugeNS}, false)
	callAs(t, alice, hugeTool, nil, true)
	callAs(t, bob, "pods_list", map[string]any{"namespace": "shop"}, false)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkVerify(t, path, 3)
	lines := strings.Split(strings.TrimSpace(readString(t, path)), "\n")
	for i, want := range []string{`"identity":"alice"`, `"identity":"alice"`, `"identity":"bob"`} {
		if !strings.Contains(lines[i], want) || len(lines[i]) > audit.MaxLine {
			t.Errorf("line %d (%d bytes) lacks %s: %.300s", i+1, len(lines[i]), want, lines[i])
		}
	}
	for i, huge := range []string{hugeNS, hugeTool} {
		if !strings.Contains(lines[i], "sha256 "+digest(huge)) {
			t.Errorf("line %d does not name the huge value by its digest: %.300s", i+1, lines[i])
		}
	}
	for l := range strings.Lines(log.String()) {
		if len(l) > 4096 {
			t.Errorf("a server log line of %d bytes: %.300s", len(l), l)
		}
	}

	line, stop = startServe(t, &log, args...)
	callAs(t, connectAs(t, line, "bob"), "pods_list", map[string]any{"namespace": "shop"}, false)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkVerify(t, path, 4)
}

// TestServeRefusesBrokenAuditFile: a file with a line longer than kubemcp
// writes (an older kubemcp wrote such lines) is named by line in `audit
// verify`, and serve says what is wrong and how to go on.
func TestServeRefusesBrokenAuditFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Append(audit.Record{Tool: "pods_list"})
	l.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"namespace":"` + strings.Repeat("n", 4<<20) + `"}` + "\n")
	f.Close()
	if _, err := run(t, nil, "audit", "verify", path); err == nil || !strings.Contains(err.Error(), "line 2: it is longer than") {
		t.Errorf("verify: %v", err)
	}
	_, err = run(t, nil, "--audit-file", path, "--kubeconfig", offlineKubeconfig(t))
	for _, want := range []string{path, "line 2", "longer than", "keep", "new"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("serve on a broken audit file: want %q in %v", want, err)
		}
	}
}

// tokenFile writes a --auth-token-file where each user's token is their name.
func tokenFile(t *testing.T, users ...string) string {
	t.Helper()
	body := "tokens:\n"
	for _, u := range users {
		body += "- {user: " + u + ", token: " + u + "}\n"
	}
	p := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// connectAs connects to the server whose start line is given, with token.
func connectAs(t *testing.T, startLine, token string) *mcp.ClientSession {
	t.Helper()
	_, rest, _ := strings.Cut(startLine, "serving MCP at ")
	tr := &mcp.StreamableClientTransport{Endpoint: strings.Fields(rest)[0], HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "audit"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// callAs calls tool and checks whether it failed with a protocol error.
func callAs(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, protocolError bool) {
	t.Helper()
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if (err != nil) != protocolError {
		t.Fatalf("calling %.40s: %v", tool, err)
	}
}

func checkVerify(t *testing.T, path string, lines int) {
	t.Helper()
	out, err := run(t, nil, "audit", "verify", path)
	if want := strconv.Itoa(lines) + " lines, chain intact"; err != nil || !strings.Contains(out, want) {
		t.Fatalf("audit verify: %q, %v; want %q", out, err, want)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
