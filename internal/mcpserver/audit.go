package mcpserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// auditCalls appends one record per tool call to log. The arguments are kept
// only as a digest; the error text is redacted; the log bounds every field.
func auditCalls(log *audit.Log, tools []toolset.Tool, dynamic func(string) (string, bool, bool), logger *slog.Logger) mcp.Middleware {
	readOnly := map[string]bool{}
	for _, t := range tools {
		readOnly[t.Meta.Name] = t.Meta.Annotations != nil && t.Meta.Annotations.ReadOnlyHint
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok {
				return next(ctx, method, req)
			}
			start := time.Now()
			res, err := next(ctx, method, req)
			name := params(call).Name
			ro, known := readOnly[name]
			if !known {
				_, ro, _ = describe(dynamic, name)
			}
			rec, reveal := recordFor(call, ro)
			rec.Identity = identity.Caller(ctx)
			rec.Time = start.UTC()
			rec.DurationMS = float64(time.Since(start).Microseconds()) / 1000
			rec.Result, rec.Error = outcome(res, err)
			rec.Revealed = reveal && rec.Result == "ok"
			if aerr := log.Append(rec); aerr != nil {
				logger.Error("audit log append failed", "error", aerr)
			}
			return res, err
		}
	}
}

// recordFor is what the call's request says of it, and whether it asked to see
// Secret values.
func recordFor(call *mcp.CallToolRequest, readOnly bool) (rec audit.Record, reveal bool) {
	p := params(call)
	sum := sha256.Sum256(p.Arguments)
	rec = audit.Record{
		Tool:       p.Name,
		Verb:       "write",
		ArgsDigest: hex.EncodeToString(sum[:]),
	}
	if readOnly {
		rec.Verb = "read"
	}
	if call.Session != nil {
		rec.Session = call.Session.ID()
	}
	args := argsOf(p)
	rec.Cluster, rec.Namespace, rec.Kind = args.Cluster, args.Namespace, args.Kind
	if rec.Kind == "" {
		rec.Kind = args.Resource
	}
	return rec, args.Reveal
}

// callArgs are the arguments the audit log and the metrics read from any
// call, whatever its tool.
type callArgs struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Resource  string `json:"resource"`
	Reveal    bool   `json:"reveal_secret_values"`
}

func argsOf(p *mcp.CallToolParamsRaw) callArgs {
	var args callArgs
	_ = json.Unmarshal(p.Arguments, &args) // bad arguments are the tool's to report
	return args
}

// outcome is how a call ended (result) and, unless it went well, the
// redacted error.
func outcome(res mcp.Result, err error) (result, msg string) {
	switch result = resultOf(res, err); result {
	case "failed":
		return result, policy.RedactText(err.Error())
	case "ok", "asked":
		return result, ""
	}
	var text strings.Builder
	for _, c := range res.(*mcp.CallToolResult).Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	return result, policy.RedactText(text.String())
}

// resultOf is how a call ended: ok, error (a tool error result), failed (a
// protocol error) or asked (it waits for a person's answer, which the
// client brings in another call). The audit log and the metrics both say
// it so.
func resultOf(res mcp.Result, err error) string {
	switch {
	case err != nil:
		return "failed"
	case toolError(res):
		return "error"
	case asks(res):
		return "asked"
	}
	return "ok"
}
