// Package callclock bounds how long a tool call may run with a clock that
// stops while the call waits for a person: a per-call timeout is there to
// end calls stuck on a hung cluster or upstream, not to hurry someone
// reading a change before they approve it. The context it gives ends when
// the running time passes the limit, and says when (Deadline) while it runs.
package callclock

import (
	"context"
	"sync"
	"time"
)

type key struct{}

// clock is the time left to a call, counting only while it is not paused.
type clock struct {
	mu      sync.Mutex
	timer   *time.Timer
	left    time.Duration // when it last stopped or started
	started time.Time     // when it last started; zero while paused
	paused  int
}

// ctx is the call's context: it reports the deadline of the running clock.
type ctx struct {
	context.Context
	c *clock
}

// WithLimit returns a context that ends with cause once it has run for
// limit, not counting the time spent within Pause.
func WithLimit(parent context.Context, limit time.Duration, cause error) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(parent)
	c := &clock{left: limit, started: time.Now()}
	c.timer = time.AfterFunc(limit, func() { cancel(cause) })
	return ctx{context.WithValue(inner, key{}, c), c}, func() {
		c.timer.Stop()
		cancel(context.Canceled)
	}
}

// Deadline is when the call ends if its clock is not paused again; none
// while it is paused.
func (x ctx) Deadline() (time.Time, bool) {
	x.c.mu.Lock()
	defer x.c.mu.Unlock()
	if x.c.paused > 0 {
		return time.Time{}, false
	}
	return x.c.started.Add(x.c.left), true
}

// Pause stops the clock of the call in ctx until resume is called; pauses
// nest. Without a clock in ctx it does nothing. A clock that ran out before
// the pause stays run out.
func Pause(parent context.Context) (resume func()) {
	c, ok := parent.Value(key{}).(*clock)
	if !ok {
		return func() {}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused++; c.paused == 1 {
		c.left -= time.Since(c.started)
		if !c.timer.Stop() {
			c.left = 0 // it ran out already: resuming ends it again, a no-op
		}
	}
	return sync.OnceFunc(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.paused--; c.paused == 0 {
			c.started = time.Now()
			c.timer.Reset(c.left)
		}
	})
}
