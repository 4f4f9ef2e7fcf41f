package workloads

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestHistory(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", []revisionSpec{{image: "nginx:1.25"}, {image: "nginx:1.26", changeCause: "kubectl set image deployment/web web=nginx:1.26"}, {image: "nginx:1.27"}})
	statefulSet(t, ns, "db", []revisionSpec{{image: "postgres:16"}, {image: "postgres:17", changeCause: "upgrade to 17"}})
	cs := toolsettest.Serve(t, New)

	r := cs.Call(t, "rollout_history", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"})
	r.Expect(t, false, "deployment "+ns+"/web: 3 revisions", "nginx:1.25", "nginx:1.26", "nginx:1.27", "web-rev3",
		`<untrusted-data source="kubernetes.io/change-cause annotations">`, "revision 2: kubectl set image deployment/web web=nginx:1.26")
	var out HistoryOut
	r.Decode(t, &out)
	if len(out.Revisions) != 3 || out.Template != nil {
		t.Fatalf("structured: %s", r.Structured)
	}
	for i, rev := range out.Revisions {
		if rev.Revision != int64(i+1) || rev.Current != (i == 2) || len(rev.Images) != 1 || rev.Replicas == nil {
			t.Errorf("revision %d: %+v", i+1, rev)
		}
	}
	if out.Revisions[1].ChangeCause == "" || *out.Revisions[2].Replicas != 2 {
		t.Errorf("change cause or replicas missing: %s", r.Structured)
	}

	r = cs.Call(t, "rollout_history", map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "revision": 1})
	r.Expect(t, false, "revision 1 (recorded in web-rev1). Pod template:", "image: nginx:1.25", "pod-template-hash: rev1")
	r.Decode(t, &out)
	if out.Template == nil || strings.Contains(string(r.Structured), "creationTimestamp") {
		t.Errorf("template: %s", r.Structured)
	}

	r = cs.Call(t, "rollout_history", map[string]any{"kind": "sts", "namespace": ns, "name": "db"})
	r.Expect(t, false, "statefulset "+ns+"/db: 2 revisions", "postgres:16", "postgres:17", "db-rev2", "revision 2: upgrade to 17")
	out = HistoryOut{}
	r.Decode(t, &out)
	if len(out.Revisions) != 2 || !out.Revisions[1].Current || out.Revisions[0].Current || out.Revisions[0].Replicas != nil {
		t.Errorf("statefulset revisions: %s", r.Structured)
	}
	cs.Call(t, "rollout_history", map[string]any{"kind": "sts", "namespace": ns, "name": "db", "revision": 1}).
		Expect(t, false, "image: postgres:16")

	cs.Call(t, "rollout_history", map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "revision": 9}).
		Expect(t, true, "revision 9 not found; recorded revisions: 1, 2, 3")
	cs.Call(t, "rollout_history", map[string]any{"kind": "deployment", "namespace": ns, "name": "nope"}).
		Expect(t, true, `deployments "nope" not found`)
}

func TestHistoryNoRevisions(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	daemonSet(t, ns, "agent", "fluent-bit:3")
	toolsettest.Serve(t, New).Call(t, "rollout_history", map[string]any{"kind": "daemonset", "namespace": ns, "name": "agent"}).
		Expect(t, false, "has no recorded revisions")
}

func TestUndoDeployment(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", []revisionSpec{{image: "nginx:1.26", changeCause: "first"}, {image: "nginx:1.27", changeCause: "second"}})
	cs := toolsettest.Serve(t, New)
	args := map[string]any{"action": "undo", "kind": "deployment", "namespace": ns, "name": "web"}

	r := cs.Call(t, "rollout", args)
	r.Expect(t, false, "rolled back to the template of revision 1", "images nginx:1.27 -> nginx:1.26")
	var out RolloutOut
	r.Decode(t, &out)
	if !out.Changed || out.ToRevision != 1 || out.ImagesAfter[0] != "nginx:1.26" {
		t.Errorf("structured: %s", r.Structured)
	}
	d := getDeployment(t, ns, "web")
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "nginx:1.26" {
		t.Errorf("image after undo: %s", img)
	}
	if _, ok := d.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; ok {
		t.Errorf("pod-template-hash copied into the deployment: %v", d.Spec.Template.Labels)
	}
	if d.Annotations[changeCauseAnnotation] != "first" || d.Annotations[revisionAnnotation] != "2" {
		t.Errorf("annotations after undo: %v (want the ReplicaSet's change-cause, the deployment's own revision)", d.Annotations)
	}

	// With no controller to renumber, revision 1 is still the previous one and
	// already the template.
	cs.Call(t, "rollout", args).Expect(t, false, "already runs the template of revision 1; nothing changed")
	args["to_revision"] = 2
	cs.Call(t, "rollout", args).Expect(t, false, "images nginx:1.26 -> nginx:1.27")
	if img := getDeployment(t, ns, "web").Spec.Template.Spec.Containers[0].Image; img != "nginx:1.27" {
		t.Errorf("image after undo to 2: %s", img)
	}
	args["to_revision"] = 5
	cs.Call(t, "rollout", args).Expect(t, true, "revision 5 not found")
}

func TestUndoStatefulSet(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	statefulSet(t, ns, "db", revs("postgres:16", "postgres:17"))
	r := toolsettest.Serve(t, New).Call(t, "rollout", map[string]any{"action": "undo", "kind": "statefulset", "namespace": ns, "name": "db"})
	r.Expect(t, false, "rolled back to the template of revision 1", "images postgres:17 -> postgres:16")
	if img := getStatefulSet(t, ns, "db").Spec.Template.Spec.Containers[0].Image; img != "postgres:16" {
		t.Errorf("image after undo: %s", img)
	}
}

func TestUndoRefusals(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "single", revs("nginx:1.27"))
	deployment(t, ns, "paused", revs("nginx:1.26", "nginx:1.27"))
	cs := toolsettest.Serve(t, New)
	cs.Call(t, "rollout", map[string]any{"action": "pause", "kind": "deployment", "namespace": ns, "name": "paused"}).Expect(t, false)

	cs.Call(t, "rollout", map[string]any{"action": "undo", "kind": "deployment", "namespace": ns, "name": "single"}).
		Expect(t, true, "no previous revision to roll back to (1 recorded)")
	cs.Call(t, "rollout", map[string]any{"action": "undo", "kind": "deployment", "namespace": ns, "name": "paused"}).
		Expect(t, true, "is paused", `rollout {"action":"resume"`)
	if img := getDeployment(t, ns, "paused").Spec.Template.Spec.Containers[0].Image; img != "nginx:1.27" {
		t.Errorf("a refused undo changed the image to %s", img)
	}
}
