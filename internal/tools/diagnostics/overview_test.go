package diagnostics

import (
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestNamespaceOverview summarizes the seeded namespaces: counts by kind
// and status, issues, recent warnings. Top consumers are TestMetrics's.
func TestNamespaceOverview(t *testing.T) {
	cs := toolsettest.Serve(t, New)
	var out OverviewOut
	text := cs.OK(t, "namespace_overview", map[string]any{"namespace": "payments"}, &out)
	toolsettest.Want(t, text, `Namespace "payments": pods 2 (CrashLoopBackOff 1, ImagePullBackOff 1); deployments 2 (unavailable 2);`,
		"Issues: 4 (4 critical, 0 warning, 0 info); the most urgent first, find_issues {\"namespace\":\"payments\"} for all.",
		"pod/"+testenv.PodCrashLoop, "CrashLoopBackOff", `pods_logs {"namespace":"payments","name":"`+testenv.PodCrashLoop+`","previous":true}`,
		// The apiserver's own IP repair may add a warning about a seeded Service.
		"Recent warnings: ", ` events, newest first; events_list {"namespace":"payments","warnings_only":true} for all.`,
		`<untrusted-data source="warning events in namespace payments">`, "BackOff", "Pod/"+testenv.PodCrashLoop, "Top consumers")
	if out.Namespace != "payments" || out.IssuesFound != 4 || len(out.Issues) != 4 || len(out.Warnings) < 3 {
		t.Errorf("namespace %q, %d issues found, %d shown, %d warnings", out.Namespace, out.IssuesFound, len(out.Issues), len(out.Warnings))
	}
	// The warnings' messages are inside the fence, kubemcp's words outside.
	fence := text[strings.Index(text, `<untrusted-data source="warning events`):]
	toolsettest.Want(t, fence[:strings.Index(fence, "</untrusted-data>")], "Back-off restarting failed container", "Failed to pull image")

	text = cs.OK(t, "namespace_overview", map[string]any{"namespace": "shop"}, &out)
	toolsettest.Want(t, text, "pods 5 (Running 5)", "deployments 2 (available 2)", "services 2 (ClusterIP 2)", "configmaps 1", "secrets 1",
		"Issues: none found.")
	if len(out.Issues) != 0 || out.Counts[0].Kind != "pods" || out.Counts[0].ByStatus["Running"] != 5 {
		t.Errorf("shop: %+v", out)
	}
}

func TestNamespaceOverviewDefaultsAndRefusals(t *testing.T) {
	cs := toolsettest.Serve(t, New)
	var out OverviewOut
	cs.OK(t, "namespace_overview", map[string]any{}, &out)
	if out.Namespace != "default" {
		t.Errorf("no namespace gives %q, want the context's (default)", out.Namespace)
	}
	ns := toolsettest.Namespace(t, "")
	alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	alice.Call(t, "namespace_overview", map[string]any{"namespace": ns}).Expect(t, true, "forbidden", `namespace "`+ns+`"`)
	grant(t, ns, "alice", rbacRule("", "pods", "list"), rbacRule("", "secrets", "list"))
	r := alice.Call(t, "namespace_overview", map[string]any{"namespace": ns})
	r.Expect(t, false, "pods 0 (kinds with none are left out)", "Not checked, so not known to be healthy: configmaps (forbidden by RBAC), cronjobs (forbidden by RBAC)")
	r.Lacks(t, "secrets (forbidden")
	r.Decode(t, &out)
	if k := out.Counts[len(out.Counts)-1]; k.Kind != "secrets" || k.Total != 0 {
		t.Errorf("secrets counted %+v", k)
	}
}
