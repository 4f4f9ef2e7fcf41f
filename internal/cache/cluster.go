package cache

import (
	"context"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// cluster is one cluster's informers, by resource.
type cluster struct {
	name    string
	host    string       // the apiserver's host:port, by which writes are recorded
	server  *rest.Config // the server client's config, to notice it was rebuilt
	client  kubernetes.Interface
	dynamic dynamic.Interface
	opts    *Options
	pulse   *pulse

	mu    sync.Mutex
	kinds map[string]*kind
}

// kind returns the running informer for resource, starting it with start on
// first use, or ErrDirect when the cluster's cap leaves no room for it. The
// first read of a new informer waits up to SyncWait for its first list.
func (c *cluster) kind(ctx context.Context, resource string, start func(*cluster) *kind) (*kind, error) {
	if resource == "secrets" {
		return nil, ErrDirect // a copy of every Secret in memory is not worth any read
	}
	c.mu.Lock()
	k, ok := c.kinds[resource]
	fresh := !ok
	if fresh {
		if c.objects() >= c.opts.MaxObjects {
			c.mu.Unlock()
			return nil, ErrDirect
		}
		k = start(c)
		if c.kinds == nil {
			c.kinds = map[string]*kind{}
		}
		c.kinds[resource] = k
	}
	c.mu.Unlock()
	k.used(c.opts.Now())
	if fresh {
		k.waitSynced(ctx, c.opts.SyncWait)
	}
	return k, c.ready(k)
}

// ready is nil when k can answer: synced, following the apiserver, the
// cluster heard from within StaleAfter, and within its cap (else k is
// stopped).
func (c *cluster) ready(k *kind) error {
	if k.isRefused() {
		c.off(k, "cache: the server's credential may not list this kind: reading directly until it is idle, then trying again")
		return ErrDirect
	}
	if !k.informer.HasSynced() || k.down.Load() || !c.pulse.alive() {
		return ErrDirect
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.objects(); n > c.opts.MaxObjects {
		c.opts.Logger.Warn("cache full: reading this kind directly until it has been idle; raise cacheMaxObjects to cache it",
			"cluster", c.name, "resource", k.resource, "objects", n, "max", c.opts.MaxObjects)
		k.full = true // stays in kinds, so it is not started again until idle
		if k.watchers.Load() == 0 {
			k.stop()
		} // else its live watches keep it (each would hold a tracker's copy otherwise) until the last ends: unwatch
		return ErrDirect
	}
	if k.full {
		return ErrDirect
	}
	return nil
}

// watch counts a shared watch of k, the informer of key, if it still runs
// as the cluster's informer of key and is not full: under the lock that
// ready and reap stop informers under, so neither stops it beneath a watch
// it has just counted.
func (c *cluster) watch(key string, k *kind) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kinds[key] != k || k.full {
		return false
	}
	k.watchers.Add(1)
	return true
}

// unwatch ends one of k's shared watches; the last one stops k if the cap
// left it running only for them.
func (c *cluster) unwatch(k *kind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k.watchers.Add(-1) == 0 && k.full {
		k.stop()
	}
}

// off stops k for good (until it is idle and reaped), saying why once.
func (c *cluster) off(k *kind, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !k.full {
		c.opts.Logger.Warn(why, "cluster", c.name, "resource", k.resource)
		k.stop()
		k.full = true
	}
}

// objects counts what the cluster's informers hold; c.mu is held.
func (c *cluster) objects() int {
	n := 0
	for _, k := range c.kinds {
		if !k.full {
			n += int(k.count.Load())
		}
	}
	return n
}

// reap stops the informers unread since Idle before now and not watched.
func (c *cluster) reap(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for r, k := range c.kinds {
		if k.watchers.Load() == 0 && now.Sub(k.lastUsed()) > c.opts.Idle {
			k.stop()
			delete(c.kinds, r)
		}
	}
}

func (c *cluster) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for r, k := range c.kinds {
		k.stop()
		delete(c.kinds, r)
	}
}
