package cache

import "github.com/kubemcp/kubemcp/internal/metrics"

// Sizes says what the cache holds for each cluster it has started: for the
// metrics (metrics.CacheSizes).
func (c *Cache) Sizes() []metrics.CacheSize {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]metrics.CacheSize, 0, len(c.clusters))
	for _, cl := range c.clusters {
		out = append(out, cl.size())
	}
	return out
}

// size is what c holds.
func (c *cluster) size() metrics.CacheSize {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := metrics.CacheSize{Cluster: c.name, Objects: c.objects(), Kinds: map[string]int{}}
	for _, k := range c.kinds {
		switch {
		case !k.full:
			s.Kinds[metrics.CacheKindCached]++
		case k.isRefused():
			s.Kinds[metrics.CacheKindRefused]++
		default:
			s.Kinds[metrics.CacheKindFull]++
		}
	}
	return s
}
