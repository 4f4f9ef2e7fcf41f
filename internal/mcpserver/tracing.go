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
func traceRequests(tracer trace.Tracer, tools []toolset.Tool, clusters func() []string) mcp.Middleware {
	known := knownTools(tools)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			name, attrs := method, []attribute.KeyValue{attribute.String("mcp.method.name", method)}
			if call, ok := req.(*mcp.CallToolRequest); ok {
				tool := toolLabel(known, params(call).Name)
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
func traceTools(tracer trace.Tracer, tools []toolset.Tool, clusters func() []string) mcp.Middleware {
	known := knownTools(tools)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok {
				return next(ctx, method, req)
			}
			tool := toolLabel(known, params(call).Name)
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
// the tool answered isError, failed: a protocol error), never the text of
// either, which may quote the arguments.
func end(span trace.Span, res mcp.Result, err error) {
	outcome := resultOf(res, err)
	span.SetAttributes(attribute.String("kubemcp.outcome", outcome))
	if outcome != "ok" {
		span.SetStatus(codes.Error, outcome)
	}
}

func knownTools(tools []toolset.Tool) map[string]bool {
	known := map[string]bool{}
	for _, t := range tools {
		known[t.Meta.Name] = true
	}
	return known
}

// toolLabel is a tool's name if the server offers it, else metrics.Unknown:
// a caller's made-up name goes nowhere.
func toolLabel(known map[string]bool, name string) string {
	if known[name] {
		return name
	}
	return metrics.Unknown
}
