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
	code := testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e })
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath)) // ~80 MB a run
	}
	os.Exit(code)
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

// startHTTP runs `kubemcp serve --listen 127.0.0.1:0` for kubeconfig as a
// real process (see serveArgs) and returns its MCP URL.
func startHTTP(t testing.TB, kubeconfig string) string {
	t.Helper()
	return startHTTPWith(t, kubeconfig)
}

// startHTTPWith is startHTTP with more serve flags.
func startHTTPWith(t testing.TB, kubeconfig string, flags ...string) string {
	t.Helper()
	return serveArgs(t, append([]string{"--kubeconfig", kubeconfig}, flags...)...).URL
}

// served is a kubemcp process started by serveArgs.
type served struct {
	URL    string
	mu     sync.Mutex
	log    strings.Builder
	proc   *os.Process
	killed bool // by Kill: no clean exit is due
}

// Kill ends the process with SIGKILL, as a node failure would.
func (s *served) Kill() error {
	s.mu.Lock()
	s.killed = true
	s.mu.Unlock()
	return s.proc.Kill()
}

// Log is what the process has written to stderr so far.
func (s *served) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// serveArgs runs `kubemcp serve --listen 127.0.0.1:0 args...` as a real
// process. At cleanup it sends SIGTERM and requires a clean exit within the
// grace period: graceful shutdown is part of what is tested.
func serveArgs(t testing.TB, args ...string) *served {
	t.Helper()
	cmd := exec.Command(kubemcpBinary(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--shutdown-grace", "5s"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Started by the env so that it dies with this test binary, whatever happens.
	if err := env.StartProcess(cmd); err != nil {
		t.Fatal(err)
	}
	s := &served{proc: cmd.Process}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if _, rest, ok := strings.Cut(sc.Text(), "serving MCP at "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			s.mu.Lock()
			killed := s.killed
			s.mu.Unlock()
			if waitErr != nil && !killed {
				t.Errorf("kubemcp did not exit cleanly on SIGTERM: %v\n%s", waitErr, s.Log())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("kubemcp still running 10s after SIGTERM")
		}
	})
	select {
	case s.URL = <-urls:
		return s
	case <-exited:
		t.Fatalf("kubemcp exited before serving: %v\n%s", waitErr, s.Log())
	case <-time.After(20 * time.Second):
		t.Fatalf("kubemcp did not report its address within 20s\n%s", s.Log())
	}
	return nil
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
