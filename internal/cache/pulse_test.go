package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestClusterOutage: a cluster of its own (its apiserver is stopped and
// paused) is answered from the cache until it stops answering, then read
// directly: a hung apiserver within StaleAfter (only the heartbeat can tell),
// a stopped one at once, well inside StaleAfter (its watches end); and from
// the cache again once it is back.
func TestClusterOutage(t *testing.T) {
	e, err := testenv.Start(context.Background(), testenv.Options{})
	if e != nil {
		t.Cleanup(func() { e.Stop() })
	}
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := clusters.New(clusters.Options{Kubeconfig: e.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	const short = time.Second
	quick, patient := New(Options{Clusters: mgr, StaleAfter: short}), New(Options{Clusters: mgr, StaleAfter: time.Hour})
	t.Cleanup(quick.Close)
	t.Cleanup(patient.Close)
	cached := func(c *Cache) error {
		_, err := c.ListPods(t.Context(), "", PodQuery{Namespace: "default"})
		if err != nil && !errors.Is(err, ErrDirect) {
			t.Fatalf("ListPods: %v", err)
		}
		return err
	}
	for _, c := range []*Cache{quick, patient} {
		if err := cached(c); err != nil {
			t.Fatalf("a live cluster: %v, want a cached answer", err)
		}
	}

	if err := e.PauseAPIServer(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	testenv.Eventually(t, 10*short, "reads of the hung cluster to go direct", func() bool { return cached(quick) != nil })
	if took := time.Since(paused); took > short+500*time.Millisecond {
		t.Errorf("a hung cluster was answered from the cache for %s, StaleAfter %s", took, short)
	}
	if err := e.ResumeAPIServer(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*short, "the cache to answer again", func() bool { return cached(quick) == nil })

	if err := e.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	testenv.Eventually(t, 10*time.Second, "reads of the stopped cluster to go direct", func() bool { return cached(patient) != nil })
	if took := time.Since(stopped); took > time.Second {
		t.Errorf("a stopped cluster was answered from the cache for %s; its watches ended at once", took)
	}
	if err := e.StartAPIServer(context.Background()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "the cache to answer again", func() bool { return cached(patient) == nil })
}
