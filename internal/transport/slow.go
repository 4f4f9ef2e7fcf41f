package transport

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/kubemcp/kubemcp/internal/metrics"
)

// DefaultBodyTimeout is HTTPOptions.BodyTimeout when it is zero.
const DefaultBodyTimeout = 30 * time.Second

// DefaultHeaderTimeout is ServeOptions.HeaderTimeout when it is zero.
const DefaultHeaderTimeout = 10 * time.Second

// A connection kept alive between requests is closed after idleConnTimeout.
const idleConnTimeout = 2 * time.Minute

// bodyDeadline gives a request limit to send its body. The deadline
// outlives the body harmlessly: net/http lifts it once the body has been
// read to its end (HTTP/1.1), and over HTTP/2 it bounds only the body, so
// long answers (event streams, a call still running) are not cut.
func bodyDeadline(h http.Handler, limit time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(limit)) // an unsupported writer only loses the bound
		}
		h.ServeHTTP(w, r)
	})
}

// What a client that reads an event stream slowly may hold: the stream is
// cut once more than DefaultStreamBacklog bytes wait for it, or once one
// write to it has waited DefaultStreamStall. HTTPOptions can change both.
const (
	DefaultStreamBacklog = 1 << 20
	DefaultStreamStall   = 30 * time.Second
)

// errBehind cuts a stream whose client has fallen too far behind.
var errBehind = errors.New("the client reads this stream too slowly: more waits for it than the stream's backlog allows")

// boundStreams serves h with writes that never wait for the client. go-sdk
// writes a session's messages in the sender's goroutine, holding the
// session's stream, and tells a resource's subscribers one after another:
// one client that stops reading would hold up every other subscriber, and
// the notifications queued behind it would grow without bound. Here a write
// only queues its bytes (an outbox of backlog bytes); one goroutine per
// request copies them to the connection, each write within stall. A client
// that falls further behind loses its stream (its connection is closed) and
// nothing else; cuts counts it by transport and reason.
func boundStreams(h http.Handler, backlog int, stall time.Duration, cuts *metrics.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cut := context.WithCancel(r.Context())
		defer cut()
		sw := newStreamWriter(w, backlog, stall, cut, cutCounter(cuts, streamTransport(r)))
		defer sw.finish()
		h.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// streamTransport names the transport of a request to /mcp or /sse, as the
// metrics do.
func streamTransport(r *http.Request) string {
	switch {
	case r.URL.Path == PathSSE:
		return metrics.SSE
	case r.Header.Get("Mcp-Protocol-Version") >= statelessSince:
		return metrics.StatelessHTTP
	}
	return metrics.StreamableHTTP
}

// cutCounter counts the cuts of one stream of transport (nil m: none).
func cutCounter(m *metrics.Metrics, transport string) func(error) {
	return func(err error) {
		if m == nil {
			return
		}
		switch {
		case errors.Is(err, errBehind):
			m.StreamCut(transport, metrics.CutBacklog)
		case errors.Is(err, os.ErrDeadlineExceeded):
			m.StreamCut(transport, metrics.CutStall)
		} // else the client went away: not a cut
	}
}

// outbox is what waits to be sent on one connection: writers put and never
// wait, and one sender goroutine takes. More than backlog bytes waiting (or
// a failed send) cuts it: what waits is dropped, every later put fails, and
// onCut (called once, under the outbox's lock, so it must not wait) ends
// the connection's writes. A put to an empty outbox is taken whatever its
// size, so a long answer passes.
type outbox struct {
	backlog int
	onCut   func(error)

	mu      sync.Mutex
	pending [][]byte
	size    int
	flush   bool  // a flush was asked for since the last take
	closed  bool  // nothing more will be put
	err     error // why the outbox was cut

	wake chan struct{} // the sender has something to do
}

func newOutbox(backlog int, onCut func(error)) *outbox {
	return &outbox{backlog: backlog, onCut: onCut, wake: make(chan struct{}, 1)}
}

// put queues p, which the outbox then owns.
func (o *outbox) put(p []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	if o.size > 0 && o.size+len(p) > o.backlog {
		o.failLocked(errBehind)
		return o.err
	}
	o.pending = append(o.pending, p)
	o.size += len(p)
	o.poke()
	return nil
}

func (o *outbox) askFlush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flush = true
	o.poke()
}

// close tells the sender to send what waits and stop.
func (o *outbox) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.poke()
}

// fail cuts the outbox for err, unless it was cut already.
func (o *outbox) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failLocked(err)
}

func (o *outbox) failLocked(err error) {
	if o.err != nil {
		return
	}
	o.err, o.pending, o.size = err, nil, 0
	o.poke()
	o.onCut(err)
}

// cause is why the outbox was cut, or nil.
func (o *outbox) cause() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

func (o *outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// take hands the sender what waits, without waiting; last says the sender
// should stop once it has sent it. Between takes the sender waits on wake.
func (o *outbox) take() (p [][]byte, flush, last bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, flush, last = o.pending, o.flush, o.closed || o.err != nil
	o.pending, o.size, o.flush = nil, 0, false
	return p, flush, last
}

// streamWriter is a ResponseWriter whose writes go through an outbox to one
// sender goroutine.
type streamWriter struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	stall  time.Duration
	out    *outbox
	done   chan struct{} // the sender has returned
	header sync.Once     // the status is set, by the writers, before anything is queued
}

func newStreamWriter(w http.ResponseWriter, backlog int, stall time.Duration, cut context.CancelFunc, counted func(error)) *streamWriter {
	s := &streamWriter{w: w, rc: http.NewResponseController(w), stall: stall, done: make(chan struct{})}
	// A cut ends the handler, and a write in progress now.
	s.out = newOutbox(backlog, func(err error) {
		counted(err)
		cut()
		_ = s.rc.SetWriteDeadline(time.Now())
	})
	go s.send()
	return s
}

func (s *streamWriter) Header() http.Header { return s.w.Header() }

// WriteHeader sets the status, on the writer's goroutine, once: net/http
// takes the header then, and the sender only writes the body. A later call
// is ignored, as net/http ignores it (go-sdk may answer an error status on a
// stream that has queued an event already).
func (s *streamWriter) WriteHeader(status int) {
	s.header.Do(func() { s.w.WriteHeader(status) })
}

// Write queues a copy of p, or fails once the stream is cut.
func (s *streamWriter) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	if err := s.out.put(bytes.Clone(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *streamWriter) Flush() {
	s.WriteHeader(http.StatusOK)
	s.out.askFlush()
}

// send copies what is queued to the connection until the handler returns
// or the stream is cut.
func (s *streamWriter) send() {
	defer close(s.done)
	for {
		p, flush, last := s.out.take()
		if err := s.write(p, flush); err != nil {
			s.out.fail(err)
			return
		}
		if last {
			return
		}
		<-s.out.wake
	}
}

// write writes p to the connection, each piece within stall. A writer
// without deadlines (not net/http's) loses only the bound.
func (s *streamWriter) write(p [][]byte, flush bool) error {
	if len(p) == 0 && !flush {
		return nil
	}
	for _, b := range p {
		if err := s.out.cause(); err != nil {
			return err // cut meanwhile: a new deadline would undo the cut's
		}
		_ = s.rc.SetWriteDeadline(time.Now().Add(s.stall))
		if _, err := s.w.Write(b); err != nil {
			return err
		}
	}
	if flush {
		_ = s.rc.SetWriteDeadline(time.Now().Add(s.stall))
		if err := s.rc.Flush(); err != nil {
			return err
		}
	}
	_ = s.rc.SetWriteDeadline(time.Time{})
	return nil
}

// finish sends what is left once the handler has returned; a cut stream's
// connection is left with a deadline past, so net/http's last write fails
// and closes it rather than waiting for the client.
func (s *streamWriter) finish() {
	s.out.close()
	<-s.done
	if s.out.cause() != nil {
		_ = s.rc.SetWriteDeadline(time.Now())
	}
}
