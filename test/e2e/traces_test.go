package e2e

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestTraces runs a real kubemcp with --otlp-endpoint pointing at an OTLP/HTTP
// receiver in this test: each tool call against the cluster is a trace of a
// server span for the request, the tool call's span beneath it, and a client
// span per Kubernetes request beneath that, with the verb, resource and
// status; neither the caller's bearer token nor the cluster credential nor
// the caller's name is in anything sent.
func TestTraces(t *testing.T) {
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100") // ms: spans leave at once, not after 5 s
	const user = "trace-user-name"
	token := randomToken()
	s := serveArgs(t, "--kubeconfig", env.Users["admin"].Kubeconfig, "--auth", "token",
		"--auth-token-file", tokenFile(t, user, token), "--otlp-endpoint", srv.URL,
		"--cache=false") // the reads go to the apiserver, so each tool span has its Kubernetes requests beneath it
	cs := connectAs(t, s.URL, token, "streamable")
	for _, c := range []struct {
		tool    string
		args    map[string]any
		isError bool
	}{
		{"pods_list", map[string]any{"namespace": testenv.NamespaceShop}, false},
		{"resources_get", map[string]any{"resource": "pods", "namespace": testenv.NamespaceShop, "name": "nope"}, true},
	} {
		res, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil || res.IsError != c.isError {
			t.Fatalf("%s: isError %v, want %v (%v)", c.tool, res != nil && res.IsError, c.isError, err)
		}
	}

	testenv.Eventually(t, 10*time.Second, "both calls' request spans", func() bool {
		spans := rcv.spans(t)
		return named(spans, "tools/call pods_list") != nil && named(spans, "tools/call resources_get") != nil
	})
	spans := rcv.spans(t)
	checkCallTree(t, spans, "pods_list", "ok", "kube list pods", 200)
	checkCallTree(t, spans, "resources_get", "error", "kube get pods", 404)
	body := rcv.body()
	for what, secret := range map[string]string{"the caller's token": token, "the cluster credential": env.Users["admin"].Token, "the caller's name": user} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("%s was sent to the collector", what)
		}
	}
}

// checkCallTree finds the trace of one call of tool: request span (a root),
// the tool's span as its child, and a Kubernetes span named kube beneath
// that with the status code.
func checkCallTree(t *testing.T, spans []*tracepb.Span, tool, outcome, kube string, code int64) {
	t.Helper()
	req := named(spans, "tools/call "+tool)
	if len(req.ParentSpanId) != 0 || req.Kind != tracepb.Span_SPAN_KIND_SERVER || attr(req, "gen_ai.tool.name") != tool || attr(req, "kubemcp.outcome") != outcome {
		t.Errorf("request span %s: parent %x, kind %v, attributes %v; want a server root span of tool %s, outcome %s",
			req.Name, req.ParentSpanId, req.Kind, req.Attributes, tool, outcome)
	}
	call := childNamed(spans, req, "execute_tool "+tool)
	if call == nil {
		t.Fatalf("no span execute_tool %s beneath %s; spans: %v", tool, req.Name, names(spans))
	}
	if attr(call, "kubemcp.outcome") != outcome {
		t.Errorf("%s: outcome %q, want %q", call.Name, attr(call, "kubemcp.outcome"), outcome)
	}
	k := childNamed(spans, call, kube)
	if k == nil {
		t.Fatalf("no span %s beneath %s; spans: %v", kube, call.Name, names(spans))
	}
	if k.Kind != tracepb.Span_SPAN_KIND_CLIENT || attr(k, "kubemcp.cluster") != testenv.KubeContext || intAttr(k, "http.response.status_code") != code {
		t.Errorf("%s: kind %v, attributes %v; want a client span of cluster %s with status %d", k.Name, k.Kind, k.Attributes, testenv.KubeContext, code)
	}
}

// otlpReceiver is an OTLP/HTTP trace collector: it keeps every export
// request as it came, protobuf, which is what the protocol specifies and
// what OpenTelemetry's Go exporter sends.
type otlpReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want a protobuf POST to /v1/traces", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	o.bodies = append(o.bodies, b)
	o.mu.Unlock()
	resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(resp)
}

func (o *otlpReceiver) body() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Join(o.bodies, nil)
}

// spans decodes every export received so far.
func (o *otlpReceiver) spans(t *testing.T) []*tracepb.Span {
	o.mu.Lock()
	defer o.mu.Unlock()
	var spans []*tracepb.Span
	for _, b := range o.bodies {
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Fatalf("an export that is not OTLP protobuf: %v", err)
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				spans = append(spans, ss.Spans...)
			}
		}
	}
	return spans
}

func named(spans []*tracepb.Span, name string) *tracepb.Span {
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func childNamed(spans []*tracepb.Span, parent *tracepb.Span, name string) *tracepb.Span {
	for _, s := range spans {
		if s.Name == name && bytes.Equal(s.ParentSpanId, parent.SpanId) && bytes.Equal(s.TraceId, parent.TraceId) {
			return s
		}
	}
	return nil
}

func names(spans []*tracepb.Span) []string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name+"("+hex.EncodeToString(s.SpanId)+"<"+hex.EncodeToString(s.ParentSpanId)+")")
	}
	slices.Sort(n)
	return n
}

func attr(s *tracepb.Span, key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.GetStringValue()
		}
	}
	return ""
}

func intAttr(s *tracepb.Span, key string) int64 {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.GetIntValue()
		}
	}
	return 0
}
