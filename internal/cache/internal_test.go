package cache

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// TestSecretsNeverCached: no informer over Secrets is ever started, whatever
// asks for one.
func TestSecretsNeverCached(t *testing.T) {
	s := NewStack(t, clusters.Server, policy.Config{}, nil)
	cl, err := s.Cache.cluster("")
	if err != nil {
		t.Fatal(err)
	}
	started := false
	_, err = cl.kind(t.Context(), "secrets", func(c *cluster) *kind { started = true; return startPods(c) })
	if !errors.Is(err, ErrDirect) || started {
		t.Fatalf("secrets: err %v, started %v; want ErrDirect and no informer", err, started)
	}
}

// TestReadYourWrites: a pod created through kubemcp's client is recorded
// with its resourceVersion, and the creator's next cached list shows it.
func TestReadYourWrites(t *testing.T) {
	s := NewStack(t, clusters.Server, policy.Config{}, nil)
	ctx := t.Context()
	ns := Env.Namespace(t, "ryw")
	if _, err := s.Cache.ListPods(ctx, "", PodQuery{Namespace: ns}); err != nil {
		t.Fatalf("warming the cache: %v", err) // the informer runs before the write
	}
	kc, err := s.Clusters.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p" + string(rune('a'+i)), Namespace: ns},
			Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
		created, err := kc.Typed.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := s.Cache.cluster("")
		key := writeKey(cl.host, "", "", "pods")
		if got := s.Cache.writes.pending(key); got == 0 {
			t.Fatalf("the create of %s (resourceVersion %s) was not recorded", created.Name, created.ResourceVersion)
		}
		l, err := s.Cache.ListPods(ctx, "", PodQuery{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != i+1 {
			t.Fatalf("after creating %d pods the cached list has %d", i+1, len(l.Items))
		}
	}
}

// TestTrim: what is stored has no managed fields and no last-applied copy.
func TestTrim(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Annotations: map[string]string{lastApplied: "{}", "keep": "1"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
	got, _ := trim(pod)
	p := got.(*corev1.Pod)
	if p.ManagedFields != nil || p.Annotations[lastApplied] != "" || p.Annotations["keep"] != "1" {
		t.Fatalf("trimmed: %+v", p.ObjectMeta)
	}
}

// TestServerMayNotList: a server credential that may not list a kind (the
// impersonate-only credential the README allows without --cache) turns the
// kind off at its first read, instead of waiting for a sync that never
// comes on every read.
func TestServerMayNotList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := Env.WriteTokenKubeconfig(path, "alice", Env.Users["alice"].Token); err != nil {
		t.Fatal(err)
	}
	mgr, err := clusters.New(clusters.Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Clusters: mgr, SyncWait: time.Minute})
	t.Cleanup(c.Close)
	done := make(chan error, 1)
	go func() { _, err := c.ListPods(t.Context(), "", PodQuery{}); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrDirect) {
			t.Fatalf("%v, want ErrDirect", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the read waited for a sync the apiserver refuses")
	}
	cl, _ := c.cluster("")
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if k := cl.kinds["pods"]; k == nil || !k.full {
		t.Fatalf("the refused kind is still on: %+v", k)
	}
}

// TestWatchedKindNotReaped: a kind someone watches through the cache is not
// stopped as idle, however long unread; once the watch stops it is.
func TestWatchedKindNotReaped(t *testing.T) {
	clock := testenv.NewClock()
	s := NewStack(t, clusters.Server, policy.Config{}, clock.Now)
	stop, err := s.Cache.Watch(t.Context(), "", tracker.Target{Resource: podsGVR, Namespace: "default"}, func(tracker.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := s.Cache.cluster("")
	if err != nil {
		t.Fatal(err)
	}
	held := func() bool {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		return cl.kinds["pods"] != nil
	}
	clock.Add(2 * DefaultIdle)
	cl.reap(clock.Now())
	if !held() {
		t.Fatal("a watched kind was stopped as idle")
	}
	stop()
	clock.Add(2 * DefaultIdle)
	cl.reap(clock.Now())
	if held() {
		t.Fatal("an unwatched, unread kind was not stopped")
	}
}

// TestFullKindKeptForItsWatchers: a kind that passes the cluster's cap
// while someone watches it through the cache answers no more reads (they
// go direct) but keeps telling its watchers, who would otherwise hear
// nothing more; the last one leaving stops it.
func TestFullKindKeptForItsWatchers(t *testing.T) {
	ctx := t.Context()
	admin := Env.Clientset("admin")
	ns := Env.Namespace(t, "cap")
	t.Cleanup(func() { // no namespace controller here: take the pods away
		_ = admin.CoreV1().Pods(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{GracePeriodSeconds: new(int64)}, metav1.ListOptions{})
	})
	all, err := admin.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := clusters.New(clusters.Options{Kubeconfig: Env.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Clusters: mgr, MaxObjects: len(all.Items) + 1})
	t.Cleanup(c.Close)
	pool := tracker.NewPool(mgr, tracker.PoolOptions{Shared: c})
	t.Cleanup(pool.Close)
	var told atomic.Int32
	stop, err := pool.Watch(ctx, "", tracker.Target{Resource: corev1.SchemeGroupVersion.WithResource("pods"), Namespace: ns},
		func(tracker.Event) { told.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if st := pool.Stats(); st.Shared != 1 {
		t.Fatalf("the watch is not served from the cache: %+v", st)
	}
	pod := func(name string) {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pod("over-1")
	pod("over-2") // one past the cap
	testenv.Eventually(t, 10*time.Second, "the watcher told of both pods", func() bool { return told.Load() >= 2 })
	// The informer counts its objects in a handler of its own, which may
	// lag the watcher's: a read finds the cap passed once it has counted.
	testenv.Eventually(t, 10*time.Second, "a read of the full kind going direct", func() bool {
		_, err := c.ListPods(ctx, "", PodQuery{Namespace: ns})
		return errors.Is(err, ErrDirect)
	})
	cl, _ := c.cluster("")
	cl.mu.Lock()
	k := cl.kinds["pods"]
	cl.mu.Unlock()
	if k == nil || !k.full || k.informer.IsStopped() {
		t.Fatalf("the full kind: %+v, want full and still running for its watcher", k)
	}
	pod("over-3")
	testenv.Eventually(t, 10*time.Second, "the watcher told of a pod made after the kind filled", func() bool { return told.Load() >= 3 })
	stop()
	testenv.Eventually(t, 10*time.Second, "the full kind stopped once its last watcher left", k.informer.IsStopped)
}

// TestForgetDropsDecisions: a reload that changes a cluster drops the access
// decisions made by it (the name may now lead to another apiserver or
// credential), and keeps those of the other clusters.
func TestForgetDropsDecisions(t *testing.T) {
	c := &Cache{access: newDecisions(time.Hour, time.Now), clusters: map[string]*cluster{}}
	for _, key := range []string{"prod\x00alice\x00list pods", "prod-eu\x00alice\x00list pods"} {
		c.access.put(key, true)
	}
	c.Forget("prod")
	if _, ok := c.access.get("prod\x00alice\x00list pods"); ok {
		t.Error("prod's decision outlived the reload")
	}
	if _, ok := c.access.get("prod-eu\x00alice\x00list pods"); !ok {
		t.Error("prod-eu's decision was dropped with prod's")
	}
}
