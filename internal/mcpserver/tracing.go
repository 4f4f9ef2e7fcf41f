package mcpserver

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubemcp/kubemcp/internal/metrics"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// traceRequests starts a server span per MCP request, named by its method
// (and tool), ended with how it went. Only names the server knows go in:
// an unknown tool is metrics.Unknown, a cluster as the metrics label it.
func traceRequests(tracer trace.Tracer, names toolNames, clusters func() []string) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			name, attrs := method, []attribute.KeyValue{attribute.String("mcp.method.name", method)}
			if call, ok := req.(*mcp.CallToolRequest); ok {
				tool := names.label(params(call).Name)
				name += " " + tool
				attrs = append(attrs, attribute.String("gen_ai.tool.name", tool),
					attribute.String("kubemcp.cluster", clusterLabel(argsOf(params(call)).Cluster, clusters)))
			}
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			defer span.End()
			res, err := next(ctx, method, req)
			end(span, res, err)
			return res, err
		}
	}
}

// traceTools starts a span per tool call around the handler alone, inside
// admission, the audit log and the call's time limit, so that its Kubernetes
// requests are its children and its own time is told apart from waiting.
func traceTools(tracer trace.Tracer, names toolNames, clusters func() []string) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok {
				return next(ctx, method, req)
			}
			tool := names.label(params(call).Name)
			ctx, span := tracer.Start(ctx, "execute_tool "+tool, trace.WithAttributes(
				attribute.String("gen_ai.operation.name", "execute_tool"), attribute.String("gen_ai.tool.name", tool),
				attribute.String("kubemcp.cluster", clusterLabel(argsOf(params(call)).Cluster, clusters))))
			defer span.End()
			res, err := next(ctx, method, req)
			end(span, res, err)
			return res, err
		}
	}
}

// end records the outcome as the metrics and audit log name it (ok, error:
// the tool answered isError, failed: a protocol error, asked: a person is
// asked), never the text of either, which may quote the arguments.
func end(span trace.Span, res mcp.Result, err error) {
	outcome := resultOf(res, err)
	span.SetAttributes(attribute.String("kubemcp.outcome", outcome))
	if outcome == "error" || outcome == "failed" {
		span.SetStatus(codes.Error, outcome)
	}
}

// toolNames label tools for metrics and traces: a tool the server offers
// by its name, an upstream's as its upstream says (<upstream>__*), anything
// else metrics.Unknown, so a caller's made-up names go nowhere.
type toolNames struct {
	known   map[string]bool
	dynamic func(string) (string, bool, bool)
}

func newToolNames(tools []toolset.Tool, dynamic func(string) (string, bool, bool)) toolNames {
	n := toolNames{known: map[string]bool{}, dynamic: dynamic}
	for _, t := range tools {
		n.known[t.Meta.Name] = true
	}
	return n
}

func (n toolNames) label(name string) string {
	if n.known[name] {
		return name
	}
	if label, _, ok := describe(n.dynamic, name); ok {
		return label
	}
	return metrics.Unknown
}
