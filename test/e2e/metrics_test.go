package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// metricsUser is the one caller of the metrics test: its name and token must
// appear in no label.
const metricsUser = "alice-secret-name"

// TestMetrics drives a real kubemcp process with token auth over every HTTP
// transport, then scrapes /metrics and parses it with Prometheus' own text
// parser: the families are there with the labels and counts the calls made,
// nothing names the caller or carries the token, and fifty made-up tool names
// are one series.
func TestMetrics(t *testing.T) {
	token := randomToken()
	s := serveArgs(t, "--kubeconfig", twoContexts(t, "second"), "--auth", "token", "--auth-token-file", tokenFile(t, metricsUser, token))
	base := strings.TrimSuffix(s.URL, "/mcp")

	sessions := connectAs(t, s.URL, token, "streamable")
	connectAs(t, s.URL, token, "sse") // held open while scraping
	stateless := connectAs(t, s.URL, token, "stateless")
	calls := []struct {
		cs      *mcp.ClientSession
		tool    string
		args    map[string]any
		isError bool
	}{
		{sessions, "namespaces_list", nil, false},
		{sessions, "pods_list", map[string]any{"namespace": testenv.NamespacePayments, "cluster": "second"}, false},
		{sessions, "pods_list", map[string]any{"namespace": testenv.NamespacePayments, "cluster": "*"}, false},
		{sessions, "namespaces_list", map[string]any{"cluster": metricsUser + "-cluster"}, true},
		{sessions, "resources_get", map[string]any{"resource": "pods", "namespace": testenv.NamespaceShop, "name": "nope"}, true},
		{stateless, "namespaces_list", nil, false},
	}
	for _, c := range calls {
		res, err := c.cs.CallTool(testContext(t), &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil || res.IsError != c.isError {
			t.Fatalf("%s %v: isError %v, want %v (%v)", c.tool, c.args, res != nil && res.IsError, c.isError, err)
		}
	}
	for i := range 50 {
		res, err := sessions.CallTool(testContext(t), &mcp.CallToolParams{Name: fmt.Sprintf("no_such_tool_%d", i)})
		if err == nil && !res.IsError {
			t.Fatalf("calling an unknown tool: no error")
		}
	}

	if code, _ := httpGet(t, base+"/metrics"); code != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", code)
	}
	code, body := scrape(t, base, token)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	if strings.Contains(body, "alice") || strings.Contains(body, token) {
		t.Errorf("/metrics names the caller or carries the token:\n%s", body)
	}
	families, err := (&expfmt.TextParser{}).TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	checkMetrics(t, families)
}

// checkMetrics asserts what TestMetrics's calls must have left behind.
func checkMetrics(t *testing.T, families map[string]*dto.MetricFamily) {
	t.Helper()
	tests := []struct {
		family string
		labels map[string]string
		want   float64 // summed over the series that match; 0: any positive sum
	}{
		{"kubemcp_tool_calls_total", map[string]string{"tool": "namespaces_list", "cluster": "", "outcome": "ok"}, 2},
		{"kubemcp_tool_calls_total", map[string]string{"tool": "pods_list", "cluster": "second", "outcome": "ok"}, 1},
		{"kubemcp_tool_calls_total", map[string]string{"tool": "pods_list", "cluster": "multi", "outcome": "ok"}, 1},
		{"kubemcp_tool_calls_total", map[string]string{"tool": "namespaces_list", "cluster": "other", "outcome": "error"}, 1},
		{"kubemcp_tool_calls_total", map[string]string{"tool": "resources_get", "cluster": "", "outcome": "error"}, 1},
		{"kubemcp_tool_calls_total", map[string]string{"tool": "unknown", "cluster": ""}, 50},
		{"kubemcp_tool_call_duration_seconds", map[string]string{"tool": "namespaces_list"}, 3},
		{"kubemcp_tool_call_duration_seconds", map[string]string{"tool": "unknown"}, 50},
		{"kubemcp_mcp_requests_total", map[string]string{"method": "tools/call"}, 56},
		{"kubemcp_mcp_requests_total", map[string]string{"method": "initialize"}, 2},
		{"kubemcp_kube_request_duration_seconds", map[string]string{"cluster": testenv.KubeContext, "verb": "list", "code": "200"}, 0},
		{"kubemcp_kube_request_duration_seconds", map[string]string{"cluster": "second", "verb": "list", "code": "200"}, 0},
		{"kubemcp_kube_request_duration_seconds", map[string]string{"cluster": testenv.KubeContext, "verb": "get", "code": "404"}, 0},
		{"kubemcp_sessions_active", map[string]string{"transport": "streamable-http"}, 1},
		{"kubemcp_sessions_active", map[string]string{"transport": "sse"}, 1},
		// The version depends on how the binary was built (a tag, the VCS
		// stamp of a clean checkout, or "dev"); the Go that built it does not.
		{"kubemcp_build_info", map[string]string{"goversion": runtime.Version()}, 1},
		{"kubemcp_client_cache_clients", nil, 0},
		// The watch cache answered the pods of the second cluster (its
		// informer's list is the kube request above), and sent the get of a
		// pod it does not hold to the apiserver (the 404 above).
		{"kubemcp_cache_reads_total", map[string]string{"cluster": "second", "result": "hit"}, 0},
		{"kubemcp_cache_reads_total", map[string]string{"cluster": testenv.KubeContext, "result": "direct"}, 0},
	}
	for _, tt := range tests {
		got, ok := sample(families[tt.family], tt.labels)
		switch {
		case !ok:
			t.Errorf("%s%v: no such series", tt.family, tt.labels)
		case tt.want == 0 && got <= 0, tt.want != 0 && got != tt.want:
			t.Errorf("%s%v = %v, want %v", tt.family, tt.labels, got, tt.want)
		}
	}
	for _, m := range families["kubemcp_tool_calls_total"].GetMetric() {
		if tool := label(m, "tool"); strings.HasPrefix(tool, "no_such_tool") {
			t.Errorf("a made-up tool name became a series: %q", tool)
		}
	}
}

// sample is the sum over the series of f whose labels include want: of a
// counter's or gauge's value, of a histogram's count; ok is false when no
// series matches.
func sample(f *dto.MetricFamily, want map[string]string) (sum float64, ok bool) {
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			if label(m, k) != v {
				continue next
			}
		}
		ok = true
		sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
	}
	return sum, ok
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// TestMetricsOff: --disable-metrics serves no /metrics.
func TestMetricsOff(t *testing.T) {
	s := serveArgs(t, "--kubeconfig", env.Kubeconfig, "--disable-metrics")
	if code, _ := httpGet(t, strings.TrimSuffix(s.URL, "/mcp")+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics with --disable-metrics: %d, want 404", code)
	}
}

// scrape GETs base/metrics as Prometheus would, with token as the bearer.
func scrape(t testing.TB, base, token string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Transport: withBearer{token}}).Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// twoContexts is the admin kubeconfig with one more context, named other,
// reaching the same cluster.
func twoContexts(t *testing.T, other string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, "admin", testenv.KubeContext, map[string]*testenv.Env{testenv.KubeContext: env, other: env}); err != nil {
		t.Fatal(err)
	}
	return path
}

// tokenFile maps token to user, of group system:masters: the calls reach the
// cluster impersonating them, through the per-caller client cache.
func tokenFile(t *testing.T, user, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf("tokens:\n- user: %s\n  groups: [system:masters]\n  token: %s\n", user, token)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
