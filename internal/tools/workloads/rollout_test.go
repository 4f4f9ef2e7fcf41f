package workloads

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestRestart(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.27"))
	daemonSet(t, ns, "agent", "fluent-bit:3")
	cs := toolsettest.Serve(t, New)
	before := getDeployment(t, ns, "web").Generation

	r := cs.Call(t, "rollout", map[string]any{"action": "restart", "kind": "deployment", "namespace": ns, "name": "web"})
	r.Expect(t, false, "deployment "+ns+"/web restarted", restartedAtAnnotation)
	var out RolloutOut
	r.Decode(t, &out)
	if out.Action != "restart" || !out.Changed {
		t.Errorf("structured: %s", r.Structured)
	}
	d := getDeployment(t, ns, "web")
	got := d.Spec.Template.Annotations[restartedAtAnnotation]
	if got == "" || got != out.RestartedAt {
		t.Fatalf("template annotation %q, answer %q", got, out.RestartedAt)
	}
	if at, err := time.Parse(time.RFC3339, got); err != nil || time.Since(at) > time.Minute {
		t.Errorf("restartedAt %q is not a recent RFC 3339 time (%v)", got, err)
	}
	if d.Generation != before+1 || out.Generation != d.Generation {
		t.Errorf("generation %d -> %d, answer %d", before, d.Generation, out.Generation)
	}

	cs.Call(t, "rollout", map[string]any{"action": "restart", "kind": "ds", "namespace": ns, "name": "agent"}).Expect(t, false, "daemonset "+ns+"/agent restarted")

	cs.Call(t, "rollout", map[string]any{"action": "pause", "kind": "deployment", "namespace": ns, "name": "web"}).Expect(t, false)
	cs.Call(t, "rollout", map[string]any{"action": "restart", "kind": "deployment", "namespace": ns, "name": "web"}).
		Expect(t, true, "is paused", `rollout {"action":"resume"`)
}

// TestRolloutArguments: an action the tool does not know, or to_revision
// with any action but undo, is refused with what to send instead.
func TestRolloutArguments(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.26", "nginx:1.27"))
	cs := toolsettest.Serve(t, New)
	cs.Call(t, "rollout", map[string]any{"action": "rollback", "kind": "deployment", "namespace": ns, "name": "web"}).
		Expect(t, true, `action "rollback": want restart, undo, pause or resume`)
	cs.Call(t, "rollout", map[string]any{"action": "restart", "kind": "deployment", "namespace": ns, "name": "web", "to_revision": 1}).
		Expect(t, true, "to_revision is for action undo")
	cs.Call(t, "rollout", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}).Expect(t, true, "action")
	if img := getDeployment(t, ns, "web").Spec.Template.Spec.Containers[0].Image; img != "nginx:1.27" {
		t.Errorf("a refused call changed the image to %s", img)
	}
}

func TestPauseResume(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.27"))
	statefulSet(t, ns, "db", revs("postgres:17"))
	cs := toolsettest.Serve(t, New)
	steps := []struct {
		action  string
		want    string
		paused  bool
		changed bool
	}{
		{"pause", "deployment " + ns + "/web paused (spec.paused=true)", true, true},
		{"pause", "already paused; nothing changed", true, false},
		{"resume", "deployment " + ns + "/web resumed (spec.paused=false)", false, true},
		{"resume", "already not paused; nothing changed", false, false},
	}
	for _, s := range steps {
		r := cs.Call(t, "rollout", map[string]any{"action": s.action, "kind": "deployment", "namespace": ns, "name": "web"})
		r.Expect(t, false, s.want)
		var out RolloutOut
		r.Decode(t, &out)
		if out.Action != s.action || out.Paused != s.paused || out.Changed != s.changed {
			t.Errorf("%s: structured %+v", s.action, out)
		}
		if got := getDeployment(t, ns, "web").Spec.Paused; got != s.paused {
			t.Errorf("%s: spec.paused = %v", s.action, got)
		}
	}
	cs.Call(t, "rollout", map[string]any{"action": "pause", "kind": "sts", "namespace": ns, "name": "db"}).
		Expect(t, true, "only Deployments can be paused", "partition")
}

// TestReadOnlyRefusesWrites runs every write tool with read-only policy
// beneath the clients: each is refused with a sentence naming read-only mode,
// and the workload is left as it was.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.26", "nginx:1.27"))
	cs := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, New)
	target := map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{k: v}
		for k, v := range target {
			m[k] = v
		}
		return m
	}
	before := getDeployment(t, ns, "web")
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"workloads_scale", with("replicas", 7)},
		{"rollout", with("action", "restart")},
		{"rollout", with("action", "undo")},
		{"rollout", with("action", "pause")},
	} {
		t.Run(fmt.Sprint(c.tool, c.args["action"]), func(t *testing.T) {
			cs.Call(t, c.tool, c.args).Expect(t, true, "read-only")
		})
	}
	after := getDeployment(t, ns, "web")
	if after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the deployment changed in read-only mode: %v -> %v", before.Spec, after.Spec)
	}
	// resume on a paused deployment, paused by the admin.
	toolsettest.Serve(t, New).Call(t, "rollout", with("action", "pause")).Expect(t, false)
	cs.Call(t, "rollout", with("action", "resume")).Expect(t, true, "read-only")
	if !getDeployment(t, ns, "web").Spec.Paused {
		t.Error("resume unpaused the deployment in read-only mode")
	}
	// Reads still work.
	cs.Call(t, "rollout_status", target).Expect(t, false, "rollout")
	cs.Call(t, "rollout_history", target).Expect(t, false, "2 revisions")
}

// TestForbidden runs the tools as alice, who has no RBAC grants.
func TestForbidden(t *testing.T) {
	cs := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	target := map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend}
	cs.Call(t, "rollout_status", target).Expect(t, true, "forbidden", `"get"`, "deployments", `namespace "shop"`, "alice")
	cs.Call(t, "workloads_scale", map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend, "replicas": 9}).
		Expect(t, true, "forbidden", "deployments/scale")
}

func TestToolAnnotations(t *testing.T) {
	toolsettest.Serve(t, New).WantAnnotations(t, map[string]toolsettest.Hints{ // readOnly, destructive, idempotent
		"workloads_scale": {false, true, true}, "rollout_status": {true, false, true}, "rollout_history": {true, false, true},
		"rollout": {false, true, false},
	})
}
