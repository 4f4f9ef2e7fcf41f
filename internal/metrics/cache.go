package metrics

import "github.com/prometheus/client_golang/prometheus"

// The states of a kind in the watch cache, the values of
// kubemcp_cache_kinds' state label.
const (
	CacheKindCached  = "cached"  // its informer runs and serves reads once synced
	CacheKindFull    = "full"    // it would pass the cluster's object cap: read directly until idle
	CacheKindRefused = "refused" // the server's credential may not list it: read directly until idle
)

var cacheKindStates = []string{CacheKindCached, CacheKindFull, CacheKindRefused}

// CacheSize is what the watch cache holds for one cluster.
type CacheSize struct {
	Cluster string // a configured cluster's name
	Objects int    // held by the kinds it serves
	Kinds   map[string]int
}

// CacheSizes reports, at each scrape, what sizes says the watch cache
// holds; call it once. Nil m does nothing.
func (m *Metrics) CacheSizes(sizes func() []CacheSize) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&cacheCollector{sizes: sizes,
		objects: prometheus.NewDesc("kubemcp_cache_objects",
			"Objects the watch cache holds, by cluster: those of the kinds it serves, counted against cacheMaxObjects.", []string{"cluster"}, nil),
		kinds: prometheus.NewDesc("kubemcp_cache_kinds",
			"Kinds the watch cache has informers for, by cluster and state: cached; full (they would pass cacheMaxObjects: read directly until idle); refused (the server's credential may not list them: read directly until idle).",
			[]string{"cluster", "state"}, nil)})
}

// cacheCollector reads the cache's sizes at each scrape, so a cluster the
// cache has forgotten leaves no series behind.
type cacheCollector struct {
	sizes          func() []CacheSize
	objects, kinds *prometheus.Desc
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.objects
	ch <- c.kinds
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.sizes() {
		ch <- prometheus.MustNewConstMetric(c.objects, prometheus.GaugeValue, float64(s.Objects), s.Cluster)
		for _, state := range cacheKindStates {
			ch <- prometheus.MustNewConstMetric(c.kinds, prometheus.GaugeValue, float64(s.Kinds[state]), s.Cluster, state)
		}
	}
}
