package testenv

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
