package gateway

import (
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestHungUpstream: an upstream that stops answering (server-everything over
// stdio, stopped with SIGSTOP: alive, silent) has each call end with a tool
// error within its timeout, while another upstream's tools and kubemcp's own
// answer as before, during the hung calls.
func TestHungUpstream(t *testing.T) {
	node, script := testenv.NPMServer(t, "@modelcontextprotocol/server-everything")
	pidFile := filepath.Join(t.TempDir(), "pid")
	fine := newGoUpstream(t, "one")
	const timeout = 2 * time.Second
	k := mustServe(t, Options{Upstreams: []config.Upstream{
		{Name: "stuck", Timeout: metav1.Duration{Duration: timeout},
			Command: []string{"sh", "-c", `echo $$ > "$0"; exec "$1" "$2" stdio`, pidFile, node, script}},
		{Name: "fine", URL: fine.url},
	}})
	if res := k.call(t, "stuck__echo", map[string]any{"message": "hi"}); res.IsError {
		t.Fatalf("echo before the hang: %s", text(res))
	}
	pid := pidOf(pidFile)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) }) // before the gateway closes (cleanups run last first)

	var wg sync.WaitGroup
	hung := make(chan time.Duration, 3)
	for range 3 {
		wg.Go(func() {
			start := time.Now()
			res := k.call(t, "stuck__echo", map[string]any{"message": "anyone?"})
			if !res.IsError || !strings.Contains(text(res), "no answer within 2s") || !strings.Contains(text(res), `upstream "stuck"`) {
				t.Errorf("a call to the hung upstream: isError %v, %q; want a timeout naming it", res.IsError, text(res))
			}
			hung <- time.Since(start)
		})
	}
	time.Sleep(200 * time.Millisecond) // the hung calls are in flight
	for _, tool := range []string{"fine__one", "upstreams_list"} {
		start := time.Now()
		if res := k.call(t, tool, nil); res.IsError {
			t.Errorf("%s during the hang: %s", tool, text(res))
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s took %s during the hang: the hung upstream held it up", tool, took)
		}
	}
	wg.Wait()
	close(hung)
	for took := range hung {
		t.Logf("a call to the hung upstream ended after %s (its timeout %s)", took.Round(time.Millisecond), timeout)
		if took < timeout || took > timeout+time.Second {
			t.Errorf("a call to the hung upstream ended after %s, want just over its timeout, %s", took, timeout)
		}
	}
}
