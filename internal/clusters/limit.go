package clusters

import (
	"context"
	"sync"
	"time"
)

// limit is one cluster's deadline in a fan-out, which the call may move
// later (Extend).
type limit struct {
	cancel context.CancelFunc

	mu    sync.Mutex
	timer *time.Timer
	at    time.Time
	total time.Duration
}

type limitKey struct{}

// withLimit returns ctx cancelled after d unless extended, and its limit.
func withLimit(ctx context.Context, d time.Duration) (context.Context, *limit) {
	ctx, cancel := context.WithCancel(ctx)
	l := &limit{cancel: cancel, at: time.Now().Add(d), total: d}
	l.timer = time.AfterFunc(d, cancel)
	return context.WithValue(ctx, limitKey{}, l), l
}

// Extend gives the call in ctx d beyond its per-cluster timeout when it is
// one cluster's part of a fan-out (Fan), and does nothing otherwise. A call
// that waits by design (cluster_health's watch) says so first: the timeout
// is there to catch a cluster that does not answer, not to cut such a call
// short.
func Extend(ctx context.Context, d time.Duration) {
	l, _ := ctx.Value(limitKey{}).(*limit)
	if l == nil || d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.timer.Stop() {
		return // already cut short
	}
	l.at, l.total = l.at.Add(d), l.total+d
	l.timer.Reset(time.Until(l.at))
}

// allowed is how long the call was given, extensions included.
func (l *limit) allowed() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

func (l *limit) stop() {
	l.timer.Stop()
	l.cancel()
}
