package gateway

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// traceContext carries the span of an upstream call to an HTTP upstream as
// a W3C traceparent header, so its own traces join kubemcp's. Without a
// span (tracing off) it sends nothing.
var traceContext = propagation.TraceContext{}

// span starts the client span of a tools/call to u: the upstream and the
// tool by the names kubemcp serves them under, nothing of the arguments.
// Without a tracer it is a span that records nothing.
func (u *upstream) span(ctx context.Context, tool string) (context.Context, trace.Span) {
	if u.g.opts.Tracer == nil {
		return ctx, noop.Span{}
	}
	return u.g.opts.Tracer.Start(ctx, "upstream "+u.cfg.Name+" tools/call", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("kubemcp.upstream", u.cfg.Name), attribute.String("mcp.method.name", "tools/call"),
			attribute.String("gen_ai.tool.name", servedName(u.cfg.Name, tool))))
}

// endSpan records how an upstream call went: its protocol error's kind
// only (its text may carry what the upstream said), or the tool's isError.
func endSpan(span trace.Span, res *mcp.CallToolResult, err error) {
	switch {
	case err != nil:
		span.SetStatus(codes.Error, "upstream call failed")
	case res != nil && res.IsError:
		span.SetStatus(codes.Error, "tool error")
	}
}
