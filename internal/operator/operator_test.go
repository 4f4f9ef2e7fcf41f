package operator

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubemcp/kubemcp/internal/gateway"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{}, func(e *testenv.Env) { env = e }))
}

// installCRD creates the chart's MCPServer CRD, as helm install would, and
// waits until it is served.
func installCRD(t *testing.T) { env.InstallChartCRD(t) }

// TestStartSaysWhenTheCRDIsMissing runs before the CRD is installed.
func TestStartSaysWhenTheCRDIsMissing(t *testing.T) {
	op, err := New(Options{Config: env.RESTConfig("admin"), Namespace: "default", LeaseNamespace: "default", Identity: "x",
		Gateway: gateway.New(gateway.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	err = op.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is the CRD mcpservers.kubemcp.io installed") {
		t.Fatalf("Start without the CRD: %v", err)
	}
}

// replica is one kubemcp replica's gateway and operator.
type replica struct {
	gw     *gateway.Gateway
	server *mcp.Server
	op     *Operator
}

// startReplica starts one; allowFwd is AllowForwardAuthorization.
func startReplica(t *testing.T, ctx context.Context, ns, identity string, allowFwd bool) replica {
	t.Helper()
	gw := gateway.New(gateway.Options{Probe: 200 * time.Millisecond})
	server := mcpserver.New(mcpserver.Options{Version: "test", Tools: gw.Tools()})
	if err := gw.Start(ctx, server); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	op, err := New(Options{Config: env.RESTConfig("admin"), Namespace: ns, LeaseNamespace: ns, Identity: identity,
		Gateway: gw, StatusEvery: 200 * time.Millisecond, LeaseDuration: 3 * time.Second, AllowForwardAuthorization: allowFwd})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(ctx)
	if err := op.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(); op.Wait() })
	return replica{gw: gw, server: server, op: op}
}

func (r replica) tools(t *testing.T) []string {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := r.server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	return names
}

func mcpServer(name string, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubemcp.io/v1alpha1", "kind": "MCPServer",
		"metadata": map[string]any{"name": name}, "spec": spec,
	}}
}

// ready is the Ready condition of an MCPServer's status, if it has one.
func ready(obj *unstructured.Unstructured) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m := c.(map[string]any); m["type"] == "Ready" {
			return fmt.Sprint(m["status"]), fmt.Sprint(m["reason"]), fmt.Sprint(m["message"])
		}
	}
	return "", "", ""
}

// TestMCPServerAttachesAndReportsStatus: two replicas watch MCPServers; one
// pointing at a real server-everything is served by both within 5 s and its
// status turns Ready, written by the Lease holder alone; bad ones say why;
// deleting one withdraws its tools.
func TestMCPServerAttachesAndReportsStatus(t *testing.T) {
	installCRD(t)
	port := testenv.FreePort(t)
	testenv.StartEverythingHTTP(t, port)
	ns := env.Namespace(t, "mcps")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := startReplica(t, ctx, ns, "replica-a", false)
	b := startReplica(t, ctx, ns, "replica-b", false)
	res := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(GVR).Namespace(ns)

	_, err := res.Create(ctx, mcpServer("everything", map[string]any{"url": fmt.Sprintf("http://127.0.0.1:%d/mcp", port),
		"tools": map[string]any{"deny": []any{"get-env"}}}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now() // the apiserver holds the first creates of a new CRD's objects for 2s
	for name, r := range map[string]replica{"a": a, "b": b} {
		testenv.Eventually(t, 5*time.Second, "replica "+name+" serves everything__echo", func() bool { return slices.Contains(r.tools(t), "everything__echo") })
		if slices.Contains(r.tools(t), "everything__get-env") {
			t.Errorf("replica %s serves everything__get-env, which the MCPServer denies", name)
		}
	}
	t.Logf("MCPServer created -> its tools served by both replicas: %s", time.Since(created).Round(time.Millisecond))
	var obj *unstructured.Unstructured
	testenv.Eventually(t, 5*time.Second, "everything's status Ready", func() bool {
		obj, err = res.Get(ctx, "everything", metav1.GetOptions{})
		s, _, _ := ready(obj)
		return err == nil && s == "True"
	})
	if n, _, _ := unstructured.NestedInt64(obj.Object, "status", "toolCount"); n == 0 {
		t.Errorf("status.toolCount is 0 though the tools are served: %v", obj.Object["status"])
	}

	// Updates that change nothing the gateway uses (the status the Lease
	// holder writes every 200 ms here, a label) keep the session.
	before, _ := a.gw.State("everything")
	obj.SetLabels(map[string]string{"touched": "yes"})
	if _, err := res.Update(ctx, obj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "replica a to see the label", func() bool {
		seen, err := a.op.lister.ByNamespace(ns).Get("everything")
		return err == nil && seen.(*unstructured.Unstructured).GetLabels()["touched"] == "yes"
	})
	// Deliberate: what is checked is that nothing happens, for which there is
	// no event to wait on; a second is five status writes and the label's
	// reconcile, which has been queued now.
	time.Sleep(time.Second)
	if after, _ := a.gw.State("everything"); !after.Connected || !after.Since.Equal(before.Since) {
		t.Errorf("an update that changed nothing reconnected the upstream: connected since %s, then %s (connected %v)", before.Since, after.Since, after.Connected)
	}

	// One writer: the Lease holder is the only manager of the status.
	lease, err := env.Clientset("admin").CoordinationV1().Leases(ns).Get(ctx, "kubemcp-operator", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		t.Fatalf("the Lease: %v, %+v", err, lease)
	}
	for _, mf := range obj.GetManagedFields() {
		if mf.Subresource == "status" && mf.Manager != "kubemcp-operator/"+*lease.Spec.HolderIdentity {
			t.Errorf("status written by %s, not the Lease holder %s", mf.Manager, *lease.Spec.HolderIdentity)
		}
	}

	// Bad MCPServers are not served, and say why.
	bad := map[string]struct {
		spec map[string]any
		want string
	}{
		"a-name-far-too-long-to-prefix-tool-names": {map[string]any{"url": "http://127.0.0.1:1/mcp"}, "name: want 1 to 32"},
		"no-secret": {map[string]any{"url": "http://127.0.0.1:1/mcp", "headers": map[string]any{"Authorization": map[string]any{
			"secretKeyRef": map[string]any{"name": "absent", "key": "token"}}}}, "spec.headers.Authorization: reading Secret " + ns + "/absent"},
		"unmarked": {map[string]any{"url": "http://127.0.0.1:1/mcp", "headers": map[string]any{"Authorization": map[string]any{
			"secretKeyRef": map[string]any{"name": "token", "key": "token"}}}}, "Secret " + ns + "/token is not marked for MCPServer unmarked"},
	}
	// The CRD takes WebSocket upstreams, by URL and by Service; one that is
	// not there is attached, and disconnected, not invalid.
	for name, spec := range map[string]map[string]any{
		"socket-url": {"url": "ws://127.0.0.1:1/ws"},
		"socket-svc": {"service": map[string]any{"name": "hub", "port": 8080, "path": "/ws", "scheme": "wss"}, "transport": "websocket"},
	} {
		if _, err := res.Create(ctx, mcpServer(name, spec), metav1.CreateOptions{}); err != nil {
			t.Fatalf("%s: the apiserver refused a WebSocket MCPServer: %v", name, err)
		}
		testenv.Eventually(t, 5*time.Second, name+" attached and disconnected", func() bool {
			got, err := res.Get(ctx, name, metav1.GetOptions{})
			s, reason, _ := ready(got)
			return err == nil && s == "False" && reason == "Disconnected"
		})
	}
	secrets := env.Clientset("admin").CoreV1().Secrets(ns)
	if _, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token",
		Annotations: map[string]string{SecretAnnotation: "marked"}}, StringData: map[string]string{"token": "Bearer t"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	marked := mcpServer("marked", map[string]any{"url": fmt.Sprintf("http://127.0.0.1:%d/mcp", port), "headers": map[string]any{
		"Authorization": map[string]any{"secretKeyRef": map[string]any{"name": "token", "key": "token"}}}})
	if _, err := res.Create(ctx, marked, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "the MCPServer the Secret is marked for is Ready", func() bool {
		got, err := res.Get(ctx, "marked", metav1.GetOptions{})
		s, _, _ := ready(got)
		return err == nil && s == "True"
	})
	for name, tt := range bad {
		if _, err := res.Create(ctx, mcpServer(name, tt.spec), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 5*time.Second, name+"'s status says why it is not served", func() bool {
			got, err := res.Get(ctx, name, metav1.GetOptions{})
			s, reason, msg := ready(got)
			return err == nil && s == "False" && reason == "Invalid" && strings.Contains(msg, tt.want)
		})
	}

	if err := res.Delete(ctx, "everything", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]replica{"a": a, "b": b} {
		testenv.Eventually(t, 5*time.Second, "replica "+name+" withdrew everything's tools", func() bool { return !slices.Contains(r.tools(t), "everything__echo") })
	}
}

// tlsServer is an MCP server with one tool, hello, over streamable HTTP
// behind TLS with a certificate of pair's CA; its URL.
func tlsServer(t *testing.T, pair testenv.TLSPair) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "tls"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "hello", Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hello"}}}, nil, nil
		})
	cert, err := tls.X509KeyPair(pair.Cert, pair.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // a refused handshake is part of the test
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestMCPServerTLSAndForwardAuthorization: an https MCPServer whose CA is
// in a ConfigMap, or a marked Secret, is served; without its CA it stays
// disconnected with the reason and the setting to use. forwardAuthorization
// reaches the gateway's upstream where kubemcp allows it, refused where the
// config refuses it.
func TestMCPServerTLSAndForwardAuthorization(t *testing.T) {
	installCRD(t)
	pair := testenv.NewTLSPair(t)
	url := tlsServer(t, pair)
	ns := env.Namespace(t, "mcps-tls")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := startReplica(t, ctx, ns, "replica", true)
	res := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(GVR).Namespace(ns)
	core := env.Clientset("admin").CoreV1()
	if _, err := core.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bundle"},
		Data: map[string]string{"ca.crt": string(pair.CA), "junk": "not a certificate"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "issuer",
		Annotations: map[string]string{SecretAnnotation: "by-secret,fwd-twice"}},
		Data: map[string][]byte{"ca.crt": pair.CA, "token": []byte("Bearer t")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ca := func(kind, name, key string) map[string]any {
		return map[string]any{"ca": map[string]any{kind: map[string]any{"name": name, "key": key}}}
	}
	create := func(name string, spec map[string]any) {
		t.Helper()
		if _, err := res.Create(ctx, mcpServer(name, spec), metav1.CreateOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	status := func(name, wantStatus, wantReason, wantMessage string) {
		t.Helper()
		testenv.Eventually(t, 5*time.Second, name+" "+wantReason, func() bool {
			got, err := res.Get(ctx, name, metav1.GetOptions{})
			s, reason, msg := ready(got)
			return err == nil && s == wantStatus && reason == wantReason && strings.Contains(msg, wantMessage)
		})
	}

	create("by-configmap", map[string]any{"url": url, "tls": ca("configMapKeyRef", "bundle", "ca.crt")})
	create("by-secret", map[string]any{"url": url, "tls": ca("secretKeyRef", "issuer", "ca.crt")})
	create("no-ca", map[string]any{"url": url})
	for _, name := range []string{"by-configmap", "by-secret"} {
		status(name, "True", "Connected", "")
		if !slices.Contains(r.tools(t), name+"__hello") {
			t.Errorf("%s is Ready but %s__hello is not served", name, name)
		}
	}
	status("no-ca", "False", "Disconnected", "certificate signed by unknown authority; trust the CA that signed the upstream's certificate with its tls.caFile (a PEM file; tls.ca in an MCPServer)")

	create("fwd", map[string]any{"url": url, "forwardAuthorization": true, "tls": ca("configMapKeyRef", "bundle", "ca.crt")})
	status("fwd", "True", "Connected", "")
	obj, err := res.Get(ctx, "fwd", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := r.op.upstream(ctx, obj); err != nil || !u.ForwardAuthorization || u.TLS.CAData != string(pair.CA) {
		t.Errorf("fwd's upstream: forwardAuthorization %v, CA from the ConfigMap %v (%v); want both", u.ForwardAuthorization, u.TLS.CAData != "", err)
	}

	for name, tt := range map[string]struct {
		spec map[string]any
		want string
	}{
		"fwd-ws": {map[string]any{"url": "wss://127.0.0.1:1/ws", "forwardAuthorization": true}, "forwardAuthorization: only for transport http or sse, not websocket"},
		"fwd-twice": {map[string]any{"url": url, "forwardAuthorization": true, "headers": map[string]any{
			"Authorization": map[string]any{"secretKeyRef": map[string]any{"name": "issuer", "key": "token"}}}}, "forwardAuthorization: headers set Authorization too"},
		"ca-unmarked": {map[string]any{"url": url, "tls": ca("secretKeyRef", "issuer", "ca.crt")}, "Secret " + ns + "/issuer is not marked for MCPServer ca-unmarked"},
		// Missing or junk, a ConfigMap's key reads the same: the status
		// says nothing of which ConfigMaps exist.
		"ca-junk":   {map[string]any{"url": url, "tls": ca("configMapKeyRef", "bundle", "junk")}, "spec.tls.ca: ConfigMap bundle key junk: absent, or no PEM certificate in it; give the CA certificate"},
		"ca-absent": {map[string]any{"url": url, "tls": ca("configMapKeyRef", "absent", "ca.crt")}, "spec.tls.ca: ConfigMap absent key ca.crt: absent, or no PEM certificate in it"},
		"ca-nokey":  {map[string]any{"url": url, "tls": ca("configMapKeyRef", "bundle", "nokey")}, "spec.tls.ca: ConfigMap bundle key nokey: absent, or no PEM certificate in it"},
		"ca-plain":  {map[string]any{"url": "http://127.0.0.1:1/mcp", "tls": ca("configMapKeyRef", "bundle", "ca.crt")}, "tls: only for an https or wss url"},
	} {
		create(name, tt.spec)
		status(name, "False", "Invalid", tt.want)
	}
	both := ca("configMapKeyRef", "bundle", "ca.crt")
	both["ca"].(map[string]any)["secretKeyRef"] = map[string]any{"name": "issuer", "key": "ca.crt"}
	if _, err := res.Create(ctx, mcpServer("ca-both", map[string]any{"url": url, "tls": both}), metav1.CreateOptions{}); err == nil ||
		!strings.Contains(err.Error(), "give exactly one of secretKeyRef or configMapKeyRef") {
		t.Errorf("the apiserver took a CA from a Secret and a ConfigMap at once: %v", err)
	}
}

// TestMCPServerForwardAuthorizationNeedsOptIn: unless kubemcp allows it,
// an MCPServer that asks for callers' credentials is Invalid, its status
// naming the setting, and nothing of it is served.
func TestMCPServerForwardAuthorizationNeedsOptIn(t *testing.T) {
	installCRD(t)
	pair := testenv.NewTLSPair(t)
	url := tlsServer(t, pair)
	ns := env.Namespace(t, "mcps-fwd")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := startReplica(t, ctx, ns, "replica", false)
	core := env.Clientset("admin").CoreV1()
	if _, err := core.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bundle"},
		Data: map[string]string{"ca.crt": string(pair.CA)}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(GVR).Namespace(ns)
	tls := map[string]any{"ca": map[string]any{"configMapKeyRef": map[string]any{"name": "bundle", "key": "ca.crt"}}}
	if _, err := res.Create(ctx, mcpServer("fwd", map[string]any{"url": url, "forwardAuthorization": true, "tls": tls}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "fwd Invalid", func() bool {
		got, err := res.Get(ctx, "fwd", metav1.GetOptions{})
		s, reason, msg := ready(got)
		return err == nil && s == "False" && reason == "Invalid" &&
			strings.Contains(msg, "spec.forwardAuthorization: this kubemcp does not let MCPServers receive callers' credentials") &&
			strings.Contains(msg, "allowMCPServerForwardAuthorization")
	})
	if _, attached := r.gw.State("fwd"); attached {
		t.Error("fwd is attached to the gateway though kubemcp does not allow forwardAuthorization")
	}
}

// TestCAWithoutRef: a tls.ca naming neither a Secret nor a ConfigMap (which
// the CRD refuses, an older one may not) says what to give.
func TestCAWithoutRef(t *testing.T) {
	var s spec
	s.TLS.CA = &caRef{}
	_, err := (&Operator{}).ca(context.Background(), mcpServer("x", nil), s)
	if err == nil || !strings.Contains(err.Error(), "spec.tls.ca: give secretKeyRef or configMapKeyRef") {
		t.Fatalf("got %v", err)
	}
}
