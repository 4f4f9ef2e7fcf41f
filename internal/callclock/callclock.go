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
	started time.Time     // when it last started
	paused  int
	ranOut  bool // the limit passed (not a cancel)
	fired   bool // the timer ran: no pause or resume touches it again
}

// ctx is the call's context: it reports the deadline of the running clock,
// and ends as a deadline would (Err is DeadlineExceeded). Its Done is a
// channel of its own, so that a context derived from it is told through
// its AfterFunc and takes its Err, not the inner context's Canceled.
type ctx struct {
	context.Context
	c         *clock
	done      chan struct{}
	closeDone func()
}

// WithLimit returns a context that ends with cause once it has run for
// limit, not counting the time spent within Pause; its Err is then
// context.DeadlineExceeded, as a deadline's would be.
func WithLimit(parent context.Context, limit time.Duration, cause error) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(parent)
	c := &clock{left: limit, started: time.Now()}
	done := make(chan struct{})
	x := ctx{context.WithValue(inner, key{}, c), c, done, sync.OnceFunc(func() { close(done) })}
	c.timer = time.AfterFunc(limit, func() {
		// Under the lock, so that Err, which waits for it, sees why it
		// ended: the limit, unless the caller had cancelled it first.
		c.mu.Lock()
		c.fired = true
		cancel(cause)
		c.ranOut = context.Cause(inner) == cause
		c.mu.Unlock()
		x.closeDone()
	})
	context.AfterFunc(inner, x.closeDone) // the parent ended
	return x, func() {
		c.timer.Stop()
		cancel(context.Canceled)
		x.closeDone()
	}
}

func (x ctx) Done() <-chan struct{} { return x.done }

// AfterFunc is what context.AfterFunc, and so every context derived from
// this one, uses: f runs once this one is done, Done closed first.
func (x ctx) AfterFunc(f func()) func() bool {
	return context.AfterFunc(x.Context, func() {
		x.closeDone()
		f()
	})
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

// Err is DeadlineExceeded once the limit passed, whatever ends it: what
// reads it (client-go, the gate's explanations, a context derived from it)
// tells a timeout from a cancel by it.
func (x ctx) Err() error {
	select {
	case <-x.done:
	default:
		return nil
	}
	x.c.mu.Lock()
	defer x.c.mu.Unlock()
	if x.c.ranOut {
		return context.DeadlineExceeded
	}
	return x.Context.Err()
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
	if c.paused++; c.paused == 1 && !c.fired {
		c.left -= time.Since(c.started)
		c.timer.Stop()
	}
	return sync.OnceFunc(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.paused--; c.paused == 0 && !c.fired {
			c.started = time.Now()
			c.timer.Reset(c.left)
		}
	})
}
