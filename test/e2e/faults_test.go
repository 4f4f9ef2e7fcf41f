package e2e

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestApiserverFaults runs the real binary over HTTP against a cluster of
// its own whose apiserver it hangs and restarts: a call to the apiserver
// hung past the watch cache's bound ends with the per-call timeout's error well inside the bound; a
// call in flight when the apiserver dies gets a clear error; once the
// apiserver is back, calls succeed within 5 s without restarting kubemcp,
// and a live resource subscription held across the restart reports a change
// made as the apiserver came back within 10 s.
func TestApiserverFaults(t *testing.T) {
	solo := fleet(t, 1)[0]
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, "admin", testenv.KubeContext, map[string]*testenv.Env{testenv.KubeContext: solo}); err != nil {
		t.Fatal(err)
	}
	url := startHTTPWith(t, kubeconfig, "--call-timeout", "2s", "--cache-stale-after", staleAfter.String())
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	configMaps := solo.Clientset("admin").CoreV1().ConfigMaps("default")
	if _, err := configMaps.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survivor"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	live := connectLive(t, url, "2025-11-25")
	uri := liveURI("default", "configmaps", "survivor")
	live.subscribe(t, uri)
	label := func(value string) time.Time {
		t.Helper()
		start := time.Now()
		patch := []byte(`{"metadata":{"labels":{"touched":"` + value + `"}}}`)
		if _, err := configMaps.Patch(context.Background(), "survivor", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		return start
	}
	live.update(t, uri, label("before"))
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
		untilStale()
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
		untilStale()
		inFlight := make(chan *mcp.CallToolResult, 1)
		go func() { res, _ := list(); inFlight <- res }()
		// Deliberate: the call is to be waiting on the paused apiserver when it
		// stops, which nothing outside the binary shows; were it not yet sent,
		// it would meet a dead apiserver and get the same clear error.
		time.Sleep(500 * time.Millisecond)
		if err := solo.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		// Hold the dead apiserver's port until the call has answered:
		// client-go retries a GET cut by a reset a second later, and another
		// test's apiserver (same CA) that took the free port meanwhile would
		// answer it.
		port := holdPort(t, strings.TrimPrefix(solo.Server, "https://"))
		res := <-inFlight
		port.Close()
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

	t.Run("live subscription resumes", func(t *testing.T) {
		drain(live.updates)
		if err := solo.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		// Deliberate: the watch is to end and retry against a dead apiserver
		// for a while (what is checked is that it resumes after that), and
		// the binary shows no sign of a retry to wait on.
		time.Sleep(2 * time.Second)
		if err := solo.StartAPIServer(context.Background()); err != nil {
			t.Fatal(err)
		}
		since := label("after") // before the watch is back: only a resumed watch or a relist sees it
		select {
		case got := <-live.updates:
			if got != uri {
				t.Fatalf("notification for %s, want %s", got, uri)
			}
			t.Logf("the change made as the apiserver came back was reported after %s", time.Since(since).Round(time.Millisecond))
		case <-time.After(10 * time.Second):
			t.Fatal("no notifications/resources/updated within 10 s of the apiserver coming back")
		}
	})
}

// drain empties c of what is already there.
func drain(c chan string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// holdPort listens on addr and cuts every connection to it at once, as a
// dead server's host does, until closed.
func holdPort(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}

// TestToolTimeoutOnlyShortens: a tool's own timeout argument (pods_exec's
// timeout_seconds, running sleep in a real pod through the real apiserver
// and the fake kubelet) ends a call sooner than --call-timeout when it is
// shorter, and cannot stretch the call when it is longer: that call still
// ends at the per-call timeout, with its error.
func TestToolTimeoutOnlyShortens(t *testing.T) {
	const callTimeout = 4 * time.Second
	url := startHTTPWith(t, env.Kubeconfig, "--call-timeout", callTimeout.String())
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	tests := []struct {
		name     string
		seconds  int
		isError  bool
		want     string
		min, max time.Duration
	}{
		{"shorter", 1, false, "did not finish within 1s", time.Second, callTimeout},
		{"longer", 60, true, "did not finish within 4s, kubemcp's per-call timeout", callTimeout, callTimeout + 4*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: "pods_exec", Arguments: map[string]any{
				"namespace": "shop", "name": testenv.FrontendPods()[1], "command": []string{"sleep", "120"}, "timeout_seconds": tt.seconds}})
			took := time.Since(start)
			if err != nil {
				t.Fatalf("protocol error after %s: %v", took, err)
			}
			if text := textOf(res); res.IsError != tt.isError || !strings.Contains(text, tt.want) {
				t.Errorf("timeout_seconds %d with --call-timeout %s: isError %v after %s: %s", tt.seconds, callTimeout, res.IsError, took, text)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("timeout_seconds %d with --call-timeout %s: answered after %s, want %s to %s", tt.seconds, callTimeout, took, tt.min, tt.max)
			}
			t.Logf("timeout_seconds %d with --call-timeout %s: answered after %s", tt.seconds, callTimeout, took.Round(10*time.Millisecond))
		})
	}
}
