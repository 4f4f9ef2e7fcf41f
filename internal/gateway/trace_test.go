package gateway

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestUpstreamCallsTraced: with a tracer, each upstream call is a client span
// naming the upstream and the tool, and its trace context reaches an HTTP
// upstream as traceparent; without one, no header is sent.
func TestUpstreamCallsTraced(t *testing.T) {
	url, parents := testenv.EchoUpstream(t, "traceparent")
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	k := mustServe(t, Options{Tracer: tp.Tracer("test"), Upstreams: []config.Upstream{{Name: "traced", URL: url}}})
	if got := upstreamText(t, k.call(t, "traced__echo", map[string]any{"message": "hi"})); got != "hi" {
		t.Fatalf("echo through the gateway: %q", got)
	}
	var span *tracetest.SpanStub
	for _, s := range spans.GetSpans() {
		if s.Name == "upstream traced tools/call" {
			span = &s
		}
	}
	if span == nil {
		t.Fatalf("no span upstream traced tools/call among %d spans", len(spans.GetSpans()))
	}
	got := parents()
	if len(got) != 1 || !strings.Contains(got[0], span.SpanContext.TraceID().String()) || !strings.Contains(got[0], span.SpanContext.SpanID().String()) {
		t.Errorf("traceparent sent upstream %q, want the call span's trace %s and span %s", got, span.SpanContext.TraceID(), span.SpanContext.SpanID())
	}

	url, parents = testenv.EchoUpstream(t, "traceparent")
	untraced := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "plain", URL: url}}})
	untraced.call(t, "plain__echo", map[string]any{"message": "hi"})
	if got := parents(); len(got) != 1 || got[0] != "" {
		t.Errorf("without tracing the upstream got traceparent %q, want none", got)
	}
}
