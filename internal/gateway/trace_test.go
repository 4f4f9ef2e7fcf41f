package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kubemcp/kubemcp/internal/config"
)

// tracedUpstream is a streamable HTTP MCP server with one tool, echo, that
// records the traceparent header of each tools/call it is sent.
func tracedUpstream(t *testing.T) (url string, parents func() []string) {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "traced"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo", Description: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		Message string `json:"message"`
	}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Message}}}, nil, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"tools/call"`)) {
			mu.Lock()
			seen = append(seen, r.Header.Get("traceparent"))
			mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// TestUpstreamCallsTraced: with a tracer, each upstream call is a client span
// naming the upstream and the tool, and its trace context reaches an HTTP
// upstream as traceparent; without one, no header is sent.
func TestUpstreamCallsTraced(t *testing.T) {
	url, parents := tracedUpstream(t)
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

	url, parents = tracedUpstream(t)
	untraced := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "plain", URL: url}}})
	untraced.call(t, "plain__echo", map[string]any{"message": "hi"})
	if got := parents(); len(got) != 1 || got[0] != "" {
		t.Errorf("without tracing the upstream got traceparent %q, want none", got)
	}
}
