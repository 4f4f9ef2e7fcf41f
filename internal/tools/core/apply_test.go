package core

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27.3
`

func configMapYAML(name, color string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  color: %s\n", name, color)
}

// TestApplyCreateUpdateDryRun applies a manifest of two documents, changes
// one, then dry-runs a further change: the diff shows the changed line and
// the cluster keeps the applied value.
func TestApplyCreateUpdateDryRun(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-cycle")
	s := toolsettest.Serve(t, New)
	apply := func(manifest string, dryRun bool) (string, ApplyOut) {
		var out ApplyOut
		text := s.OK(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": ns, "dry_run": dryRun}, &out)
		return text, out
	}
	text, out := apply(deploymentYAML+"---\n"+configMapYAML("settings", "blue"), false)
	toolsettest.Want(t, text, "Deployment web in namespace apply-cycle created", "ConfigMap settings in namespace apply-cycle created")
	if len(out.Objects) != 2 || out.Objects[1].Action != "created" || out.DryRun {
		t.Errorf("structured: %+v", out)
	}
	text, _ = apply(deploymentYAML+"---\n"+configMapYAML("settings", "green"), false)
	toolsettest.Want(t, text, "Deployment web in namespace apply-cycle unchanged", "ConfigMap settings in namespace apply-cycle configured")
	if got := configMapColor(t, ns, "settings"); got != "green" {
		t.Fatalf("color = %q after the update", got)
	}

	text, out = apply(configMapYAML("settings", "red"), true)
	toolsettest.Want(t, text, "Dry run: nothing was changed", "would configure", "--- live\n+++ after\n", "-  color: green\n+  color: red\n")
	if len(out.Objects) != 1 || !strings.Contains(out.Objects[0].Diff, "+  color: red") || !out.DryRun {
		t.Errorf("structured: %+v", out)
	}
	if got := configMapColor(t, ns, "settings"); got != "green" {
		t.Fatalf("dry run changed the object: color = %q", got)
	}
	text, _ = apply(configMapYAML("settings", "green"), true)
	toolsettest.Want(t, text, "ConfigMap settings in namespace apply-cycle unchanged")
}

// TestApplyNothingWhenADryRunFails: whatever is wrong with the second document, the
// first is not applied, and the error names the document.
func TestApplyNothingWhenADryRunFails(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-atomic")
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name   string
		second string
		want   []string
	}{
		{"bad YAML", "data: [unclosed\n", []string{"document 2", "not valid YAML"}},
		{"no kind", "metadata:\n  name: x\n", []string{"document 2", "'Kind' is missing"}},
		{"no name", "apiVersion: v1\nkind: ConfigMap\n", []string{"document 2", "metadata.name is required"}},
		{"unknown kind", "apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: x\n", []string{"document 2", `no resource called "v1 Gizmo"`}},
		{"invalid for the apiserver", strings.Replace(deploymentYAML, "replicas: 1", "replicas: -1", 1), []string{"document 2", "checking every document by a dry run", "spec.replicas", "greater than or equal to 0"}},
		{"invalid for the CRD schema", "apiVersion: example.kubemcp.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: -4\n", []string{"document 2", "spec.size"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := fmt.Sprintf("atomic-%d", i)
			text := s.Fails(t, "resources_apply", map[string]any{"manifest": configMapYAML(first, "blue") + "---\n" + tt.second, "namespace": ns})
			toolsettest.Want(t, text, append([]string{"nothing was applied"}, tt.want...)...)
			if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), first, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("document 1 was applied (err %v)", err)
			}
		})
	}
	toolsettest.Want(t, s.Fails(t, "resources_apply", map[string]any{"manifest": "# only a comment\n---\n"}), "no objects")
}

// TestApplyStopsAndRollsBack: a ResourceQuota of two ConfigMaps, one used,
// lets each document pass the dry run alone but not all be applied. The
// third fails; the second, which this call created, is deleted again; the
// first, which existed, keeps its new state; the fourth is not attempted.
func TestApplyStopsAndRollsBack(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-stops")
	s := toolsettest.Serve(t, New)
	s.OK(t, "resources_apply", map[string]any{"manifest": configMapYAML("existing", "blue"), "namespace": ns}, nil)
	limitConfigMaps(t, ns, 2, 1)

	var manifest []string
	for _, name := range []string{"existing", "second", "third", "fourth"} {
		manifest = append(manifest, configMapYAML(name, "green"))
	}
	r := s.Call(t, "resources_apply", map[string]any{"manifest": strings.Join(manifest, "---\n"), "namespace": ns})
	r.Expect(t, true, `applying stopped at document 3 (configmaps/third in namespace "apply-stops"): refused by the cluster's admission control, not RBAC`, "exceeded quota",
		"document 1: ConfigMap existing in namespace apply-stops configured\n",
		"document 2: ConfigMap second in namespace apply-stops created; rolled back: deleted\n",
		"document 3: ConfigMap third in namespace apply-stops failed\n",
		"document 4: ConfigMap fourth in namespace apply-stops not attempted\n",
		"Configured objects keep their new state; re-apply the previous manifest to undo.")
	var out ApplyOut
	toolsettest.Must(t, json.Unmarshal(r.Structured, &out))
	var got []string
	for _, a := range out.Objects {
		got = append(got, a.Name+" "+a.Action+" "+a.Rollback)
	}
	if want := []string{"existing configured ", "second created deleted", "third failed ", "fourth not attempted "}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("structured objects: %q, want %q", got, want)
	}
	if len(out.Objects) == 4 && !strings.Contains(out.Objects[2].Error, "exceeded quota") {
		t.Errorf("structured error of the third: %q", out.Objects[2].Error)
	}
	for _, name := range []string{"second", "third", "fourth"} {
		if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("ConfigMap %s is there after the rollback (err %v)", name, err)
		}
	}
	if got := configMapColor(t, ns, "existing"); got != "green" {
		t.Errorf("the configured ConfigMap's color = %q, want its new state", got)
	}
}

// TestApplyObjectKnowsWhatItCreated: whether an apply created its object is
// the apiserver's answer, not an earlier read's; the rollback deletes an
// object only while it is the one the call created.
func TestApplyObjectKnowsWhatItCreated(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-own")
	kc, err := kube.New(env.RESTConfig("admin"), kube.Options{})
	toolsettest.Must(t, err)
	docs, err := parseManifest(configMapYAML("mine", "blue"))
	toolsettest.Must(t, err)
	toolsettest.Must(t, resolveDocs(kc, docs, ns))
	obj, created, err := applyObject(t.Context(), docs[0], false)
	if err != nil || !created {
		t.Fatalf("first apply: created=%v, err %v", created, err)
	}
	if _, created, err := applyObject(t.Context(), docs[0], false); err != nil || created {
		t.Fatalf("second apply: created=%v, err %v", created, err)
	}
	for _, tt := range []struct {
		uid  types.UID
		want string
	}{
		{"another-uid", "not deleted: another object of this name replaced the one this call created"},
		{obj.GetUID(), "deleted"},
		{obj.GetUID(), "already gone"},
	} {
		if got := deleteCreated(t.Context(), docs[0], tt.uid); got != tt.want {
			t.Errorf("deleting with UID %s: %q, want %q", tt.uid, got, tt.want)
		}
	}
}

// limitConfigMaps puts a ResourceQuota of hard ConfigMaps, used of them
// taken, in ns. The test cluster runs no controller-manager to count usage:
// the status is set here, and the admission plugin counts on from it. It is
// set full first, to know by a refused dry run when admission sees the quota.
func limitConfigMaps(t *testing.T, ns string, hard, used int64) {
	t.Helper()
	quotas := env.Clientset("admin").CoreV1().ResourceQuotas(ns)
	limit := corev1.ResourceList{"count/configmaps": *resource.NewQuantity(hard, resource.DecimalSI)}
	q, err := quotas.Create(t.Context(), &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "configmaps"}, Spec: corev1.ResourceQuotaSpec{Hard: limit}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	for _, n := range []int64{hard, used} {
		q.Status = corev1.ResourceQuotaStatus{Hard: limit, Used: corev1.ResourceList{"count/configmaps": *resource.NewQuantity(n, resource.DecimalSI)}}
		q, err = quotas.UpdateStatus(t.Context(), q, metav1.UpdateOptions{})
		toolsettest.Must(t, err)
		waitQuotaAdmits(t, ns, n < hard)
	}
}

// waitQuotaAdmits waits until a dry-run create of a ConfigMap in ns is
// admitted (or refused) as want says.
func waitQuotaAdmits(t *testing.T, ns string, want bool) {
	t.Helper()
	probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "probe"}}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Create(t.Context(), probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if (err == nil) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the quota in %s still admits=%v a ConfigMap (err %v)", ns, !want, err)
		}
	}
}

// TestApplyNamespaceInManifest applies a Namespace and an object in it: the
// object cannot be dry-run before its namespace exists, and is applied after it.
func TestApplyNamespaceInManifest(t *testing.T) {
	manifest := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apply-newns\n---\n" +
		strings.Replace(configMapYAML("inside", "blue"), "metadata:\n", "metadata:\n  namespace: apply-newns\n", 1)
	text := toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest}, nil)
	toolsettest.Want(t, text, "Namespace apply-newns created", "ConfigMap inside in namespace apply-newns created")
	if got := configMapColor(t, "apply-newns", "inside"); got != "blue" {
		t.Errorf("color = %q", got)
	}
}

// TestApplyConflictAndForce: fields another manager owns are not taken
// without force.
func TestApplyConflictAndForce(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-conflict")
	cm := applycorev1.ConfigMap("owned", ns).WithData(map[string]string{"color": "blue"})
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Apply(t.Context(), cm, metav1.ApplyOptions{FieldManager: "someone-else"}); err != nil {
		t.Fatal(err)
	}
	s := toolsettest.Serve(t, New)
	args := map[string]any{"manifest": configMapYAML("owned", "red"), "namespace": ns}
	toolsettest.Want(t, s.Fails(t, "resources_apply", args), "conflict", "someone-else", "force: true")
	args["force"] = true
	toolsettest.Want(t, s.OK(t, "resources_apply", args, nil), "configured")
	if got := configMapColor(t, ns, "owned"); got != "red" {
		t.Errorf("color = %q after a forced apply", got)
	}
}

// TestApplySecretDiffRedacted dry-runs a change of the planted Secret's
// password: the diff says it changes and shows neither value.
func TestApplySecretDiffRedacted(t *testing.T) {
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: shop\nstringData:\n  password: another-value-of-27-bytes!!\n", testenv.SecretName)
	text := toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest, "dry_run": true, "force": true}, nil)
	toolsettest.Want(t, text, "+  password: '<redacted: 27 bytes, changed>'", "-  password: '<redacted: 27 bytes>'")
	toolsettest.WantNone(t, text, "another-value")
}

func configMapColor(t *testing.T, ns, name string) string {
	t.Helper()
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["color"]
}

// TestApplyList applies a v1 List (as kubectl get -o yaml writes one), JSON
// being YAML: each item is an object of its own.
func TestApplyList(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-list")
	manifest := `{"apiVersion":"v1","kind":"List","items":[
  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"},"data":{"color":"blue"}},
  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two"},"data":{"color":"teal"}}]}`
	var out ApplyOut
	toolsettest.Want(t, toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": ns}, &out),
		"ConfigMap one in namespace apply-list created", "ConfigMap two in namespace apply-list created")
	if configMapColor(t, ns, "two") != "teal" || len(out.Objects) != 2 {
		t.Errorf("objects: %+v", out.Objects)
	}
	bad := strings.Replace(manifest, `"name":"two"`, `"generateName":"two-"`, 1)
	toolsettest.Want(t, toolsettest.Serve(t, New).Fails(t, "resources_apply", map[string]any{"manifest": bad, "namespace": ns}), "document 1, item 2", "metadata.name is required")
}
