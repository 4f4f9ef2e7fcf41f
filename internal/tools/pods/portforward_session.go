package pods

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/tools/portforward"
)

const (
	// maxForwardsPerCaller bounds one caller's sessions, so that a caller
	// cannot use up maxForwards, the bound of all callers' together.
	maxForwardsPerCaller = 20
	maxForwards          = 100
	// maxForwardPorts bounds the ports of one session, which kubemcp checks
	// and listens on one by one.
	maxForwardPorts    = 10
	defaultForwardIdle = 10 * time.Minute
	maxForwardIdle     = 24 * time.Hour
	// keepEnded is how long an ended session stays listed, so that a caller
	// can see why it ended.
	keepEnded = 10 * time.Minute
)

// forwards are the port-forward sessions of one server: at most
// maxForwardsPerCaller of one caller's and maxForwards in all running at
// once, each ending when idle, when stopped, when its connection
// to the pod is lost, or when the server closes.
type forwards struct {
	mu       sync.Mutex
	sessions map[string]*forward
	closed   bool
}

func newForwards() *forwards { return &forwards{sessions: map[string]*forward{}} }

// forward is one port-forward session.
type forward struct {
	id, owner      string
	namespace, pod string
	ports          []Port
	started        time.Time
	idle           time.Duration

	lastUsed       atomic.Int64 // unix nanoseconds
	sent, received atomic.Int64 // bytes to and from the pod

	stop    chan struct{} // closed to end the session
	done    chan struct{} // closed once the forwarder returned
	endOnce sync.Once
	mu      sync.Mutex
	why     string // why it was asked to end
	ended   string // why it ended, once its ports are closed; empty until then
	endedAt time.Time
}

// room says why no session of owner's can start now, if none can.
func (fs *forwards) room(owner string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.refusal(owner)
}

func (fs *forwards) refusal(owner string) error {
	fs.prune()
	mine, all := fs.running(owner)
	switch {
	case fs.closed:
		return errors.New("the server is shutting down: no new port-forward")
	case mine >= maxForwardsPerCaller:
		return fmt.Errorf("you already have %d port-forward sessions running, the most kubemcp keeps for one caller: stop one with port_forward action stop (action list shows them)", maxForwardsPerCaller)
	case all >= maxForwards:
		return fmt.Errorf("kubemcp already runs %d port-forward sessions, the most it keeps for all callers together: stop one of yours with port_forward action stop, or try again later", maxForwards)
	}
	return nil
}

// add registers f, started, unless the server is closed or its owner or the
// server is full meanwhile.
func (fs *forwards) add(f *forward) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.refusal(f.owner); err != nil {
		return err
	}
	f.id = "pf-" + strings.ToLower(rand.Text()[:8])
	fs.sessions[f.id] = f
	return nil
}

// running counts the sessions still running: owner's, and all of them.
func (fs *forwards) running(owner string) (mine, all int) {
	for _, f := range fs.sessions {
		if f.endReason() == "" {
			all++
			if f.owner == owner {
				mine++
			}
		}
	}
	return mine, all
}

// prune forgets sessions that ended more than keepEnded ago.
func (fs *forwards) prune() {
	for id, f := range fs.sessions {
		f.mu.Lock()
		old := f.ended != "" && time.Since(f.endedAt) > keepEnded
		f.mu.Unlock()
		if old {
			delete(fs.sessions, id)
		}
	}
}

// list is owner's sessions, the oldest first.
func (fs *forwards) list(owner string) []*forward {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.prune()
	var out []*forward
	for _, f := range fs.sessions {
		if f.owner == owner {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].started.Before(out[j].started) })
	return out
}

// get is owner's session id: another caller's sessions are not theirs to see.
func (fs *forwards) get(owner, id string) (*forward, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.sessions[id]
	return f, ok && f.owner == owner
}

// closeAll ends every session, waits for their ports to close, and refuses
// new sessions.
func (fs *forwards) closeAll() {
	fs.mu.Lock()
	fs.closed = true
	all := make([]*forward, 0, len(fs.sessions))
	for _, f := range fs.sessions {
		all = append(all, f)
	}
	fs.mu.Unlock()
	for _, f := range all {
		f.end("the server stopped")
	}
	for _, f := range all {
		<-f.done
	}
}

func newForward(owner string, pod *corev1.Pod, idle time.Duration) *forward {
	f := &forward{owner: owner, namespace: pod.Namespace, pod: pod.Name, started: time.Now(), idle: idle,
		stop: make(chan struct{}), done: make(chan struct{})}
	f.touch()
	return f
}

func (f *forward) touch() { f.lastUsed.Store(time.Now().UnixNano()) }

func (f *forward) lastUse() time.Time { return time.Unix(0, f.lastUsed.Load()) }

// end stops the session, once; reason says why. It shows as ended when run
// has seen the forwarder return, its listeners closed: a caller told a
// session ended finds its ports closed.
func (f *forward) end(reason string) {
	f.endOnce.Do(func() {
		f.mu.Lock()
		f.why = reason
		f.mu.Unlock()
		close(f.stop)
	})
}

func (f *forward) endReason() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended
}

// run forwards until the session ends, then records why if nothing else did.
func (f *forward) run(pf *portforward.PortForwarder) {
	defer close(f.done)
	defer func() {
		f.mu.Lock()
		f.ended, f.endedAt = f.why, time.Now()
		f.mu.Unlock()
	}()
	err := pf.ForwardPorts() // closes its listeners before it returns
	switch {
	case errors.Is(err, portforward.ErrLostConnectionToPod):
		f.end("lost the connection to the pod (it stopped, or a forwarded connection failed)")
	case err != nil:
		f.end(err.Error())
	default:
		f.end("stopped")
	}
}

// watchIdle ends the session once no byte went through for its idle time.
func (f *forward) watchIdle() {
	for {
		wait := time.Until(f.lastUse().Add(f.idle))
		if wait <= 0 {
			f.end(fmt.Sprintf("idle for %s", f.idle))
			return
		}
		select {
		case <-time.After(wait):
		case <-f.done:
			return
		}
	}
}

// countingDialer dials for a session and counts what its data streams carry.
// It keeps the dial error as it came, which ForwardPorts flattens to text, so
// that a refusal can be explained.
type countingDialer struct {
	httpstream.Dialer
	f       *forward
	dialErr error
}

func (d *countingDialer) Dial(protocols ...string) (httpstream.Connection, string, error) {
	conn, proto, err := d.Dialer.Dial(protocols...)
	if err != nil {
		d.dialErr = err
		return nil, "", err
	}
	return &countingConn{Connection: conn, f: d.f}, proto, nil
}

type countingConn struct {
	httpstream.Connection
	f *forward
}

func (c *countingConn) CreateStream(h http.Header) (httpstream.Stream, error) {
	s, err := c.Connection.CreateStream(h)
	if err != nil || h.Get(corev1.StreamType) != corev1.StreamTypeData {
		return s, err
	}
	c.f.touch()
	return &countingStream{Stream: s, f: c.f}, nil
}

func (c *countingConn) RemoveStreams(streams ...httpstream.Stream) {
	for i, s := range streams {
		if cs, ok := s.(*countingStream); ok {
			streams[i] = cs.Stream
		}
	}
	c.Connection.RemoveStreams(streams...)
}

type countingStream struct {
	httpstream.Stream
	f *forward
}

func (s *countingStream) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	if n > 0 {
		s.f.received.Add(int64(n))
		s.f.touch()
	}
	return n, err
}

func (s *countingStream) Write(p []byte) (int, error) {
	n, err := s.Stream.Write(p)
	if n > 0 {
		s.f.sent.Add(int64(n))
		s.f.touch()
	}
	return n, err
}
