package cache_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// largePods is the size of the larger world: more than the default page
// (100) twice over, and more than fits one output budget.
const largePods = 250

// largeWorld is a namespace of largePods pods (testenv.ManyPod's) and as
// many ConfigMaps. Without a namespace controller a deleted namespace keeps
// them: they are taken away at cleanup, so other tests' cluster-wide lists
// stay small.
func largeWorld(t *testing.T) string {
	t.Helper()
	ctx, c := t.Context(), cache.Env.Clientset("admin")
	ns := cache.Env.Namespace(t, "golden-large")
	t.Cleanup(func() {
		all, now := metav1.ListOptions{}, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}
		_ = c.CoreV1().Pods(ns).DeleteCollection(context.Background(), now, all)
		_ = c.CoreV1().ConfigMaps(ns).DeleteCollection(context.Background(), now, all)
	})
	for i := range largePods {
		if _, err := c.CoreV1().Pods(ns).Create(ctx, testenv.ManyPod(i), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%03d", i), Labels: map[string]string{"i": fmt.Sprint(i % 7)}}}
		if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

// TestGoldenLarge: over a namespace of 250 pods and 250 ConfigMaps, every
// page of pods_list and resources_list, by limit and continue token and by
// output budget, answers from the cache exactly as from the apiserver, for
// each of goldenCallers. The first page of each is the cache's to answer
// when it fits the limit; a page that needs a continue token is the
// apiserver's.
func TestGoldenLarge(t *testing.T) {
	grantCarol(t)
	ns := largeWorld(t)
	for _, who := range goldenCallers {
		t.Run(fmt.Sprintf("%s/%s", who.mode, who.user), func(t *testing.T) {
			s := cache.NewStack(t, who.mode, policy.Config{}, nil)
			same := sameAs(t, serve(t, s, false, who.user), serve(t, s, true, who.user))
			for _, args := range []map[string]any{
				{"namespace": ns}, {"namespace": ns, "limit": 100}, {"namespace": ns, "limit": 1000},
				{"namespace": ns, "label_selector": "app in (app-1,app-2)", "limit": 3}, {"namespace": ns, "max_bytes": 4000},
			} {
				pages(t, same, "pods_list", args)
			}
			for _, args := range []map[string]any{
				{"resource": "pods"}, {"resource": "pods", "limit": 1000}, {"resource": "configmaps"},
				{"resource": "configmaps", "label_selector": "i=3", "limit": 10}, {"resource": "configmaps", "limit": 1000},
			} {
				args["namespace"], args["output"] = ns, "json"
				pages(t, same, "resources_list", args)
			}
			servedFromCache(t, s, who.user, "pods", ns, map[string]any{"limit": 1000}, true)
		})
	}
}
