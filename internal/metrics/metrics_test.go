package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
)

// TestLabelsBounded: what callers and clusters can make up (methods, verbs,
// status codes, transports) lands in one series each, whatever the value.
// test/e2e's TestMetrics scrapes a real server.
func TestLabelsBounded(t *testing.T) {
	m := New("v1.2.3")
	for _, v := range []string{"bogus/one", "bogus/two", strings.Repeat("x", 1000)} {
		m.Request(v)
		m.KubeObserver("c1")(v, 1000+len(v), time.Millisecond)
		m.SessionOpened(v)()
		m.StreamCut(v, v)
	}
	m.Request("tools/call")
	observe := m.KubeObserver("c1")
	observe("list", 200, time.Millisecond)
	observe("get", 0, time.Second)
	m.CacheReads()("c1", true)
	m.CacheReads()("c1", false)
	m.StreamCut(WebSocket, CutStall)
	closed := m.SessionOpened(SSE)
	closed()
	closed() // a second call does nothing

	want := []string{
		`kubemcp_mcp_requests_total{method="other"} 3`,
		`kubemcp_mcp_requests_total{method="tools/call"} 1`,
		`kubemcp_kube_request_duration_seconds_count{cluster="c1",code="error",verb="other"} 3`,
		`kubemcp_kube_request_duration_seconds_count{cluster="c1",code="200",verb="list"} 1`,
		`kubemcp_kube_request_duration_seconds_count{cluster="c1",code="error",verb="get"} 1`,
		`kubemcp_cache_reads_total{cluster="c1",result="hit"} 1`,
		`kubemcp_cache_reads_total{cluster="c1",result="direct"} 1`,
		`kubemcp_sessions_active{transport="other"} 0`,
		`kubemcp_sessions_active{transport="sse"} 0`,
		`kubemcp_stream_cuts_total{reason="other",transport="other"} 3`,
		`kubemcp_stream_cuts_total{reason="stall",transport="websocket"} 1`,
		`kubemcp_build_info{goversion="go`,
	}
	body := scrape(t, m)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("no %s in\n%s", w, body)
		}
	}
	if strings.Contains(body, "bogus") || strings.Contains(body, "xxx") {
		t.Errorf("a made-up value became a label:\n%s", body)
	}
}

// scrape serves m's metrics once and checks that Prometheus' parser reads them.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if _, err := (&expfmt.TextParser{}).TextToMetricFamilies(strings.NewReader(body)); err != nil {
		t.Fatalf("parsing: %v\n%s", err, body)
	}
	return body
}

// TestUpstreamSeries: the gateway's series, by upstream; a nil *Metrics (no
// metrics) takes the calls and records nothing.
func TestUpstreamSeries(t *testing.T) {
	var none *Metrics
	none.UpstreamConnected("argo", true)
	none.UpstreamReconnect("argo")
	none.UpstreamCall("argo", time.Second)
	m := New("v")
	m.UpstreamConnected("argo", true)
	m.UpstreamConnected("fs", true)
	m.UpstreamConnected("fs", false)
	m.UpstreamReconnect("fs")
	m.UpstreamReconnect("fs")
	m.UpstreamCall("argo", 20*time.Millisecond)
	body := scrape(t, m)
	for _, w := range []string{
		`kubemcp_upstream_connected{upstream="argo"} 1`,
		`kubemcp_upstream_connected{upstream="fs"} 0`,
		`kubemcp_upstream_reconnects_total{upstream="fs"} 2`,
		`kubemcp_upstream_call_duration_seconds_bucket{upstream="argo",le="0.025"} 1`,
		`kubemcp_upstream_call_duration_seconds_count{upstream="argo"} 1`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("no %s in\n%s", w, body)
		}
	}
}

// TestUpstreamGone: an upstream's series, its tools' included, are deleted;
// another upstream's stay.
func TestUpstreamGone(t *testing.T) {
	m := New("v1")
	for _, u := range []string{"gone", "kept"} {
		m.UpstreamConnected(u, true)
		m.UpstreamReconnect(u)
		m.UpstreamCall(u, time.Millisecond)
		m.ToolCall(u+"__*", "", "ok", time.Millisecond)
	}
	m.UpstreamGone("gone")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if strings.Contains(body, "gone") {
		t.Errorf("series of a gone upstream remain:\n%s", body)
	}
	for _, series := range []string{`kubemcp_upstream_connected{upstream="kept"} 1`, `kubemcp_upstream_reconnects_total{upstream="kept"} 1`,
		`kubemcp_upstream_call_duration_seconds_count{upstream="kept"} 1`, `kubemcp_tool_calls_total{cluster="",outcome="ok",tool="kept__*"} 1`,
		`kubemcp_tool_call_duration_seconds_count{tool="kept__*"} 1`} {
		if !strings.Contains(body, series) {
			t.Errorf("another upstream's series %s is gone", series)
		}
	}
}
