package resources

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// reloading serves the live resources from a kubeconfig of their own at
// path, whose one context, alpha, reaches the test cluster as admin: its
// reloads make the watch cache (when shared) and then the pool forget what
// changed, as kubemcp serve wires them. It connects a client speaking
// version.
func reloading(t *testing.T, path string, shared bool, version string) (*client, *clusters.Manager, *tracker.Pool, *Resources) {
	t.Helper()
	if err := testenv.WriteKubeconfig(path, "admin", "alpha", map[string]*testenv.Env{"alpha": env}); err != nil {
		t.Fatal(err)
	}
	m, err := clusters.New(clusters.Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	var opts tracker.PoolOptions
	var c *cache.Cache
	if shared {
		c = cache.New(cache.Options{Clusters: m})
		t.Cleanup(c.Close)
		opts.Shared = c
	}
	pool := tracker.NewPool(m, opts)
	t.Cleanup(pool.Close)
	m.OnChange(func(ch clusters.Change) {
		gone := slices.Concat(ch.Removed, ch.Changed)
		if c != nil {
			c.Forget(gone...)
		}
		pool.Forget(gone...)
	})
	res := New(Options{Clusters: m, Pool: pool})
	t.Cleanup(res.Close)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := mcpserver.New(mcpserver.Options{Features: []mcpserver.Feature{res}}).Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cl := &client{f: flavour{version: version}, updates: make(chan string, 100), acks: make(chan struct{}, 100)}
	mc := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) { cl.updates <- req.Params.URI },
	})
	mc.AddReceivingMiddleware(cl.noteAcks)
	cs, err := mc.Connect(t.Context(), ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	cl.ClientSession = cs
	return cl, m, pool, res
}

// reload rewrites the kubeconfig at path with edit and reloads m, which
// must see alpha changed or removed.
func reload(t *testing.T, m *clusters.Manager, path string, edit func(*clientcmdapi.Config)) {
	t.Helper()
	if err := testenv.EditKubeconfig(path, edit); err != nil {
		t.Fatal(err)
	}
	if c, err := m.Reload(); err != nil || !slices.Contains(slices.Concat(c.Changed, c.Removed), "alpha") {
		t.Fatalf("reload: %+v, %v; want alpha changed or removed", c, err)
	}
}

// TestSubscriptionOutlivesReload: a subscription to a pod, served by the
// caller's tracker or by the watch cache, in both protocol eras. The
// kubeconfig rewritten with a new server URL for its cluster (the clients
// rebuilt, as for a rotated token), the subscriber is told to re-read, and
// of the pod's next change. The cluster removed, it is told once more, the
// subscription is released, and a re-read says why.
func TestSubscriptionOutlivesReload(t *testing.T) {
	ns := env.Namespace(t, "res-reload")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "watched"},
		Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	pods := env.Clientset("admin").CoreV1().Pods(ns)
	if _, err := pods.Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	uri := URI("alpha", ns, "pods", "watched")
	for _, shared := range []bool{false, true} {
		for _, version := range []string{"2025-11-25", "2026-07-28"} {
			t.Run(fmt.Sprintf("shared=%v/%s", shared, version), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "config")
				c, m, pool, res := reloading(t, path, shared, version)
				if err := c.subscribe(t, uri); err != nil {
					t.Fatal(err)
				}
				serving := tracker.Stats{Trackers: 1, Watches: 1, Watchers: 1}
				if shared {
					serving = tracker.Stats{Watchers: 1, Shared: 1}
				}
				testenv.Eventually(t, 3*time.Second, fmt.Sprintf("the pool holding %+v", serving), func() bool { return pool.Stats() == serving })

				reload(t, m, path, func(c *clientcmdapi.Config) {
					c.Clusters["alpha"].Server = strings.Replace(c.Clusters["alpha"].Server, "127.0.0.1", "localhost", 1)
				})
				c.updateWithin(t, uri, 5*time.Second) // opened again: re-read
				testenv.Eventually(t, 3*time.Second, fmt.Sprintf("the pool holding %+v again", serving), func() bool { return pool.Stats() == serving })
				patch := []byte(`{"metadata":{"labels":{"touched":"` + version + fmt.Sprint(shared) + `"}}}`)
				if _, err := pods.Patch(t.Context(), "watched", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					t.Fatal(err)
				}
				c.update(t, uri)

				reload(t, m, path, func(c *clientcmdapi.Config) {
					c.Contexts["beta"], c.CurrentContext = c.Contexts["alpha"], "beta"
					delete(c.Contexts, "alpha")
				})
				c.updateWithin(t, uri, 5*time.Second)
				testenv.Eventually(t, 3*time.Second, "the subscription released", func() bool {
					return pool.Stats() == tracker.Stats{} && res.Subscriptions() == 0
				})
				_, err := c.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
				if err == nil || !strings.Contains(err.Error(), "alpha") {
					t.Fatalf("re-read of a removed cluster's object: %v, want why", err)
				}
				t.Log(err)
			})
		}
	}
}
