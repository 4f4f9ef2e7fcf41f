package cache_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"testing"

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

// TestObjectsGolden: over the seeded world, resources_list (whole objects),
// resources_get and pods_get answer from the cache exactly as from the
// apiserver, text and structured content, for kinds namespaced and
// cluster-scoped, a custom resource among them, with label and field
// selectors and pages; and the cache did answer every list that needs no
// continue token (Secrets excepted: never cached).
func TestObjectsGolden(t *testing.T) {
	s := cache.NewStack(t, clusters.Server, policy.Config{}, nil)
	direct, cached := serve(t, s, false, ""), serve(t, s, true, "")
	same := func(tool string, args map[string]any) string {
		t.Helper()
		wantText, wantJSON := callTool(t, direct, tool, args)
		gotText, gotJSON := callTool(t, cached, tool, args)
		// The two calls may fall either side of a second: durations may
		// differ; and of a write: revisions may.
		wantText, gotText = duration.ReplaceAllString(wantText, "D"), duration.ReplaceAllString(gotText, "D")
		if sameSnapshot(gotText) != sameSnapshot(wantText) || sameSnapshot(gotJSON) != sameSnapshot(wantJSON) {
			t.Errorf("%s %v:\ncached:\n%s%s\ndirect:\n%s%s", tool, args, gotText, gotJSON, wantText, wantJSON)
		}
		return wantJSON
	}
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
		{"events", payments, nil},
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
			if err := json.Unmarshal([]byte(same("resources_list", args)), &out); err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Rows {
				same("resources_get", map[string]any{"resource": k.resource, "namespace": o.Namespace, "name": o.Name})
				if k.resource == "pods" {
					same("pods_get", map[string]any{"namespace": o.Namespace, "name": o.Name, "output": "yaml"})
				}
			}
			servedFromCache(t, s, k.resource, k.ns, sel)
		}
		pages(t, same, map[string]any{"resource": k.resource, "namespace": k.ns, "output": "json", "limit": 1})
	}
	same("resources_get", map[string]any{"resource": "pods", "namespace": shop, "name": "no-such-pod"})
	same("pods_get", map[string]any{"namespace": shop, "name": "no-such-pod"})
}

// pages follows args's continue tokens to the last page, comparing each.
func pages(t *testing.T, same func(string, map[string]any) string, args map[string]any) {
	t.Helper()
	for range 50 {
		var out core.ListOut
		if err := json.Unmarshal([]byte(same("resources_list", args)), &out); err != nil {
			t.Fatal(err)
		}
		if out.Continue == "" {
			return
		}
		args["continue"] = out.Continue
	}
	t.Errorf("%v: more than 50 pages", args)
}

// servedFromCache fails unless the cache answers the list itself.
func servedFromCache(t *testing.T, s cache.Stack, resource, ns string, sel map[string]any) {
	t.Helper()
	_, res := resolve(t.Context(), t, s, resource)
	q := cache.Query{Resource: res, Namespace: ns, Limit: 100}
	q.LabelSelector, _ = sel["label_selector"].(string)
	q.FieldSelector, _ = sel["field_selector"].(string)
	_, err := s.Cache.List(t.Context(), "", q)
	if resource == "secrets" {
		if !errors.Is(err, cache.ErrDirect) {
			t.Errorf("secrets: %v, want ErrDirect", err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s in %q %v: %v, want a cached answer", resource, ns, sel, err)
	}
}
