package demo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// The kubemcp binary is built by another package; these tests run the test
// binary itself as a stand-in that serves /healthz, so they check the demo's
// process handling, not kubemcp.
const (
	standInEnv = "KUBEMCP_DEMO_STANDIN" // "serve": until SIGTERM; "exit": exit 3 after a moment
	pidFileEnv = "KUBEMCP_DEMO_STANDIN_PID"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(standInEnv); mode != "" {
		os.Exit(standIn(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// standIn plays `kubemcp console --listen ADDR --kubeconfig PATH --db PATH`.
func standIn(mode string, args []string) int {
	if len(args) != 7 || args[0] != "console" || args[1] != "--listen" || args[3] != "--kubeconfig" || args[5] != "--db" {
		fmt.Fprintf(os.Stderr, "stand-in: unexpected args %q\n", args)
		return 2
	}
	if _, err := clientcmd.BuildConfigFromFlags("", args[4]); err != nil {
		fmt.Fprintf(os.Stderr, "stand-in: %v\n", err)
		return 2
	}
	_ = os.WriteFile(os.Getenv(pidFileEnv), []byte(strconv.Itoa(os.Getpid())), 0o600)
	ln, err := net.Listen("tcp", args[2])
	if err != nil {
		return 2
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	if mode == "exit" {
		time.Sleep(500 * time.Millisecond) // a server that dies after it started serving, which the demo must report
		return 3
	}
	<-sigs
	return 0
}

func runArgs(t *testing.T, mode string) (args []string, kubeconfig, pidFile string) {
	t.Setenv(standInEnv, mode)
	dir := t.TempDir()
	pidFile = filepath.Join(dir, "pid")
	t.Setenv(pidFileEnv, pidFile)
	bin, err := testenv.BinDir(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBEMCP_BIN_DIR", bin)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	return []string{"--kubemcp", os.Args[0], "--listen", listen, "--kubeconfig", kubeconfig}, kubeconfig, pidFile
}

// TestRunStopsEverything runs the demo against a real seeded cluster, checks
// the banner and the kubeconfig, cancels it (as Ctrl-C does) and checks the
// stand-in kubemcp is gone.
func TestRunStopsEverything(t *testing.T) {
	args, kubeconfig, pidFile := runArgs(t, "serve")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr testenv.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, &stdout, &stderr) }()
	waitFor(t, done, &stderr, func() bool { return strings.Contains(stdout.String(), "Press Ctrl-C") })
	if !strings.Contains(stdout.String(), "http://"+args[3]+"/mcp") {
		t.Errorf("banner lacks the endpoint:\n%s", stdout.String())
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods(testenv.NamespaceShop).List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) == 0 {
		t.Errorf("listing seeded pods with the demo kubeconfig: %v, %v", pods, err)
	}
	pid := readPID(t, pidFile)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v\n%s", err, stderr.String())
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("stand-in kubemcp (pid %d) still running", pid)
	}
}

// TestRunKubemcpExits checks that Run ends, with an error, when kubemcp exits
// on its own.
func TestRunKubemcpExits(t *testing.T) {
	args, _, _ := runArgs(t, "exit")
	var stdout, stderr testenv.SyncBuffer
	err := Run(t.Context(), args, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Run = %v, want kubemcp's exit status 3 reported\n%s", err, stderr.String())
	}
}

func waitFor(t *testing.T, done <-chan error, stderr fmt.Stringer, cond func() bool) {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v\n%s", err, stderr)
		case <-deadline:
			t.Fatalf("timed out\n%s", stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
