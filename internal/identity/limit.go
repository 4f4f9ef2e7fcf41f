package identity

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// Limits bound what one user may ask of kubemcp, so that one busy agent
// cannot starve the others. Zero fields mean no limit.
type Limits struct {
	Rate        float64 // tool calls, subscribes and listens a second, on average
	Burst       int     // of those at once above the rate; less than 1 means 1
	Concurrency int     // tool calls running at once
	Sessions    int     // MCP sessions open at once
	// AddressSessions bounds the MCP sessions open at once from one network
	// address, whoever opened them, with authentication or without.
	AddressSessions int
}

// Limiter applies Limits per user and per address. Calls without an
// identity (stdio, --auth none) are one local user, not limited per user.
type Limiter struct {
	limits Limits
	now    func() time.Time // time.Now; tests move their own clock

	mu        sync.Mutex
	users     map[string]*userLimit
	addresses map[string]int // sessions open, of addresses with any
}

type userLimit struct {
	rate     *rate.Limiter
	running  int
	sessions int
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
	if l.Rate <= 0 && l.Concurrency <= 0 && l.Sessions <= 0 && l.AddressSessions <= 0 {
		return nil
	}
	return &Limiter{limits: l, now: time.Now, users: map[string]*userLimit{}, addresses: map[string]int{}}
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
	if d := u.spend(l.now()); d > 0 {
		return nil, &LimitError{RetryAfter: d, msg: fmt.Sprintf(
			"%s is over kubemcp's limit of %g tool calls a second (bursts of %d); retry in %s", id.User, l.limits.Rate, u.rate.Burst(), d)}
	}
	u.running++
	var once sync.Once
	return func() { once.Do(func() { l.done(u) }) }, nil
}

// Spend counts a request that is not a tool call (resources/subscribe,
// subscriptions/listen) against id's rate, or says when to retry.
func (l *Limiter) Spend(id *Identity) error {
	if l == nil || id == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.user(id.User)
	if d := u.spend(l.now()); d > 0 {
		return &LimitError{RetryAfter: d, msg: fmt.Sprintf(
			"%s is over kubemcp's limit of %g requests a second (tool calls, subscribes and listens together; bursts of %d); retry in %s", id.User, l.limits.Rate, u.rate.Burst(), d)}
	}
	return nil
}

// spend takes one request from u's rate, or returns how long to wait for one
// (rounded up to 10 ms), taking nothing.
func (u *userLimit) spend(now time.Time) time.Duration {
	if u.rate == nil {
		return 0
	}
	r := u.rate.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d <= 0 {
		return 0
	}
	r.CancelAt(now)
	return time.Duration(math.Ceil(float64(d)/float64(10*time.Millisecond))) * 10 * time.Millisecond
}

// Open admits one more MCP session of id, or says why not. release must be
// called when the session ends.
func (l *Limiter) Open(id *Identity) (release func(), err error) {
	if l == nil || id == nil {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.user(id.User)
	if c := l.limits.Sessions; c > 0 && u.sessions >= c {
		return nil, &LimitError{msg: fmt.Sprintf(
			"%s has %d MCP sessions open already, the most kubemcp keeps for one user; close one (clients close a session with HTTP DELETE, and an idle one closes after sessionIdle), or ask the administrator to raise --user-sessions", id.User, u.sessions)}
	}
	u.sessions++
	var once sync.Once
	return func() { once.Do(func() { l.closed(u) }) }, nil
}

func (l *Limiter) done(u *userLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u.running--
	u.lastSeen = l.now()
}

func (l *Limiter) closed(u *userLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u.sessions--
	u.lastSeen = time.Now()
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
		if u.running == 0 && u.sessions == 0 && l.now().Sub(u.lastSeen) > time.Minute {
			delete(l.users, name)
		}
	}
}

// CodeOverLimit is the JSON-RPC error code of a request refused by a
// per-user limit (one of the codes JSON-RPC leaves to servers).
const CodeOverLimit = -32000

// Fair applies the caller's limits. A tool call beyond them is answered
// with a tool error result (isError) that says which limit and when to
// retry: the model can act on it, and the session stays up. A subscribe or
// listen beyond the rate, and an initialize beyond the sessions a user may
// hold or one address may open, are JSON-RPC errors (CodeOverLimit) saying the same. Other methods
// are not limited.
func Fair(l *Limiter) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if l == nil {
				return next(ctx, method, req)
			}
			id := FromContext(ctx)
			switch req := req.(type) {
			case *mcp.CallToolRequest:
				release, err := l.Acquire(id)
				if err != nil {
					return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: err.Error()}}}, nil
				}
				defer release()
			case *mcp.SubscribeRequest, *mcp.SubscriptionsListenRequest:
				if err := l.Spend(id); err != nil {
					return nil, &jsonrpc.Error{Code: CodeOverLimit, Message: err.Error()}
				}
			case *mcp.ServerRequest[*mcp.InitializeParams]: // not mcp.InitializeRequest, the client's side
				return l.initialize(ctx, id, method, req, next)
			}
			return next(ctx, method, req)
		}
	}
}

// initialize admits a new session of id from its address, held until the
// session ends.
func (l *Limiter) initialize(ctx context.Context, id *Identity, method string, req *mcp.ServerRequest[*mcp.InitializeParams], next mcp.MethodHandler) (mcp.Result, error) {
	fromAddr, err := l.OpenAddress(AddressFrom(ctx))
	if err != nil {
		return nil, &jsonrpc.Error{Code: CodeOverLimit, Message: err.Error()}
	}
	ofUser, err := l.Open(id)
	if err != nil {
		fromAddr()
		return nil, &jsonrpc.Error{Code: CodeOverLimit, Message: err.Error()}
	}
	release := func() { ofUser(); fromAddr() }
	res, err := next(ctx, method, req)
	if err != nil {
		release()
		return nil, err
	}
	go func() { _ = req.Session.Wait(); release() }()
	return res, nil
}
