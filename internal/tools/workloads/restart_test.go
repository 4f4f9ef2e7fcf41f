package workloads

import (
	"context"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

func TestRestart(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", revs("nginx:1.27"))
	daemonSet(t, ns, "agent", "fluent-bit:3")
	cs := admin(t)
	before := getDeployment(t, ns, "web").Generation

	r := call(t, cs, "rollout_restart", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"})
	r.expect(t, false, "deployment "+ns+"/web restarted", restartedAtAnnotation)
	var out RestartOut
	r.decode(t, &out)
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

	call(t, cs, "rollout_restart", map[string]any{"kind": "ds", "namespace": ns, "name": "agent"}).expect(t, false, "daemonset "+ns+"/agent restarted")

	call(t, cs, "rollout_pause", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}).expect(t, false)
	call(t, cs, "rollout_restart", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"}).expect(t, true, "is paused", "rollout_resume")
}

func TestPauseResume(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", revs("nginx:1.27"))
	statefulSet(t, ns, "db", revs("postgres:17"))
	cs := admin(t)
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
		r := call(t, cs, s.tool, args)
		r.expect(t, false, s.want)
		var out PauseOut
		r.decode(t, &out)
		if out.Paused != s.paused || out.Changed != s.changed {
			t.Errorf("%s: structured %+v", s.tool, out)
		}
		if got := getDeployment(t, ns, "web").Spec.Paused; got != s.paused {
			t.Errorf("%s: spec.paused = %v", s.tool, got)
		}
	}
	call(t, cs, "rollout_pause", map[string]any{"kind": "sts", "namespace": ns, "name": "db"}).
		expect(t, true, "only Deployments can be paused", "partition")
}

// TestReadOnlyRefusesWrites runs every write tool with read-only policy
// beneath the clients: each is refused with a sentence naming read-only mode,
// and the workload is left as it was.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", revs("nginx:1.26", "nginx:1.27"))
	cs := serve(t, env.Kubeconfig, &policy.Config{ReadOnly: true})
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
			call(t, cs, c.tool, c.args).expect(t, true, "read-only")
		})
	}
	after := getDeployment(t, ns, "web")
	if after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the deployment changed in read-only mode: %v -> %v", before.Spec, after.Spec)
	}
	// rollout_resume on a paused deployment, paused by the admin.
	call(t, admin(t), "rollout_pause", target).expect(t, false)
	call(t, cs, "rollout_resume", target).expect(t, true, "read-only")
	if !getDeployment(t, ns, "web").Spec.Paused {
		t.Error("rollout_resume unpaused the deployment in read-only mode")
	}
	// Reads still work.
	call(t, cs, "rollout_status", target).expect(t, false, "rollout")
	call(t, cs, "rollout_history", target).expect(t, false, "2 revisions")
}

// TestForbidden runs the tools as alice, who has no RBAC grants.
func TestForbidden(t *testing.T) {
	cs := serve(t, env.Users["alice"].Kubeconfig, nil)
	target := map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend}
	call(t, cs, "rollout_status", target).expect(t, true, "forbidden", `"get"`, "deployments", `namespace "shop"`, "alice")
	call(t, cs, "workloads_scale", map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend, "replicas": 9}).
		expect(t, true, "forbidden", "deployments/scale")
}

func TestToolAnnotations(t *testing.T) {
	res, err := admin(t).ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]bool{ // readOnly, destructive, idempotent
		"workloads_scale": {false, false, true}, "rollout_status": {true, false, true}, "rollout_history": {true, false, true},
		"rollout_restart": {false, false, false}, "rollout_undo": {false, true, false},
		"rollout_pause": {false, false, true}, "rollout_resume": {false, false, true},
	}
	if len(res.Tools) != len(want) {
		t.Errorf("%d tools, want %d", len(res.Tools), len(want))
	}
	for _, tool := range res.Tools {
		a := tool.Annotations
		if a == nil || a.DestructiveHint == nil || a.OpenWorldHint == nil || !*a.OpenWorldHint {
			t.Errorf("%s: incomplete annotations %+v", tool.Name, a)
			continue
		}
		if got := [3]bool{a.ReadOnlyHint, *a.DestructiveHint, a.IdempotentHint}; got != want[tool.Name] {
			t.Errorf("%s: readOnly, destructive, idempotent = %v, want %v", tool.Name, got, want[tool.Name])
		}
	}
}
