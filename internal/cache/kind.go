package cache

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
)

// lastApplied is kubectl's copy of the applied object: often as big as the
// object itself, and no read answers with it.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// kind is one resource's informer over the whole cluster, and what the cache
// knows of its health.
type kind struct {
	resource string
	informer toolscache.SharedIndexInformer
	cancel   context.CancelFunc
	count    atomic.Int64 // objects held
	lastUse  atomic.Int64 // UnixNano of the last read
	full     bool         // it passed the cluster's cap, or its list was refused; guarded by cluster.mu

	refused  chan struct{} // closed when the server's credential may not list the kind
	refuseMu sync.Once

	mu          sync.Mutex
	brokenSince time.Time     // when the list or watch last began failing; zero while it works
	seen        uint64        // the highest resourceVersion the store holds
	seenCh      chan struct{} // closed when seen grows
	now         func() time.Time
}

// newKind starts an informer over lw for objects like example, trimmed
// before they are stored.
func newKind(resource string, lw *toolscache.ListWatch, example runtime.Object, now func() time.Time) *kind {
	k := &kind{resource: resource, seenCh: make(chan struct{}), refused: make(chan struct{}), now: now}
	k.informer = toolscache.NewSharedIndexInformer(k.health(lw), example, 0,
		toolscache.Indexers{toolscache.NamespaceIndex: toolscache.MetaNamespaceIndexFunc})
	_ = k.informer.SetTransform(trim) // only fails once the informer has started
	// health notes failures; the default handler would also print each
	// through klog, outside kubemcp's logger.
	_ = k.informer.SetWatchErrorHandlerWithContext(func(context.Context, *toolscache.Reflector, error) {})
	_, _ = k.informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.count.Add(1); k.saw(obj) },
		UpdateFunc: func(_, obj any) { k.saw(obj) },
		DeleteFunc: func(obj any) { k.count.Add(-1); k.saw(obj) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	go k.informer.RunWithContext(ctx)
	return k
}

// health wraps lw to note when listing or watching fails and when it works
// again: the reflector retries on its own and says nothing.
func (k *kind) health(lw *toolscache.ListWatch) *toolscache.ListWatch {
	list, watchFn := lw.ListWithContextFunc, lw.WatchFuncWithContext
	return &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			obj, err := list(ctx, o)
			k.broken(err)
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				k.refuseMu.Do(func() { close(k.refused) })
			}
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			w, err := watchFn(ctx, o)
			k.broken(err)
			return w, err
		},
	}
}

func (k *kind) used(t time.Time)    { k.lastUse.Store(t.UnixNano()) }
func (k *kind) lastUsed() time.Time { return time.Unix(0, k.lastUse.Load()) }

func (k *kind) broken(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case err == nil:
		k.brokenSince = time.Time{}
	case k.brokenSince.IsZero():
		k.brokenSince = k.now()
	}
}

// stale reports whether the watch has been failing for longer than bound.
func (k *kind) stale(now time.Time, bound time.Duration) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return !k.brokenSince.IsZero() && now.Sub(k.brokenSince) > bound
}

// saw notes the resourceVersion of an object the store now reflects; the
// handlers run after the store is updated.
func (k *kind) saw(obj any) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	rv, err := strconv.ParseUint(m.GetResourceVersion(), 10, 64)
	if err != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if rv > k.seen {
		k.seen = rv
		close(k.seenCh)
		k.seenCh = make(chan struct{})
	}
}

// waitSeen waits up to bound until the store reflects resourceVersion rv.
func (k *kind) waitSeen(ctx context.Context, rv uint64, bound time.Duration) bool {
	timer := time.NewTimer(bound)
	defer timer.Stop()
	for {
		k.mu.Lock()
		seen, ch := k.seen, k.seenCh
		k.mu.Unlock()
		if seen >= rv {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// waitSynced waits up to bound for the informer's first list, or until the
// apiserver refuses it.
func (k *kind) waitSynced(ctx context.Context, bound time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	go func() {
		select {
		case <-k.refused:
			cancel()
		case <-ctx.Done():
		}
	}()
	toolscache.WaitForCacheSync(ctx.Done(), k.informer.HasSynced)
}

// isRefused reports whether the server's credential may not list the kind.
func (k *kind) isRefused() bool {
	select {
	case <-k.refused:
		return true
	default:
		return false
	}
}

func (k *kind) stop() { k.cancel() }

// trim drops what no read answers with before an object is stored: managed
// fields and kubectl's last-applied copy are often most of an object.
func trim(obj any) (any, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return obj, nil // a tombstone; its object was trimmed when stored
	}
	m.SetManagedFields(nil)
	if a := m.GetAnnotations(); a[lastApplied] != "" {
		delete(a, lastApplied)
		m.SetAnnotations(a)
	}
	return obj, nil
}
