package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestApiserverFaults runs the real binary over HTTP against a cluster of
// its own whose apiserver it hangs and restarts: a call to the hung
// apiserver ends with the per-call timeout's error well inside the bound; a
// call in flight when the apiserver dies gets a clear error; once the
// apiserver is back, calls succeed within 5 s without restarting kubemcp.
func TestApiserverFaults(t *testing.T) {
	solo := fleet(t, 1)[0]
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, "admin", "solo", map[string]*testenv.Env{"solo": solo}); err != nil {
		t.Fatal(err)
	}
	url := startHTTPWith(t, kubeconfig, "--call-timeout", "2s")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	list := func() (*mcp.CallToolResult, time.Duration) {
		start := time.Now()
		res, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: "namespaces_list"})
		if err != nil {
			t.Fatalf("namespaces_list: protocol error: %v", err)
		}
		return res, time.Since(start)
	}
	if res, _ := list(); res.IsError {
		t.Fatalf("before any fault: %s", textOf(res))
	}

	t.Run("hung", func(t *testing.T) {
		if err := solo.PauseAPIServer(); err != nil {
			t.Fatal(err)
		}
		defer solo.ResumeAPIServer()
		res, took := list()
		if took > 6*time.Second {
			t.Errorf("answered after %s with --call-timeout 2s", took)
		}
		if text := textOf(res); !res.IsError || !strings.Contains(text, "did not finish within 2s, kubemcp's per-call timeout") {
			t.Errorf("after %s, isError %v: %s", took, res.IsError, text)
		}
	})

	t.Run("restarted mid-call", func(t *testing.T) {
		testenv.Eventually(t, 10*time.Second, "the resumed apiserver to answer", func() bool { res, _ := list(); return !res.IsError })
		if err := solo.PauseAPIServer(); err != nil {
			t.Fatal(err)
		}
		inFlight := make(chan *mcp.CallToolResult, 1)
		go func() { res, _ := list(); inFlight <- res }()
		time.Sleep(500 * time.Millisecond) // the call is waiting on the paused apiserver
		if err := solo.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		res := <-inFlight
		clear := func(text string) bool {
			return strings.Contains(text, "cannot reach the cluster's apiserver") || strings.Contains(text, "kubemcp's per-call timeout")
		}
		if text := textOf(res); !res.IsError || !clear(text) {
			t.Errorf("the call in flight: isError %v: %s", res.IsError, text)
		} else {
			t.Logf("the call in flight: %s", text)
		}
		if err := solo.StartAPIServer(context.Background()); err != nil {
			t.Fatal(err)
		}
		back := time.Now()
		testenv.Eventually(t, 5*time.Second, "a call to succeed after the apiserver is back", func() bool { res, _ := list(); return !res.IsError })
		t.Logf("calls succeed again %s after the apiserver is ready", time.Since(back).Round(time.Millisecond))
	})
}
