// Package backoff paces reconnection: a wait that doubles after each failure
// up to a bound, with jitter, shared by the gateway's upstreams and the
// WebSocket connections kubemcp dials out.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is the wait before the next attempt. The zero value waits 1 s,
// doubling to 30 s.
type Backoff struct {
	Min, Max time.Duration
	next     time.Duration
}

// Next is the wait before this attempt, give or take a fifth, and doubles
// the one after it.
func (b *Backoff) Next() time.Duration {
	if b.next == 0 {
		b.Reset()
	}
	d := b.next
	b.next = min(2*b.next, b.max())
	return Jitter(d)
}

// Reset starts again from Min, after an attempt that succeeded.
func (b *Backoff) Reset() {
	b.next = b.Min
	if b.next <= 0 {
		b.next = time.Second
	}
}

func (b *Backoff) max() time.Duration {
	if b.Max <= 0 {
		return 30 * time.Second
	}
	return b.Max
}

// Jitter is d give or take a fifth, so that peers that failed together (an
// upstream's many kubemcp replicas) do not retry together.
func Jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

// Sleep waits d, or less if ctx ends first; it reports whether ctx is still on.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
