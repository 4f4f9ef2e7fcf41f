// Package console tests the console's web app in a real browser: Playwright
// drives Debian's Chromium against a real `kubemcp console`, built with the
// app embedded, reading two real clusters, one of them down.
package console

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// repo is the repository's root.
func repo(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// run runs a command in dir and fails the test with its output if it fails.
func run(t *testing.T, dir string, extraEnv []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// node is the Node 22 that scripts/install-node.sh installs.
func node(t *testing.T) string {
	t.Helper()
	out := run(t, repo(t), nil, "scripts/install-node.sh")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// buildConsole builds the web app (make web) and kubemcp with it embedded.
func buildConsole(t *testing.T) string {
	t.Helper()
	root := repo(t)
	run(t, root, nil, "scripts/build-web.sh")
	bin := filepath.Join(t.TempDir(), "kubemcp")
	run(t, root, nil, "go", "build", "-o", bin, "./cmd/kubemcp")
	return bin
}

// startConsole runs `kubemcp console --listen 127.0.0.1:0` as a real
// process for kubeconfig, with extra flags, and returns its URL.
func startConsole(t *testing.T, bin, kubeconfig string, extra ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"console", "--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig,
		"--db", filepath.Join(t.TempDir(), "console.db")}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := env.StartProcess(cmd); err != nil { // dies with the test binary
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urls := make(chan string, 1)
	log := &testenv.SyncBuffer{}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if _, rest, ok := strings.Cut(sc.Text(), "serving the console at "); ok {
				urls <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		}
	}()
	select {
	case u := <-urls:
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("console log:\n%s", log.String())
			}
		})
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("kubemcp console did not say where it serves within 30s:\n%s", log.String())
		return ""
	}
}

// twoClusters writes a kubeconfig with the shared cluster as "main" and a
// second cluster as "down", whose kube-apiserver is then stopped.
func twoClusters(t *testing.T) string {
	t.Helper()
	other, err := testenv.Start(context.Background(), testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Stop() })
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, "admin", "main", map[string]*testenv.Env{"main": env, "down": other}); err != nil {
		t.Fatal(err)
	}
	if err := other.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	return path
}
