package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	nodeOnce sync.Once
	nodePath string
	nodeErr  error
)

// Node installs the pinned npm packages of test/e2e/node (once; seconds when
// current) with scripts/install-node.sh and returns the Node 22 binary that
// runs them. make test runs the same script first, so in CI it is a check.
func Node() (string, error) {
	nodeOnce.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			nodeErr = err
			return
		}
		var stderr bytes.Buffer
		cmd := exec.Command(filepath.Join(root, "scripts", "install-node.sh"))
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			nodeErr = fmt.Errorf("this test needs Node 22 and the npm packages of test/e2e/node: scripts/install-node.sh failed (%v): %s; run make node-deps", err, stderr.String())
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		nodePath = lines[len(lines)-1]
	})
	return nodePath, nodeErr
}

// NodeDir is test/e2e/node, where the npm packages the tests run live.
func NodeDir() (string, error) {
	root, err := RepoRoot()
	return filepath.Join(root, "test", "e2e", "node"), err
}

// NPMServer is the Node binary and the entry point (dist/index.js) of an
// MCP server package installed in test/e2e/node, by its npm name (e.g.
// "@modelcontextprotocol/server-everything", "argocd-mcp").
func NPMServer(t testing.TB, pkg string) (node, script string) {
	t.Helper()
	node, err := Node()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := NodeDir()
	if err != nil {
		t.Fatal(err)
	}
	return node, filepath.Join(dir, "node_modules", filepath.FromSlash(pkg), "dist", "index.js")
}

// FreePort is a loopback port nothing listens on just now.
func FreePort(t testing.TB) int {
	t.Helper()
	ports, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	return ports[0]
}

// StartEverythingHTTP runs server-everything's streamable HTTP server on
// port (its endpoint: http://127.0.0.1:<port>/mcp) until the test ends, and
// returns once it accepts connections, with the time it did.
func StartEverythingHTTP(t testing.TB, port int) (*exec.Cmd, time.Time) {
	t.Helper()
	return StartEverything(t, "streamableHttp", port)
}

// StartEverything runs server-everything with transport streamableHttp
// (endpoint /mcp) or sse (legacy SSE: GET /sse, POST /message), as
// StartEverythingHTTP does.
func StartEverything(t testing.TB, transport string, port int) (*exec.Cmd, time.Time) {
	t.Helper()
	node, script := NPMServer(t, "@modelcontextprotocol/server-everything")
	cmd := exec.Command(node, script, transport)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var up time.Time
	Eventually(t, 15*time.Second, "server-everything listening", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			up = time.Now()
			c.Close()
		}
		return err == nil
	})
	return cmd, up
}
