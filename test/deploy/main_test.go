// Package deploy checks what users deploy kubemcp with: the Helm chart in
// deploy/helm/kubemcp (rendered and linted with the Helm SDK, every manifest
// dry-run applied to a real kube-apiserver, the config it writes accepted by
// kubemcp's own loader, each RBAC preset installed for real and kubemcp run
// with it as in a pod, its promises called through an MCP client) and the
// image `make image` builds (user, entrypoint, labels as the Dockerfile
// declares them, size, a binary that runs).
package deploy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{}, func(e *testenv.Env) { env = e }))
}

// repoPath is a path inside the repository.
func repoPath(t *testing.T, elem ...string) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root}, elem...)...)
}
