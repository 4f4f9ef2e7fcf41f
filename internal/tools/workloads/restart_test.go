package workloads

import (
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

	r := cs.Call(t, "rollout_restart", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"})
	r.Expect(t, false, "deployment "+ns+"/web restarted", restartedAtAnnotation)
	var out RestartOut
	r.Decode(t, &out)
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

	cs.Call(t, "rollout_restart", map[string]any{"kind": "ds", "namespace": ns, "name": "agent"}).Expect(t, false, "daemonset "+ns+"/agent restarted")

	cs.Call(t, "rollout_pause", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}).Expect(t, false)
	cs.Call(t, "rollout_restart", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}).Expect(t, true, "is paused", "rollout_resume")
}

func TestPauseResume(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.27"))
	statefulSet(t, ns, "db", revs("postgres:17"))
	cs := toolsettest.Serve(t, New)
	args := map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}
	steps := []struct {
		tool    string
		want    string
		paused  bool
		changed bool
	}{
		{"rollout_pause", "deployment " + ns + "/web paused (spec.paused=true)", true, true},
		{"rollout_pause", "already paused; nothing changed", true, false},
		{"rollout_resume", "deployment " + ns + "/web resumed (spec.paused=false)", false, true},
		{"rollout_resume", "already not paused; nothing changed", false, false},
	}
	for _, s := range steps {
		r := cs.Call(t, s.tool, args)
		r.Expect(t, false, s.want)
		var out PauseOut
		r.Decode(t, &out)
		if out.Paused != s.paused || out.Changed != s.changed {
			t.Errorf("%s: structured %+v", s.tool, out)
		}
		if got := getDeployment(t, ns, "web").Spec.Paused; got != s.paused {
			t.Errorf("%s: spec.paused = %v", s.tool, got)
		}
	}
	cs.Call(t, "rollout_pause", map[string]any{"kind": "sts", "namespace": ns, "name": "db"}).
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
		{"rollout_restart", target},
		{"rollout_undo", target},
		{"rollout_pause", target},
	} {
		t.Run(c.tool, func(t *testing.T) {
			cs.Call(t, c.tool, c.args).Expect(t, true, "read-only")
		})
	}
	after := getDeployment(t, ns, "web")
	if after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the deployment changed in read-only mode: %v -> %v", before.Spec, after.Spec)
	}
	// rollout_resume on a paused deployment, paused by the admin.
	toolsettest.Serve(t, New).Call(t, "rollout_pause", target).Expect(t, false)
	cs.Call(t, "rollout_resume", target).Expect(t, true, "read-only")
	if !getDeployment(t, ns, "web").Spec.Paused {
		t.Error("rollout_resume unpaused the deployment in read-only mode")
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
		"rollout_restart": {false, true, false}, "rollout_undo": {false, true, false},
		"rollout_pause": {false, true, true}, "rollout_resume": {false, true, true},
	})
}
