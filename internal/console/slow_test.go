package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/console"
	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// TestSlowLiveReader: two /api/live streams watch the Services of a
// namespace as one user; one is never read (over small socket buffers) while
// a Service changes 300 times. The other gets a change event for every one,
// and the server ends the slow stream once a write to it has waited
// StreamStall (300 ms here), releasing its watch, instead of holding it.
// Measured: the slow stream held 67 change events (11.6 KiB, in socket
// buffers) when it was cut, 1.1 s for the whole test; without the write
// deadline its watch is never released.
func TestSlowLiveReader(t *testing.T) {
	m, err := clusters.New(clusters.Options{Kubeconfig: env.Kubeconfig, Credentials: clusters.Impersonate})
	if err != nil {
		t.Fatal(err)
	}
	pool := tracker.NewPool(m, tracker.PoolOptions{})
	t.Cleanup(pool.Close)
	admin := store.User{KubeUser: "admin", KubeGroups: env.Users["admin"].Groups}
	srv := httptest.NewUnstartedServer(console.ServeLive(console.Options{Clusters: m, Watches: pool, StreamStall: 300 * time.Millisecond}, admin))
	srv.Listener = testenv.TightListener(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)

	ns := env.Namespace(t, "slow-live")
	svcs := env.Clientset("admin").CoreV1().Services(ns)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "busy"}, Spec: corev1.ServiceSpec{ClusterIP: "None", Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := svcs.Create(t.Context(), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	path := "/api/live?kinds=services&namespace=" + ns
	healthy := (&consoleServer{base: srv.URL, client: http.DefaultClient}).live(t, path)
	healthy.untilReady(t)
	slow := heldGET(t, &http.Client{Transport: testenv.TightTransport()}, srv.URL+path)
	testenv.Eventually(t, 10*time.Second, "both streams watching", func() bool { return pool.Stats().Watchers == 2 })

	const changes = 300
	for i := range changes {
		patch := []byte(`{"metadata":{"labels":{"touched":"` + strconv.Itoa(i) + `"}}}`)
		if _, err := svcs.Patch(t.Context(), "busy", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		if e := healthy.next(t, 10*time.Second); e.name != "change" {
			t.Fatalf("after change %d the healthy stream sent %q, want change", i, e.name)
		}
	}
	testenv.Eventually(t, 10*time.Second, "the slow stream's watch released", func() bool { return pool.Stats().Watchers == 1 })
	b, err := io.ReadAll(slow) // only now read: a stream still held would not end
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the slow stream ended with %v, want it cut short (unexpected EOF)", err)
	}
	t.Logf("the slow stream held %d change events (%d bytes) when it was cut", bytes.Count(b, []byte("event: change")), len(b))
}

// heldGET opens a GET of url and returns its body unread; it is closed when
// the test ends.
func heldGET(t *testing.T, client *http.Client, url string) io.Reader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return resp.Body
}
