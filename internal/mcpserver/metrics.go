package mcpserver

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/metrics"
)

// countCalls counts every request by method, each tool call by tool, cluster
// and outcome with its duration, and each session opened over a transport
// that marked its context (metrics.WithTransport) until it ends. A tool or
// cluster the server does not know is counted under one name, so callers
// cannot grow the series.
func countCalls(m *metrics.Metrics, names toolNames, clusters func() []string) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			m.Request(method)
			switch r := req.(type) {
			case *mcp.CallToolRequest:
				start := time.Now()
				res, err := next(ctx, method, req)
				p := params(r)
				m.ToolCall(names.label(p.Name), clusterLabel(argsOf(p).Cluster, clusters), resultOf(res, err), time.Since(start))
				return res, err
			case *mcp.ServerRequest[*mcp.InitializeParams]:
				res, err := next(ctx, method, req)
				if t := metrics.TransportFrom(ctx); t != "" && err == nil {
					closed := m.SessionOpened(t)
					go func() { _ = r.Session.Wait(); closed() }()
				}
				return res, err
			}
			return next(ctx, method, req)
		}
	}
}

// clusterLabel is the cluster argument as a label: "" (the default), a
// configured cluster's name, metrics.Multi for a list or pattern, else
// metrics.Other.
func clusterLabel(arg string, clusters func() []string) string {
	switch {
	case arg == "":
		return ""
	case strings.ContainsAny(arg, ",*?["):
		return metrics.Multi
	case clusters != nil && slices.Contains(clusters(), arg):
		return arg
	}
	return metrics.Other
}

// describe asks dynamic, when there is one, about a tool installed after New.
func describe(dynamic func(string) (string, bool, bool), tool string) (label string, readOnly, ok bool) {
	if dynamic == nil {
		return "", false, false
	}
	return dynamic(tool)
}
