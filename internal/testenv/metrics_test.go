package testenv

import (
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// TestMetricsThroughAggregator reads usage set on the fake metrics-server
// through the real apiserver's aggregator, as kubectl top does: not served
// before EnableMetrics, then lists and gets by namespace, across namespaces
// and by label selector, with RBAC applied by the apiserver.
func TestMetricsThroughAggregator(t *testing.T) {
	ctx := t.Context()
	mc := metricsclient.NewForConfigOrDie(env.RESTConfig("admin")).MetricsV1beta1()
	if _, err := mc.PodMetricses(NamespaceShop).List(ctx, metav1.ListOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("before EnableMetrics: err = %v, want NotFound (no metrics API)", err)
	}
	begin := time.Now()
	if err := env.EnableMetrics(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("metrics API available after %v", time.Since(begin))
	if _, err := env.Clientset("admin").Discovery().ServerResourcesForGroupVersion("metrics.k8s.io/v1beta1"); err != nil {
		t.Errorf("discovery of metrics.k8s.io/v1beta1: %v", err)
	}
	front, cart := FrontendPods(), CartPods()
	env.Metrics.SetPodUsage(NamespaceShop, front[0], DeploymentFrontend, "120m", "100Mi")
	env.Metrics.SetPodUsage(NamespaceShop, cart[0], DeploymentCart, "300m", "200Mi")
	env.Metrics.SetPodUsage(NamespaceMonitoring, PodOOMKilled, DeploymentLogAggregator, "80m", "60Mi")
	env.Metrics.SetPodUsage(NamespaceShop, "gone", "gone", "1", "1Gi") // no such pod: never reported
	env.Metrics.SetNodeUsage(NodeName, "1500m", "6Gi")

	podNames := func(sel, ns string) []string {
		t.Helper()
		list, err := mc.PodMetricses(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			t.Fatalf("listing pod metrics in %q by %q: %v", ns, sel, err)
		}
		var names []string
		for _, pm := range list.Items {
			names = append(names, pm.Namespace+"/"+pm.Name)
		}
		slices.Sort(names)
		return names
	}
	if got, want := podNames("", NamespaceShop), []string{"shop/" + cart[0], "shop/" + front[0]}; !slices.Equal(got, want) {
		t.Errorf("shop: got %v, want %v", got, want)
	}
	if got := podNames("", ""); len(got) != 3 {
		t.Errorf("all namespaces: got %v, want 3 pods", got)
	}
	if got, want := podNames("app="+DeploymentCart, NamespaceShop), []string{"shop/" + cart[0]}; !slices.Equal(got, want) {
		t.Errorf("by label: got %v, want %v", got, want)
	}
	pm, err := mc.PodMetricses(NamespaceShop).Get(ctx, front[0], metav1.GetOptions{})
	if err != nil || len(pm.Containers) != 1 || pm.Containers[0].Usage.Cpu().MilliValue() != 120 {
		t.Errorf("get pod metrics: %+v, %v", pm, err)
	}
	if _, err := mc.PodMetricses(NamespaceShop).Get(ctx, front[1], metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("pod without usage: err = %v, want NotFound", err)
	}
	nm, err := mc.NodeMetricses().Get(ctx, NodeName, metav1.GetOptions{})
	if err != nil || nm.Usage.Memory().Value() != 6<<30 {
		t.Errorf("get node metrics: %+v, %v", nm, err)
	}
	alice := metricsclient.NewForConfigOrDie(env.RESTConfig("alice")).MetricsV1beta1()
	if _, err := alice.PodMetricses(NamespaceShop).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("alice: err = %v, want Forbidden", err)
	}
}
