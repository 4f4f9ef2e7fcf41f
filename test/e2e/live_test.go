package e2e

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// The prompts and the URI templates as a client sees them: the public contract.
var (
	livePrompts = []string{"cluster_status", "troubleshoot_pod", "resource_usage_analysis",
		"security_assessment", "performance_optimization", "cost_optimization"}
	liveTemplates = []string{"k8s://{cluster}/{namespace}/{resource}/{name}", "k8s://{cluster}/{resource}/{name}"}
)

// liveVersions are the two streamable HTTP eras: sessions (2025-11-25, where
// resources/subscribe is a request) and stateless (2026-07-28, where a
// subscription is a subscriptions/listen stream).
var liveVersions = []string{"2025-11-25", "2026-07-28"}

// liveURI is the address of a namespaced object in the test cluster.
func liveURI(ns, resource, name string) string {
	return "k8s://" + testenv.KubeContext + "/" + ns + "/" + resource + "/" + name
}

// liveClient is a go-sdk session over HTTP that records the resource
// notifications and listen acknowledgements it receives.
type liveClient struct {
	*mcp.ClientSession
	version string
	updates chan string // URIs of notifications/resources/updated
	acks    chan struct{}
}

func connectLive(t *testing.T, url, version string) *liveClient {
	t.Helper()
	return connectLiveAs(t, url, version, "")
}

// connectLiveAs is connectLive presenting token as the bearer ("" for none).
func connectLiveAs(t *testing.T, url, version, token string) *liveClient {
	t.Helper()
	var hc *http.Client
	if token != "" {
		hc = &http.Client{Transport: withBearer{token}}
	}
	c := &liveClient{version: version, updates: make(chan string, 100), acks: make(chan struct{}, 100)}
	mc := mcp.NewClient(&mcp.Implementation{Name: "e2e-live", Version: "v0"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) { c.updates <- req.Params.URI },
	})
	mc.AddReceivingMiddleware(c.noteAcks)
	c.ClientSession = connectWith(t, mc, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if got := c.InitializeResult().ProtocolVersion; got != version {
		t.Fatalf("negotiated %s, want %s", got, version)
	}
	return c
}

// noteAcks records each notifications/subscriptions/acknowledged: the server
// sends it once a listen's subscriptions hold.
func (c *liveClient) noteAcks(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method == "notifications/subscriptions/acknowledged" {
			c.acks <- struct{}{}
		}
		return next(ctx, method, req)
	}
}

// subscribe returns once the subscription holds: a 2026-07-28 Subscribe
// opens the listen stream without waiting for it, so that waits for the ack.
func (c *liveClient) subscribe(t *testing.T, uri string) {
	t.Helper()
	if err := c.Subscribe(testContext(t), &mcp.SubscribeParams{URI: uri}); err != nil {
		t.Fatalf("subscribing to %s: %v", uri, err)
	}
	if c.version < "2026-07-28" {
		return
	}
	select {
	case <-c.acks:
	case <-time.After(3 * time.Second):
		t.Fatalf("the subscriptions/listen stream for %s was not acknowledged within 3 s", uri)
	}
}

// update waits at most 2 s, the bound a subscriber is promised, for a
// notification about uri, and returns how long it took.
func (c *liveClient) update(t *testing.T, uri string, since time.Time) time.Duration {
	t.Helper()
	deadline := time.After(2*time.Second - time.Since(since))
	for {
		select {
		case got := <-c.updates:
			if got == uri {
				return time.Since(since)
			}
			t.Logf("notification for another URI: %s", got)
		case <-deadline:
			t.Fatalf("no notifications/resources/updated for %s within 2 s of the patch", uri)
		}
	}
}

// noUpdate fails on any notification within wait; after says after what
// there should be none.
func (c *liveClient) noUpdate(t *testing.T, wait time.Duration, after string) {
	t.Helper()
	select {
	case got := <-c.updates:
		t.Fatalf("notifications/resources/updated for %s %s", got, after)
	case <-time.After(wait):
	}
}

// touch changes a ConfigMap as a person would, with a patched label, and
// returns when the patch was sent.
func touch(t *testing.T, ns, name, value string) time.Time {
	t.Helper()
	return touchObject(t, "configmaps", ns, name, value)
}

// touchObject is touch of a namespaced object of a core resource.
func touchObject(t *testing.T, resource, ns, name, value string) time.Time {
	t.Helper()
	start := time.Now()
	patch := []byte(`{"metadata":{"labels":{"touched":"` + value + `"}}}`)
	err := env.Clientset("admin").CoreV1().RESTClient().Patch(types.MergePatchType).
		Namespace(ns).Resource(resource).Name(name).Body(patch).Do(context.Background()).Error()
	if err != nil {
		t.Fatal(err)
	}
	return start
}

// TestLivePrompts gets the prompts from a real kubemcp process over HTTP, in
// both eras: the list, one prompt filled in from the seeded world, and the
// completion of its arguments from the cluster.
func TestLivePrompts(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	for _, version := range liveVersions {
		t.Run(version, func(t *testing.T) {
			c := connectLive(t, url, version)
			if caps := c.InitializeResult().Capabilities; caps.Prompts == nil || caps.Completions == nil {
				t.Errorf("capabilities %+v, want prompts and completions", caps)
			}
			t.Run("list", func(t *testing.T) { livePromptList(t, c) })
			t.Run("get", func(t *testing.T) { liveGetPrompt(t, c) })
			t.Run("complete", func(t *testing.T) { liveComplete(t, c) })
		})
	}
}

func livePromptList(t *testing.T, c *liveClient) {
	res, err := c.ListPrompts(testContext(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Prompts {
		names = append(names, p.Name)
	}
	slices.Sort(names) // go-sdk lists prompts by name
	if want := slices.Sorted(slices.Values(livePrompts)); !slices.Equal(names, want) {
		t.Errorf("prompts/list: %v, want %v", names, want)
	}
}

func liveGetPrompt(t *testing.T, c *liveClient) {
	res, err := c.GetPrompt(testContext(t), &mcp.GetPromptParams{Name: "troubleshoot_pod",
		Arguments: map[string]string{"pod": testenv.PodCrashLoop, "namespace": testenv.NamespacePayments}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) != 1 || res.Messages[0].Role != "user" {
		t.Fatalf("messages %+v, want one from the user", res.Messages)
	}
	tc, ok := res.Messages[0].Content.(*mcp.TextContent)
	if !ok {
		t.Fatalf("content %T, want text", res.Messages[0].Content)
	}
	for _, w := range []string{testenv.PodCrashLoop, `"namespace":"payments"`, "pods_get", "pods_logs", `"previous":true`} {
		if !strings.Contains(tc.Text, w) {
			t.Errorf("troubleshoot_pod lacks %q:\n%s", w, tc.Text)
		}
	}

	_, err = c.GetPrompt(testContext(t), &mcp.GetPromptParams{Name: "troubleshoot_pod", Arguments: map[string]string{}})
	var rpc *jsonrpc.Error
	if !errors.As(err, &rpc) || rpc.Code != jsonrpc.CodeInvalidParams || !strings.Contains(rpc.Message, "pod") {
		t.Errorf("troubleshoot_pod without pod: %v, want invalid params naming pod", err)
	}
}

func liveComplete(t *testing.T, c *liveClient) {
	tests := []struct {
		arg, value string
		context    map[string]string
		want       string
	}{
		{"namespace", "sh", nil, testenv.NamespaceShop},
		{"pod", "api", map[string]string{"namespace": testenv.NamespacePayments}, testenv.PodCrashLoop},
	}
	for _, tt := range tests {
		t.Run(tt.arg+"="+tt.value, func(t *testing.T) {
			params := &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "troubleshoot_pod"},
				Argument: mcp.CompleteParamsArgument{Name: tt.arg, Value: tt.value}}
			if tt.context != nil {
				params.Context = &mcp.CompleteContext{Arguments: tt.context}
			}
			res, err := c.Complete(testContext(t), params)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(res.Completion.Values, tt.want) {
				t.Errorf("completion %v, want %s among them", res.Completion.Values, tt.want)
			}
			for _, v := range res.Completion.Values {
				if !strings.HasPrefix(v, tt.value) {
					t.Errorf("completion %q does not start with %q", v, tt.value)
				}
			}
		})
	}
}

// TestLiveResources reads objects of the seeded world from a real kubemcp
// process over HTTP, in both eras.
func TestLiveResources(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	for _, version := range liveVersions {
		t.Run(version, func(t *testing.T) {
			c := connectLive(t, url, version)
			if caps := c.InitializeResult().Capabilities; caps.Resources == nil || !caps.Resources.Subscribe {
				t.Errorf("resources capability %+v, want subscribe", caps.Resources)
			}
			t.Run("templates", func(t *testing.T) { liveTemplateList(t, c) })
			t.Run("read", func(t *testing.T) { liveRead(t, c) })
		})
	}
}

func liveTemplateList(t *testing.T, c *liveClient) {
	res, err := c.ListResourceTemplates(testContext(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tmpl := range res.ResourceTemplates {
		got[tmpl.URITemplate] = tmpl.MIMEType
	}
	for _, want := range liveTemplates {
		if got[want] != "application/yaml" {
			t.Errorf("template %s: MIME type %q, want application/yaml (have %v)", want, got[want], got)
		}
	}
}

// liveReads are reads of the seeded world, and what each must show; the
// go-sdk and the TypeScript SDK make them all.
var liveReads = []struct {
	name, uri      string
	want, unwanted []string
	isError        bool
}{
	{name: "deployment", uri: liveURI("shop", "deployments", testenv.DeploymentFrontend),
		want: []string{"kind: Deployment", "name: " + testenv.DeploymentFrontend, "namespace: shop"}, unwanted: []string{"managedFields"}},
	{name: "cluster-scoped", uri: "k8s://" + testenv.KubeContext + "/namespaces/payments", want: []string{"kind: Namespace", "name: payments"}},
	{name: "secret", uri: liveURI("shop", "secrets", testenv.SecretName),
		want: []string{"kind: Secret", "name: " + testenv.SecretName, "password:"}, unwanted: []string{testenv.PlantedSecret}},
	{name: "missing", uri: liveURI("shop", "configmaps", "nope"), isError: true, want: []string{`"nope" not found`}},
}

func liveRead(t *testing.T, c *liveClient) {
	for _, tt := range liveReads {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.ReadResource(testContext(t), &mcp.ReadResourceParams{URI: tt.uri})
			checkText(t, tt.uri, liveReadText(t, tt.uri, res, err, tt.isError), tt.want, tt.unwanted)
		})
	}
}

// liveReadText is the YAML of a read, or the message of its refusal.
func liveReadText(t *testing.T, uri string, res *mcp.ReadResourceResult, err error, isError bool) string {
	t.Helper()
	if isError {
		var rpc *jsonrpc.Error
		if !errors.As(err, &rpc) {
			t.Fatalf("%s: %v (%T), want a JSON-RPC error", uri, err, err)
		}
		return rpc.Message
	}
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].URI != uri || res.Contents[0].MIMEType != "application/yaml" {
		t.Fatalf("%s: contents %+v", uri, res.Contents)
	}
	return res.Contents[0].Text
}

// TestLiveSubscribe subscribes through a real kubemcp process over HTTP, in
// both eras, to a ConfigMap the test owns: a patch is heard of within 2 s,
// and nothing more once unsubscribed.
func TestLiveSubscribe(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	for _, version := range liveVersions {
		t.Run(version, func(t *testing.T) {
			ns := env.Namespace(t, "live-sub")
			configMap(t, ns, "watched")
			uri := liveURI(ns, "configmaps", "watched")
			c := connectLive(t, url, version)
			c.subscribe(t, uri)

			took := c.update(t, uri, touch(t, ns, "watched", "1"))
			t.Logf("notified %s after the patch", took.Round(time.Millisecond))
			took = c.update(t, uri, touch(t, ns, "watched", "2"))
			t.Logf("notified again %s after the second patch", took.Round(time.Millisecond))

			if err := c.Unsubscribe(testContext(t), &mcp.UnsubscribeParams{URI: uri}); err != nil {
				t.Fatal(err)
			}
			touch(t, ns, "watched", "3")
			c.noUpdate(t, time.Second, "after unsubscribing")
		})
	}
}
