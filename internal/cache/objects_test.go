package cache_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tools/core"
)

// duration is an age or a time since, as pods_get and tables write them.
var duration = regexp.MustCompile(`\b(\d+[smhd])+\b`)

// continueToken is an apiserver's continue token: base64 of a JSON object
// whose rv is the revision the list was read at.
var continueToken = regexp.MustCompile(`eyJ[A-Za-z0-9+/_=-]+`)

// sameSnapshot is s with the revision in its continue tokens taken out:
// two lists made a moment apart are read at different revisions whenever
// anything in the cluster was written between them (the apiserver renews
// its lease every few seconds), and the token says so while the pages do
// not differ.
func sameSnapshot(s string) string {
	return continueToken.ReplaceAllStringFunc(s, func(tok string) string {
		raw, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			if raw, err = base64.RawURLEncoding.DecodeString(tok); err != nil {
				return tok
			}
		}
		var fields map[string]any
		if json.Unmarshal(raw, &fields) != nil {
			return tok
		}
		delete(fields, "rv")
		b, _ := json.Marshal(fields)
		return string(b)
	})
}

// goldenCallers are who the golden comparisons run as: the server itself,
// and in impersonation and passthrough an admin (the cache asks the cluster
// and is allowed everything) and carol (every kind but Secrets: some reads
// are refused, in the apiserver's words, alike).
var goldenCallers = []struct {
	mode clusters.Credentials
	user string
}{
	{clusters.Server, ""},
	{clusters.Impersonate, "admin"}, {clusters.Passthrough, "admin"},
	{clusters.Impersonate, "carol"}, {clusters.Passthrough, "carol"},
}

// TestObjectsGolden: over the seeded world, resources_list (whole objects),
// resources_get, pods_get, namespaces_list and events_list answer from the cache exactly as from the
// apiserver, text and structured content, for kinds namespaced and
// cluster-scoped, a custom resource among them, with label and field
// selectors and pages, for each of goldenCallers; and the cache did answer
// every list the caller may make that needs no continue token (Secrets
// excepted: never cached).
func TestObjectsGolden(t *testing.T) {
	grantCarol(t)
	for _, who := range goldenCallers {
		t.Run(fmt.Sprintf("%s/%s", who.mode, who.user), func(t *testing.T) { objectsGolden(t, who.mode, who.user) })
	}
}

func objectsGolden(t *testing.T, mode clusters.Credentials, user string) {
	s := cache.NewStack(t, mode, policy.Config{}, nil)
	same := sameAs(t, serve(t, s, false, user), serve(t, s, true, user))
	shop, payments := testenv.NamespaceShop, testenv.NamespacePayments
	for _, k := range []struct {
		resource, ns string
		selectors    []map[string]any
	}{
		{"pods", "", []map[string]any{{"label_selector": "app=frontend"}, {"field_selector": "status.phase=Running,spec.nodeName=" + cache.Env.NodeName}}},
		{"pods", payments, []map[string]any{{"field_selector": "metadata.name=" + testenv.PodCrashLoop}, {"label_selector": "!app"}}},
		{"deployments.apps", "", []map[string]any{{"label_selector": "app in (frontend,cart)"}, {"field_selector": "metadata.namespace=" + shop}}},
		{"replicasets.apps", shop, nil},
		{"services", "", []map[string]any{{"field_selector": "metadata.name!=kubernetes"}}},
		{"endpointslices", shop, nil},
		{"configmaps", shop, nil},
		{"events", payments, []map[string]any{{"field_selector": "type=Warning"}, {"field_selector": "involvedObject.kind=Pod,involvedObject.name=" + testenv.PodCrashLoop}}},
		{"widgets", "", []map[string]any{{"field_selector": "metadata.name=" + testenv.WidgetName}}},
		{"namespaces", "", []map[string]any{{"field_selector": "metadata.name=" + shop}, {"label_selector": "nothing=here"}}},
		{"nodes", "", nil},
		{"secrets", shop, nil},
	} {
		for _, sel := range append([]map[string]any{{}, {"limit": 1000}}, k.selectors...) {
			args := map[string]any{"resource": k.resource, "namespace": k.ns, "output": "json"}
			for name, v := range sel {
				args[name] = v
			}
			var out core.ListOut
			isError, structured := same("resources_list", args)
			if err := json.Unmarshal([]byte(structured), &out); err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Rows {
				same("resources_get", map[string]any{"resource": k.resource, "namespace": o.Namespace, "name": o.Name})
				if k.resource == "pods" {
					same("pods_get", map[string]any{"namespace": o.Namespace, "name": o.Name, "output": "yaml"})
				}
			}
			servedFromCache(t, s, user, k.resource, k.ns, sel, !isError)
		}
		pages(t, same, "resources_list", map[string]any{"resource": k.resource, "namespace": k.ns, "output": "json", "limit": 1})
	}
	same("resources_get", map[string]any{"resource": "pods", "namespace": shop, "name": "no-such-pod"})
	same("pods_get", map[string]any{"namespace": shop, "name": "no-such-pod"})
	same("namespaces_list", map[string]any{})
	same("namespaces_list", map[string]any{"max_bytes": 200})
	for _, args := range []map[string]any{{}, {"namespace": payments}, {"warnings_only": true}, {"limit": 3},
		{"namespace": payments, "kind": "pod", "name": testenv.PodCrashLoop}, {"kind": "deployments", "warnings_only": true}} {
		same("events_list", args)
	}
}

// sameFunc calls a tool on both sessions, fails unless the answers are the
// same, and returns whether the direct one was an error and its structured
// content.
type sameFunc func(tool string, args map[string]any) (isError bool, structured string)

// sameAs compares the cached session's answers with the direct one's.
func sameAs(t *testing.T, direct, cached *mcp.ClientSession) sameFunc {
	return func(tool string, args map[string]any) (bool, string) {
		t.Helper()
		want, got := callResult(t, direct, tool, args), callResult(t, cached, tool, args)
		// The two calls may fall either side of a second: durations may
		// differ; and of a write: revisions may.
		norm := func(s string) string { return sameSnapshot(duration.ReplaceAllString(s, "D")) }
		if got.isError != want.isError || norm(got.text) != norm(want.text) || norm(got.structured) != norm(want.structured) {
			t.Errorf("%s %v:\ncached:\n%+v\ndirect:\n%+v", tool, args, got, want)
		}
		return want.isError, want.structured
	}
}

// pages follows the continue tokens of tool's answers to args to the last
// page, comparing each.
func pages(t *testing.T, same sameFunc, tool string, args map[string]any) {
	t.Helper()
	for range 50 {
		var out struct {
			Continue string `json:"continue"`
		}
		_, structured := same(tool, args)
		if err := json.Unmarshal([]byte(structured), &out); err != nil {
			t.Fatal(err)
		}
		if out.Continue == "" {
			return
		}
		args["continue"] = out.Continue
	}
	t.Errorf("%s %v: more than 50 pages", tool, args)
}

// servedFromCache fails unless the cache answers user's list itself, if
// allowed (RBAC allows it), else leaves it to the apiserver.
func servedFromCache(t *testing.T, s cache.Stack, user, resource, ns string, sel map[string]any, allowed bool) {
	t.Helper()
	ctx := t.Context()
	if user != "" {
		ctx = cache.As(ctx, user)
	}
	_, res := resolve(ctx, t, s, resource)
	q := cache.Query{Resource: res, Namespace: ns, Limit: 100}
	if limit, ok := sel["limit"].(int); ok {
		q.Limit = int64(limit)
	}
	q.LabelSelector, _ = sel["label_selector"].(string)
	q.FieldSelector, _ = sel["field_selector"].(string)
	_, err := s.Cache.List(ctx, "", q)
	if resource == "secrets" || !allowed {
		if !errors.Is(err, cache.ErrDirect) {
			t.Errorf("%s in %q as %q: %v, want ErrDirect", resource, ns, user, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s in %q %v: %v, want a cached answer", resource, ns, sel, err)
	}
}
