package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// agentCLI runs an agent's CLI (the npm packages pinned in test/e2e/node, run
// by Node 22) in dir with a HOME of its own, and returns its combined output.
// With kubemcp, kubemcp is on its PATH and KUBECONFIG is the test cluster's.
func agentCLI(t *testing.T, home, dir string, kubemcp bool, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBinary(t), args...)
	cmd.Dir = dir
	path := os.Getenv("PATH")
	if kubemcp {
		path = filepath.Dir(kubemcpBinary(t)) + string(os.PathListSeparator) + path
	}
	cmd.Env = append(os.Environ(), "HOME="+home, "PATH="+path, "KUBECONFIG="+env.Kubeconfig,
		"DISABLE_AUTOUPDATER=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestClaudePlugin validates plugins/claude, and the repository as its
// marketplace, with the real Claude Code CLI, then has Claude Code start
// kubemcp from the plugin and check that it connects. All of it works
// offline: no model is asked anything.
func TestClaudePlugin(t *testing.T) {
	// The wrapper runs the platform's native binary, which npm installs as
	// an optional dependency (postinstall, skipped by install-node.sh, would
	// only copy it into place).
	claude := filepath.Join(nodeDir(t), "node_modules", "@anthropic-ai", "claude-code", "cli-wrapper.cjs")
	root, home := repoRoot(t), t.TempDir()
	for _, dir := range []string{filepath.Join(root, "plugins", "claude"), root} {
		out, err := agentCLI(t, home, root, false, claude, "plugin", "validate", "--strict", dir)
		if err != nil || !strings.Contains(out, "Validation passed") {
			t.Errorf("claude plugin validate --strict %s: %v\n%s", dir, err, out)
		}
	}
	for _, onPath := range []bool{true, false} {
		out, err := agentCLI(t, home, t.TempDir(), onPath, claude, "--plugin-dir", filepath.Join(root, "plugins", "claude"), "mcp", "list")
		if err != nil {
			t.Fatalf("claude mcp list: %v\n%s", err, out)
		}
		// Without kubemcp on PATH the same check fails: the connection is
		// kubemcp's, started by Claude Code from the plugin.
		if connected := strings.Contains(out, "plugin:kubemcp:kubemcp: kubemcp serve - ✔ Connected"); connected != onPath {
			t.Errorf("kubemcp on PATH %v: claude mcp list says\n%s", onPath, out)
		}
	}
}

// TestGeminiExtension validates plugins/gemini with the real Gemini CLI,
// links it into a fresh HOME, and has the CLI start kubemcp from it and check
// that it connects, in a folder the HOME trusts (Gemini CLI starts no MCP
// server in an untrusted folder). No model is asked anything.
func TestGeminiExtension(t *testing.T) {
	gemini := filepath.Join(nodeDir(t), "node_modules", "@google", "gemini-cli", "bundle", "gemini.js")
	root, home, work := repoRoot(t), t.TempDir(), t.TempDir()
	ext := filepath.Join(root, "plugins", "gemini")
	if out, err := agentCLI(t, home, root, false, gemini, "extensions", "validate", ext); err != nil || !strings.Contains(out, "successfully validated") {
		t.Errorf("gemini extensions validate: %v\n%s", err, out)
	}
	if out, err := agentCLI(t, home, work, false, gemini, "extensions", "link", ext, "--consent"); err != nil {
		t.Fatalf("gemini extensions link: %v\n%s", err, out)
	}
	trust := `{"` + work + `": "TRUST_FOLDER"}`
	if err := os.WriteFile(filepath.Join(home, ".gemini", "trustedFolders.json"), []byte(trust), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, onPath := range []bool{true, false} {
		out, err := agentCLI(t, home, work, onPath, gemini, "mcp", "list")
		if err != nil {
			t.Fatalf("gemini mcp list: %v\n%s", err, out)
		}
		if connected := strings.Contains(out, "✓ kubemcp (from kubemcp): kubemcp serve (stdio) - Connected"); connected != onPath {
			t.Errorf("kubemcp on PATH %v: gemini mcp list says\n%s", onPath, out)
		}
	}
}
