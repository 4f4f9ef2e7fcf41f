package cache

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// ErrDirect means the cache cannot answer this read exactly; the caller reads
// from the apiserver as it would without a cache. It is not a failure.
var ErrDirect = errors.New("read directly")

// Defaults for a zero Options field.
const (
	DefaultAccessTTL  = 10 * time.Second
	DefaultIdle       = 10 * time.Minute
	DefaultSyncWait   = 2 * time.Second
	DefaultStaleAfter = 3 * time.Second
	DefaultMaxObjects = 100_000
	DefaultWriteWait  = 2 * time.Second
)

// Options configure a Cache; the zero value of each field means its default.
type Options struct {
	Clusters *clusters.Manager
	// Credentials is how callers reach the clusters: it decides how the cache
	// asks whether a caller may read (see the package comment).
	Credentials clusters.Credentials
	// Policy is kubemcp's own policy, the one beneath every client.
	Policy policy.Config
	// AccessTTL is how long an access decision (allow or deny) is kept.
	AccessTTL time.Duration
	// Idle is how long a kind's informer runs unread before it stops.
	Idle time.Duration
	// SyncWait bounds the wait for a new informer's first list; a read that
	// would wait longer goes direct while the informer keeps syncing.
	SyncWait time.Duration
	// StaleAfter bounds how long a cluster is answered from its cache
	// without a sign of life (a watch event, a heartbeat answered): a cluster
	// silent for longer, or whose last heartbeat failed, is read directly, so
	// a stopped or hung apiserver fails reads as it would without a cache.
	// A kind whose watch is broken is read directly at once.
	StaleAfter time.Duration
	// MaxObjects caps the objects cached per cluster; a kind that would pass
	// it is not cached.
	MaxObjects int
	// Writes is the record of callers' writes, whose Record wraps the
	// clusters' transport; nil records none.
	Writes *Writes
	// WriteWait bounds how long a read waits for the informer to see the
	// caller's own write before it goes direct.
	WriteWait time.Duration
	// Reads, if set, is told of each read's cluster (its configured name)
	// and whether the cache answered it (else ErrDirect); not of reads
	// kubemcp's policy refused.
	Reads  func(cluster string, hit bool)
	Logger *slog.Logger
	// Now is time.Now; tests move their own clock for the access TTL.
	Now func() time.Time
}

// Cache is the shared watch cache of every cluster.
type Cache struct {
	opts   Options
	access *decisions
	writes *Writes

	mu       sync.Mutex
	clusters map[string]*cluster
	stop     chan struct{}
	closed   bool
}

// New returns a cache that starts nothing until the first read.
func New(opts Options) *Cache {
	opts.defaults()
	c := &Cache{opts: opts, access: newDecisions(opts.AccessTTL, opts.Now), writes: cmp.Or(opts.Writes, NewWrites(opts.Now)),
		clusters: map[string]*cluster{}, stop: make(chan struct{})}
	go c.reap()
	return c
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.AccessTTL, DefaultAccessTTL)
	def(&o.Idle, DefaultIdle)
	def(&o.SyncWait, DefaultSyncWait)
	def(&o.StaleAfter, DefaultStaleAfter)
	def(&o.WriteWait, DefaultWriteWait)
	if o.MaxObjects == 0 {
		o.MaxObjects = DefaultMaxObjects
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// counted tells Options.Reads how a read of clusterName went.
func (c *Cache) counted(clusterName string, err error) {
	hit := err == nil
	if c.opts.Reads == nil || !hit && !errors.Is(err, ErrDirect) {
		return
	}
	if _, name, err := c.opts.Clusters.Server(clusterName); err == nil { // an unknown name is no series
		c.opts.Reads(name, hit)
	}
}

// Close stops every informer.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	close(c.stop)
	for name, cl := range c.clusters {
		cl.close()
		delete(c.clusters, name)
	}
}

// Forget stops the informers of the named clusters (their configuration
// changed or they went away); the next read starts afresh.
func (c *Cache) Forget(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range names {
		if cl, ok := c.clusters[name]; ok {
			cl.close()
			delete(c.clusters, name)
		}
		c.access.forget(name) // the name may now lead to another apiserver
	}
}

// cluster returns the named cluster's cache, building it on first use.
func (c *Cache) cluster(name string) (*cluster, error) {
	kc, name, err := c.opts.Clusters.Server(name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrDirect
	}
	if cl, ok := c.clusters[name]; ok && cl.server == kc.Config {
		return cl, nil
	}
	own, dyn, err := machinery(kc.OwnConfig())
	if err != nil {
		return nil, fmt.Errorf("cluster %q: %w", name, err)
	}
	u, _, err := rest.DefaultServerUrlFor(kc.Config)
	if err != nil {
		return nil, fmt.Errorf("cluster %q: %w", name, err)
	}
	cl := &cluster{name: name, host: u.Host, server: kc.Config, client: own, dynamic: dyn, opts: &c.opts,
		pulse: &pulse{bound: c.opts.StaleAfter, beat: readyz(own.CoreV1().RESTClient())}}
	if old, ok := c.clusters[name]; ok {
		old.close()
	}
	c.clusters[name] = cl
	return cl, nil
}

// machinery is a client for the cache's own requests (informers, access
// reviews, heartbeats) from own, the server's credential without the policy
// guard or the write recorder beneath tools' clients: the policy is decided
// for each cached read as the caller makes it, and a review of another
// user's access is a create that read-only mode would refuse, though it
// changes nothing. Its requests are counted in the metrics like any other.
func machinery(own *rest.Config) (kubernetes.Interface, dynamic.Interface, error) {
	cfg := rest.CopyConfig(own)
	cfg.UserAgent = "kubemcp-cache"
	dyn, err := dynamic.NewForConfig(cfg) // JSON: custom resources have no protobuf
	if err != nil {
		return nil, nil, err
	}
	// Pods in protobuf decode in a fraction of the time JSON takes.
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	typed, err := kubernetes.NewForConfig(cfg)
	return typed, dyn, err
}

// reap stops informers idle for longer than Options.Idle.
func (c *Cache) reap() {
	tick := time.NewTicker(min(c.opts.Idle/4, time.Minute))
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			c.mu.Lock()
			for _, cl := range c.clusters {
				cl.reap(c.opts.Now())
			}
			c.mu.Unlock()
		}
	}
}
