package identity

import (
	"context"
	"fmt"
	"net"
	"sync"
)

type addressKey struct{}

// WithAddress marks ctx, an HTTP request's, with the host of remoteAddr
// (http.Request.RemoteAddr): a session the request opens counts against
// that address's cap. go-sdk runs a session's requests in the context of the
// HTTP request that opened it.
func WithAddress(ctx context.Context, remoteAddr string) context.Context {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	return context.WithValue(ctx, addressKey{}, host)
}

// AddressFrom is the address ctx was marked with, or "" (stdio, in memory).
func AddressFrom(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}

// OpenAddress admits one more MCP session from addr, or says why not;
// release must be called when the session ends. Sessions without an address
// (stdio) are not counted.
func (l *Limiter) OpenAddress(addr string) (release func(), err error) {
	if l == nil || addr == "" || l.limits.AddressSessions <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.addresses[addr]; n >= l.limits.AddressSessions {
		return nil, &LimitError{msg: fmt.Sprintf(
			"%s has %d MCP sessions open already, the most kubemcp keeps for one network address; close one (clients close a session with HTTP DELETE, and an idle one closes after sessionIdle), "+
				"or ask the administrator to raise --address-sessions (behind a proxy or ingress every session comes from the proxy's address)", addr, n)}
	}
	l.addresses[addr]++
	var once sync.Once
	return func() { once.Do(func() { l.closedAddress(addr) }) }, nil
}

// closedAddress forgets an address with no sessions left, so the table holds
// only addresses with open sessions.
func (l *Limiter) closedAddress(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addresses[addr]--; l.addresses[addr] <= 0 {
		delete(l.addresses, addr)
	}
}
