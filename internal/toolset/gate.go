package toolset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/render"
)

// The gate is the one way out of a tool call. New and FanOut install every
// handler behind it, so no tool can forget what it does to every answer:
//
//   - arguments are checked against the advertised input schema before the
//     handler runs (a bad call is an isError result that names the problem);
//   - an error the handler returns is explained (Explain; its chain kept) and
//     becomes an isError result;
//   - credentials are redacted from the text and from structuredContent, in
//     one pass over the encoded value (policy.RedactJSON), unless the call
//     revealed a Secret it was allowed to see (Reveal);
//   - the text is fenced as data (render.Fence) unless the tool fences its
//     outside text itself (Fenced; render knows which parts are the
//     cluster's); an upstream's text (Raw) always is, its errors too, and so
//     is an error of a tool the gate fences unless kubemcp explained it in
//     its own sentence (see failure); a confirmation's preview is fenced as
//     the answer would be;
//   - structuredContent is encoded once and sent as it is: its schema is
//     checked by the tests (toolsettest), not on every production call.

// addTool installs a typed call behind the gate: arguments are validated
// against schema, and t advertises its compact form (see advertised); the
// answer's text is fenced as from source, unless source is "".
func addTool[In any](s *mcp.Server, t *mcp.Tool, source string, schema *jsonschema.Schema, run func(context.Context, *mcp.CallToolRequest, In) (string, any, error)) {
	resolved, err := schema.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err)) // a programming error, caught by every test
	}
	t.InputSchema = advertised(schema)
	s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		in, err := decodeArgs[In](req.Params.Arguments, resolved)
		if err != nil {
			return errorResult(policy.RedactText(err.Error())), nil
		}
		state := &callState{fence: source}
		text, out, err := run(context.WithValue(ctx, stateKey{}, state), req, in)
		return state.answer(text, out, err)
	})
}

// advertised is an input schema as tools/list shows it, which every client
// puts into a model's context on every turn: without what a model needs no
// telling (that unknown arguments are refused; that an integer fits in 32
// bits; that an optional argument may also be null). The gate still
// validates calls against the full schema, and a call that breaks it gets an
// answer that names the problem.
func advertised(s *jsonschema.Schema) *jsonschema.Schema {
	out := *s
	out.AdditionalProperties = nil
	out.Properties = make(map[string]*jsonschema.Schema, len(s.Properties))
	for name, p := range s.Properties {
		q := *p
		if q.Minimum != nil && q.Maximum != nil && *q.Minimum == math.MinInt32 && *q.Maximum == math.MaxInt32 {
			q.Minimum, q.Maximum = nil, nil
		}
		if len(q.Types) == 2 && q.Types[0] == "null" {
			q.Type, q.Types = q.Types[1], nil
		}
		out.Properties[name] = &q
	}
	return &out
}

// decodeArgs checks the arguments against the input schema and decodes them.
func decodeArgs[In any](raw json.RawMessage, schema *jsonschema.Resolved) (In, error) {
	var in In
	args := map[string]any{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &args); err != nil {
			return in, fmt.Errorf("arguments must be a JSON object of the tool's input schema: %v", err)
		}
	}
	if err := schema.Validate(args); err != nil {
		return in, fmt.Errorf("invalid arguments: %v; tools/list has this tool's input schema", err)
	}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &in); err != nil {
			return in, fmt.Errorf("invalid arguments: %v", err)
		}
	}
	return in, nil
}

type stateKey struct{}

// callState is what the gate knows of one call: how the tool's text is
// fenced, and what the handler told it (Reveal).
type callState struct {
	fence    string // what the text is fenced as the answer or error of; "": the tool fenced it
	upstream bool   // the tool is an upstream's (Raw): its errors are its words too
	revealed atomic.Bool
}

// Reveal tells the gate that this call's answer holds the values of a Secret
// that the caller asked to see (reveal_secret_values) and the configuration
// allows: the gate then leaves the answer as the tool made it, and the tool
// has redacted every other credential object by object
// (render.CleanRevealing). No other call may use it.
func Reveal(ctx context.Context) {
	if s, ok := ctx.Value(stateKey{}).(*callState); ok {
		s.revealed.Store(true)
	}
}

// answer makes the result the client gets from what the handler returned.
func (s *callState) answer(text string, out any, err error) (*mcp.CallToolResult, error) {
	var wire *jsonrpc.Error
	if errors.As(err, &wire) {
		return nil, wire
	}
	var ask *confirm.InputRequired
	if errors.As(err, &ask) {
		return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{confirm.InputKey: ask.Question}, RequestState: ask.State}, nil
	}
	var failed *withOutput
	if err != nil && !errors.As(err, &failed) {
		return errorResult(s.redact(s.failure(err))), nil
	}
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s.redact(s.fenced(text))}}}
	if failed != nil {
		res.IsError = true
		if text == "" {
			res.Content = []mcp.Content{&mcp.TextContent{Text: s.redact(s.failure(failed.err))}}
		}
	}
	if out != nil {
		doc, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encoding the structured result: %w", err) // a bug: a protocol error
		}
		if !s.revealed.Load() {
			doc = policy.RedactJSON(doc)
		}
		res.StructuredContent = json.RawMessage(doc)
	}
	return res, nil
}

// fenced is the tool's text as the client gets it: fenced as data unless the
// tool fenced it itself.
func (s *callState) fenced(text string) string {
	if s.fence == "" || text == "" {
		return text
	}
	return render.Fence("answer of "+s.fence, text)
}

// failure is the text of a failed call: explained (explainAny), and fenced
// as the text would be when it may carry outside words: always for an
// upstream's tool, whose errors are the upstream's; for a tool the gate
// fences, when the error is not one kubemcp explains in its own sentence
// (a chart's template failure, a CLI's message). A confirmation is kubemcp's
// own words for every tool, its preview fenced already.
func (s *callState) failure(err error) string {
	msg, own := explainAny(err)
	var asking *confirmation
	if s.fence == "" || (own && !s.upstream) || errors.As(err, &asking) {
		return msg
	}
	return render.Fence("error of "+s.fence, msg)
}

func (s *callState) redact(text string) string {
	if s.revealed.Load() {
		return text
	}
	return policy.RedactText(text)
}

func errorResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// WithOutput marks err as a failure that still has a structured result: the
// call is an isError result whose structuredContent is the handler's Out
// (the CLI tools report exit code and stderr that way).
func WithOutput(err error) error { return &withOutput{err} }

type withOutput struct{ err error }

func (w *withOutput) Error() string { return w.err.Error() }
func (w *withOutput) Unwrap() error { return w.err }
