package clusters

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// Cache defaults: enough for a busy team's server, short enough that a
// passthrough token does not sit in memory long after its caller left.
const (
	DefaultCacheSize = 1000
	DefaultCacheTTL  = 10 * time.Minute
)

// clientCache keeps per-identity clients, least recently used first out,
// each for at most ttl after it was built.
type clientCache struct {
	size int
	ttl  time.Duration
	now  func() time.Time // time.Now; tests move their own clock

	mu    sync.Mutex
	order *list.List // of *cacheEntry, most recently used first
	items map[string]*list.Element
}

type cacheEntry struct {
	key     string
	client  *kube.Client
	expires time.Time
}

func newClientCache(size int, ttl time.Duration) *clientCache {
	if size == 0 {
		size = DefaultCacheSize
	}
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	return &clientCache{size: size, ttl: ttl, now: time.Now, order: list.New(), items: map[string]*list.Element{}}
}

func (c *clientCache) off() bool { return c.size < 0 || c.ttl < 0 }

// get returns the client cached under key, or builds and caches one. Two
// callers racing on a new key may both build; the first to finish is kept.
func (c *clientCache) get(key string, build func() (*kube.Client, error)) (*kube.Client, error) {
	if c.off() {
		return build()
	}
	if kc := c.lookup(key, c.now()); kc != nil {
		return kc, nil
	}
	kc, err := build()
	if err != nil {
		return nil, err
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok && now.Before(el.Value.(*cacheEntry).expires) {
		return el.Value.(*cacheEntry).client, nil
	} else if ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key: key, client: kc, expires: now.Add(c.ttl)})
	for c.order.Len() > c.size {
		c.remove(c.order.Back())
	}
	return kc, nil
}

func (c *clientCache) lookup(key string, now time.Time) *kube.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.remove(el)
		return nil
	}
	c.order.MoveToFront(el)
	return e.client
}

func (c *clientCache) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*cacheEntry).key)
}

// len is how many clients are cached.
func (c *clientCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// drop removes every client whose key starts with prefix (a cluster's, when
// its config changed or it went away).
func (c *clientCache) drop(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, el := range c.items {
		if strings.HasPrefix(key, prefix) {
			c.remove(el)
		}
	}
}
