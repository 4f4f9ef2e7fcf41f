package toolset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// planted is a credential as a cluster might hold it in an Event's message.
const planted = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJnYXRlLXRlc3QifQ.c2lnbmF0dXJlLWdhdGUtdGVzdA"

type gateOut struct {
	Messages []string          `json:"messages"`
	Env      map[string]string `json:"env"`
}

// serveGate serves one tool made with New and connects a client in memory.
func serveGate(t *testing.T, h Handler[struct {
	Name string `json:"name,omitempty"`
}, gateOut]) *mcp.ClientSession {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "gate"}, nil)
	Install(s, []Tool{New(mcp.Tool{Name: "probe", Annotations: ReadOnly("probe")}, h)}, InstallOptions{})
	ctx := context.Background()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := s.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, args any) (string, *mcp.CallToolResult) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "probe", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := json.Marshal(res)
	return string(wire), res
}

// The gate redacts every answer, structuredContent included, whatever the
// handler forgot.
func TestGateRedactsTextAndStructuredContent(t *testing.T) {
	cs := serveGate(t, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct {
		Name string `json:"name,omitempty"`
	}) (string, gateOut, error) {
		return "pull failed: Authorization: Bearer " + planted, gateOut{
			Messages: []string{"pull failed: password=hunter2hunter2 " + planted},
			Env:      map[string]string{"API_TOKEN": "plain-looking-value"},
		}, nil
	})
	wire, res := call(t, cs, map[string]any{})
	for _, leak := range []string{planted, "hunter2hunter2", "plain-looking-value"} {
		if strings.Contains(wire, leak) {
			t.Errorf("the answer holds %q: %s", leak, wire)
		}
	}
	if res.IsError || !strings.Contains(wire, "redacted") {
		t.Errorf("want a redacted answer, got %s", wire)
	}
}

func TestGateLeavesARevealedAnswer(t *testing.T) {
	cs := serveGate(t, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct {
		Name string `json:"name,omitempty"`
	}) (string, gateOut, error) {
		Reveal(ctx)
		return "token: " + planted, gateOut{Messages: []string{planted}}, nil
	})
	if wire, _ := call(t, cs, nil); strings.Count(wire, planted) != 2 {
		t.Errorf("a revealed answer was changed: %s", wire)
	}
}

// Any error a handler returns is explained, and the explanation is redacted.
// The handler's raw 403 says only that it is forbidden; what to do next
// ("Ask a cluster admin") is the explanation's, so only the gate adds it.
func TestGateExplainsEveryError(t *testing.T) {
	cs := serveGate(t, func(ctx context.Context, _ *mcp.CallToolRequest, in struct {
		Name string `json:"name,omitempty"`
	}) (string, gateOut, error) {
		if in.Name == "web-0" {
			gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
			return "", gateOut{}, fmt.Errorf("reading: %w", apierrors.NewForbidden(gr, "web-0", errors.New(`User "alice" cannot get resource "deployments"`)))
		}
		return "", gateOut{}, errors.New("the webhook said: Bearer " + planted)
	})
	wire, res := call(t, cs, map[string]any{"name": "web-0"})
	if !res.IsError || !strings.Contains(wire, "Kubernetes RBAC refused this") || !strings.Contains(wire, "Ask a cluster admin for a Role that grants it") {
		t.Errorf("want the error explained, got %s", wire)
	}
	if wire, res = call(t, cs, nil); !res.IsError || strings.Contains(wire, planted) || !strings.Contains(wire, "the webhook said") {
		t.Errorf("want the error redacted, got %s", wire)
	}
}

func TestGateChecksArguments(t *testing.T) {
	cs := serveGate(t, func(ctx context.Context, _ *mcp.CallToolRequest, in struct {
		Name string `json:"name,omitempty"`
	}) (string, gateOut, error) {
		return "called with " + in.Name, gateOut{}, nil
	})
	for _, args := range []any{map[string]any{"name": 3}, map[string]any{"nmae": "x"}} {
		if wire, res := call(t, cs, args); !res.IsError || !strings.Contains(wire, "invalid arguments") {
			t.Errorf("%v: want invalid arguments, got %s", args, wire)
		}
	}
	if wire, res := call(t, cs, map[string]any{"name": "x"}); res.IsError || !strings.Contains(wire, "called with x") {
		t.Errorf("got %s", wire)
	}
}

func TestExplainKeepsTheChain(t *testing.T) {
	notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, "web-0")
	err := Explain(notFound, Op{Verb: "get", Resource: "pods", Name: "web-0", ListCall: "pods_list {}"})
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "To see what exists, call pods_list {}") {
		t.Fatalf("got %v (IsNotFound %v)", err, apierrors.IsNotFound(err))
	}
	if again := Explain(err, Op{}); again.Error() != err.Error() {
		t.Fatalf("explained twice: %v", again)
	}
}
