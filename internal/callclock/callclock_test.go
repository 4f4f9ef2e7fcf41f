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
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), errLimit) {
			t.Errorf("cause %v", context.Cause(ctx))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not end after resuming")
	}
}

// TestRanOut: a clock paused after it ran out stays ended; a context without
// a clock ignores Pause; cancel ends the context as Canceled.
func TestRanOut(t *testing.T) {
	ctx, cancel := WithLimit(t.Context(), time.Millisecond, errLimit)
	defer cancel()
	<-ctx.Done()
	Pause(ctx)()
	if !errors.Is(context.Cause(ctx), errLimit) {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	Pause(t.Context())()

	ctx, cancel = WithLimit(t.Context(), time.Hour, errLimit)
	cancel()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after cancel: %v", ctx.Err())
	}
}
