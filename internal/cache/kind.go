package cache

import (
	"context"
	"runtime/debug"
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
	watchers atomic.Int64 // shared watches served from it, which keep it from being idle
	full     bool         // it passed the cluster's cap, or its list was refused; guarded by cluster.mu

	refused  chan struct{} // closed when the server's credential may not list the kind
	refuseMu sync.Once

	// down is set while the informer is not following the apiserver: its
	// last list or watch failed, or its watch ended, and none has worked
	// since. The store may then miss changes, however briefly.
	down  atomic.Bool
	pulse *pulse // its cluster's, told of every sign of life

	mu     sync.Mutex
	seen   uint64        // the highest resourceVersion the store holds
	seenCh chan struct{} // closed when seen grows
}

// newKind starts an informer over lw for objects like example, trimmed
// before they are stored; p hears of its signs of life.
func newKind(resource string, lw *toolscache.ListWatch, example runtime.Object, p *pulse) *kind {
	k := &kind{resource: resource, seenCh: make(chan struct{}), refused: make(chan struct{}), pulse: p}
	k.informer = toolscache.NewSharedIndexInformer(k.health(lw), example, 0,
		toolscache.Indexers{toolscache.NamespaceIndex: toolscache.MetaNamespaceIndexFunc})
	_ = k.informer.SetTransform(trim) // only fails once the informer has started
	// health notes failures; the default handler would also print each
	// through klog, outside kubemcp's logger.
	_ = k.informer.SetWatchErrorHandlerWithContext(func(context.Context, *toolscache.Reflector, error) {})
	_, _ = k.informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.count.Add(1); k.saw(obj); p.heard() },
		UpdateFunc: func(_, obj any) { k.saw(obj); p.heard() },
		DeleteFunc: func(obj any) { k.count.Add(-1); k.saw(obj); p.heard() },
	})
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	go k.informer.RunWithContext(ctx)
	go k.returnListMemory(ctx)
	return k
}

// bigList is how many objects make a first list worth giving its memory
// back for.
const bigList = 1000

// returnListMemory gives the operating system back, once the first list is
// stored, what decoding it took: the whole list arrives in one answer, its
// objects are trimmed one by one into the store, and the Go runtime would
// otherwise keep the garbage's pages for minutes (10,000 pods: about 70 MB
// of resident memory). One forced collection per large kind, when it starts.
func (k *kind) returnListMemory(ctx context.Context) {
	if toolscache.WaitForCacheSync(ctx.Done(), k.informer.HasSynced) && k.count.Load() >= bigList {
		debug.FreeOSMemory()
	}
}

// health wraps lw to note when listing or watching fails, when a watch ends
// and when either works again: the reflector retries on its own and says
// nothing.
func (k *kind) health(lw *toolscache.ListWatch) *toolscache.ListWatch {
	list, watchFn := lw.ListWithContextFunc, lw.WatchFuncWithContext
	return &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			obj, err := list(ctx, o)
			k.worked(err)
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				k.refuseMu.Do(func() { close(k.refused) })
			}
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			w, err := watchFn(ctx, o)
			k.worked(err)
			if err != nil {
				return w, err
			}
			return ended{w, func() { k.down.Store(true) }}, nil
		},
	}
}

// ended is a watch that says when the reflector stops it, which it does as
// soon as the stream ends: an apiserver that went away ends it at once.
type ended struct {
	watch.Interface
	stopped func()
}

func (e ended) Stop() { e.Interface.Stop(); e.stopped() }

func (k *kind) used(t time.Time)    { k.lastUse.Store(t.UnixNano()) }
func (k *kind) lastUsed() time.Time { return time.Unix(0, k.lastUse.Load()) }

// worked notes how a list or watch call went.
func (k *kind) worked(err error) {
	k.down.Store(err != nil)
	if err == nil {
		k.pulse.heard()
	}
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
