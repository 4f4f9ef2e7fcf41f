package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// goUpstream is an upstream MCP server built with go-sdk and served over
// streamable HTTP: the npm servers' tool names are all short and distinct,
// so the naming rules and run-time changes are shown with this one. It
// records the headers of each request.
type goUpstream struct {
	server *mcp.Server
	url    string
	mu     sync.Mutex
	auth   []string // the Authorization header of each request
}

func newGoUpstream(t *testing.T, tools ...string) *goUpstream {
	t.Helper()
	u := &goUpstream{server: mcp.NewServer(&mcp.Implementation{Name: "go-upstream"}, nil)}
	for _, name := range tools {
		u.add(name)
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return u.server }, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.auth = append(u.auth, r.Header.Get("Authorization"))
		u.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

// seen is the Authorization header of each request so far.
func (u *goUpstream) seen() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.auth)
}

// add serves a tool that answers with its own name.
func (u *goUpstream) add(name string) {
	u.server.AddTool(&mcp.Tool{Name: name, InputSchema: &jsonschema.Schema{Type: "object"},
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "I am " + name}}}, nil
		})
}

func TestLongNamesShortenedDeterministically(t *testing.T) {
	long := "describe_the_argo_cd_application_sync_status_in_great_detail_please"
	up := newGoUpstream(t, long)
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "argo", URL: up.url}}})
	served := servedName("argo", long)
	if len(served) != maxName || !has(k.tools(t), served) {
		t.Fatalf("want %q (%d characters) served; tools %v", served, len(served), k.tools(t))
	}
	if got := upstreamText(t, k.call(t, served, nil)); got != "I am "+long {
		t.Errorf("the shortened name calls the upstream's tool by its own name: got %q", got)
	}
}

func TestCollisionsRefusedAtStart(t *testing.T) {
	up := newGoUpstream(t, "get/pods", "get_pods", "fine")
	_, err := serve(t, Options{Upstreams: []config.Upstream{{Name: "dup", URL: up.url}}})
	if err == nil || !strings.Contains(err.Error(), `tools "get/pods" and "get_pods" would both be served as "dup__get_pods"`) {
		t.Fatalf("want a start error naming both tools, got %v", err)
	}
	// Denying one of them, as the error says, lets kubemcp start.
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "dup", URL: up.url, Tools: config.UpstreamTools{Deny: []string{"get/pods"}}}}})
	if !has(k.tools(t), "dup__get_pods") {
		t.Errorf("tools: %v", k.tools(t))
	}
}

// TestToolAddedAtRunTime: the upstream's list_changed reaches kubemcp's
// clients as kubemcp's own.
func TestToolAddedAtRunTime(t *testing.T) {
	up := newGoUpstream(t, "one")
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "go", URL: up.url}}})
	before := k.changed.Load()
	start := time.Now()
	up.add("two")
	testenv.Eventually(t, 5*time.Second, "go__two listed", func() bool { return has(k.tools(t), "go__two") })
	t.Logf("upstream added a tool -> listed by kubemcp: %s", time.Since(start).Round(time.Millisecond))
	testenv.Eventually(t, 5*time.Second, "list_changed sent", func() bool { return k.changed.Load() > before })
	up.server.RemoveTools("one")
	testenv.Eventually(t, 5*time.Second, "go__one withdrawn", func() bool { return !has(k.tools(t), "go__one") })
}

// TestOutboundCredentials: configured headers reach the upstream, read from
// the environment and from files; their values are never logged.
func TestOutboundCredentials(t *testing.T) {
	up := newGoUpstream(t, "one")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("Bearer from-file-9f8e7d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs testenv.SyncBuffer
	env := map[string]string{"UP_TOKEN": "Bearer from-env-1a2b3c"}
	k := mustServe(t, Options{
		Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LookupEnv: func(key string) (string, bool) { v, ok := env[key]; return v, ok },
		Upstreams: []config.Upstream{
			{Name: "envy", URL: up.url, Headers: map[string]config.Secret{"Authorization": {FromEnv: "UP_TOKEN"}}},
			{Name: "filed", URL: up.url, Headers: map[string]config.Secret{"Authorization": {FromFile: tokenFile}}},
			{Name: "unset", URL: up.url, Headers: map[string]config.Secret{"Authorization": {FromEnv: "NOT_SET"}}},
		}})
	k.call(t, "envy__one", nil)
	k.call(t, "filed__one", nil)
	seen := strings.Join(up.seen(), "|")
	for _, want := range []string{"Bearer from-env-1a2b3c", "Bearer from-file-9f8e7d"} {
		if !strings.Contains(seen, want) {
			t.Errorf("the upstream never got Authorization %q; it got %q", want, seen)
		}
	}
	res := k.call(t, "upstreams_list", nil)
	if !strings.Contains(text(res), "environment variable NOT_SET is not set") {
		t.Errorf("upstreams_list does not say why unset is down:\n%s", text(res))
	}
	for _, secret := range []string{"from-env-1a2b3c", "from-file-9f8e7d"} {
		if strings.Contains(logs.String(), secret) || strings.Contains(text(res), secret) {
			t.Errorf("a credential value was logged or listed:\n%s\n%s", logs.String(), text(res))
		}
	}
}

// TestProgressRelayed: an upstream's progress notifications reach the
// caller under the caller's own token while the call runs. (go-sdk may hand
// kubemcp a notification after the call's result; the specification wants
// none after it, so those are dropped.)
func TestProgressRelayed(t *testing.T) {
	up := newGoUpstream(t)
	up.server.AddTool(&mcp.Tool{Name: "slow", InputSchema: &jsonschema.Schema{Type: "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			for i := 1; i <= 2; i++ {
				_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i), Total: 2})
				time.Sleep(100 * time.Millisecond) // a tool at work
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "go", URL: up.url}}})
	params := &mcp.CallToolParams{Name: "go__slow"}
	params.SetProgressToken("caller-token")
	if _, err := k.client.CallTool(context.Background(), params); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "two progress notifications", func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return len(k.progress) == 2
	})
	for _, p := range k.progress {
		if p.ProgressToken != "caller-token" {
			t.Errorf("progress token %v, want the caller's", p.ProgressToken)
		}
	}
}

// TestEnabledAndDisabledTools: kubemcp's enabledTools and disabledTools
// cover upstream tools by their served names, as the upstream's tools come.
func TestEnabledAndDisabledTools(t *testing.T) {
	up := newGoUpstream(t, "one", "two", "three")
	k := mustServe(t, Options{Disabled: []string{"go__two", "pods_delete"}, Upstreams: []config.Upstream{{Name: "go", URL: up.url}}})
	if names := k.tools(t); has(names, "go__two") || !has(names, "go__one") || !has(names, "go__three") {
		t.Errorf("disabledTools go__two: tools %v", names)
	}
	if s, _ := k.gw.State("go"); s.Hidden != 1 {
		t.Errorf("upstreams_list counts %d hidden, want go__two", s.Hidden)
	}
	k = mustServe(t, Options{Enabled: []string{"go__one", "go__four", "pods_list"}, Upstreams: []config.Upstream{{Name: "go", URL: up.url}}})
	if names := k.tools(t); !has(names, "go__one") || has(names, "go__two") || has(names, "go__three") {
		t.Errorf("enabledTools go__one: tools %v", names)
	}
	up.add("four") // named before it came
	testenv.Eventually(t, 5*time.Second, "go__four served once it came", func() bool { return has(k.tools(t), "go__four") })
}

// TestDetachDeletesSeries: an attached upstream's series (connected,
// reconnects, call durations, its tools' calls) go when it is detached, as
// a deleted MCPServer should leave none behind.
func TestDetachDeletesSeries(t *testing.T) {
	up := newGoUpstream(t, "one")
	k := mustServe(t, Options{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	if err := k.gw.Attach(config.Upstream{Name: "gone", URL: up.url}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "gone__one served", func() bool { return has(k.tools(t), "gone__one") })
	k.call(t, "gone__one", nil)
	k.metrics.UpstreamReconnect("gone") // as run counts one
	for _, series := range []string{`kubemcp_upstream_connected{upstream="gone"} 1`, `kubemcp_upstream_reconnects_total{upstream="gone"}`,
		`kubemcp_upstream_call_duration_seconds_count{upstream="gone"}`, `tool="gone__*"`} {
		if !strings.Contains(scrape(t, k), series) {
			t.Fatalf("before Detach the metrics lack %s:\n%s", series, grepLines(scrape(t, k), "gone"))
		}
	}
	k.gw.Detach("gone")
	if left := grepLines(scrape(t, k), "gone"); left != "" {
		t.Errorf("series of a detached upstream remain:\n%s", left)
	}
}
