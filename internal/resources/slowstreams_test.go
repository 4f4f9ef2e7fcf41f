package resources

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/metrics"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// TestSlowStreams is TestSlowSubscriber for the other streams a session is
// told on, each opened by a client that subscribes to a ConfigMap and then
// never reads again (over connections with small socket buffers): a
// WebSocket (/ws), a legacy SSE stream (GET /sse, subscribed through POST
// /message) and a 2026-07-28 subscriptions/listen stream (a POST to /mcp).
// A healthy session subscribed to the same ConfigMap is told of each of 400
// changes within healthyWait, the slow client's stream is cut (counted by
// kubemcp_stream_cuts_total), and the goroutines that sent it are gone.
// Before WebSocket writes were queued, a write to the stopped socket held
// the notifications of every other subscriber for 10 s.
func TestSlowStreams(t *testing.T) {
	const healthyWait = 5 * time.Second
	backlog := transport.HTTPOptions{StreamBacklog: 8 << 10, StreamStall: time.Hour}
	stall := transport.HTTPOptions{StreamStall: 300 * time.Millisecond}
	for _, tc := range []struct {
		name    string
		healthy flavour
		opts    transport.HTTPOptions
		slow    func(t *testing.T, r *rig, uri string) (drain func() <-chan streamEnd)
		cut     func(error) bool // whether the slow stream's end is a cut
		sender  string           // the goroutines that send the slow kind of stream
		left    int              // how many of them the healthy session keeps
		counted string           // the cut, in the metrics
	}{
		{"websocket backlog", flavours[2], backlog, slowWebSocket, wsCut, "transport.(*wsConn).send", 0,
			`kubemcp_stream_cuts_total{reason="backlog",transport="websocket"} 1`},
		{"websocket stall", flavours[2], stall, slowWebSocket, wsCut, "transport.(*wsConn).send", 0,
			`kubemcp_stream_cuts_total{reason="stall",transport="websocket"} 1`},
		{"legacy sse", flavours[4], backlog, slowSSE, httpCut, "transport.(*streamWriter).send", 1,
			`kubemcp_stream_cuts_total{reason="backlog",transport="sse"} 1`},
		{"subscriptions/listen", flavours[3], backlog, slowListen, httpCut, "transport.(*streamWriter).send", 1,
			`kubemcp_stream_cuts_total{reason="backlog",transport="stateless-http"} 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New("test")
			tc.opts.Metrics = m
			r := newLimitedRig(t, tc.healthy, Options{}, limits{http: tc.opts, tight: true})
			ns := env.Namespace(t, "res-slow-streams")
			createConfigMap(t, ns, "busy")
			uri := URI(cluster, ns, "cm", "busy")
			drain := tc.slow(t, r, uri)
			c := r.connect(t, "admin")
			if err := c.subscribe(t, uri); err != nil {
				t.Fatal(err)
			}

			const changes = 400
			var slowest time.Duration
			for i := range changes {
				label(t, ns, "busy", strconv.Itoa(i))
				start := time.Now()
				select {
				case <-c.updates:
					slowest = max(slowest, time.Since(start))
				case <-time.After(healthyWait):
					t.Fatalf("the healthy session was not told of change %d within %s", i, healthyWait)
				}
			}
			t.Logf("the healthy session was told of each of %d changes, the slowest after %s", changes, slowest)
			select {
			case end := <-drain(): // only now read: a stream still held would not end
				if !tc.cut(end.err) {
					t.Errorf("the slow stream ended with %v, want it cut", end.err)
				}
				t.Logf("the slow stream held %d notifications (%d bytes) when it was cut (%v)", end.events, end.bytes, end.err)
			case <-time.After(30 * time.Second):
				t.Fatal("the server still holds the slow stream after 400 changes it did not read")
			}
			testenv.Eventually(t, 10*time.Second, "the slow stream's sender gone", func() bool { return goroutines(tc.sender) == tc.left })
			if got := scrape(m); !strings.Contains(got, tc.counted) {
				t.Errorf("the metrics lack %s:\n%s", tc.counted, got)
			}
		})
	}
}

func httpCut(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }

// wsCut: the server closed the socket saying why (policy violation), or
// without a close frame (1006, abnormal closure).
func wsCut(err error) bool {
	return websocket.IsCloseError(err, websocket.ClosePolicyViolation, websocket.CloseAbnormalClosure)
}

// slowWebSocket subscribes to uri over /ws from a socket with a small
// receive buffer, and reads nothing after the subscription's answer until
// drain.
func slowWebSocket(t *testing.T, r *rig, uri string) func() <-chan streamEnd {
	t.Helper()
	d := websocket.Dialer{NetDialContext: testenv.TightTransport().DialContext, Subprotocols: []string{"mcp"}, HandshakeTimeout: 10 * time.Second}
	ws, _, err := d.DialContext(t.Context(), "ws"+strings.TrimPrefix(r.url, "http")+transport.PathWS, http.Header{"Authorization": {"Bearer token-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	next := func() ([]byte, error) {
		_, data, err := ws.ReadMessage()
		return data, err
	}
	send := func(msg any) {
		if err := ws.WriteJSON(msg); err != nil {
			t.Fatal(err)
		}
	}
	subscribeRaw(t, send, next, uri)
	return func() <-chan streamEnd {
		ended := make(chan streamEnd, 1)
		go func() {
			var end streamEnd
			ws.SetReadDeadline(time.Now().Add(time.Minute))
			for {
				data, err := next()
				if err != nil {
					end.err = err
					break
				}
				end.bytes += len(data)
				end.events += bytes.Count(data, []byte("notifications/resources/updated"))
			}
			ended <- end
		}()
		return ended
	}
}

// slowSSE opens a legacy SSE stream over a connection with a small receive
// buffer, subscribes to uri through POST /message with the session the
// stream's endpoint event names, and reads nothing more until drain.
func slowSSE(t *testing.T, r *rig, uri string) func() <-chan streamEnd {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, r.url+transport.PathSSE, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: bearer{"token-admin", testenv.TightTransport()}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	stream := bufio.NewReader(resp.Body)
	kind, data, err := nextEvent(stream)
	if err != nil || kind != "endpoint" {
		t.Fatalf("the SSE stream began with %q %q %v, want its endpoint", kind, data, err)
	}
	base, _ := url.Parse(r.url)
	endpoint, err := base.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	send := func(msg any) {
		body, _ := json.Marshal(msg)
		resp, err := (&http.Client{Transport: bearer{"token-admin", http.DefaultTransport}}).Post(endpoint.String(), "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %s: %s", endpoint, resp.Status)
		}
	}
	next := func() ([]byte, error) {
		_, data, err := nextEvent(stream)
		return []byte(data), err
	}
	subscribeRaw(t, send, next, uri)
	return func() <-chan streamEnd { return drained(stream) }
}

// slowListen subscribes to uri with a 2026-07-28 go-sdk client whose
// subscriptions/listen stream, once acknowledged, is read no more until
// drain.
func slowListen(t *testing.T, r *rig, uri string) func() <-chan streamEnd {
	t.Helper()
	held := &heldStreams{rt: testenv.TightTransport(), bodies: make(chan io.ReadCloser, 4)}
	var told atomic.Int64
	if err := r.counting(t, "admin", held, &told).Subscribe(t.Context(), &mcp.SubscribeParams{URI: uri}); err != nil {
		t.Fatal(err)
	}
	stream := bufio.NewReader(held.next(t))
	if _, data, err := nextEvent(stream); err != nil || !strings.Contains(data, "notifications/subscriptions/acknowledged") {
		t.Fatalf("the listen stream began with %q %v, want its acknowledgement", data, err)
	}
	return func() <-chan streamEnd { return drained(stream) }
}

// subscribeRaw is a 2025-11-25 client's handshake and subscription to uri,
// sending with send and reading the answers with next.
func subscribeRaw(t *testing.T, send func(any), next func() ([]byte, error), uri string) {
	t.Helper()
	send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "slow", "version": "v0"}}})
	awaitAnswer(t, next, 1)
	send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": map[string]any{"uri": uri}})
	awaitAnswer(t, next, 2)
}

// awaitAnswer reads messages with next until the answer to request id, and
// fails unless it is a result.
func awaitAnswer(t *testing.T, next func() ([]byte, error), id int) {
	t.Helper()
	for {
		data, err := next()
		if err != nil {
			t.Fatalf("waiting for the answer to request %d: %v", id, err)
		}
		var msg struct {
			ID    *int            `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(data, &msg); err != nil || msg.ID == nil || *msg.ID != id {
			continue
		}
		if msg.Error != nil {
			t.Fatalf("request %d: %s", id, msg.Error)
		}
		return
	}
}

// nextEvent reads one server-sent event: its type and its data.
func nextEvent(r *bufio.Reader) (kind, data string, err error) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return kind, data, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" && (kind != "" || data != ""):
			return kind, data, nil
		case strings.HasPrefix(line, "event:"):
			kind = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
}

// scrape is m's metrics in Prometheus' text format.
func scrape(m *metrics.Metrics) string {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}
