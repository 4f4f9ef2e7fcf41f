package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// addWrite serves a tool that is not read-only and answers with the
// arguments it got.
func (u *goUpstream) addWrite(name string) {
	u.server.AddTool(&mcp.Tool{Name: name, InputSchema: &jsonschema.Schema{Type: "object",
		Properties: map[string]*jsonschema.Schema{"app": {Type: "string"}}}},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "got " + string(req.Params.Arguments)}}}, nil
		})
}

// TestUpstreamCallsAuditedCountedConfirmed: an upstream tool's call is an
// audit line with the verb its annotations give, a count under the
// upstream's one bounded metrics label, and a write passes the confirmation
// rules that name it, the approval token never reaching the upstream.
func TestUpstreamCallsAuditedCountedConfirmed(t *testing.T) {
	up := newGoUpstream(t, "status")
	up.addWrite("deploy")
	up.addWrite("restart")
	approvals := confirm.New([]policy.ConfirmRule{{Tools: []string{"hub__deploy"}}}, nil)
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "hub", URL: up.url}}, Confirm: approvals})

	if res := k.call(t, "hub__status", nil); res.IsError {
		t.Fatalf("hub__status: %s", text(res))
	}
	if res := k.call(t, "hub__restart", map[string]any{"app": "web"}); res.IsError {
		t.Errorf("hub__restart, which no rule names, was held: %s", text(res))
	}
	asked := k.call(t, "hub__deploy", map[string]any{"app": "web"})
	token := regexp.MustCompile(`approval_token "([^"]+)"`).FindStringSubmatch(text(asked))
	if !asked.IsError || token == nil || !strings.Contains(text(asked), "Confirmation required") {
		t.Fatalf("hub__deploy without approval: isError %v, %q; want a confirmation request with a token", asked.IsError, text(asked))
	}
	done := k.call(t, "hub__deploy", map[string]any{"app": "web", "approval_token": token[1]})
	if done.IsError || upstreamText(t, done) != `got {"app":"web"}` {
		t.Errorf("hub__deploy with its approval: isError %v, %q; want the upstream's answer, without the token", done.IsError, text(done))
	}
	if again := k.call(t, "hub__deploy", map[string]any{"app": "web", "approval_token": token[1]}); !again.IsError {
		t.Errorf("an approval token redeemed twice")
	}
	schema := toolSchema(t, k, "hub__deploy")
	if !strings.Contains(schema, "approval_token") || strings.Contains(toolSchema(t, k, "hub__status"), "approval_token") {
		t.Errorf("approval_token should be advertised by upstream writes only: hub__deploy %s", schema)
	}

	verbs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(k.audit.String()), "\n") {
		var rec struct{ Tool, Verb string }
		json.Unmarshal([]byte(line), &rec)
		verbs[rec.Tool] = append(verbs[rec.Tool], rec.Verb)
	}
	if strings.Join(verbs["hub__status"], ",") != "read" || strings.Join(verbs["hub__deploy"], ",") != "write,write,write" {
		t.Errorf("audit verbs: %v; want hub__status read, hub__deploy write three times", verbs)
	}
	if got := scrape(t, k); !strings.Contains(got, `kubemcp_tool_calls_total{cluster="",outcome="ok",tool="hub__*"} 3`) ||
		!strings.Contains(got, `kubemcp_tool_calls_total{cluster="",outcome="error",tool="hub__*"} 2`) || strings.Contains(got, `tool="hub__deploy"`) {
		t.Errorf("tool call metrics: want the upstream's calls under hub__*:\n%s", grepLines(got, "kubemcp_tool_calls_total"))
	}
}

func toolSchema(t *testing.T, k *kubemcp, name string) string {
	t.Helper()
	res, err := k.client.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range res.Tools {
		if tool.Name == name {
			b, _ := json.Marshal(tool.InputSchema)
			return string(b)
		}
	}
	t.Fatalf("no tool %s", name)
	return ""
}

func scrape(t *testing.T, k *kubemcp) string {
	t.Helper()
	rec := httptest.NewRecorder()
	k.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestReport: /readyz's detail has a line per upstream, connected with its
// tools and latency or down with its last error, a credential in it redacted.
func TestReport(t *testing.T) {
	up := newGoUpstream(t, "one", "two")
	dead := httptest.NewServer(nil)
	dead.Close()
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "live", URL: up.url},
		{Name: "gone", URL: dead.URL + "/mcp?token=hunter2hunter2"}}})
	testenv.Eventually(t, 5*time.Second, "gone's error recorded", func() bool { s, _ := k.gw.State("gone"); return s.LastError != "" })
	report := k.gw.Report()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^upstream live: connected, 2 tools, tools/list [0-9.]+ms$`),
		regexp.MustCompile(`(?m)^upstream gone: down since \S+ \(not counted against readiness\): .*connection refused`),
	} {
		if !want.MatchString(report) {
			t.Errorf("report lacks %s:\n%s", want, report)
		}
	}
	if strings.Contains(report, "hunter2") {
		t.Errorf("the report shows a credential:\n%s", report)
	}
}
