package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// FuzzJSONRPC posts any method, with params and an id of any shape, to the
// handler `kubemcp serve --listen` serves (over an unreachable cluster: the
// request surface, not the cluster, is under test), in both protocol eras: a
// 2025-11-25 session after a real initialize, and a stateless 2026-07-28
// request. Nothing may panic, and every answer must be one the protocol
// allows: a JSON-RPC response bearing the request's id, 202 and no body for a
// notification, or a 4xx refusal that is a JSON-RPC error too (go-sdk
// refuses some malformed messages in plain text; transport rewrites them).
func FuzzJSONRPC(f *testing.F) {
	r := newFuzzRig(f)
	for _, s := range r.seeds(f) {
		pick, own := slices.Index(methods, s.method), ""
		if pick < 0 {
			pick, own = 255, s.method
		}
		f.Add(uint8(pick), own, s.params, s.id)
	}
	// pick chooses one of methods, so that mutations keep the method a real
	// one; past their number, the method is own.
	f.Fuzz(func(t *testing.T, pick uint8, own, params, id string) {
		defer watchdog(3 * answerWithin)()
		method := own
		if int(pick) < len(methods) {
			method = methods[pick]
		}
		m := newMessage(method, params, id)
		r.check(t, "2025-11-25 session", m, r.inSession(t, m), http.StatusOK)
		r.check(t, "stateless 2026-07-28", m, r.post(t, m.stateless(), statelessHeaders(m)), http.StatusOK)
		r.check(t, "legacy SSE", m, r.overSSE(t, m), http.StatusAccepted)
	})
}

// watchdog crashes the process, with every goroutine's stack, when an input
// takes longer than d: a fuzz worker that hangs reports nothing, and a crash
// leaves the input in testdata/fuzz.
func watchdog(d time.Duration) (stop func()) {
	timer := time.AfterFunc(d, func() {
		buf := make([]byte, 16<<20)
		os.Stderr.Write(buf[:runtime.Stack(buf, true)])
		panic(fmt.Sprintf("an input was not done within %s", d))
	})
	return func() { timer.Stop() }
}

// fuzzRig is the server under test and what it has logged.
type fuzzRig struct {
	base   string // the server's URL
	client *http.Client
	log    *panicLog
}

func newFuzzRig(f *testing.F) *fuzzRig {
	cfg := config.Default()
	cfg.Kubeconfig = offlineKubeconfig(f)
	cfg.ClusterTimeout = time.Second
	plog := &panicLog{}
	srv, err := NewServer(cfg, nil, slog.New(plog))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	mux := transport.Mux(srv.MCP, transport.HTTPOptions{Logger: slog.New(plog), SessionIdle: time.Minute})
	ts := httptest.NewUnstartedServer(mux)
	ts.Config.ErrorLog = log.New(plog, "", 0) // where net/http reports a panic it recovered
	ts.Start()
	f.Cleanup(ts.Close)
	return &fuzzRig{base: ts.URL, client: ts.Client(), log: plog}
}

// panicLog notes what the server logs about panics and discards the rest.
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (p *panicLog) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.panics = append(p.panics, s)
}

// taken returns the panics noted since the last call.
func (p *panicLog) taken() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	got := p.panics
	p.panics = nil
	return got
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }

func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, "\n%s: %v", a.Key, a.Value); return true })
		p.note(b.String())
	}
	return nil
}

func (p *panicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicLog) WithGroup(string) slog.Handler      { return p }

func (p *panicLog) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("panic")) {
		p.note(string(b))
	}
	return len(b), nil
}

// message is one fuzzed JSON-RPC message.
type message struct {
	method, params, id string
	body               []byte
}

func newMessage(method, params, id string) message {
	// An invalid byte would be replaced in the body but not in the
	// Mcp-Method header, and the mismatch is not what is under test.
	method = strings.ToValidUTF8(method, "\uFFFD")
	return message{method: method, params: params, id: id, body: encode(method, params, id)}
}

// encode writes the message as sent, params and id verbatim (they may not be
// JSON at all); an empty one is left out.
func encode(method, params, id string) []byte {
	name, _ := json.Marshal(method)
	var b bytes.Buffer
	b.WriteString(`{"jsonrpc":"2.0"`)
	if id != "" {
		b.WriteString(`,"id":` + id)
	}
	b.WriteString(`,"method":` + string(name))
	if params != "" {
		b.WriteString(`,"params":` + params)
	}
	b.WriteString("}")
	return b.Bytes()
}

// call reports whether the message is a well-formed request that must be
// answered: valid JSON with a string or number id. A null id makes a
// notification, as go-sdk reads it.
func (m message) call() bool {
	if !json.Valid(m.body) {
		return false
	}
	var id any
	_ = json.Unmarshal([]byte(m.id), &id)
	switch id.(type) {
	case string, float64:
		return true
	}
	return false
}

// stateless is the message as a 2026-07-28 client sends it: params that are
// an object carry the protocol version, client info and capabilities in
// _meta, unless they have a _meta of their own.
func (m message) stateless() []byte {
	var params map[string]json.RawMessage
	if json.Unmarshal([]byte(m.params), &params) != nil || params == nil || params["_meta"] != nil {
		return m.body
	}
	params["_meta"], _ = json.Marshal(map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientInfo":         map[string]string{"name": "fuzz", "version": "v0"},
		"io.modelcontextprotocol/clientCapabilities": map[string]any{},
	})
	p, err := json.Marshal(params)
	if err != nil {
		return m.body
	}
	return encode(m.method, string(p), m.id)
}

// statelessHeaders are those a 2026-07-28 client sends: the method, and the
// name a tools/call, prompts/get or resources/read is for.
func statelessHeaders(m message) http.Header {
	h := http.Header{"Mcp-Protocol-Version": {"2026-07-28"}}
	setHeader(h, "Mcp-Method", m.method)
	var p struct {
		Name any `json:"name"`
		URI  any `json:"uri"`
	}
	_ = json.Unmarshal([]byte(m.params), &p)
	name := p.Name
	if m.method == "resources/read" {
		name = p.URI
	}
	if s, ok := name.(string); ok {
		setHeader(h, "Mcp-Name", s)
	}
	return h
}

// setHeader sets a header only to a value HTTP can carry; a client could not
// send another.
func setHeader(h http.Header, key, value string) {
	if !strings.ContainsFunc(value, func(r rune) bool { return r < ' ' || r == 0x7f }) && strings.TrimSpace(value) == value {
		h.Set(key, value)
	}
}

// answer is what the server said to one message.
type answer struct {
	status      int
	contentType string
	body        []byte
	// messages are the JSON-RPC messages of an event stream or JSON body.
	messages []json.RawMessage
}

// inSession initializes a 2025-11-25 session, sends m in it and ends it.
func (r *fuzzRig) inSession(t testing.TB, m message) answer {
	init := encode("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"v0"}}`, "0")
	a, session := r.postSession(t, r.base+transport.PathMCP, init, http.Header{})
	if a.status != http.StatusOK || session == "" {
		t.Fatalf("initialize: HTTP %d %s", a.status, a.body)
	}
	h := http.Header{"Mcp-Session-Id": {session}, "Mcp-Protocol-Version": {"2025-11-25"}}
	if a := r.post(t, encode("notifications/initialized", "", ""), h); a.status != http.StatusAccepted {
		t.Fatalf("notifications/initialized: HTTP %d %s", a.status, a.body)
	}
	defer r.end(t, session)
	return r.post(t, m.body, h)
}

func (r *fuzzRig) end(t testing.TB, session string) {
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, r.base+transport.PathMCP, nil)
	req.Header.Set("Mcp-Session-Id", session)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("ending the session: %v", err)
	}
	resp.Body.Close()
}

// post posts body to /mcp.
func (r *fuzzRig) post(t testing.TB, body []byte, h http.Header) answer {
	a, _ := r.postSession(t, r.base+transport.PathMCP, body, h)
	return a
}

// answerWithin bounds how long a message may take to be answered: tools
// fail fast against a cluster that refuses connections.
const answerWithin = 20 * time.Second

// postSession posts body to url and reads the answer up to the response, or to the
// acknowledgement of a subscriptions/listen, whose stream stays open.
func (r *fuzzRig) postSession(t testing.TB, url string, body []byte, h http.Header) (answer, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("posting %s: %v (server: %v)", body, err, r.log.taken())
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if strings.HasPrefix(a.contentType, "text/event-stream") {
		a.messages, err = readEvents(resp.Body)
	} else {
		a.body, err = io.ReadAll(resp.Body)
		if json.Valid(a.body) {
			a.messages = []json.RawMessage{a.body}
		}
	}
	if err != nil {
		t.Fatalf("reading the answer to %s: %v", body, err)
	}
	return a, resp.Header.Get("Mcp-Session-Id")
}

// readEvents reads an event stream's data up to the first response or
// subscription acknowledgement.
func readEvents(body io.Reader) ([]json.RawMessage, error) {
	var msgs []json.RawMessage
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		msgs = append(msgs, json.RawMessage(data))
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal([]byte(data), &m) == nil && (m.ID != nil && m.Method == "" || m.Method == "notifications/subscriptions/acknowledged") {
			return msgs, nil
		}
	}
	return msgs, sc.Err()
}
