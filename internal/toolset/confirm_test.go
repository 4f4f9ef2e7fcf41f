package toolset

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/render"
)

type scaleIn struct {
	Approval
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Replicas  int    `json:"replicas"`
	DryRun    bool   `json:"dry_run,omitempty"`
}

type scaleOut struct {
	RV string `json:"rv"`
}

func (o scaleOut) ConfirmState() string { return o.RV }

// recorder is a write tool that counts real (not dry-run) calls; rv plays the
// object's resourceVersion.
type recorder struct {
	writes atomic.Int32
	rv     atomic.Value
}

func (r *recorder) tool() Tool {
	r.rv.Store("1")
	return New(mcp.Tool{Name: "scale", Annotations: Writes("Scale", false, true)},
		func(_ context.Context, _ *mcp.CallToolRequest, in scaleIn) (string, scaleOut, error) {
			rv := r.rv.Load().(string)
			if in.DryRun {
				return "would scale " + in.Name + " to " + string(rune('0'+in.Replicas)), scaleOut{RV: rv}, nil
			}
			r.writes.Add(1)
			return "scaled", scaleOut{RV: rv}, nil
		}).Fenced()
}

func serveConfirm(t *testing.T, rules []policy.ConfirmRule, elicit func(*mcp.ElicitRequest) (*mcp.ElicitResult, error)) (*mcp.ClientSession, *recorder) {
	t.Helper()
	return serveConfirmAs(t, rules, "2025-11-25", &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) { return elicit(req) }}, elicit != nil)
}

// serveConfirmAs is serveConfirm with a client of protocol version, with
// opts if elicits (else a client that cannot be asked).
func serveConfirmAs(t *testing.T, rules []policy.ConfirmRule, version string, opts *mcp.ClientOptions, elicits bool) (*mcp.ClientSession, *recorder) {
	t.Helper()
	r := &recorder{}
	s := mcp.NewServer(&mcp.Implementation{Name: "t"}, nil)
	Install(s, []Tool{r.tool()}, InstallOptions{Confirm: confirm.New(rules, nil)})
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	if _, err := s.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if !elicits {
		opts = nil
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, opts).Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs, r
}

func callScale(t *testing.T, cs *mcp.ClientSession, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "scale", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	return res.Content[0].(*mcp.TextContent).Text, res.IsError
}

var tokenRE = regexp.MustCompile(`approval_token "([A-Z0-9]+)"`)

func TestConfirmWithToken(t *testing.T) {
	cs, r := serveConfirm(t, []policy.ConfirmRule{{Tools: []string{"scale"}, Namespaces: []string{"prod"}}}, nil)
	args := map[string]any{"namespace": "prod", "name": "web", "replicas": 3}

	text, isErr := callScale(t, cs, args)
	m := tokenRE.FindStringSubmatch(text)
	if !isErr || m == nil || !strings.Contains(text, "would scale web to 3") || r.writes.Load() != 0 {
		t.Fatalf("want a preview and a token, nothing written; got isError=%v writes=%d:\n%s", isErr, r.writes.Load(), text)
	}
	other := map[string]any{"namespace": "prod", "name": "web", "replicas": 9, "approval_token": m[1]}
	if text, isErr := callScale(t, cs, other); !isErr || !strings.Contains(text, "another call") || r.writes.Load() != 0 {
		t.Fatalf("a token for other arguments was accepted:\n%s", text)
	}
	// That attempt used the token up; ask again and present the new one.
	text, _ = callScale(t, cs, args)
	args["approval_token"] = tokenRE.FindStringSubmatch(text)[1]
	if text, isErr := callScale(t, cs, args); isErr || text != "scaled" || r.writes.Load() != 1 {
		t.Fatalf("the approved call did not run: %v\n%s", isErr, text)
	}
	if text, isErr := callScale(t, cs, args); !isErr || !strings.Contains(text, "already used") || r.writes.Load() != 1 {
		t.Fatalf("a token worked twice:\n%s", text)
	}
}

func TestConfirmTokenVoidWhenObjectChanges(t *testing.T) {
	cs, r := serveConfirm(t, []policy.ConfirmRule{{}}, nil)
	args := map[string]any{"name": "web", "replicas": 2}
	text, _ := callScale(t, cs, args)
	args["approval_token"] = tokenRE.FindStringSubmatch(text)[1]
	r.rv.Store("2") // someone else changed the object
	if text, isErr := callScale(t, cs, args); !isErr || !strings.Contains(text, "changed since the approval") || r.writes.Load() != 0 {
		t.Fatalf("an approval survived a change of the object:\n%s", text)
	}
}

func TestConfirmByElicitation(t *testing.T) {
	var asked atomic.Value
	approve := true
	cs, r := serveConfirm(t, []policy.ConfirmRule{{Kinds: []string{"deploy*"}}}, func(req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		asked.Store(req.Params.Message)
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": approve}}, nil
	})
	args := map[string]any{"name": "web", "replicas": 4, "kind": "deployment"}
	text, isErr := callScale(t, cs, args)
	if isErr || text != "scaled" || r.writes.Load() != 1 || !strings.Contains(asked.Load().(string), "would scale web to 4") {
		t.Fatalf("an approved elicitation did not run the change: %v %q (asked %v)", isErr, text, asked.Load())
	}
	approve = false
	if text, isErr := callScale(t, cs, args); !isErr || !strings.Contains(text, "declined") || r.writes.Load() != 1 {
		t.Fatalf("a declined change ran:\n%s", text)
	}
	// A made-up token from a client that can ask: the person is asked, and
	// the answer carries no token the model could use instead.
	asked.Store("")
	forged := maps.Clone(args)
	forged["approval_token"] = "MADEUP"
	if text, isErr := callScale(t, cs, forged); !isErr || !strings.Contains(text, "declined") || tokenRE.MatchString(text) || asked.Load() == "" {
		t.Fatalf("a made-up token: asked %q, answer:\n%s", asked.Load(), text)
	}
	args["kind"] = "configmap" // no rule covers it: no question asked
	asked.Store("")
	if text, _ := callScale(t, cs, args); text != "scaled" || asked.Load() != "" {
		t.Fatalf("a call no rule covers was put to the person: %q", asked.Load())
	}
}

func TestNoRuleNoConfirmationAndNoTokenProperty(t *testing.T) {
	cs, r := serveConfirm(t, nil, nil)
	if _, ok := schemaHas(t, cs, "approval_token"); ok {
		t.Fatal("approval_token is advertised though no call needs confirmation")
	}
	if text, _ := callScale(t, cs, map[string]any{"name": "web", "replicas": 1}); text != "scaled" || r.writes.Load() != 1 {
		t.Fatalf("without rules the call should just run: %q", text)
	}
	cs, _ = serveConfirm(t, []policy.ConfirmRule{{Namespaces: []string{"prod"}}}, nil)
	if _, ok := schemaHas(t, cs, "approval_token"); !ok {
		t.Fatal("approval_token is not advertised though rules exist")
	}
}

func schemaHas(t *testing.T, cs *mcp.ClientSession, prop string) (any, bool) {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	props, _ := res.Tools[0].InputSchema.(map[string]any)["properties"].(map[string]any)
	v, ok := props[prop]
	return v, ok
}

// TestConfirmBetweenCalls: a client of the 2026-07-28 era asks the person
// between calls: the first call ends with the question (the preview, its
// credentials redacted) and a signed state, and the change runs when the
// call comes back approved. A decline changes nothing; the state is not an
// approval_token, and it answers only its own call.
func TestConfirmBetweenCalls(t *testing.T) {
	rules := []policy.ConfirmRule{{}}
	var asked []string
	approve := true
	cs, r := serveConfirmAs(t, rules, "2026-07-28", &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		asked = append(asked, req.Params.Message)
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": approve}}, nil
	}}, true)
	args := map[string]any{"name": "web", "replicas": 4}
	if text, isErr := callScale(t, cs, args); isErr || text != "scaled" || r.writes.Load() != 1 || len(asked) != 1 || !strings.Contains(asked[0], "would scale web to 4") {
		t.Fatalf("an approved change did not run once, asked once: %v %q writes %d asked %q", isErr, text, r.writes.Load(), asked)
	}
	approve = false
	if text, isErr := callScale(t, cs, args); !isErr || !strings.Contains(text, "declined") || r.writes.Load() != 1 {
		t.Fatalf("a declined change ran: %v %q", isErr, text)
	}

	// A client that handles the rounds itself, as a hostile one would.
	raw, r := serveConfirmAs(t, rules, "2026-07-28", &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return nil, errors.New("not asked here")
		},
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
	}, true)
	call := func(p *mcp.CallToolParams) *mcp.CallToolResult {
		t.Helper()
		res, err := raw.CallTool(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := call(&mcp.CallToolParams{Name: "scale", Arguments: args})
	q, _ := first.InputRequests[confirm.InputKey].(*mcp.ElicitParams)
	if !first.NeedsInput() || q == nil || first.RequestState == "" || len(first.Content) != 0 || r.writes.Load() != 0 {
		t.Fatalf("want an input_required result with the question and nothing written, got %+v", first)
	}
	yes := mcp.InputResponseMap{confirm.InputKey: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}}
	asToken := maps.Clone(args)
	asToken["approval_token"] = first.RequestState
	if res := call(&mcp.CallToolParams{Name: "scale", Arguments: asToken}); !res.NeedsInput() || r.writes.Load() != 0 {
		t.Fatalf("the question's state worked as an approval_token, or the person was not asked: %+v", res)
	}
	other := map[string]any{"name": "web", "replicas": 9}
	if res := call(&mcp.CallToolParams{Name: "scale", Arguments: other, InputResponses: yes, RequestState: first.RequestState}); !res.IsError ||
		!strings.Contains(resultText(res), "does not belong to this call") || r.writes.Load() != 0 {
		t.Fatalf("an answer to another call's question was taken: %s", resultText(res))
	}
	if res := call(&mcp.CallToolParams{Name: "scale", Arguments: args, InputResponses: yes, RequestState: first.RequestState}); res.IsError || r.writes.Load() != 1 {
		t.Fatalf("the approved answer did not run the change: %s", resultText(res))
	}
	if res := call(&mcp.CallToolParams{Name: "scale", Arguments: args, InputResponses: yes, RequestState: first.RequestState}); !res.IsError || r.writes.Load() != 1 {
		t.Fatalf("one answer ran the change twice: %s", resultText(res))
	}
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// TestConfirmURLOnlyClient: a client that declares elicitation in url mode
// only cannot be shown the approval form; in either era it gets the token
// path, as a client that cannot be asked does, rather than a question it
// could never answer.
func TestConfirmURLOnlyClient(t *testing.T) {
	for _, version := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			cs, r := serveConfirmAs(t, []policy.ConfirmRule{{}}, version, &mcp.ClientOptions{
				Capabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}},
				ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
					return nil, errors.New("a url-only client shown a form")
				},
			}, true)
			text, isErr := callScale(t, cs, map[string]any{"name": "web", "replicas": 2})
			if !isErr || !tokenRE.MatchString(text) || r.writes.Load() != 0 {
				t.Fatalf("want the token path and nothing written, got isError=%v:\n%s", isErr, text)
			}
		})
	}
}

// TestConfirmationIsKubemcpsOwnWords: for a tool whose text the gate fences,
// the confirmation a call gets is kubemcp's (what to approve and how), left
// outside any fence; only the preview of what the call would do, the tool's
// text, is fenced, once.
func TestConfirmationIsKubemcpsOwnWords(t *testing.T) {
	r := &recorder{}
	tool := r.tool()
	tool.fenced = false // as a Helm write or an upstream's tool is
	s := mcp.NewServer(&mcp.Implementation{Name: "t"}, nil)
	Install(s, []Tool{tool}, InstallOptions{Confirm: confirm.New([]policy.ConfirmRule{{Tools: []string{"scale"}}}, nil)})
	ct, st := mcp.NewInMemoryTransports()
	if _, err := s.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	text, isErr := callScale(t, cs, map[string]any{"namespace": "prod", "name": "web", "replicas": 3})
	outside := render.OutsideFences(text)
	if !isErr || !tokenRE.MatchString(outside) || strings.Contains(outside, "would scale web") ||
		!strings.Contains(text, "would scale web to 3") || strings.Count(text, "<untrusted-data source=") != 1 {
		t.Errorf("want the approval outside any fence and the preview in one; got:\n%s", text)
	}
}
