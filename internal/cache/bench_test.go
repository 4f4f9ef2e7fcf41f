package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
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
	memOnce.Do(func() { memNS, memErr = seedMemPods(context.Background(), cache.Env.Clientset("admin")) })
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

// seedMemPods creates 10,000 pods as a Deployment's would look: labels, an
// owner, one container with resources, ports and env.
func seedMemPods(ctx context.Context, c kubernetes.Interface) (string, error) {
	ns := "bench-10k"
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return "", err
	}
	errs := make(chan error, 20)
	for w := range 20 {
		go func() {
			for i := w; i < memPods; i += 20 {
				if _, err := c.CoreV1().Pods(ns).Create(ctx, memPod(i), metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			return "", err
		}
	}
	return ns, nil
}

func memPod(i int) *corev1.Pod {
	app := fmt.Sprintf("app-%d", i%50)
	yes := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-7d9f8c6b5-%05d", app, i),
			Labels:          map[string]string{"app": app, "pod-template-hash": "7d9f8c6b5", "tier": "web"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-7d9f8c6b5", UID: "0b5e1c4c-7d5e-4f6a-9d1e-2f3a4b5c6d7e", Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{
			Name: "web", Image: "registry.example.com/team/" + app + ":1.27.3",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			Env:   []corev1.EnvVar{{Name: "APP", Value: app}, {Name: "LOG_LEVEL", Value: "info"}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}},
		}}},
	}
}
