package prompts

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// serve serves the prompts in memory, after the features given, on the
// clusters opts configure, and connects a real client; both close when the
// test ends. tune, if not nil, may adjust the prompts before they are
// installed.
func serve(t *testing.T, opts clusters.Options, tune func(*Prompts), before ...mcpserver.Feature) *mcp.ClientSession {
	t.Helper()
	mgr, err := clusters.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := New(mgr)
	if tune != nil {
		tune(p)
	}
	server := mcpserver.New(mcpserver.Options{Features: append(before, p)})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "prompts-test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// as is the clusters of the kubeconfig given.
func as(kubeconfig string) clusters.Options { return clusters.Options{Kubeconfig: kubeconfig} }

// withContexts writes a copy of the admin kubeconfig that has, besides its
// own context, the named ones, all reaching the test cluster.
func withContexts(t *testing.T, names ...string) string {
	t.Helper()
	envs := map[string]*testenv.Env{testenv.KubeContext: env}
	for _, n := range names {
		envs[n] = env
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, "admin", testenv.KubeContext, envs); err != nil {
		t.Fatal(err)
	}
	return path
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
