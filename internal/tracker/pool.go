package tracker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
)

// Clusters hands out a cluster's client for the caller in ctx and names the
// default cluster, the one "" means (clusters.Manager does).
type Clusters interface {
	Get(ctx context.Context, name string) (*kube.Client, error)
	DefaultName() string
}

// PoolOptions bound a pool; the zero value means the defaults.
type PoolOptions struct {
	// Tracker bounds each tracker (one caller in one cluster).
	Tracker Options
	// MaxTrackers is how many callers and clusters are watched at once;
	// zero means 100.
	MaxTrackers int
	// MaxWatches is how many resources and namespaces all the trackers
	// watch at once, each one a watch on an apiserver; zero means 500.
	MaxWatches int
	// MaxWatchers is how many watchers there are at once; zero means 10000.
	MaxWatchers int
	// MaxWatchersPerUser is how many of those watchers one authenticated
	// user may hold, so that no user can use up the pool for the others;
	// zero means DefaultMaxWatchersPerUser, negative no bound of its own.
	MaxWatchersPerUser int
	// MaxWatchesPerUser is how many watches one authenticated user's
	// trackers hold together (across clusters and credentials); zero means
	// DefaultMaxWatchesPerUser, negative no bound of its own. Each tracker
	// holds a watch, so it also bounds the user's trackers.
	MaxWatchesPerUser int
	// Shared, if set, is tried first for every watch (see Shared); the
	// watchers it serves count against MaxWatchers and MaxWatchersPerUser
	// but hold no tracker or watch of their own.
	Shared Shared
}

// The per-user bounds unless PoolOptions say otherwise: a tenth of the
// default pool's watchers and watches. A caller without an identity (stdio,
// HTTP without auth) is the one local user and has no per-user bound.
const (
	DefaultMaxWatchersPerUser = 1000
	DefaultMaxWatchesPerUser  = 50
)

// ErrTooManyTrackers means a pool already watches as many callers and
// clusters as its options allow.
var ErrTooManyTrackers = errors.New("too many callers watching")

// ErrTooManyWatchers means a pool already has as many watchers as its
// options allow, for everyone or for the caller.
var ErrTooManyWatchers = errors.New("too many watchers")

// Pool shares trackers across calls and sessions: one for each cluster and
// caller, since a tracker watches as one identity beneath RBAC and policy and
// a tracker's watch is never shared between callers. A tracker starts with
// its first watcher and is closed when its last one leaves. What
// PoolOptions.Shared serves needs no tracker. It keeps what each watcher
// asked for, so that Forget can open its watch again with new clients.
type Pool struct {
	clusters Clusters
	opts     PoolOptions
	watches  *limit

	mu       sync.Mutex
	trackers map[poolKey]*entry
	watchers map[*watcher]struct{}
	shared   int                   // of the watchers, those Shared serves now
	users    map[string]*userShare // by user name, while they watch
	closed   bool
}

// poolKey is a cluster's name and the caller's identity key, and the user
// name whose share it counts against ("" for no identity).
type poolKey struct{ cluster, caller, user string }

// userShare is what one user holds of the pool.
type userShare struct {
	watchers int
	watches  *limit // shared by all the user's trackers
}

type entry struct {
	tracker *Tracker
	refs    int
}

// NewPool returns a pool that watches through the clients of c. It starts
// nothing until someone watches.
func NewPool(c Clusters, opts PoolOptions) *Pool {
	if opts.MaxTrackers <= 0 {
		opts.MaxTrackers = 100
	}
	if opts.MaxWatches <= 0 {
		opts.MaxWatches = 500
	}
	if opts.MaxWatchers <= 0 {
		opts.MaxWatchers = 10000
	}
	if opts.MaxWatchersPerUser == 0 {
		opts.MaxWatchersPerUser = DefaultMaxWatchersPerUser
	}
	if opts.MaxWatchesPerUser == 0 {
		opts.MaxWatchesPerUser = DefaultMaxWatchesPerUser
	}
	return &Pool{clusters: c, opts: opts, watches: &limit{max: opts.MaxWatches, full: func(max int) string {
		return fmt.Sprintf("this server watches %d resources and namespaces already for all its callers, its limit; try again when one of them ends", max)
	}},
		trackers: map[poolKey]*entry{}, watchers: map[*watcher]struct{}{}, users: map[string]*userShare{}}
}

// Watch calls fn for every change to target in cluster ("" is the default)
// from now on, as Tracker.Watch does, until stop is called or ctx ends. It
// watches as the caller in ctx: through PoolOptions.Shared if it serves
// the target, else with the client Clusters.Get gives that caller, in the
// tracker of that caller and cluster. When Forget drops the cluster's
// clients the watch is opened again the same way, and fn is told so
// (Reopened), or why it could not be (Ended).
func (p *Pool) Watch(ctx context.Context, cluster string, target Target, fn func(Event)) (stop func(), err error) {
	w := &watcher{key: p.keyOf(ctx, cluster), ctx: ctx, target: target, fn: fn}
	if err := p.admit(w); err != nil {
		return nil, err
	}
	serve, shared, err := p.open(w)
	if err != nil {
		p.end(w)
		return nil, err
	}
	if !p.attach(w, 0, serve, shared) && p.ended(w) {
		return nil, ErrClosed
	} // else a Forget meanwhile opens it again
	return stopWith(ctx, sync.OnceFunc(func() { p.end(w) })), nil
}

// keyOf is the tracker key of a watch of cluster as the caller in ctx: a
// watch of "" shares the tracker of the default cluster's own name; callers
// are told apart as clusters.Manager keys its clients.
func (p *Pool) keyOf(ctx context.Context, cluster string) poolKey {
	id := identity.FromContext(ctx)
	key := poolKey{cluster: cmp.Or(cluster, p.clusters.DefaultName()), caller: id.Key()}
	if id != nil {
		key.user = id.User
	}
	return key
}

// open starts what serves w: PoolOptions.Shared if it serves the target,
// else the tracker of w's caller and cluster. It returns what stops it.
func (p *Pool) open(w *watcher) (stop func(), shared bool, err error) {
	if p.opts.Shared != nil {
		stop, err := p.opts.Shared.Watch(w.ctx, w.key.cluster, w.target, w.fn)
		if !errors.Is(err, ErrNotShared) {
			return stop, true, err
		}
	}
	stop, err = p.openTracker(w)
	return stop, false, err
}

// openTracker serves w from the tracker of its caller and cluster, through
// the client Clusters.Get gives that caller now.
func (p *Pool) openTracker(w *watcher) (func(), error) {
	kc, err := p.clusters.Get(w.ctx, w.key.cluster)
	if err != nil {
		return nil, err
	}
	e, err := p.acquire(w, kc)
	if err != nil {
		return nil, err
	}
	stopWatch, err := e.tracker.watch(w.ctx, w.target, w.fn)
	if err != nil {
		p.release(w.key, e)
		return nil, err
	}
	return func() {
		stopWatch()
		p.release(w.key, e)
	}, nil
}

// admit counts w as a watcher of its user, if the pool and the user's share
// have room for it.
func (p *Pool) admit(w *watcher) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if len(p.watchers) >= p.opts.MaxWatchers {
		return fmt.Errorf("%w: this server has %d watchers already, its limit; stop a watch (unsubscribe) first", ErrTooManyWatchers, len(p.watchers))
	}
	u, err := p.userLocked(w.key.user)
	if err != nil {
		return err
	}
	u.watchers++
	p.watchers[w] = struct{}{}
	return nil
}

// acquire takes a share of the tracker of w's key for w, making it if it is
// the first, as long as w still watches.
func (p *Pool) acquire(w *watcher, kc *kube.Client) (*entry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || w.done {
		return nil, ErrClosed
	}
	key := w.key
	e, ok := p.trackers[key]
	if !ok {
		if len(p.trackers) >= p.opts.MaxTrackers {
			return nil, fmt.Errorf("%w: this server watches as %d callers and clusters already, its limit; try again when others stop watching", ErrTooManyTrackers, len(p.trackers))
		}
		t := New(kc.Dynamic, p.opts.Tracker)
		t.shared, t.user = p.watches, p.users[key.user].watches
		e = &entry{tracker: t}
		p.trackers[key] = e
	}
	e.refs++
	return e, nil
}

// userLocked is the share of user, made if it is the first watch of theirs,
// as long as it has room for one more watcher; "" (no identity) has a share
// without bounds.
func (p *Pool) userLocked(user string) (*userShare, error) {
	u := p.users[user]
	if u == nil {
		u = &userShare{watches: &limit{max: p.opts.MaxWatchesPerUser, full: func(max int) string {
			return fmt.Sprintf("%s watches %d resources and namespaces already, the most for one user; unsubscribe or close sessions first, or ask the administrator to raise --user-watches", user, max)
		}}}
		if user == "" || p.opts.MaxWatchesPerUser < 0 {
			u.watches = nil
		}
		p.users[user] = u
	}
	if max := p.opts.MaxWatchersPerUser; user != "" && max > 0 && u.watchers >= max {
		return nil, fmt.Errorf("%w: %s holds %d watchers (subscriptions and watching tool calls), the most for one user; unsubscribe or close sessions first, or ask the administrator to raise --user-watchers", ErrTooManyWatchers, user, u.watchers)
	}
	return u, nil
}

// release gives back a share of e; the last one closes its tracker.
func (p *Pool) release(key poolKey, e *entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.refs--
	if e.refs == 0 && p.trackers[key] == e {
		delete(p.trackers, key)
		e.tracker.Close()
	}
}

// Close ends every watch; watching after it fails with ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	for key, e := range p.trackers {
		delete(p.trackers, key)
		e.tracker.Close()
	}
	var stops []func()
	for w := range p.watchers {
		if stop := p.endLocked(w); stop != nil {
			stops = append(stops, stop)
		}
	}
	p.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// Stats are what a pool holds at one moment.
type Stats struct {
	Trackers int // callers and clusters watched
	Watches  int // resources and namespaces watched, by all trackers
	Watchers int
	Shared   int // of the watchers, those PoolOptions.Shared serves
}

// Stats says what the pool holds now.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Trackers: len(p.trackers), Watches: p.watches.count(), Watchers: len(p.watchers), Shared: p.shared}
}

// limit counts what several trackers share; a nil limit has no bound.
type limit struct {
	full   func(max int) string // says that it is full, and what to do
	mu     sync.Mutex
	n, max int
}

func (l *limit) take() bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n >= l.max {
		return false
	}
	l.n++
	return true
}

// refusal says that l is full and what to do.
func (l *limit) refusal() error {
	return fmt.Errorf("%w: %s", ErrTooManyWatches, l.full(l.max))
}

func (l *limit) give() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n--
}

func (l *limit) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}
