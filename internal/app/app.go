// Package app is kubemcp's command line: the cobra commands, their flags, and
// the one place where config, clusters, toolsets, server and transport are
// wired together.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X github.com/kubemcp/kubemcp/internal/app.version=v1.2.3".
var version = ""

// Streams are the process's standard streams; tests pass their own.
type Streams struct {
	In  io.ReadCloser
	Out io.WriteCloser
	Err io.Writer
}

// Main runs kubemcp as a process: it is the only caller of os.Exit.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubemcp:", err)
		os.Exit(1)
	}
}

// Run runs the command line args. With no command it serves, so that an MCP
// client can start plain `kubemcp` over stdio.
func Run(ctx context.Context, args []string, s Streams) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) {
		args = append([]string{"serve"}, args...)
	}
	root := &cobra.Command{
		Use:           "kubemcp",
		Short:         "A Model Context Protocol server for Kubernetes",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Err) // stdout may carry MCP; help and usage go to stderr
	root.SetErr(s.Err)
	root.AddCommand(serveCommand(s), consoleCommand(s), agentCommand(s), versionCommand(s), auditCommand(s))
	err := root.ExecuteContext(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" }

func versionCommand(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kubemcp's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(s.Out, "kubemcp", Version())
			return err
		},
	}
}

// Version is kubemcp's version: the one set at build time, else the module
// version Go recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
