package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

const memPods = 10_000

var (
	memOnce sync.Once
	memNS   string
	memErr  error
)

// BenchmarkMemory10kPods reports the heap the watch cache holds for 10,000
// pods (heap in use after a GC, with the cache synced, less before it),
// next to the pods' JSON as the apiserver lists it. Run it once
// (-benchtime 1x): each iteration fills a new cache.
func BenchmarkMemory10kPods(b *testing.B) {
	memOnce.Do(func() {
		memNS, memErr = "bench-10k", cache.Env.SeedManyPods(context.Background(), "bench-10k", memPods)
	})
	if memErr != nil {
		b.Fatal(memErr)
	}
	raw, err := cache.Env.Clientset("admin").CoreV1().RESTClient().Get().AbsPath("/api/v1/namespaces", memNS, "pods").DoRaw(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var heap float64
	for b.Loop() {
		before := heapInUse()
		s := cache.NewStack(b, clusters.Server, policy.Config{}, nil)
		var l *cache.PodList
		testenv.Eventually(b, time.Minute, "the cache holds the pods", func() bool {
			l, err = s.Cache.ListPods(context.Background(), "", cache.PodQuery{Namespace: memNS})
			if err != nil && !errors.Is(err, cache.ErrDirect) {
				b.Fatal(err)
			}
			return err == nil && len(l.Items) == memPods
		})
		l = nil
		heap = float64(heapInUse()-before) / (1 << 20)
		s.Cache.Close()
	}
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(float64(len(raw))/(1<<20), "raw-json-MB")
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Users and kinds of BenchmarkSharedWatches: each user may list and watch
// the kinds in a namespace of their own.
const benchWatchUsers = 20

var (
	benchWatchKinds = []schema.GroupVersionResource{
		corev1.SchemeGroupVersion.WithResource("pods"), corev1.SchemeGroupVersion.WithResource("configmaps"),
		corev1.SchemeGroupVersion.WithResource("services"), corev1.SchemeGroupVersion.WithResource("events"),
		appsv1.SchemeGroupVersion.WithResource("deployments"),
	}
	benchWatchOnce sync.Once
	benchWatchNS   []string
	benchWatchErr  error
)

// BenchmarkSharedWatches reports how many watches reach the apiserver (its
// own apiserver_longrunning_requests) for 20 users (impersonated) each
// watching 5 kinds in their own namespace, through the pool as kubemcp
// wires it with the watch cache (shared) and without (direct: a tracker per
// user); and how long setting up all 100 watches took.
func BenchmarkSharedWatches(b *testing.B) {
	benchWatchOnce.Do(func() { benchWatchNS, benchWatchErr = seedWatchUsers(context.Background()) })
	if benchWatchErr != nil {
		b.Fatal(benchWatchErr)
	}
	for _, shared := range []bool{true, false} {
		b.Run(map[bool]string{true: "shared", false: "direct"}[shared], func(b *testing.B) {
			s := cache.NewStack(b, clusters.Impersonate, policy.Config{}, nil)
			opts := tracker.PoolOptions{MaxWatchesPerUser: -1}
			if shared {
				opts.Shared = s.Cache
			}
			pool := tracker.NewPool(s.Clusters, opts)
			defer pool.Close()
			before := benchApiserverWatches(b)
			var watches int
			for b.Loop() {
				stops := watchAll(b, pool)
				b.StopTimer()
				testenv.Eventually(b, 30*time.Second, "the apiserver's watches settle", func() bool {
					watches = benchApiserverWatches(b) - before
					time.Sleep(200 * time.Millisecond)
					return watches == benchApiserverWatches(b)-before
				})
				for _, stop := range stops {
					stop()
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(watches), "apiserver-watches")
			b.ReportMetric(float64(benchWatchUsers*len(benchWatchKinds)), "subscriptions")
		})
	}
}

// watchAll starts every user's watch of every kind in their namespace.
func watchAll(b *testing.B, pool *tracker.Pool) []func() {
	var stops []func()
	for u, ns := range benchWatchNS {
		ctx := identity.NewContext(context.Background(), &identity.Identity{User: fmt.Sprintf("watcher-%02d", u)})
		for _, gvr := range benchWatchKinds {
			stop, err := pool.Watch(ctx, "", tracker.Target{Resource: gvr, Namespace: ns}, func(tracker.Event) {})
			if err != nil {
				b.Fatal(err)
			}
			stops = append(stops, stop)
		}
	}
	return stops
}

// seedWatchUsers makes each user's namespace and lets them read the kinds.
func seedWatchUsers(ctx context.Context) ([]string, error) {
	var namespaces []string
	rules := []rbacv1.PolicyRule{
		{Verbs: []string{"watch", "list", "get"}, APIGroups: []string{""}, Resources: []string{"pods", "configmaps", "services", "events"}},
		{Verbs: []string{"watch", "list", "get"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
	}
	for u := range benchWatchUsers {
		ns := fmt.Sprintf("bench-watch-%02d", u)
		if _, err := cache.Env.Clientset("admin").CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		if err := cache.Env.Grant(ctx, ns, "watch-all", rbacv1.Subject{Kind: rbacv1.UserKind, Name: fmt.Sprintf("watcher-%02d", u)}, rules...); err != nil {
			return nil, err
		}
		namespaces = append(namespaces, ns)
	}
	return namespaces, nil
}

// benchApiserverWatches counts the apiserver's open watches of the
// benchmark's kinds, cluster-wide and in namespaces.
func benchApiserverWatches(b *testing.B) int {
	n := 0
	for _, gvr := range benchWatchKinds {
		n += apiserverWatches(b, gvr.Resource, "cluster") + apiserverWatches(b, gvr.Resource, "namespace")
	}
	return n
}
