package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/openai/openai-go/v3"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
)

// Event kinds a mission records.
const (
	EventMessage     = "message"   // the model's words: {text}
	EventToolCall    = "tool_call" // a read it ran: {tool, arguments, result}
	EventPlan        = "plan"      // a change, dry-run: Plan
	EventApplied     = "applied"   // a plan carried out: {tool, result}
	EventError       = "error"     // {message}
	EventTokens      = "tokens"    // {turn, total, usedToday, limit}
	maxTurns         = 12          // model turns a mission may take to plan
	maxResultToModel = 16 << 10    // bytes of a tool's answer the model reads
)

// Plan is a change the model proposed: a call of a write tool, shown as the
// tool's dry run (its diff). Applying it makes the same call for real.
type Plan struct {
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments"`
	Preview   string          `json:"preview"`
}

// Mission works a goal through kubemcp's tools. Reads run as the model
// asks; a write tool runs only as its dry run, becoming a Plan.
type Mission struct {
	Client  *Client
	Session *mcp.ClientSession // as the user the mission is for
	Budget  Budget
	// Record keeps and streams one event of the mission's history.
	Record func(kind string, payload any) error
}

const systemPrompt = `You are kubemcp's mission assistant for Kubernetes. Work towards the user's goal with the tools given.
Reading tools run at once. Tools that change the cluster never run during the mission: each call is dry-run and becomes a plan
with a diff, which a person approves or refuses afterwards. Propose each change once, then finish with a short summary of what you
found and what the plans would do.`

// Plan runs the conversation until the model stops calling tools, and
// returns the changes it proposed.
func (m Mission) Plan(ctx context.Context, goal string) ([]Plan, error) {
	tools, offered, err := m.tools(ctx)
	if err != nil {
		return nil, err
	}
	msgs := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt), openai.UserMessage(goal)}
	var plans []Plan
	for range maxTurns {
		turn, err := m.Client.ask(ctx, m.Budget, msgs, tools)
		if err != nil {
			return plans, err
		}
		if turn.Text != "" {
			if err := m.Record(EventMessage, map[string]string{"text": turn.Text}); err != nil {
				return plans, err
			}
		}
		if len(turn.Calls) == 0 {
			return plans, nil
		}
		msgs = append(msgs, turn.Reply())
		for _, call := range turn.Calls {
			answer, plan, err := m.run(ctx, call, offered)
			if err != nil {
				return plans, err
			}
			if plan != nil {
				plans = append(plans, *plan)
			}
			msgs = append(msgs, openai.ToolMessage(answer, call.ID))
		}
	}
	return plans, fmt.Errorf("the model took more than %d turns without finishing; set a narrower goal", maxTurns)
}

// tools offers the model every read-only tool of the session, and every
// write tool that has a dry run; a write tool without one cannot be shown
// as a plan, so it is not offered. The map says which offered tools write.
func (m Mission) tools(ctx context.Context) ([]openai.ChatCompletionToolUnionParam, map[string]bool, error) {
	var out []openai.ChatCompletionToolUnionParam
	offered := map[string]bool{}
	for t, err := range m.Session.Tools(ctx, nil) {
		if err != nil {
			return nil, nil, fmt.Errorf("listing kubemcp's tools: %w", err)
		}
		readOnly := t.Annotations != nil && t.Annotations.ReadOnlyHint
		schema, err := schemaOf(t.InputSchema)
		if err != nil {
			return nil, nil, err
		}
		if !readOnly && !hasDryRun(schema) {
			continue
		}
		offered[t.Name] = !readOnly // a write tool runs only as a dry run
		out = append(out, FunctionTool(t.Name, t.Description, schema))
	}
	return out, offered, nil
}

func schemaOf(s any) (map[string]any, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(raw, &m)
}

func hasDryRun(schema map[string]any) bool {
	props, _ := schema["properties"].(map[string]any)
	_, ok := props["dry_run"]
	return ok
}

// run carries out one call the model asked for and returns what the model
// is told; a write becomes a plan.
func (m Mission) run(ctx context.Context, call ToolCall, offered map[string]bool) (string, *Plan, error) {
	writes, ok := offered[call.Name]
	if !ok {
		return fmt.Sprintf("There is no tool %q here; use one of the tools offered.", call.Name), nil, nil
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(orEmpty(call.Arguments)), &args); err != nil {
		return "The arguments are not a JSON object: " + err.Error(), nil, nil
	}
	if !writes {
		text, err := m.call(ctx, call.Name, args)
		if err != nil {
			return "", nil, err
		}
		return text, nil, m.Record(EventToolCall, map[string]any{"tool": call.Name, "arguments": args, "result": text})
	}
	return m.plan(ctx, call.Name, args)
}

func (m Mission) plan(ctx context.Context, tool string, args map[string]any) (string, *Plan, error) {
	delete(args, "dry_run")
	applyArgs, _ := json.Marshal(args)
	args["dry_run"] = true
	res, err := m.Session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", nil, fmt.Errorf("dry-running %s: %w", tool, err)
	}
	text := resultText(res)
	if res.IsError {
		return "The dry run failed, so there is no plan: " + text, nil, nil
	}
	p := &Plan{Tool: tool, Arguments: applyArgs, Preview: text}
	if err := m.Record(EventPlan, p); err != nil {
		return "", nil, err
	}
	return "Planned, not applied: a person will approve or refuse it after the mission. The dry run says:\n" + text, p, nil
}

// call runs a read and returns its text, an error result included (the
// model reads why and may try otherwise).
func (m Mission) call(ctx context.Context, tool string, args map[string]any) (string, error) {
	res, err := m.Session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", fmt.Errorf("calling %s: %w", tool, err)
	}
	return resultText(res), nil
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

// resultText is a tool's text answer, cut to what the model reads.
func resultText(res *mcp.CallToolResult) string {
	s := mcpserver.ResultText(res)
	if len(s) > maxResultToModel {
		s = s[:maxResultToModel] + "\n[cut: ask for less]"
	}
	return s
}

// Apply carries out approved plans over session, which must be opened as
// the user the mission is for and say yes to kubemcp's confirmation
// question (the person has approved these very calls). It stops at the
// first that fails.
func Apply(ctx context.Context, session *mcp.ClientSession, plans []Plan, record func(kind string, payload any) error) error {
	for _, p := range plans {
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: p.Tool, Arguments: p.Arguments})
		if err != nil {
			return fmt.Errorf("applying %s: %w", p.Tool, err)
		}
		if res.IsError {
			return fmt.Errorf("applying %s failed: %s", p.Tool, resultText(res))
		}
		if err := record(EventApplied, map[string]string{"tool": p.Tool, "result": resultText(res)}); err != nil {
			return err
		}
	}
	return nil
}
