package tracker

import (
	"context"
	"fmt"
	"slices"
)

// watcher is one Pool.Watch: what its caller asked for, kept so that Forget
// can open it again with the cluster's new clients, and what serves it now.
// Its fields below ctx are guarded by the pool's mu.
type watcher struct {
	key    poolKey
	ctx    context.Context // carries the caller
	target Target
	fn     func(Event)

	stop   func() // ends what serves it now; nil while it is opened again
	shared bool   // PoolOptions.Shared serves it now
	gen    int    // counts the openings Forget started: the latest one serves
	done   bool   // ended: stopped by its watcher, the pool closed, or not reopened
}

// Forget closes the trackers of the named clusters, whose clients are no
// longer right (a kubeconfig reload removed or changed them), and opens
// every watch of those clusters again, in the background, as the same
// caller and with the same target, through the new clients. Each watcher is
// told Reopened, or Ended with why it could not be (a removed cluster is
// unknown now; the new credential or the caller's access may be refused).
// A Shared serving these clusters must have dropped its old clients first.
func (p *Pool) Forget(clusters ...string) {
	p.mu.Lock()
	for key, e := range p.trackers {
		if slices.Contains(clusters, key.cluster) {
			delete(p.trackers, key)
			e.tracker.Close()
		}
	}
	var stops []func()
	again := map[*watcher]int{}
	for w := range p.watchers {
		if slices.Contains(clusters, w.key.cluster) {
			if stop := p.detachLocked(w); stop != nil {
				stops = append(stops, stop)
			}
			w.gen++
			again[w] = w.gen
		}
	}
	p.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	for w, gen := range again {
		go p.reopen(w, gen)
	}
}

// reopen opens w again for Forget's opening gen, and tells its watcher.
func (p *Pool) reopen(w *watcher, gen int) {
	stop, shared, err := p.open(w)
	if err != nil {
		if p.endIf(w, gen) {
			w.fn(Event{Type: Ended, Err: fmt.Errorf("cluster %q changed in the kubeconfig and this watch could not be opened again: %w", w.key.cluster, err)})
		}
		return
	}
	if p.attach(w, gen, stop, shared) {
		w.fn(Event{Type: Reopened})
	}
}

// attach makes stop what serves w, if w still watches and gen is its
// latest opening; else it calls stop. It reports whether it did.
func (p *Pool) attach(w *watcher, gen int, stop func(), shared bool) bool {
	p.mu.Lock()
	ok := !w.done && w.gen == gen
	if ok {
		w.stop, w.shared = stop, shared
		if shared {
			p.shared++
		}
	}
	p.mu.Unlock()
	if !ok {
		stop()
	}
	return ok
}

// ended reports whether w has ended.
func (p *Pool) ended(w *watcher) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return w.done
}

// end ends w and stops what serves it, if it has not ended yet.
func (p *Pool) end(w *watcher) {
	p.mu.Lock()
	stop := p.endLocked(w)
	p.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// endIf ends w if gen is its latest opening, which serves nothing yet.
func (p *Pool) endIf(w *watcher, gen int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.done || w.gen != gen {
		return false
	}
	p.endLocked(w)
	return true
}

// endLocked ends w, counting it off its user and the pool, and returns what
// stops what serves it, to be called without p.mu.
func (p *Pool) endLocked(w *watcher) func() {
	if w.done {
		return nil
	}
	w.done = true
	delete(p.watchers, w)
	if u := p.users[w.key.user]; u != nil {
		if u.watchers--; u.watchers == 0 {
			delete(p.users, w.key.user)
		}
	}
	return p.detachLocked(w)
}

// detachLocked takes from w what serves it, and returns it.
func (p *Pool) detachLocked(w *watcher) func() {
	stop := w.stop
	if stop != nil && w.shared {
		p.shared--
	}
	w.stop, w.shared = nil, false
	return stop
}
