// Package e2e drives kubemcp end to end through real MCP clients (the go-sdk in
// memory and over HTTP, the TypeScript SDK and the MCP Inspector CLI over stdio
// and HTTP) against a real kube-apiserver seeded with sample workloads.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// kubemcpBinary builds ./cmd/kubemcp once per test run.
func kubemcpBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := testenv.RepoRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "kubemcp-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kubemcp")
		out, err := exec.Command("go", "build", "-o", binPath, filepath.Join(root, "cmd", "kubemcp")).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/kubemcp: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// startHTTP runs `kubemcp serve --listen 127.0.0.1:0` as a real process and
// returns its MCP URL. At cleanup it sends SIGTERM and requires a clean exit
// within the grace period: graceful shutdown is part of what is tested.
func startHTTP(t testing.TB, kubeconfig string) string {
	t.Helper()
	return startHTTPWith(t, kubeconfig)
}

// startHTTPWith is startHTTP with more serve flags.
func startHTTPWith(t testing.TB, kubeconfig string, flags ...string) string {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig, "--shutdown-grace", "5s"}, flags...)
	cmd := exec.Command(kubemcpBinary(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Started by the env so that it dies with this test binary, whatever happens.
	if err := env.StartProcess(cmd); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	var logMu sync.Mutex
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			log.WriteString(line + "\n")
			logMu.Unlock()
			if _, rest, ok := strings.Cut(line, "serving MCP at "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("kubemcp did not exit cleanly on SIGTERM: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("kubemcp still running 10s after SIGTERM")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-exited:
		exited <- err // for the cleanup, which must not wait for an exit that happened
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("kubemcp exited before serving: %v\n%s", err, log.String())
	case <-time.After(20 * time.Second):
		t.Fatal("kubemcp did not report its address within 20s")
	}
	return ""
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
