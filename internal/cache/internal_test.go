package cache

import (
	"errors"
	"path/filepath"
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
