package e2e

import (
	"bytes"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestTracesThroughUpstream runs a real kubemcp with an HTTP upstream (a
// go-sdk server in this test) and an OTLP receiver: a call of the
// upstream's tool is a trace of the request span, the tool call's span
// beneath it and the upstream call's client span beneath that, and the
// upstream is sent a W3C traceparent naming that trace and that span as
// its parent, so its own spans join kubemcp's trace.
func TestTracesThroughUpstream(t *testing.T) {
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	t.Cleanup(collector.Close)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
	upstreamURL, parents := testenv.EchoUpstream(t, "traceparent")
	cfg := filepath.Join(t.TempDir(), "kubemcp.yaml")
	if err := os.WriteFile(cfg, []byte("upstreams:\n- name: traced\n  url: "+upstreamURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serveArgs(t, "--kubeconfig", env.Kubeconfig, "--config", cfg, "--otlp-endpoint", collector.URL)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: s.URL}, nil)
	// The gate fences the answer as the upstream's data.
	if got, _ := call(t, cs, "traced__echo", map[string]any{"message": "hi"}); got.IsError || !fenced(got.Text, "hi") {
		t.Fatalf("traced__echo through kubemcp: %+v", got)
	}

	var up *tracepb.Span
	testenv.Eventually(t, 10*time.Second, "the upstream call's span", func() bool {
		up = named(rcv.spans(t), "upstream traced tools/call")
		return up != nil
	})
	spans := rcv.spans(t)
	// The request and tool spans name upstream tools by the metrics'
	// bounded value, upstream__*; the upstream span names the tool.
	req := named(spans, "tools/call traced__*")
	if req == nil || len(req.ParentSpanId) != 0 {
		t.Fatalf("no root request span tools/call traced__*; spans: %v", names(spans))
	}
	call := childNamed(spans, req, "execute_tool traced__*")
	if call == nil {
		t.Fatalf("no span execute_tool traced__* beneath the request span; spans: %v", names(spans))
	}
	if !bytes.Equal(up.ParentSpanId, call.SpanId) || !bytes.Equal(up.TraceId, req.TraceId) || up.Kind != tracepb.Span_SPAN_KIND_CLIENT ||
		attr(up, "kubemcp.upstream") != "traced" || attr(up, "gen_ai.tool.name") != "traced__echo" {
		t.Errorf("upstream span: trace %x parent %x kind %v attributes %v; want a client span of upstream traced, tool traced__echo, beneath %x in trace %x",
			up.TraceId, up.ParentSpanId, up.Kind, up.Attributes, call.SpanId, req.TraceId)
	}
	want := "00-" + hex.EncodeToString(up.TraceId) + "-" + hex.EncodeToString(up.SpanId) + "-01"
	if got := parents(); len(got) != 1 || got[0] != want {
		t.Errorf("traceparent of the upstream's tools/call: %q, want [%s] (the trace, the upstream span as parent, sampled)", got, want)
	}
}

// TestTracesFromEnvironment: with no otlpEndpoint, the standard
// OTEL_EXPORTER_OTLP_ENDPOINT (the collector's base URL) or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (its traces URL itself) alone sends
// kubemcp's spans to the collector.
func TestTracesFromEnvironment(t *testing.T) {
	for _, tt := range []struct{ variable, path string }{
		{"OTEL_EXPORTER_OTLP_ENDPOINT", ""},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "/v1/traces"},
	} {
		t.Run(tt.variable, func(t *testing.T) {
			rcv := &otlpReceiver{}
			collector := httptest.NewServer(rcv)
			t.Cleanup(collector.Close)
			t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
			t.Setenv(tt.variable, collector.URL+tt.path)
			s := serveArgs(t, "--kubeconfig", env.Kubeconfig, "--cache=false")
			cs := connect(t, &mcp.StreamableClientTransport{Endpoint: s.URL}, nil)
			call(t, cs, "pods_list", map[string]any{"namespace": testenv.NamespaceShop})
			testenv.Eventually(t, 10*time.Second, "the call's spans at the collector", func() bool {
				spans := rcv.spans(t)
				req := named(spans, "tools/call pods_list")
				return req != nil && childNamed(spans, req, "execute_tool pods_list") != nil
			})
			if spans := rcv.spans(t); !strings.Contains(strings.Join(names(spans), " "), "kube list pods") {
				t.Errorf("no Kubernetes request span; spans: %v", names(spans))
			}
		})
	}
}

// fenced reports whether answer is text in one fence.
func fenced(answer, text string) bool {
	body, ok := render.Unfence(answer)
	return ok && strings.Count(answer, "</untrusted-data>") == 1 && strings.TrimSuffix(body, "\n") == text
}
