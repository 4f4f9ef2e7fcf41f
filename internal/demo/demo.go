// Package demo runs kubemcp against a real, seeded local cluster (testenv) and
// prints ready-to-paste MCP client configs, for trying kubemcp without a
// cluster of one's own.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// Main is the whole of cmd/kubemcp-demo: Run with the process's arguments,
// stopping on SIGINT or SIGTERM.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kubemcp-demo:", err)
		stop()
		os.Exit(1)
	}
}

type flags struct {
	kubemcp    string
	listen     string
	kubeconfig string
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("kubemcp-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.kubemcp, "kubemcp", "./bin/kubemcp", "path of the kubemcp binary to run")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address kubemcp serves HTTP on")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "where to write the cluster's admin kubeconfig (default <repo>/.cache/demo/kubeconfig)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f, nil
}

// Run starts a seeded cluster and kubemcp, prints how to connect, and keeps
// both running until ctx ends (clean exit) or kubemcp exits (an error).
// Everything it started is stopped before it returns.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	bin, err := kubemcpBinary(f.kubemcp)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	fmt.Fprintln(stderr, "kubemcp-demo: starting a local cluster (the first run builds it: several minutes)...")
	env, err := testenv.Start(ctx, testenv.Options{Seed: true, Logger: log})
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()
	kubeconfig, err := writeKubeconfig(env, f.kubeconfig)
	if err != nil {
		return err
	}
	return serve(ctx, env, bin, kubeconfig, f.listen, stdout, stderr)
}

func serve(ctx context.Context, env *testenv.Env, bin, kubeconfig, listen string, stdout, stderr io.Writer) error {
	// The console serves MCP at /mcp on the same listener, beside the web
	// console and its API; its database sits beside the demo kubeconfig.
	db := filepath.Join(filepath.Dir(kubeconfig), "console.db")
	cmd := exec.Command(bin, "console", "--listen", listen, "--kubeconfig", kubeconfig, "--db", db)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := env.StartProcess(cmd); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	// The exit is sent once and the channel closed, so that whoever reads it
	// second (stopProcess after waitHealthy saw the exit) does not wait forever.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); close(exited) }()
	if err := waitHealthy(ctx, listen, exited); err != nil {
		stopProcess(cmd, exited)
		return err
	}
	PrintBanner(stdout, Info{Endpoint: endpoint(listen), Console: "http://" + listen + "/", Kubeconfig: kubeconfig, Binary: bin, Server: env.Server})
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "kubemcp-demo: stopping")
		stopProcess(cmd, exited)
		return nil
	case err := <-exited:
		return fmt.Errorf("kubemcp exited on its own (%v); stopped the cluster", exitText(err))
	}
}

// kubemcpBinary checks that path is an executable file and makes it absolute.
func kubemcpBinary(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(abs)
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("no kubemcp binary at %s; build one with `go build -o bin/kubemcp ./cmd/kubemcp` or pass --kubemcp", abs)
	}
	return abs, nil
}

// writeKubeconfig copies the admin kubeconfig to path, by default
// .cache/demo/kubeconfig in the repo: a path that stays the same from run to
// run, so client configs pasted once keep working.
func writeKubeconfig(env *testenv.Env, path string) (string, error) {
	if path == "" {
		root, err := testenv.RepoRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, ".cache", "demo", "kubeconfig")
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(env.Kubeconfig)
	if err != nil {
		return "", fmt.Errorf("reading the admin kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}

// waitHealthy polls http://listen/healthz until it answers 200.
func waitHealthy(ctx context.Context, listen string, exited <-chan error) error {
	url := strings.TrimSuffix(endpoint(listen), "/mcp") + "/healthz"
	client := &http.Client{Timeout: time.Second}
	deadline := time.After(30 * time.Second)
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("kubemcp exited before answering %s (%v)", url, exitText(err))
		case <-deadline:
			return fmt.Errorf("kubemcp did not answer %s within 30s", url)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stopProcess sends SIGTERM to kubemcp's process group and SIGKILL after 5s.
func stopProcess(cmd *exec.Cmd, exited <-chan error) {
	pgid := -cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-exited
	}
}

func exitText(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ProcessState.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// endpoint is the MCP URL for a listen address; an unspecified host means
// this machine, reached on loopback.
func endpoint(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/mcp"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/mcp"
}
