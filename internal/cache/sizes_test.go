package cache_test

import (
	"errors"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/metrics"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestCacheCap: with a cap that fits the cluster's ConfigMaps and not its
// pods, ConfigMaps are answered from the cache and pods directly; the log
// says why, naming the setting to raise, and a scrape of the metrics shows
// the objects held and the kinds by state.
func TestCacheCap(t *testing.T) {
	ctx := t.Context()
	cms, err := cache.Env.Clientset("admin").CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := clusters.New(clusters.Options{Kubeconfig: cache.Env.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	var log testenv.SyncBuffer
	m := metrics.New("test")
	c := cache.New(cache.Options{Clusters: mgr, MaxObjects: len(cms.Items) + 1, Reads: m.CacheReads(), Logger: slog.New(slog.NewTextHandler(&log, nil))})
	t.Cleanup(c.Close)
	m.CacheSizes(c.Sizes)

	_, res := resolve(ctx, t, cache.Stack{Clusters: mgr, Cache: c}, "configmaps")
	if _, err := c.List(ctx, "", cache.Query{Resource: res}); err != nil {
		t.Fatalf("ConfigMaps, within the cap: %v", err)
	}
	testenv.Eventually(t, 10*time.Second, "pods, past the cap, read directly", func() bool {
		_, err := c.ListPods(ctx, "", cache.PodQuery{})
		return errors.Is(err, cache.ErrDirect)
	})
	if !strings.Contains(log.String(), "raise cacheMaxObjects") || !strings.Contains(log.String(), "resource=pods") {
		t.Errorf("the log does not say why pods are read directly:\n%s", log.String())
	}
	cluster := `cluster="` + testenv.KubeContext + `"`
	want := []string{
		`kubemcp_cache_objects{` + cluster + `} ` + strconv.Itoa(len(cms.Items)),
		`kubemcp_cache_kinds{` + cluster + `,state="cached"} 1`,
		`kubemcp_cache_kinds{` + cluster + `,state="full"} 1`,
		`kubemcp_cache_kinds{` + cluster + `,state="refused"} 0`,
	}
	var body string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the last scrape:\n%s", body)
		}
	})
	// The informers count their objects in handlers of their own, which
	// may lag their stores.
	testenv.Eventually(t, 10*time.Second, strings.Join(want, ", "), func() bool {
		body = scrapeMetrics(t, m)
		for _, w := range want {
			if !strings.Contains(body, w+"\n") {
				return false
			}
		}
		return true
	})
}

// scrapeMetrics serves m's metrics once, as Prometheus would scrape them,
// and checks that Prometheus' parser reads them.
func scrapeMetrics(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if _, err := (&expfmt.TextParser{}).TextToMetricFamilies(strings.NewReader(rec.Body.String())); err != nil {
		t.Fatalf("parsing: %v\n%s", err, rec.Body.String())
	}
	return rec.Body.String()
}
