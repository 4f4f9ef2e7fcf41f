package transport

import (
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/metrics"
)

// sseRouter keeps each caller's legacy SSE sessions apart. go-sdk's SSE
// handler passes no caller with the messages posted to a session, so a tool
// call runs with the identity of the GET that opened the session; a post
// must therefore find only sessions opened by its own caller. Each caller
// (by identity.Key, which covers a passthrough bearer) gets a handler of its
// own, dropped when its last stream ends. Without auth there is one caller.
type sseRouter struct {
	newHandler func() *mcp.SSEHandler

	mu       sync.Mutex
	byCaller map[string]*callerSSE
}

type callerSSE struct {
	h       *mcp.SSEHandler
	streams int
}

func newSSERouter(newHandler func() *mcp.SSEHandler) *sseRouter {
	return &sseRouter{newHandler: newHandler, byCaller: map[string]*callerSSE{}}
}

// stream serves GET /sse: it opens a session and holds its event stream. The
// SSE handler tells each client to post to the URL of its GET plus a session
// query; serving the GET as if it came to /message makes that endpoint
// /message?sessionid=..., the path legacy clients expect.
func (s *sseRouter) stream(w http.ResponseWriter, r *http.Request) {
	key := identity.FromContext(r.Context()).Key()
	s.mu.Lock()
	c := s.byCaller[key]
	if c == nil {
		c = &callerSSE{h: s.newHandler()}
		s.byCaller[key] = c
	}
	c.streams++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if c.streams--; c.streams == 0 {
			delete(s.byCaller, key)
		}
		s.mu.Unlock()
	}()
	r2 := r.Clone(metrics.WithTransport(r.Context(), metrics.SSE)) // the session's context
	r2.URL.Path = PathMessage
	c.h.ServeHTTP(w, r2)
}

// post serves POST /message to a session of the same caller.
func (s *sseRouter) post(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c := s.byCaller[identity.FromContext(r.Context()).Key()]
	s.mu.Unlock()
	if c == nil {
		http.Error(w, "session not found", http.StatusNotFound)
		return
	}
	c.h.ServeHTTP(w, r)
}
