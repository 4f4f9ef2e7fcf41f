package tracker

import (
	"context"
	"errors"
)

// Shared serves watches from watches kept for every caller (the watch
// cache's informers, run with the server's credential), for the targets it
// can serve exactly as the caller's own watch would be served: kubemcp's
// policy and the cluster's RBAC allow the caller the watch, and the events
// are those a Tracker would send. A Pool tries it before a tracker of the
// caller's own.
type Shared interface {
	// Watch is Tracker.Watch of target in cluster as the caller in ctx,
	// or an error wrapping ErrNotShared when it cannot serve the target
	// exactly; the pool then watches through the caller's client. The watch
	// lasts until stop is called; ctx carries the caller, and its end need
	// not stop the watch (the pool does that).
	Watch(ctx context.Context, cluster string, target Target, fn func(Event)) (stop func(), err error)
}

// ErrNotShared means a Shared does not serve a target: not a failure, the
// pool watches it through the caller's own client instead.
var ErrNotShared = errors.New("not served by the shared watches")
