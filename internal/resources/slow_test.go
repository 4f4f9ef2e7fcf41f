package resources

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// TestSlowSubscriber: of two sessions subscribed to one ConfigMap over
// streamable HTTP, one stops reading its event stream (its GET's body is
// held unread, over connections with small socket buffers) while the
// ConfigMap changes 400 times. The other is told after every change, while
// the slow one's stream fills and after, and the server cuts the slow one's
// stream (by its backlog bound, or its write stall bound, as the case sets)
// instead of waiting for it. Measured: 400 of 400 changes told to the
// healthy session in both cases; the slow client's socket buffers held 79 to
// 83 notifications (about 11.5 KiB) when its stream was cut. Without the
// bound the healthy session is told nothing after change 77.
func TestSlowSubscriber(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts transport.HTTPOptions
	}{
		{"backlog", transport.HTTPOptions{StreamBacklog: 8 << 10, StreamStall: time.Hour}},
		{"stall", transport.HTTPOptions{StreamStall: 300 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newLimitedRig(t, flavours[2], Options{}, limits{http: tc.opts, tight: true})
			ns := env.Namespace(t, "res-slow")
			createConfigMap(t, ns, "busy")
			uri := URI(cluster, ns, "cm", "busy")

			held := &heldStreams{rt: testenv.TightTransport(), bodies: make(chan io.ReadCloser, 4)}
			var slowTold, told atomic.Int64
			for _, cs := range []*mcp.ClientSession{r.counting(t, "admin", held, &slowTold), r.counting(t, "admin", http.DefaultTransport, &told)} {
				if err := cs.Subscribe(t.Context(), &mcp.SubscribeParams{URI: uri}); err != nil {
					t.Fatal(err)
				}
			}
			stream := held.next(t)

			const changes = 400
			for i := range changes {
				n := told.Load()
				label(t, ns, "busy", strconv.Itoa(i))
				testenv.Eventually(t, 10*time.Second, "the healthy session told of change "+strconv.Itoa(i), func() bool { return told.Load() > n })
			}
			select {
			case end := <-drained(stream): // only now read: a stream still held would not end
				if !errors.Is(end.err, io.ErrUnexpectedEOF) {
					t.Errorf("the slow stream ended with %v, want it cut short (unexpected EOF)", end.err)
				}
				t.Logf("the slow stream held %d notifications (%d bytes) when it was cut", end.events, end.bytes)
			case <-time.After(30 * time.Second):
				t.Fatal("the server still holds the slow session's stream after 400 changes it did not read")
			}
			// The goroutines that served the slow stream have returned: only
			// the healthy session's stream is still being sent.
			testenv.Eventually(t, 10*time.Second, "one stream sender left", func() bool { return goroutines("transport.(*streamWriter).send") == 1 })
			t.Logf("the healthy session was told %d times; the slow one had read none", told.Load())
			if slowTold.Load() != 0 {
				t.Errorf("the slow session read %d notifications; the test holds its stream unread", slowTold.Load())
			}
		})
	}
}

// counting connects user through rt with a client that counts the
// notifications/resources/updated it is told.
func (r *rig) counting(t *testing.T, user string, rt http.RoundTripper, told *atomic.Int64) *mcp.ClientSession {
	t.Helper()
	mc := mcp.NewClient(&mcp.Implementation{Name: "resources-test", Version: "v0"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(context.Context, *mcp.ResourceUpdatedNotificationRequest) { told.Add(1) },
	})
	cs, err := mc.Connect(t.Context(), r.transportOver(t, user, rt), &mcp.ClientSessionOptions{ProtocolVersion: r.f.version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// heldStreams makes a client that stops reading its event streams: the body
// of each GET, and of each subscriptions/listen POST (2026-07-28), is handed
// to the test unread, and go-sdk is given one that yields nothing until its
// request ends.
type heldStreams struct {
	rt     http.RoundTripper
	bodies chan io.ReadCloser
}

func (h *heldStreams) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.rt.RoundTrip(req)
	stream := req.Method == http.MethodGet || req.Header.Get("Mcp-Method") == "subscriptions/listen"
	if err != nil || !stream {
		return resp, err
	}
	h.bodies <- resp.Body
	pr, pw := io.Pipe()
	context.AfterFunc(req.Context(), func() { pw.Close() })
	resp.Body = pr
	return resp, nil
}

// next is the body of the next GET, closed when the test ends.
func (h *heldStreams) next(t *testing.T) io.ReadCloser {
	t.Helper()
	select {
	case b := <-h.bodies:
		t.Cleanup(func() { b.Close() })
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("the slow client opened no event stream within 10 s")
		return nil
	}
}

// drained reads body to its end and tells what it held and how it ended.
func drained(body io.Reader) <-chan streamEnd {
	ended := make(chan streamEnd, 1)
	go func() {
		b, err := io.ReadAll(body)
		ended <- streamEnd{bytes: len(b), events: bytes.Count(b, []byte("event: message")), err: err}
	}()
	return ended
}

type streamEnd struct {
	bytes, events int
	err           error
}

// goroutines counts the goroutines running fn.
func goroutines(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), fn+"(")
		}
		buf = make([]byte, 2*len(buf))
	}
}
