package testenv

import (
	"sync"
	"time"
)

// Clock is a time that moves only when a test says, for what waits on time
// (cache TTLs, idle informers, backoffs) without the test waiting as long.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at the present, so times it gives compare sensibly with
// those the apiserver stamps.
func NewClock() *Clock { return &Clock{t: time.Now()} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
