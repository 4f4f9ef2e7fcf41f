package transport

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// DefaultBodyTimeout is HTTPOptions.BodyTimeout when it is zero.
const DefaultBodyTimeout = 30 * time.Second

// Timeouts of the HTTP server for what a request sends before its handler
// answers: a client that dribbles its headers cannot hold a connection and a
// goroutine for long. A connection kept alive between requests is closed
// after idleConnTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	idleConnTimeout   = 2 * time.Minute
)

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
// only queues its bytes (up to backlog); one goroutine per request copies
// them to the connection, each write within stall. A client that falls
// further behind loses its stream (its connection is closed) and nothing
// else.
func boundStreams(h http.Handler, backlog int, stall time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cut := context.WithCancel(r.Context())
		defer cut()
		sw := newStreamWriter(w, backlog, stall, cut)
		defer sw.finish()
		h.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// streamWriter is a ResponseWriter whose writes are queued for one
// goroutine to send.
type streamWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	backlog int
	stall   time.Duration
	cut     context.CancelFunc // ends the handler of a cut stream

	mu      sync.Mutex
	pending []byte
	flush   bool  // the handler asked for a flush since the last send
	closed  bool  // the handler has returned
	err     error // why the stream was cut

	wake chan struct{} // the sender has something to do
	done chan struct{} // the sender has returned
}

func newStreamWriter(w http.ResponseWriter, backlog int, stall time.Duration, cut context.CancelFunc) *streamWriter {
	s := &streamWriter{w: w, rc: http.NewResponseController(w), backlog: backlog, stall: stall, cut: cut,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.send()
	return s
}

func (s *streamWriter) Header() http.Header { return s.w.Header() }

// WriteHeader passes through: a handler sets its status before it writes,
// so before the sender has anything to send.
func (s *streamWriter) WriteHeader(status int) { s.w.WriteHeader(status) }

// Write queues p, or cuts the stream if the client is backlog behind; a
// write to an empty queue is taken whatever its size, so a long answer
// passes.
func (s *streamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	if len(s.pending) > 0 && len(s.pending)+len(p) > s.backlog {
		s.failLocked(errBehind)
		return 0, s.err
	}
	s.pending = append(s.pending, p...)
	s.poke()
	return len(p), nil
}

func (s *streamWriter) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush = true
	s.poke()
}

func (s *streamWriter) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// failLocked cuts the stream: the handler's context ends, what waits is
// dropped, and a write in progress ends now.
func (s *streamWriter) failLocked(err error) {
	if s.err != nil {
		return
	}
	s.err, s.pending = err, nil
	s.cut()
	_ = s.rc.SetWriteDeadline(time.Now())
}

// send copies what is queued to the connection until the handler returns
// or the stream is cut.
func (s *streamWriter) send() {
	defer close(s.done)
	for {
		p, flush, last := s.next()
		if err := s.out(p, flush); err != nil {
			s.mu.Lock()
			s.failLocked(err)
			s.mu.Unlock()
			return
		}
		if last {
			return
		}
	}
}

// next waits for something to send, or the end.
func (s *streamWriter) next() (p []byte, flush, last bool) {
	for {
		s.mu.Lock()
		p, flush, last = s.pending, s.flush, s.closed || s.err != nil
		s.pending, s.flush = nil, false
		s.mu.Unlock()
		if len(p) > 0 || flush || last {
			return p, flush, last
		}
		<-s.wake
	}
}

// out writes p to the connection within stall. A writer without deadlines
// (not net/http's) loses only the bound.
func (s *streamWriter) out(p []byte, flush bool) error {
	if len(p) == 0 && !flush {
		return nil
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.stall))
	if _, err := s.w.Write(p); err != nil {
		return err
	}
	if flush {
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
	s.mu.Lock()
	s.closed = true
	s.poke()
	s.mu.Unlock()
	<-s.done
	if s.err != nil {
		_ = s.rc.SetWriteDeadline(time.Now())
	}
}
