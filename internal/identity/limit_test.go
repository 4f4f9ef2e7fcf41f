package identity

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLimiterConcurrency(t *testing.T) {
	l := NewLimiter(Limits{Concurrency: 2})
	alice, bob := &Identity{User: "alice"}, &Identity{User: "bob"}
	r1, err1 := l.Acquire(alice)
	_, err2 := l.Acquire(alice)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	_, err := l.Acquire(alice)
	var le *LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "alice already has 2 tool calls running") {
		t.Fatalf("third call: %v", err)
	}
	if _, err := l.Acquire(bob); err != nil {
		t.Fatalf("bob is held back by alice: %v", err)
	}
	r1()
	r1() // a second release is a no-op
	if _, err := l.Acquire(alice); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := l.Acquire(alice); err == nil {
		t.Fatal("a double release freed two slots")
	}
	if _, err := l.Acquire(nil); err != nil {
		t.Fatalf("the local user is limited: %v", err)
	}
}

func TestLimiterRate(t *testing.T) {
	l := NewLimiter(Limits{Rate: 10, Burst: 3})
	start := time.Now()
	now := start
	l.now = func() time.Time { return now }
	alice := &Identity{User: "alice"}
	for i := range 3 {
		release, err := l.Acquire(alice)
		if err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
		release()
	}
	_, err := l.Acquire(alice)
	var le *LimitError
	if !errors.As(err, &le) || le.RetryAfter != 100*time.Millisecond { // a tenth of a second refills one call
		t.Fatalf("beyond the burst: %v", err)
	}
	if !strings.Contains(err.Error(), "alice is over kubemcp's limit of 10 tool calls a second (bursts of 3); retry in") {
		t.Errorf("message: %v", err)
	}
	if _, err := l.Acquire(&Identity{User: "bob"}); err != nil {
		t.Fatalf("bob: %v", err)
	}
	now = start.Add(le.RetryAfter - time.Millisecond)
	if _, err := l.Acquire(alice); err == nil {
		t.Fatal("admitted before RetryAfter")
	}
	now = start.Add(le.RetryAfter)
	if _, err := l.Acquire(alice); err != nil {
		t.Fatalf("after RetryAfter: %v", err)
	}
	if NewLimiter(Limits{}) != nil {
		t.Error("no limits still make a Limiter")
	}
}

// TestLimiterSpend: subscribes and listens draw on the same rate as tool calls.
func TestLimiterSpend(t *testing.T) {
	l := NewLimiter(Limits{Rate: 10, Burst: 2})
	alice := &Identity{User: "alice"}
	if _, err := l.Acquire(alice); err != nil {
		t.Fatal(err)
	}
	if err := l.Spend(alice); err != nil {
		t.Fatalf("within the burst: %v", err)
	}
	err := l.Spend(alice)
	var le *LimitError
	if !errors.As(err, &le) || le.RetryAfter <= 0 || !strings.Contains(err.Error(), "alice is over kubemcp's limit of 10 requests a second (tool calls, subscribes and listens together; bursts of 2); retry in") {
		t.Fatalf("beyond the burst: %v", err)
	}
	if _, err := l.Acquire(alice); err == nil {
		t.Error("a tool call got past a rate used up by subscribes")
	}
	if err := l.Spend(&Identity{User: "bob"}); err != nil {
		t.Errorf("bob: %v", err)
	}
	if err := l.Spend(nil); err != nil {
		t.Errorf("the local user: %v", err)
	}
}

func TestLimiterAddressSessions(t *testing.T) {
	l := NewLimiter(Limits{AddressSessions: 2})
	r1, err1 := l.OpenAddress("10.0.0.1")
	_, err2 := l.OpenAddress("10.0.0.1")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	_, err := l.OpenAddress("10.0.0.1")
	if err == nil || !strings.Contains(err.Error(), "10.0.0.1 has 2 MCP sessions open already") || !strings.Contains(err.Error(), "--address-sessions") {
		t.Fatalf("third session: %v", err)
	}
	if _, err := l.OpenAddress("10.0.0.2"); err != nil {
		t.Fatalf("another address is held back: %v", err)
	}
	if _, err := l.OpenAddress(""); err != nil {
		t.Fatalf("a session without an address (stdio) is limited: %v", err)
	}
	r1()
	r1() // a second release is a no-op
	if _, err := l.OpenAddress("10.0.0.1"); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := l.OpenAddress("10.0.0.1"); err == nil {
		t.Fatal("a double release freed two sessions")
	}
}

func TestWithAddress(t *testing.T) {
	for remote, want := range map[string]string{"127.0.0.1:5000": "127.0.0.1", "[::1]:80": "::1", "pipe": "pipe"} {
		if got := AddressFrom(WithAddress(t.Context(), remote)); got != want {
			t.Errorf("%s: got %q, want %q", remote, got, want)
		}
	}
}
