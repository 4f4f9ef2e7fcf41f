package callclock

import (
	"context"
	"errors"
	"testing"
	"time"
)

var errLimit = errors.New("limit")

// TestPause: time spent paused does not count, nested pauses hold the clock
// until the last resume, the deadline moves by the pause, and the context
// ends with the cause once the running time passes the limit.
func TestPause(t *testing.T) {
	const limit = 200 * time.Millisecond
	ctx, cancel := WithLimit(t.Context(), limit, errLimit)
	defer cancel()
	before, ok := ctx.Deadline()
	if !ok {
		t.Fatal("no deadline while running")
	}
	outer := Pause(ctx)
	inner := Pause(ctx)
	if _, ok := ctx.Deadline(); ok {
		t.Error("a deadline while paused")
	}
	time.Sleep(2 * limit)
	inner()
	inner() // resume is once
	select {
	case <-ctx.Done():
		t.Fatalf("ended while paused: %v", context.Cause(ctx))
	default:
	}
	outer()
	after, ok := ctx.Deadline()
	if !ok || after.Sub(before) < 2*limit {
		t.Errorf("the deadline moved from %s to %s (%v), want at least %s later", before, after, ok, 2*limit)
	}
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), errLimit) || ctx.Err() != context.DeadlineExceeded {
			t.Errorf("cause %v, err %v; want the limit's cause and DeadlineExceeded", context.Cause(ctx), ctx.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not end after resuming")
	}
	<-child.Done()
	if child.Err() != context.DeadlineExceeded {
		t.Errorf("a context derived from it ended with %v, want DeadlineExceeded", child.Err())
	}
}

// TestRanOut: a clock paused and resumed after it ran out keeps its
// deadline's error; a context without a clock ignores Pause; cancel ends
// the context as Canceled, not a timeout.
func TestRanOut(t *testing.T) {
	ctx, cancel := WithLimit(t.Context(), time.Millisecond, errLimit)
	defer cancel()
	<-ctx.Done()
	Pause(ctx)()
	time.Sleep(20 * time.Millisecond) // a timer set off again by the resume would have run
	if ctx.Err() != context.DeadlineExceeded {
		t.Errorf("err %v after a pause past the limit", ctx.Err())
	}
	Pause(t.Context())()

	ctx, cancel = WithLimit(t.Context(), time.Hour, errLimit)
	cancel()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after cancel: %v", ctx.Err())
	}
}
