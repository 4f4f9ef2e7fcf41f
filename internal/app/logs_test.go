package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestJSONLogsHoldNoCredentials: with --log-format json every line kubemcp
// writes to stderr is a JSON object with time, level and msg (the start line
// too, its address an attribute), and no bearer token appears in any of
// them, even at debug level: not the caller's, on calls that reach an
// unreachable cluster and on a request the server cannot read, nor a wrong
// one the server refuses.
func TestJSONLogsHoldNoCredentials(t *testing.T) {
	token, wrong := "planted-"+rand.Text(), "planted-"+rand.Text()
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- {user: alice, token: "+token+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var log testenv.SyncBuffer
	line, stop := startServe(t, &log, "--listen", "127.0.0.1:0", "--auth", "token", "--auth-token-file", tokens, "--log-format", "json",
		"--log-level", "debug", "--kubeconfig", offlineKubeconfig(t), "--cluster-timeout", "2s")
	cs := connectAs(t, line, token)
	callAs(t, cs, "pods_list", map[string]any{"namespace": "shop"}, false)
	callAs(t, cs, "no_such_tool", nil, true)
	url := startURL(line)
	for _, bearer := range []string{token, wrong} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader("{not json"))
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	cs.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	var sawStart, sawCall bool
	for l := range strings.Lines(log.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("not a JSON line: %v: %q", err, l)
			continue
		}
		if rec["time"] == nil || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("a line without time, level or msg: %q", l)
		}
		if strings.Contains(l, "planted-") {
			t.Errorf("a bearer token is in the log: %q", l)
		}
		sawStart = sawStart || rec["url"] == url
		sawCall = sawCall || rec["msg"] == "tool call" && rec["tool"] == "pods_list"
	}
	if !sawStart || !sawCall {
		t.Errorf("start line with url %s: %v; pods_list call logged: %v; log:\n%s", url, sawStart, sawCall, log.String())
	}
}

// startURL is the MCP URL of a start line.
func startURL(line string) string {
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	return strings.Fields(rest)[0]
}
