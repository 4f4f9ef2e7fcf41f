// Package metrics holds kubemcp's Prometheus collectors, registered in one
// place on a registry of their own (never client_golang's global one), and
// bounds every label value they take: a caller can name any tool, cluster or
// method, but only names kubemcp knows become series, and no label ever
// carries who is calling.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are kubemcp's collectors. A nil *Metrics means no metrics: the
// constructors of what it observes (mcpserver, kube, transport) then install
// nothing.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	toolCalls    *prometheus.CounterVec
	toolDuration *prometheus.HistogramVec
	kubeRequests *prometheus.HistogramVec
	cacheReads   *prometheus.CounterVec
	sessions     *prometheus.GaugeVec
	streamCuts   *prometheus.CounterVec
	// By upstream MCP server: names from kubemcp's configuration and
	// MCPServer objects, never from callers.
	upstreamConnected  *prometheus.GaugeVec
	upstreamReconnects *prometheus.CounterVec
	upstreamCalls      *prometheus.HistogramVec
}

// Tool calls range from a cached read to a drain that waits for evictions:
// Prometheus' default buckets end at 10 s.
var toolBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// New registers kubemcp's collectors, the Go runtime's and the process's, and
// the build info of version.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubemcp_mcp_requests_total",
			Help: "MCP requests and notifications received, by method (other: a method MCP does not define)."}, []string{"method"}),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubemcp_tool_calls_total",
			Help: "Tool calls by tool (unknown: not a tool this server offers), cluster (empty: the default; multi: a list or pattern; other: not a configured cluster) and outcome (ok; error: a tool error result; failed: a protocol error)."},
			[]string{"tool", "cluster", "outcome"}),
		toolDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubemcp_tool_call_duration_seconds",
			Help: "How long tool calls took, by tool.", Buckets: toolBuckets}, []string{"tool"}),
		kubeRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubemcp_kube_request_duration_seconds",
			Help: "Kubernetes API requests, by cluster, verb and HTTP status code (error: no response), until the response began.", Buckets: prometheus.DefBuckets},
			[]string{"cluster", "verb", "code"}),
		cacheReads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubemcp_cache_reads_total",
			Help: "Reads the watch cache was asked for, by cluster and result: hit (answered from the cache) or direct (read from the apiserver: the kind not synced, the cluster not heard from lately, a selector or page the cache cannot answer exactly, the caller's own write not yet seen, or a refusal the apiserver words)."},
			[]string{"cluster", "result"}),
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubemcp_sessions_active",
			Help: "MCP sessions open, by transport (stateless-http: requests in flight, each its own session)."}, []string{"transport"}),
	}
	m.streamCuts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubemcp_stream_cuts_total",
		Help: "Streams to clients cut because the client read them too slowly, by transport and reason: backlog (too much waited for it) or stall (one write waited too long)."},
		[]string{"transport", "reason"})
	m.upstreamConnected = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubemcp_upstream_connected",
		Help: "1 while kubemcp holds a session to the upstream MCP server and serves its tools, else 0; by upstream."}, []string{"upstream"})
	m.upstreamReconnects = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubemcp_upstream_reconnects_total",
		Help: "Attempts kubemcp made to connect to an upstream MCP server again after its session ended or an attempt failed, successful or not, by upstream."}, []string{"upstream"})
	m.upstreamCalls = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubemcp_upstream_call_duration_seconds",
		Help: "How long upstream MCP servers took to answer tool calls forwarded to them, by upstream.", Buckets: toolBuckets}, []string{"upstream"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubemcp_build_info",
		Help: "Always 1; the labels say which kubemcp is running."}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	m.reg.MustRegister(m.requests, m.toolCalls, m.toolDuration, m.kubeRequests, m.cacheReads, m.sessions, m.streamCuts, build,
		m.upstreamConnected, m.upstreamReconnects, m.upstreamCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format (or OpenMetrics, when
// the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// ClientCache reports, at each scrape, how many per-caller cluster clients
// are cached (impersonate and passthrough credentials); call it once.
func (m *Metrics) ClientCache(size func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kubemcp_client_cache_clients",
		Help: "Per-caller cluster clients in the cache (impersonate and passthrough credentials)."},
		func() float64 { return float64(size()) }))
}

// Request counts one MCP request or notification.
func (m *Metrics) Request(method string) {
	m.requests.WithLabelValues(bound(method, mcpMethods, "other")).Inc()
}

// ToolCall records one tool call. The caller bounds tool and cluster to the
// names it knows (see Unknown, Other, Multi); outcome is ok, error (a tool
// error result), failed (a protocol error) or asked (a person is asked to
// confirm it between calls).
func (m *Metrics) ToolCall(tool, cluster, outcome string, took time.Duration) {
	m.toolCalls.WithLabelValues(tool, cluster, outcome).Inc()
	m.toolDuration.WithLabelValues(tool).Observe(took.Seconds())
}

// UpstreamConnected records whether kubemcp serves the upstream's tools now.
// The upstream methods do nothing on a nil m, as the gateway may have none.
func (m *Metrics) UpstreamConnected(upstream string, connected bool) {
	if m == nil {
		return
	}
	v := 0.0
	if connected {
		v = 1
	}
	m.upstreamConnected.WithLabelValues(upstream).Set(v)
}

// UpstreamReconnect counts one more attempt to connect to upstream after
// its session ended or an attempt failed.
func (m *Metrics) UpstreamReconnect(upstream string) {
	if m != nil {
		m.upstreamReconnects.WithLabelValues(upstream).Inc()
	}
}

// UpstreamCall records how long upstream took to answer one tool call.
func (m *Metrics) UpstreamCall(upstream string, took time.Duration) {
	if m != nil {
		m.upstreamCalls.WithLabelValues(upstream).Observe(took.Seconds())
	}
}

// UpstreamGone deletes the series of an upstream kubemcp no longer serves
// (a deleted MCPServer), its tool calls' (<upstream>__*) included, so that
// MCPServers coming and going leave no series behind.
func (m *Metrics) UpstreamGone(upstream string) {
	if m == nil {
		return
	}
	m.upstreamConnected.DeleteLabelValues(upstream)
	m.upstreamReconnects.DeleteLabelValues(upstream)
	m.upstreamCalls.DeleteLabelValues(upstream)
	tools := upstream + "__*"
	m.toolCalls.DeletePartialMatch(prometheus.Labels{"tool": tools})
	m.toolDuration.DeleteLabelValues(tools)
}

// Label values that stand for what is not worth a series of its own.
const (
	Unknown = "unknown" // a tool this server does not offer
	Other   = "other"   // a cluster that is not configured
	Multi   = "multi"   // several clusters, by list or pattern
)

// KubeObserver returns what records the Kubernetes API requests sent to
// cluster, a configured cluster's name: it is kube.Observer. Nil m gives nil,
// so no observer is installed.
func (m *Metrics) KubeObserver(cluster string) func(verb string, code int, took time.Duration) {
	if m == nil {
		return nil
	}
	return func(verb string, code int, took time.Duration) {
		m.kubeRequests.WithLabelValues(cluster, bound(verb, kubeVerbs, "other"), statusCode(code)).Observe(took.Seconds())
	}
}

// CacheReads returns what counts the watch cache's reads of cluster, a
// configured cluster's name: hit, or read directly. Nil m gives nil.
func (m *Metrics) CacheReads() func(cluster string, hit bool) {
	if m == nil {
		return nil
	}
	return func(cluster string, hit bool) {
		result := "direct"
		if hit {
			result = "hit"
		}
		m.cacheReads.WithLabelValues(cluster, result).Inc()
	}
}

// statusCode is an HTTP status code as a label: a real code is one of a few
// hundred, anything else (0: no response) is "error".
func statusCode(code int) string {
	if code < 100 || code > 599 {
		return "error"
	}
	return strconv.Itoa(code)
}

// Transports, the values of the sessions' transport label.
const (
	StreamableHTTP = "streamable-http"
	StatelessHTTP  = "stateless-http"
	SSE            = "sse"
	WebSocket      = "websocket"
)

type transportKey struct{}

// WithTransport marks ctx, an HTTP request's, as carrying MCP over transport:
// a session it opens is counted under it. go-sdk runs a session's requests in
// the context of the HTTP request that opened it.
func WithTransport(ctx context.Context, transport string) context.Context {
	return context.WithValue(ctx, transportKey{}, transport)
}

// TransportFrom is the transport ctx was marked with, or "".
func TransportFrom(ctx context.Context) string {
	t, _ := ctx.Value(transportKey{}).(string)
	return t
}

// SessionOpened counts one more session on transport, one of the
// transports above, until the returned func is called (more calls do
// nothing).
func (m *Metrics) SessionOpened(transport string) (closed func()) {
	g := m.sessions.WithLabelValues(bound(transport, transports, "other"))
	g.Inc()
	var once sync.Once
	return func() { once.Do(g.Dec) }
}

// Why a stream to a slow client was cut, the values of the reason label.
const (
	CutBacklog = "backlog"
	CutStall   = "stall"
)

// StreamCut counts one stream on transport cut for reason (CutBacklog or
// CutStall).
func (m *Metrics) StreamCut(transport, reason string) {
	m.streamCuts.WithLabelValues(bound(transport, transports, "other"), bound(reason, cutReasons, "other")).Inc()
}

var cutReasons = map[string]bool{CutBacklog: true, CutStall: true}

func bound(v string, known map[string]bool, other string) string {
	if known[v] {
		return v
	}
	return other
}

var transports = map[string]bool{StreamableHTTP: true, StatelessHTTP: true, SSE: true, WebSocket: true}

// kubeVerbs are the verbs policy.ParseRequest reads from a request.
var kubeVerbs = map[string]bool{
	"get": true, "list": true, "watch": true, "create": true, "update": true,
	"patch": true, "delete": true, "deletecollection": true,
}

// mcpMethods are the methods a client may send, of every protocol version
// kubemcp serves.
var mcpMethods = map[string]bool{
	"initialize": true, "ping": true, "server/discover": true,
	"tools/list": true, "tools/call": true,
	"prompts/list": true, "prompts/get": true,
	"resources/list": true, "resources/templates/list": true, "resources/read": true,
	"resources/subscribe": true, "resources/unsubscribe": true, "subscriptions/listen": true,
	"completion/complete": true, "logging/setLevel": true,
	"notifications/initialized": true, "notifications/cancelled": true, "notifications/progress": true,
	"notifications/roots/list_changed": true,
}
