package apps_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/apps"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// newServer is kubemcp wired as serve wires it, on the test cluster.
func newServer(t *testing.T) *mcp.Server {
	t.Helper()
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	srv, err := app.NewServer(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.MCP
}

// connect connects a real client to server in memory, declaring the
// extension with the MIME types given (none: not declaring it at all).
func connect(t *testing.T, server *mcp.Server, mimeTypes ...string) *mcp.ClientSession {
	t.Helper()
	caps := &mcp.ClientCapabilities{}
	if mimeTypes != nil {
		caps.AddExtension(apps.Extension, map[string]any{"mimeTypes": mimeTypes})
	}
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "apps-test", Version: "v0"}, &mcp.ClientOptions{Capabilities: caps}).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
