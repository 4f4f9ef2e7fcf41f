package identity

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// Limits bound what one user may ask of kubemcp, so that one busy agent
// cannot starve the others. Zero fields mean no limit.
type Limits struct {
	Rate        float64 // tool calls a second, on average
	Burst       int     // tool calls at once above the rate; less than 1 means 1
	Concurrency int     // tool calls running at once
}

// Limiter applies Limits per user. Calls without an identity (stdio, --auth
// none) are one local user and not limited.
type Limiter struct {
	limits Limits
	now    func() time.Time // time.Now; tests move their own clock

	mu    sync.Mutex
	users map[string]*userLimit
}

type userLimit struct {
	rate     *rate.Limiter
	running  int
	lastSeen time.Time
}

// LimitError says which limit a call ran into and when to try again.
type LimitError struct {
	RetryAfter time.Duration // zero for the concurrency cap: retry when a call ends
	msg        string
}

func (e *LimitError) Error() string { return e.msg }

// NewLimiter returns a Limiter, or nil when l limits nothing.
func NewLimiter(l Limits) *Limiter {
	if l.Rate <= 0 && l.Concurrency <= 0 {
		return nil
	}
	return &Limiter{limits: l, now: time.Now, users: map[string]*userLimit{}}
}

// Acquire admits one call by id, or says why not. release must be called
// when the admitted call ends.
func (l *Limiter) Acquire(id *Identity) (release func(), err error) {
	if l == nil || id == nil {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.user(id.User)
	if c := l.limits.Concurrency; c > 0 && u.running >= c {
		return nil, &LimitError{msg: fmt.Sprintf(
			"%s already has %d tool calls running, the most kubemcp runs at once for one caller; retry when one has finished", id.User, c)}
	}
	if u.rate != nil {
		now := l.now()
		r := u.rate.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			d = time.Duration(math.Ceil(float64(d)/float64(10*time.Millisecond))) * 10 * time.Millisecond
			return nil, &LimitError{RetryAfter: d, msg: fmt.Sprintf(
				"%s is over kubemcp's limit of %g tool calls a second (bursts of %d); retry in %s", id.User, l.limits.Rate, u.rate.Burst(), d)}
		}
	}
	u.running++
	var once sync.Once
	return func() { once.Do(func() { l.done(u) }) }, nil
}

func (l *Limiter) done(u *userLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u.running--
	u.lastSeen = l.now()
}

// maxUsers bounds the table of users; beyond it, users idle for a minute are forgotten.
const maxUsers = 10000

func (l *Limiter) user(name string) *userLimit {
	u, ok := l.users[name]
	if !ok {
		if len(l.users) >= maxUsers {
			l.forgetIdle()
		}
		u = &userLimit{}
		if l.limits.Rate > 0 {
			u.rate = rate.NewLimiter(rate.Limit(l.limits.Rate), max(l.limits.Burst, 1))
		}
		l.users[name] = u
	}
	u.lastSeen = l.now()
	return u
}

func (l *Limiter) forgetIdle() {
	for name, u := range l.users {
		if u.running == 0 && l.now().Sub(u.lastSeen) > time.Minute {
			delete(l.users, name)
		}
	}
}

// Fair refuses a tool call beyond the caller's limits with a tool error
// result (isError) that says which limit and when to retry: the model can
// act on it, and the session stays up. Other methods are not limited.
func Fair(l *Limiter) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if _, ok := req.(*mcp.CallToolRequest); !ok || l == nil {
				return next(ctx, method, req)
			}
			release, err := l.Acquire(FromContext(ctx))
			if err != nil {
				return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: err.Error()}}}, nil
			}
			defer release()
			return next(ctx, method, req)
		}
	}
}
