// Package tracker keeps watches on a cluster's objects and tells whoever
// asked what changed: one watch for each resource and namespace, shared by
// everyone watching it (a live resource subscription, a diagnostics tool
// watching status change), started by the first and stopped when the last
// one leaves. Every watch goes through the caller's client, beneath the
// policy and RBAC like any read. A Pool keeps one Tracker per cluster and
// caller for the whole server, so calls and sessions share them.
package tracker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// Target is what to watch: every object of a resource in a namespace ("" is
// all namespaces, or a cluster-scoped resource), or the one called Name.
type Target struct {
	Resource  schema.GroupVersionResource
	Namespace string
	Name      string
}

func (t Target) String() string {
	s := t.Resource.Resource
	if t.Resource.Group != "" {
		s += "." + t.Resource.Group
	}
	if t.Namespace != "" {
		s += " in namespace " + t.Namespace
	}
	if t.Name != "" {
		s += " named " + t.Name
	}
	return s
}

// Kinds of Event.
const (
	Added   = "added"
	Updated = "updated"
	Deleted = "deleted"
	// Reopened: a Pool opened the watch again with its cluster's new
	// clients (a kubeconfig reload changed them). Changes made while it was
	// down were not seen: re-read what is watched.
	Reopened = "reopened"
	// Ended: a Pool ended the watch without its watcher stopping it, since
	// it could not open it again (the cluster removed, the caller's access
	// or the new credential refused); Err says why. No event follows.
	Ended = "ended"
)

// Event is one change to one object, or a Pool's word about the watch
// itself (Reopened, Ended), which has no object. Old is nil when it was
// added, New when it was deleted.
type Event struct {
	Type     string
	Old, New *unstructured.Unstructured
	Err      error // why the watch Ended
}

// Object is the object the event is about, as last seen; nil for Reopened
// and Ended.
func (e Event) Object() *unstructured.Unstructured {
	if e.New != nil {
		return e.New
	}
	return e.Old
}

// Options bound a tracker; the zero value means the defaults.
type Options struct {
	// MaxWatches is how many resources and namespaces it watches at once;
	// zero means 100.
	MaxWatches int
	// SyncTimeout is how long the first watcher of a target waits for the
	// objects to be listed; zero means 10 s.
	SyncTimeout time.Duration
}

// ErrTooManyWatches means a tracker already watches as many resources and
// namespaces as its options allow.
var ErrTooManyWatches = errors.New("too many watches")

// ErrClosed means the tracker was closed.
var ErrClosed = errors.New("the tracker is closed")

// Tracker shares watches of one cluster, as one identity.
type Tracker struct {
	dyn  dynamic.Interface
	opts Options

	mu      sync.Mutex
	watches map[watchKey]*watch
	closed  bool

	shared *limit // the watches of all a pool's trackers; nil outside a pool
	user   *limit // the watches of all the trackers of one user; nil without bound
}

type watchKey struct {
	resource  schema.GroupVersionResource
	namespace string
}

// watch is one informer and how many watchers share it.
type watch struct {
	informer cache.SharedIndexInformer
	stop     chan struct{}
	refs     int
	ready    chan struct{} // closed once listed, or failed
	err      error         // why it failed to list, once ready is closed
}

// New returns a tracker that watches through dyn. It starts nothing until
// someone watches.
func New(dyn dynamic.Interface, opts Options) *Tracker {
	if opts.MaxWatches <= 0 {
		opts.MaxWatches = 100
	}
	if opts.SyncTimeout <= 0 {
		opts.SyncTimeout = 10 * time.Second
	}
	return &Tracker{dyn: dyn, opts: opts, watches: map[watchKey]*watch{}}
}

// Watch calls fn for every change to target from now on (what exists now is
// not replayed), from one goroutine per target, until stop is called or ctx
// ends. The first watcher of a resource and namespace waits until it is
// listed, so a watch that cannot be had (RBAC, policy) fails here.
func (t *Tracker) Watch(ctx context.Context, target Target, fn func(Event)) (stop func(), err error) {
	stop, err = t.watch(ctx, target, fn)
	if err != nil {
		return nil, err
	}
	return stopWith(ctx, stop), nil
}

// stopWith returns stop, which is also called when ctx ends.
func stopWith(ctx context.Context, stop func()) func() {
	unregister := context.AfterFunc(ctx, stop)
	return func() {
		unregister()
		stop()
	}
}

// watch is Watch without the end of ctx stopping it: ctx bounds only the wait
// for the first list.
func (t *Tracker) watch(ctx context.Context, target Target, fn func(Event)) (stop func(), err error) {
	key := watchKey{target.Resource, target.Namespace}
	w, err := t.acquire(key)
	if err != nil {
		return nil, err
	}
	if err := t.waitReady(ctx, key, w); err != nil {
		return nil, fmt.Errorf("watching %s: %w", target, err)
	}
	reg, err := w.informer.AddEventHandler(Handler(target.Name, fn))
	if err != nil {
		t.release(key)
		return nil, fmt.Errorf("watching %s: %w", target, err)
	}
	return sync.OnceFunc(func() {
		_ = w.informer.RemoveEventHandler(reg)
		t.release(key)
	}), nil
}

// Handler passes on the changes an informer sees to the object called name
// (any, if empty), not the objects it lists when the handler joins: a
// Tracker's watchers get it, and a Shared registers it on its own informers.
func Handler(name string, fn func(Event)) cache.ResourceEventHandler {
	ours := func(obj any) (*unstructured.Unstructured, bool) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		u, ok := obj.(*unstructured.Unstructured)
		return u, ok && (name == "" || u.GetName() == name)
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if u, ok := ours(obj); ok && !initial {
				fn(Event{Type: Added, New: u})
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, okOld := ours(oldObj)
			if n, ok := ours(newObj); ok && okOld && o.GetResourceVersion() != n.GetResourceVersion() {
				fn(Event{Type: Updated, Old: o, New: n})
			}
		},
		DeleteFunc: func(obj any) {
			if u, ok := ours(obj); ok {
				fn(Event{Type: Deleted, Old: u})
			}
		},
	}
}

// acquire takes a share of the watch of key, starting it if it is the first.
func (t *Tracker) acquire(key watchKey) (*watch, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if w, ok := t.watches[key]; ok {
		w.refs++
		return w, nil
	}
	if len(t.watches) >= t.opts.MaxWatches {
		return nil, fmt.Errorf("%w: this server watches %d resources and namespaces already as this caller, its limit; try again when one of them ends", ErrTooManyWatches, len(t.watches))
	}
	if err := t.takeShares(); err != nil {
		return nil, err
	}
	w := &watch{
		informer: dynamicinformer.NewFilteredDynamicInformer(t.dyn, key.resource, key.namespace, 0, cache.Indexers{}, nil).Informer(),
		stop:     make(chan struct{}),
		refs:     1,
		ready:    make(chan struct{}),
	}
	t.watches[key] = w
	go t.run(w)
	return w, nil
}

// takeShares counts a new watch against the user's and the pool's limits.
func (t *Tracker) takeShares() error {
	if !t.user.take() {
		return t.user.refusal()
	}
	if !t.shared.take() {
		t.user.give()
		return t.shared.refusal()
	}
	return nil
}

// giveShares gives back what takeShares took.
func (t *Tracker) giveShares() {
	t.user.give()
	t.shared.give()
}

// run lists and watches until stopped; the first list error that comes
// before the list succeeds fails the watch, since it will not go away by
// itself (forbidden, not found).
func (t *Tracker) run(w *watch) {
	var once sync.Once
	failed := func(err error) { once.Do(func() { w.err = err; close(w.ready) }) }
	_ = w.informer.SetWatchErrorHandler(func(_ *cache.Reflector, err error) {
		if !w.informer.HasSynced() {
			failed(err)
		}
	})
	go func() {
		if cache.WaitForCacheSync(w.stop, w.informer.HasSynced) {
			failed(nil)
		}
	}()
	w.informer.Run(w.stop)
}

// waitReady waits until the watch of key has listed its objects; one that
// cannot is given up, for everyone who shares it.
func (t *Tracker) waitReady(ctx context.Context, key watchKey, w *watch) error {
	timer := time.NewTimer(t.opts.SyncTimeout)
	defer timer.Stop()
	var err error
	select {
	case <-w.ready:
		err = w.err
	case <-timer.C:
		err = fmt.Errorf("listing %s took longer than %s", key.resource.Resource, t.opts.SyncTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		t.release(key)
	}
	return err
}

// release gives back a share of the watch of key; the last one stops it.
func (t *Tracker) release(key watchKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.watches[key]
	if !ok {
		return
	}
	if w.refs--; w.refs == 0 {
		close(w.stop)
		delete(t.watches, key)
		t.giveShares()
	}
}

// Watching is how many resources and namespaces are being watched.
func (t *Tracker) Watching() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.watches)
}

// Close stops every watch; watching after it fails with ErrClosed.
func (t *Tracker) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for key, w := range t.watches {
		close(w.stop)
		delete(t.watches, key)
		t.giveShares()
	}
}
