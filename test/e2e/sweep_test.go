package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestSweepNoCredentialLeaves plants credentials everywhere a cluster keeps
// free text (sweep_plant_test.go), serves every toolset, the CLI's included,
// as the cluster admin with allowSecretReveal off, calls every advertised
// tool with arguments derived from its schema (sweep_args_test.go) and reads
// every planted object as an MCP resource. No response on the wire, and
// nothing in the server's log, may hold any 16 characters of a planted
// credential. Every leak is listed: tool, arguments, which credential, and
// where in the response. Every structuredContent is checked against the
// tool's advertised output schema, and every text for the planted
// instruction: wherever it shows, it must be inside a fence.
func TestSweepNoCredentialLeaves(t *testing.T) {
	t.Setenv("PATH", os.Getenv("KUBEMCP_BIN_DIR")+":"+os.Getenv("PATH")) // kubectl and helm for the CLI toolset
	p := plantCredentials(t)
	srv := serveArgs(t, "--kubeconfig", env.Kubeconfig, "--cli")
	rec := &recorder{}
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: rec}}, nil)
	w := &sweep{p: p, cs: cs, rec: rec, windows: p.windows(), called: map[string]int{}, answered: map[string]int{},
		outputs: toolsettest.OutputSchemas(t, cs)}
	w.windows.mustSeeEvery(t, p)
	tools := w.tools(t)
	for _, tool := range tools {
		for _, action := range actionsOf(tool) {
			for _, in := range p.argSets(tool, action) {
				w.callTool(t, tool.Name, in)
			}
		}
	}
	for _, o := range p.objects() {
		w.readResource(t, fmt.Sprintf("k8s://%s/%s/%s/%s", testenv.KubeContext, p.ns, o.resource, o.name))
	}
	w.check("outside any call", "", rec.take())
	// The log reader may lag behind the server: wait for every call's line.
	// (Resource reads log nothing unless they fail, which the calls before show.)
	calls := 0
	for _, n := range w.called {
		calls += n
	}
	testenv.Eventually(t, 10*time.Second, "a log line for every tool call", func() bool { return strings.Count(srv.Log(), `msg="tool call"`) >= calls })
	for _, hit := range w.windows.find([]byte(srv.Log())) {
		w.leaks = append(w.leaks, fmt.Sprintf("server log: %s", hit))
	}
	w.report(t, tools)
}

// sweep is one run of the sweep: its client, what it found and whom it called.
type sweep struct {
	p        *planted
	cs       *mcp.ClientSession
	rec      *recorder
	windows  windows
	called   map[string]int
	answered map[string]int // calls without isError
	errors   []string
	slow     []string // calls that took over a second, to keep the sweep quick
	leaks    []string
	outputs  map[string]*jsonschema.Resolved // each tool's advertised output schema
	fenced   []string                        // tools whose text held the planted instruction, all of it fenced
	unfenced []string                        // calls whose text held it outside a fence
}

// actions are the actions the sweep calls, in this order, of each tool that
// takes one: a paused Deployment is resumed before the next tool (which
// could refuse it), and the port-forward session started is stopped.
var actions = map[string][]string{
	"rollout":      {"restart", "undo", "pause", "resume"},
	"port_forward": {"start", "list", "stop"},
	"nodes_cordon": {"cordon", "uncordon"},
}

// actionsOf are the actions the sweep calls of tool; "" stands for the one
// call of a tool that takes none. A tool that takes an action but has none
// here is never called, and the sweep fails for it.
func actionsOf(tool *mcp.Tool) []string {
	if schemaProperties(tool.InputSchema).props["action"] {
		return actions[tool.Name]
	}
	return []string{""}
}

// tools lists the advertised tools in the order the sweep calls them: by
// name.
func (w *sweep) tools(t *testing.T) []*mcp.Tool {
	var tools []*mcp.Tool
	for tool, err := range w.cs.Tools(testContext(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		tools = append(tools, tool)
	}
	slices.SortFunc(tools, func(a, b *mcp.Tool) int { return strings.Compare(a.Name, b.Name) })
	return tools
}

func (w *sweep) callTool(t *testing.T, name string, in map[string]any) {
	w.check("before "+name, "", w.rec.take())
	w.called[name]++
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := w.cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: in})
	args, _ := json.Marshal(in)
	if took := time.Since(start); took > time.Second {
		w.slow = append(w.slow, fmt.Sprintf("%s %s: %v", name, args, took.Round(time.Millisecond)))
	}
	w.check(name, string(args), w.rec.take())
	if err == nil {
		w.checkAnswer(t, name, string(args), res)
	}
	switch {
	case err != nil:
		w.errors = append(w.errors, fmt.Sprintf("%s %s: protocol error: %v", name, args, err))
	case res.IsError:
		w.errors = append(w.errors, fmt.Sprintf("%s %s: %s", name, args, firstLine(textOf(res))))
	default:
		w.answered[name]++
		if name == "port_forward" && in["action"] == "start" {
			w.p.forwardID = startedID(res)
		}
	}
}

// checkAnswer checks res's structuredContent against the tool's advertised
// output schema, and that its text holds the planted instruction only inside
// fences.
func (w *sweep) checkAnswer(t *testing.T, name, args string, res *mcp.CallToolResult) {
	t.Helper()
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		toolsettest.CheckOutput(t, w.outputs, name, raw)
	}
	text := textOf(res)
	switch {
	case strings.Contains(render.OutsideFences(text), injection):
		w.unfenced = append(w.unfenced, fmt.Sprintf("%s %s:\n%s", name, args, text))
	case strings.Contains(text, injection):
		w.fenced = append(w.fenced, name)
	}
}

// startedID is the id of the session a port_forward start answered with.
func startedID(res *mcp.CallToolResult) string {
	sessions, _ := res.StructuredContent.(map[string]any)["sessions"].([]any)
	if len(sessions) == 0 {
		return ""
	}
	id, _ := sessions[0].(map[string]any)["id"].(string)
	return id
}

func (w *sweep) readResource(t *testing.T, uri string) {
	w.check("before resources/read", "", w.rec.take())
	_, err := w.cs.ReadResource(testContext(t), &mcp.ReadResourceParams{URI: uri})
	w.check("resources/read", uri, w.rec.take())
	if err != nil {
		w.errors = append(w.errors, fmt.Sprintf("resources/read %s: %v", uri, err))
	}
}

// check records every planted credential in body, a raw HTTP response body,
// with the part of the JSON-RPC message it is in.
func (w *sweep) check(call, args string, body []byte) {
	for _, hit := range w.windows.sites(body) {
		w.leaks = append(w.leaks, strings.TrimSpace(fmt.Sprintf("%s %s: %s", call, args, hit)))
	}
}

// report fails for every leak, for every advertised tool the sweep did not
// call, so a new tool cannot escape it, and if the CLI's kubectl or helm is
// not served (not on PATH), so the sweep cannot pass by missing them.
func (w *sweep) report(t *testing.T, tools []*mcp.Tool) {
	for _, cli := range []string{"kubectl", "helm"} {
		if !slices.ContainsFunc(tools, func(tool *mcp.Tool) bool { return tool.Name == cli }) {
			t.Errorf("tool %s is not served: set KUBEMCP_BIN_DIR=$(test/cluster/build.sh kubectl helm)", cli)
		}
	}
	for _, tool := range tools {
		if w.called[tool.Name] == 0 {
			s := schemaProperties(tool.InputSchema)
			t.Errorf("tool %s was never called: no argument set fits its schema (required %v); teach sweep_args_test.go its properties", tool.Name, s.required)
		}
	}
	t.Logf("calls per tool: %v", w.called)
	var unanswered []string
	for name := range w.called {
		if w.answered[name] == 0 {
			unanswered = append(unanswered, name)
		}
	}
	sort.Strings(unanswered)
	t.Logf("tools that answered every call with an error (so only their errors were checked): %v", unanswered)
	if len(w.slow) > 0 {
		t.Logf("slow calls:\n  %s", strings.Join(w.slow, "\n  "))
	}
	t.Logf("%d calls answered with isError or failed (their text was checked too):\n  %s", len(w.errors), strings.Join(w.errors, "\n  "))
	t.Logf("tools that showed the planted instruction, fenced: %v", slices.Compact(w.fenced))
	if len(w.fenced) == 0 {
		t.Error("no answer showed the planted instruction: the fence check saw nothing")
	}
	if len(w.unfenced) > 0 {
		t.Errorf("%d answers hold the planted instruction outside an untrusted-data fence:\n  %s", len(w.unfenced), strings.Join(w.unfenced, "\n  "))
	}
	if len(w.leaks) > 0 {
		t.Errorf("%d planted credentials left the server (call, arguments: credential, where):\n  %s", len(w.leaks), strings.Join(w.leaks, "\n  "))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// recorder is the client's RoundTripper: it tees every response body the
// client reads, so the sweep checks the bytes on the wire, not what the SDK
// made of them.
type recorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, r), resp.Body}
	return resp, nil
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(b)
}

// take returns what the client has read since the last take.
func (r *recorder) take() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := bytes.Clone(r.buf.Bytes())
	r.buf.Reset()
	return out
}

// windowSize is the length of the pieces of a credential looked for: long
// enough that a random one never turns up by chance, short enough to catch
// a credential cut short by a column or a budget.
const windowSize = 16

// windows maps every windowSize piece of every planted credential to where
// the credential was planted.
type windows map[string]string

func (p *planted) windows() windows {
	w := windows{}
	for _, c := range p.creds {
		for _, core := range c.cores {
			for i := 0; i+windowSize <= len(core); i++ {
				w[core[i:i+windowSize]] = c.where
			}
		}
	}
	return w
}

// mustSeeEvery checks the detector on what was planted: it must find every
// credential there, or a leak of it would pass unseen.
func (w windows) mustSeeEvery(t *testing.T, p *planted) {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range p.sown {
		for _, where := range w.find(b) {
			seen[where] = true
		}
	}
	for _, c := range p.creds {
		if !seen[c.where] {
			t.Fatalf("the sweep cannot see the %s in what it planted", c.where)
		}
	}
}

// find returns the credentials b holds a piece of.
func (w windows) find(b []byte) []string {
	found := map[string]bool{}
	for i := 0; i+windowSize <= len(b); i++ {
		if where, ok := w[string(b[i:i+windowSize])]; ok {
			found[where] = true
		}
	}
	out := make([]string, 0, len(found))
	for where := range found {
		out = append(out, where)
	}
	sort.Strings(out)
	return out
}

// sites returns "credential → part" for every credential in body: the
// content text, structuredContent, a resource's contents, a JSON-RPC error,
// a notification, or elsewhere in the body.
func (w windows) sites(body []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range messageParts(body) {
		for _, where := range w.find(part.raw) {
			seen[where] = true
			out = append(out, where+" → "+part.name)
		}
	}
	for _, where := range w.find(body) {
		if !seen[where] {
			out = append(out, where+" → HTTP body outside any JSON-RPC message")
		}
	}
	return out
}

type messagePart struct {
	name string
	raw  []byte
}

// messageParts splits a response body (one JSON message or an SSE stream of
// them) into the parts of the JSON-RPC messages a leak is reported by.
func messageParts(body []byte) []messagePart {
	var parts []messagePart
	for _, msg := range jsonMessages(body) {
		var m struct {
			Method string          `json:"method"`
			Error  json.RawMessage `json:"error"`
			Result struct {
				Content           json.RawMessage `json:"content"`
				StructuredContent json.RawMessage `json:"structuredContent"`
				Contents          json.RawMessage `json:"contents"`
			} `json:"result"`
		}
		if json.Unmarshal(msg, &m) != nil {
			parts = append(parts, messagePart{"a message that is not JSON", msg})
			continue
		}
		parts = append(parts,
			messagePart{"content (text)", m.Result.Content},
			messagePart{"structuredContent", m.Result.StructuredContent},
			messagePart{"resource contents", m.Result.Contents},
			messagePart{"JSON-RPC error", m.Error})
		if m.Method != "" {
			parts = append(parts, messagePart{"notification " + m.Method, msg})
		}
	}
	return parts
}

// jsonMessages returns the JSON messages of a body: itself if it is JSON,
// else the data of each server-sent event.
func jsonMessages(body []byte) [][]byte {
	if b := bytes.TrimSpace(body); len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return [][]byte{b}
	}
	var msgs [][]byte
	var data []byte
	for _, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if d, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			data = append(data, bytes.TrimPrefix(d, []byte(" "))...)
			continue
		}
		if len(line) == 0 && len(data) > 0 {
			msgs = append(msgs, data)
			data = nil
		}
	}
	if len(data) > 0 {
		msgs = append(msgs, data)
	}
	return msgs
}
