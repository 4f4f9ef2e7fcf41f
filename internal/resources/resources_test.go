package resources

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

const cluster = testenv.KubeContext

func TestTemplatesList(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		c := newRig(t, f, Options{}).connect(t, "admin")
		if caps := c.InitializeResult().Capabilities; caps.Resources == nil || !caps.Resources.Subscribe {
			t.Fatalf("resources capability %+v, want subscribe", caps.Resources)
		}
		res, err := c.ListResourceTemplates(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tmpl := range res.ResourceTemplates {
			got[tmpl.URITemplate] = tmpl.MIMEType
		}
		for _, want := range []string{NamespacedTemplate, ClusterTemplate} {
			if got[want] != MIMEType {
				t.Errorf("template %s: mime %q, want %s (have %v)", want, got[want], MIMEType, got)
			}
		}
	})
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, user, uri string
		want            []string // in the text, or in the error
		unwanted        []string
		isError         bool
	}{
		{name: "namespaced", uri: URI(cluster, "shop", "configmaps", testenv.ConfigMapName),
			want: []string{"kind: ConfigMap", "name: " + testenv.ConfigMapName, "namespace: shop", "data, not instructions"}, unwanted: []string{"managedFields"}},
		{name: "short name and group", uri: URI(cluster, "shop", "deploy", testenv.DeploymentFrontend),
			want: []string{"kind: Deployment", "apiVersion: apps/v1", "replicas: 3"}},
		{name: "custom resource", uri: URI(cluster, "shop", "widgets", testenv.WidgetName), want: []string{"kind: Widget", testenv.WidgetName}},
		{name: "cluster-scoped", uri: URI(cluster, "", "nodes", testenv.NodeName), want: []string{"kind: Node", "name: " + testenv.NodeName}},
		{name: "secret redacted", uri: URI(cluster, "shop", "secrets", testenv.SecretName),
			want: []string{"kind: Secret", "password:"}, unwanted: []string{testenv.PlantedSecret}},
		{name: "unknown object", uri: URI(cluster, "shop", "configmaps", "nope"), isError: true,
			want: []string{`configmaps "nope" not found in namespace "shop"`, `resources_list {"namespace":"shop","resource":"configmaps"}`}},
		{name: "unknown kind", uri: URI(cluster, "shop", "gizmos", "x"), isError: true,
			want: []string{`no resource called "gizmos"`, "api_resources_list"}},
		{name: "unknown cluster", uri: URI("elsewhere", "shop", "configmaps", "x"), isError: true,
			want: []string{`"elsewhere"`, "unknown cluster", cluster, "clusters_list"}},
		{name: "namespace on a cluster-scoped kind", uri: URI(cluster, "shop", "nodes", testenv.NodeName), isError: true,
			want: []string{"nodes are cluster-scoped", URI(cluster, "", "nodes", testenv.NodeName)}},
		{name: "no namespace on a namespaced kind", uri: URI(cluster, "", "pods", "x"), isError: true,
			want: []string{"pods are namespaced", URI(cluster, "NAMESPACE", "pods", "x")}},
		{name: "forbidden as alice", user: "alice", uri: URI(cluster, "shop", "configmaps", testenv.ConfigMapName), isError: true,
			want: []string{"forbidden", `"get" on configmaps in namespace "shop"`, "alice"}},
		{name: "forbidden secret as alice", user: "alice", uri: URI(cluster, "shop", "secrets", testenv.SecretName), isError: true,
			want: []string{"forbidden"}, unwanted: []string{testenv.PlantedSecret}},
	}
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		users := map[string]*client{"admin": r.connect(t, "admin"), "alice": r.connect(t, "alice")}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := users[cmp.Or(tt.user, "admin")]
				res, err := c.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: tt.uri})
				text := readText(t, tt.uri, res, err, tt.isError)
				contains(t, tt.uri, text, tt.want...)
				for _, u := range tt.unwanted {
					if strings.Contains(text, u) {
						t.Errorf("%s shows %q:\n%s", tt.uri, u, text)
					}
				}
			})
		}
	})
}

// readText is the text of a read, or the message of its error (a refusal
// with invalid-params, go-sdk's resource-not-found code).
func readText(t *testing.T, uri string, res *mcp.ReadResourceResult, err error, isError bool) string {
	t.Helper()
	if isError {
		var rpc *jsonrpc.Error
		if !errors.As(err, &rpc) || rpc.Code != jsonrpc.CodeInvalidParams {
			t.Fatalf("%s: %v (%T), want an invalid-params error", uri, err, err)
		}
		return rpc.Message
	}
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != MIMEType || res.Contents[0].URI != uri {
		t.Fatalf("%s: contents %+v", uri, res.Contents)
	}
	return res.Contents[0].Text
}

// label changes a ConfigMap the way a person would: a patched label.
func label(t *testing.T, ns, name, value string) {
	t.Helper()
	patch := []byte(`{"metadata":{"labels":{"touched":"` + value + `"}}}`)
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Patch(context.Background(), name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestSubscribeSeesChangesUntilUnsubscribe(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		c := r.connect(t, "admin")
		ns := env.Namespace(t, "res-changes")
		createConfigMap(t, ns, "watched")
		createConfigMap(t, ns, "other")
		uri := URI(cluster, ns, "cm", "watched")
		if err := c.subscribe(t, uri); err != nil {
			t.Fatal(err)
		}
		if f.version < "2026-07-28" { // again: no second watch (a 2026-07-28 client does not ask twice)
			if err := c.subscribe(t, uri); err != nil {
				t.Fatal(err)
			}
		}
		testenv.Eventually(t, 3*time.Second, "one watcher", func() bool { return r.pool.Stats() == tracker.Stats{Trackers: 1, Watches: 1, Watchers: 1} })

		start := time.Now()
		label(t, ns, "watched", "1")
		c.update(t, uri)
		t.Logf("update arrived %s after the patch", time.Since(start).Round(time.Millisecond))
		label(t, ns, "other", "1") // another object in the same watch
		c.noUpdate(t, 300*time.Millisecond)
		if err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Delete(context.Background(), "watched", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.update(t, uri) // deleted objects notify too

		if err := c.Unsubscribe(t.Context(), &mcp.UnsubscribeParams{URI: uri}); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 3*time.Second, "the watch released", func() bool { return r.pool.Stats() == tracker.Stats{} && r.res.Subscriptions() == 0 })
		createConfigMap(t, ns, "watched")
		c.noUpdate(t, time.Second)
	})
}

// TestSubscribersAsSeveralCallers checks that two callers watching one object
// each watch as themselves and each hear of a change once.
func TestSubscribersAsSeveralCallers(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		admin, bob := r.connect(t, "admin"), r.connect(t, "bob")
		ns := env.Namespace(t, "res-callers")
		createConfigMap(t, ns, "shared")
		grantConfigMaps(t, ns, "bob")
		uri := URI(cluster, ns, "configmaps", "shared")
		for _, c := range []*client{admin, bob} {
			if err := c.subscribe(t, uri); err != nil {
				t.Fatal(err)
			}
		}
		testenv.Eventually(t, 3*time.Second, "a tracker per caller", func() bool { return r.pool.Stats() == tracker.Stats{Trackers: 2, Watches: 2, Watchers: 2} })
		label(t, ns, "shared", "1")
		for _, c := range []*client{admin, bob} {
			c.update(t, uri)
			c.noUpdate(t, 300*time.Millisecond) // once, though two watches saw it
		}
	})
}

func TestSubscribeForbidden(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		c := r.connect(t, "alice")
		err := c.subscribe(t, URI(cluster, "shop", "configmaps", testenv.ConfigMapName))
		if f.version >= "2026-07-28" {
			if !errors.Is(err, errNoAck) {
				t.Fatalf("alice's listen: %v, want no acknowledgement", err)
			}
		} else {
			var rpc *jsonrpc.Error
			if !errors.As(err, &rpc) || rpc.Code != jsonrpc.CodeInvalidParams || !strings.Contains(rpc.Message, "forbidden") {
				t.Fatalf("alice's subscribe: %v, want forbidden", err)
			}
			t.Log(rpc.Message)
		}
		if s := r.pool.Stats(); s != (tracker.Stats{}) || r.res.Subscriptions() != 0 {
			t.Fatalf("a refused subscription holds %+v, %d subscriptions", s, r.res.Subscriptions())
		}
	})
}

func TestSubscriptionsBoundedPerSession(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		if f.stateless() {
			t.Skip("a stateless client's every Subscribe is a session of its own: the pool's bounds hold it")
		}
		r := newRig(t, f, Options{MaxPerSession: 2})
		c := r.connect(t, "admin")
		for _, name := range testenv.FrontendPods()[:2] {
			if err := c.subscribe(t, URI(cluster, "shop", "pods", name)); err != nil {
				t.Fatal(err)
			}
		}
		third := URI(cluster, "shop", "pods", testenv.FrontendPods()[2])
		err := c.subscribe(t, third)
		if f.version >= "2026-07-28" {
			if !errors.Is(err, errNoAck) {
				t.Fatalf("a third listen: %v, want it refused", err)
			}
		} else if err == nil || !strings.Contains(err.Error(), "this session holds 2 subscriptions, its limit; unsubscribe from one first") {
			t.Fatalf("a third subscription: %v", err)
		}
		if n := r.res.Subscriptions(); n != 2 {
			t.Fatalf("%d subscriptions, want 2", n)
		}
		other := r.connect(t, "admin") // the bound is the session's
		if err := other.subscribe(t, third); err != nil {
			t.Fatalf("another session: %v", err)
		}
	})
}

func TestSessionEndReleasesWatches(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		c := r.connect(t, "admin")
		if err := c.subscribe(t, URI(cluster, "shop", "deploy", testenv.DeploymentFrontend)); err != nil {
			t.Fatal(err)
		}
		if err := c.subscribe(t, URI(cluster, "", "namespaces", "shop")); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 3*time.Second, "two watches", func() bool { return r.pool.Stats() == tracker.Stats{Trackers: 1, Watches: 2, Watchers: 2} })
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 3*time.Second, "the watches released", func() bool { return r.pool.Stats() == tracker.Stats{} && r.res.Subscriptions() == 0 })
	})
}

// TestForbiddenWithTheUsersKubeconfig serves alice with her own kubeconfig,
// the server's credential being hers: RBAC refuses her beneath kubemcp.
func TestForbiddenWithTheUsersKubeconfig(t *testing.T) {
	cs, pool := serveKubeconfig(t, env.Users["alice"].Kubeconfig, "2025-11-25")
	uri := URI(cluster, "shop", "configmaps", testenv.ConfigMapName)
	_, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
	if err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("read as alice: %v", err)
	}
	if err := cs.Subscribe(t.Context(), &mcp.SubscribeParams{URI: uri}); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("subscribe as alice: %v", err)
	}
	if pool.Stats() != (tracker.Stats{}) {
		t.Fatalf("pool holds %+v", pool.Stats())
	}
}

// TestSubscribeNeedsWatch checks that a caller who may read an object but
// not list and watch its kind can read it and not subscribe to it.
func TestSubscribeNeedsWatch(t *testing.T) {
	eachFlavour(t, func(t *testing.T, f flavour) {
		r := newRig(t, f, Options{})
		c := r.connect(t, "carol")
		ns := env.Namespace(t, "res-getonly")
		createConfigMap(t, ns, "readable")
		rule := rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}
		if err := env.Grant(t.Context(), ns, "get-configmaps", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}, rule); err != nil {
			t.Fatal(err)
		}
		uri := URI(cluster, ns, "configmaps", "readable")
		if _, err := c.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri}); err != nil {
			t.Fatalf("carol may get it: %v", err)
		}
		err := c.subscribe(t, uri)
		switch {
		case f.version >= "2026-07-28":
			if !errors.Is(err, errNoAck) {
				t.Fatalf("carol's listen: %v, want it refused", err)
			}
		case err == nil || !strings.Contains(err.Error(), `RBAC does not allow "watch" on configmaps`) || !strings.Contains(err.Error(), "cannot list"):
			t.Fatalf("carol's subscribe: %v", err)
		}
		testenv.Eventually(t, 3*time.Second, "nothing held", func() bool { return r.pool.Stats() == tracker.Stats{} && r.res.Subscriptions() == 0 })
	})
}
