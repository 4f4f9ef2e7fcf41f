package core

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestResourcesList(t *testing.T) {
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name   string
		args   map[string]any
		want   []string
		unwant []string
		rows   int // -1: any (other tests add objects in their own namespaces)
	}{
		{"pods in a namespace", map[string]any{"resource": "po", "namespace": "payments"},
			[]string{"NAME", "READY", "STATUS", "RESTARTS", "AGE", testenv.PodCrashLoop, "CrashLoopBackOff"}, []string{"NAMESPACE", "IP"}, 2},
		{"pods wide", map[string]any{"resource": "pods", "namespace": "payments", "wide": true},
			[]string{"IP", "NODE", "10.244.0."}, nil, 2},
		{"all namespaces prepend NAMESPACE", map[string]any{"resource": "deployments.apps"},
			[]string{"NAMESPACE", "UP-TO-DATE", "AVAILABLE", "shop", "frontend", "payments", "api"}, nil, -1},
		{"api_version and kind", map[string]any{"api_version": "apps/v1", "kind": "StatefulSet", "namespace": "monitoring"},
			[]string{"prometheus", "0/1"}, nil, 1},
		{"CRD through its printer columns", map[string]any{"resource": "widgets", "namespace": "shop"},
			[]string{"NAME", "SIZE", "AGE", testenv.WidgetName}, nil, 1},
		{"CRD by short name", map[string]any{"resource": "wdg"}, []string{"NAMESPACE", testenv.WidgetName}, nil, -1},
		{"cluster-scoped ignores namespace", map[string]any{"resource": "nodes", "namespace": "shop"},
			[]string{testenv.NodeName, "Ready"}, []string{"NAMESPACE"}, 1},
		{"label selector", map[string]any{"resource": "pods", "label_selector": "app=cart"},
			[]string{testenv.CartPods()[0], testenv.CartPods()[1]}, []string{"frontend"}, 2},
		{"field selector", map[string]any{"resource": "pods", "namespace": "monitoring", "field_selector": "status.phase=Pending"},
			[]string{testenv.PodUnschedulable}, []string{"log-aggregator"}, 1},
		{"none found", map[string]any{"resource": "pods", "namespace": "shop", "label_selector": "app=nothing"},
			[]string{`No pods found in namespace "shop" matching "app=nothing"`}, nil, 0},
		{"secrets show no values", map[string]any{"resource": "secrets", "namespace": "shop"},
			[]string{testenv.SecretName, "Opaque", "DATA"}, nil, -1},
		{"yaml objects", map[string]any{"resource": "secrets", "namespace": "shop", "output": "yaml"},
			[]string{"kind: List", "name: " + testenv.SecretName, "password: '<redacted:"}, []string{"managedFields"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out ListOut
			text := s.OK(t, "resources_list", tt.args, &out)
			toolsettest.Want(t, text, tt.want...)
			toolsettest.WantNone(t, text, tt.unwant...)
			if tt.rows >= 0 && (len(out.Rows) != tt.rows || out.Count != tt.rows) {
				t.Errorf("%d rows (count %d), want %d: %s", len(out.Rows), out.Count, tt.rows, text)
			}
			if out.Columns == nil || out.Rows == nil {
				t.Errorf("null slices in structuredContent: %+v", out)
			}
		})
	}
}

func TestResourcesListStructured(t *testing.T) {
	var out ListOut
	toolsettest.Serve(t, New).OK(t, "resources_list", map[string]any{"resource": "pods", "namespace": "payments"}, &out)
	if out.Kind != "Pod" || out.APIVersion != "v1" || out.Namespace != "payments" || !slices.Contains(out.Columns, "Status") {
		t.Fatalf("header: %+v", out)
	}
	i := slices.IndexFunc(out.Rows, func(r Row) bool { return r.Name == testenv.PodCrashLoop })
	if i < 0 || out.Rows[i].Namespace != "payments" || out.Rows[i].Cells["Status"] != "CrashLoopBackOff" || out.Rows[i].Cells["Restarts"] == "" {
		t.Fatalf("rows: %+v", out.Rows)
	}
}

// TestResourcesListPagination follows continue tokens from page to page, as
// the answer says to, until the last page: every seeded pod is seen once.
func TestResourcesListPagination(t *testing.T) {
	s := toolsettest.Serve(t, New)
	args := map[string]any{"resource": "pods", "limit": 2}
	seen := map[string]int{}
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatal("no last page after 20 pages")
		}
		var out ListOut
		text := s.OK(t, "resources_list", args, &out)
		if len(out.Rows) > 2 {
			t.Fatalf("page %d has %d rows", page, len(out.Rows))
		}
		for _, r := range out.Rows {
			seen[r.Namespace+"/"+r.Name]++
		}
		if out.Continue == "" {
			toolsettest.WantNone(t, text, "next page")
			break
		}
		args = nextCallArgs(t, text)
		if args["continue"] != out.Continue || args["limit"] != float64(2) {
			t.Fatalf("the note's call %v does not carry the token %q and limit", args, out.Continue)
		}
	}
	want := slices.Concat(testenv.FrontendPods(), testenv.CartPods(),
		[]string{testenv.PodCrashLoop, testenv.PodImagePull, testenv.PodUnschedulable, testenv.PodOOMKilled})
	for _, name := range want {
		n := 0
		for k, v := range seen {
			if strings.HasSuffix(k, "/"+name) {
				n += v
			}
		}
		if n != 1 {
			t.Errorf("pod %s seen %d times over the pages: %v", name, n, seen)
		}
	}
}

// nextCallArgs reads the arguments of the resources_list call that a page's
// note offers.
func nextCallArgs(t *testing.T, text string) map[string]any {
	t.Helper()
	const marker = "call resources_list "
	i := strings.LastIndex(text, marker)
	if i < 0 {
		t.Fatalf("no next-page call in:\n%s", text)
	}
	rest := strings.TrimSuffix(strings.TrimSpace(text[i+len(marker):]), "]")
	var args map[string]any
	if err := json.Unmarshal([]byte(rest), &args); err != nil {
		t.Fatalf("next-page call %q: %v", rest, err)
	}
	return args
}

func TestResourcesListBudgetCut(t *testing.T) {
	var out ListOut
	text := toolsettest.Serve(t, New).OK(t, "resources_list", map[string]any{"resource": "pods", "max_bytes": 600, "wide": true}, &out)
	toolsettest.Want(t, text, "rows not shown", `"limit":`, "skips the rows not shown")
	if len(out.Rows) != 9 {
		t.Errorf("structuredContent has %d rows, want all 9", len(out.Rows))
	}
}

func TestResourcesListErrors(t *testing.T) {
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unknown kind", map[string]any{"resource": "podz"}, []string{`no resource called "podz"`, "pods"}},
		{"no kind", map[string]any{}, []string{"name a resource"}},
		{"bad selector", map[string]any{"resource": "pods", "label_selector": "app in (x"}, []string{"invalid"}},
		{"bad limit", map[string]any{"resource": "pods", "limit": 5000}, []string{"limit 5000"}},
		{"bad output", map[string]any{"resource": "pods", "output": "wide"}, []string{"want table, yaml or json"}},
		{"bad continue", map[string]any{"resource": "pods", "continue": "garbage"}, []string{"continue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { toolsettest.Want(t, s.Fails(t, "resources_list", tt.args), tt.want...) })
	}
	t.Run("forbidden", func(t *testing.T) {
		alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
		toolsettest.Want(t, alice.Fails(t, "resources_list", map[string]any{"resource": "pods", "namespace": "shop"}),
			"forbidden", `"list"`, "pods", `namespace "shop"`)
	})
}

func TestResourcesListFencesClusterText(t *testing.T) {
	s := toolsettest.Serve(t, New)
	toolsettest.Want(t, s.OK(t, "resources_list", map[string]any{"resource": "events", "namespace": "payments"}, nil),
		`<untrusted-data source="events in namespace payments">`, "Back-off restarting")
	toolsettest.Want(t, s.OK(t, "resources_list", map[string]any{"resource": "cm", "namespace": "shop", "output": "yaml"}, nil),
		`<untrusted-data source="configmaps shop">`, "FEATURE_FLAGS")
	toolsettest.WantNone(t, s.OK(t, "resources_list", map[string]any{"resource": "pods", "namespace": "shop"}, nil), "untrusted-data")
}
