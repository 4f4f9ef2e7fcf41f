package gateway

import (
	"context"
	"fmt"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// progress routes an upstream's progress notifications to the caller whose
// call they are about. Each forwarded call that asked for progress gets a
// token of kubemcp's own, since callers' tokens are unique only per session.
type progress struct {
	mu    sync.Mutex
	next  uint64
	calls map[string]route
}

type route struct {
	session *mcp.ServerSession
	token   any // the caller's
}

// track registers a call and returns the token to send upstream and a
// function that forgets it when the call ends.
func (p *progress) track(session *mcp.ServerSession, token any) (string, func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls == nil {
		p.calls = map[string]route{}
	}
	p.next++
	ours := fmt.Sprintf("kubemcp-gateway-%d", p.next)
	p.calls[ours] = route{session: session, token: token}
	return ours, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.calls, ours)
	}
}

// relay passes a notification on to its caller; one for a call that has
// ended (the specification wants none after the result), or that no caller
// asked for, is dropped.
func (p *progress) relay(ctx context.Context, n *mcp.ProgressNotificationParams) {
	key, _ := n.ProgressToken.(string)
	p.mu.Lock()
	r, ok := p.calls[key]
	p.mu.Unlock()
	if !ok {
		return
	}
	_ = r.session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: r.token,
		Progress: n.Progress, Total: n.Total, Message: n.Message}) // a caller gone is the caller's loss
}
