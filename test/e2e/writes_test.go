package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// writeArgs are real changes aimed at real objects, per write tool. A write
// tool missing here fails the test, so new ones are covered when added.
func writeArgs() map[string][]map[string]any {
	pod := testenv.FrontendPods()[0]
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + testenv.ConfigMapName + "\n  namespace: shop\ndata:\n  changed: \"yes\"\n"
	frontend := func(action string) map[string]any {
		return map[string]any{"action": action, "kind": "deployment", "namespace": "shop", "name": testenv.DeploymentFrontend}
	}
	cart := map[string]any{"action": "resume", "kind": "deployment", "namespace": "shop", "name": testenv.DeploymentCart} // paused by the test
	cm := map[string]any{"resource": "configmaps", "namespace": "shop", "name": testenv.ConfigMapName}
	return map[string][]map[string]any{
		"workloads_scale": {{"kind": "deployment", "namespace": "shop", "name": testenv.DeploymentFrontend, "replicas": 7}},
		"rollout":         {frontend("restart"), frontend("pause"), cart, frontend("undo")},
		"pods_delete":     {{"namespace": "shop", "name": pod}},
		"pods_exec":       {{"namespace": "shop", "name": pod, "command": []string{"hostname"}}},
		"port_forward": {
			{"action": "start", "namespace": "shop", "name": pod, "ports": []string{"80"}},
			{"action": "stop", "id": "pf-none"}, // changes kubemcp's sessions, never the cluster
		},
		"nodes_cordon": {
			{"action": "cordon", "name": spareNode},
			{"action": "uncordon", "name": testenv.NodeName}, // cordoned by the test
		},
		"nodes_drain":      {{"name": spareNode, "force": true, "delete_emptydir_data": true}},
		"resources_apply":  {{"manifest": manifest, "force": true}},
		"resources_patch":  {{"resource": "configmaps", "namespace": "shop", "name": testenv.ConfigMapName, "patch": `{"data":{"changed":"yes"}}`}},
		"resources_delete": {cm, {"resource": "pods", "namespace": "shop", "name": pod}},
		"kubectl": {
			{"args": []string{"delete", "pod", pod}, "namespace": "shop"},
			{"args": []string{"scale", "deploy/" + testenv.DeploymentFrontend, "--replicas=0"}, "namespace": "shop"},
			{"args": []string{"apply", "-f", "-"}, "stdin": manifest},
			{"args": []string{"cordon", spareNode}},
		},
		"helm": {{"args": []string{"uninstall", helmRelease}, "namespace": "shop"}}, // planted by the test

	}
}

// helmRelease is a release the test plants the way helm stores one, so helm
// has something real to change without fetching a chart.
const helmRelease = "demo"

// spareNode is a second Node the test adds, for cordon and drain to act on.
const spareNode = "node-spare"

// TestWritesRefusedBeneathTheTools serves every write tool (the CLI's
// included) over a policy that refuses all writes, calls each with real
// changes, and checks that every call is refused with the rule's name and
// that no object's resourceVersion moved: the policy holds even for tools the
// tool filter would have let through.
func TestWritesRefusedBeneathTheTools(t *testing.T) {
	t.Setenv("PATH", os.Getenv("KUBEMCP_BIN_DIR")+":"+os.Getenv("PATH"))
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	cfg.CLI = true
	cfg.Policy.Deny = []policy.Rule{{Name: "no-writes", Verbs: []string{"write"}}}
	cs := connectConfig(t, cfg)
	giveEveryToolSomethingToChange(t)
	before := resourceVersions(t)
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	called, refused := map[string]int{}, map[string]int{}
	all := writeArgs()
	for _, tool := range tools.Tools {
		if tool.Annotations.ReadOnlyHint {
			continue
		}
		if len(all[tool.Name]) == 0 {
			t.Errorf("write tool %s has no entry in writeArgs: add real changes for it", tool.Name)
		}
		for _, in := range all[tool.Name] {
			called[tool.Name]++
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool.Name, Arguments: in})
			if err != nil {
				t.Fatalf("%s: %v", tool.Name, err)
			}
			text := res.Content[0].(*mcp.TextContent).Text
			switch {
			case res.IsError && strings.Contains(text, `"no-writes"`):
				refused[tool.Name]++
			case noWriteNeeded.MatchString(text):
				// The tool saw nothing to change and sent no write.
			default:
				t.Errorf("%s %v was neither refused by the rule nor a no-op (isError %v):\n%s\n%v", tool.Name, in, res.IsError, text, res.StructuredContent)
			}
		}
	}
	for _, tool := range tools.Tools {
		if !tool.Annotations.ReadOnlyHint && refused[tool.Name] == 0 {
			t.Errorf("write tool %s never tried a write the rule refused", tool.Name)
		}
	}
	after := resourceVersions(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed: resourceVersion %s -> %s", k, v, after[k])
		}
	}
	t.Logf("calls per write tool: %v; refused by the rule: %v", called, refused)
}

// noWriteNeeded is how the write tools say a call would change nothing.
var noWriteNeeded = regexp.MustCompile(`nothing changed|no previous revision|already|no port-forward session`)

// giveEveryToolSomethingToChange pauses cart and cordons the node (as the
// admin, outside kubemcp), so resume and uncordon have a write to attempt;
// both are undone afterwards.
func giveEveryToolSomethingToChange(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	c := env.Clientset("admin")
	set := func(paused, unschedulable bool) {
		if _, err := c.AppsV1().Deployments("shop").Patch(ctx, testenv.DeploymentCart, types.MergePatchType,
			[]byte(fmt.Sprintf(`{"spec":{"paused":%t}}`, paused)), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CoreV1().Nodes().Patch(ctx, testenv.NodeName, types.MergePatchType,
			[]byte(fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, unschedulable)), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	set(true, true)
	t.Cleanup(func() { set(false, false) })
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: spareNode}}
	if _, err := c.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Nodes().Delete(ctx, spareNode, metav1.DeleteOptions{}) })
	release := helmReleaseSecret(t, "shop", nil)
	if _, err := c.CoreV1().Secrets("shop").Create(ctx, release, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Secrets("shop").Delete(ctx, release.Name, metav1.DeleteOptions{}) })
}

// helmReleaseSecret is release 1 of helmRelease in namespace ns, with the
// user-supplied values config, in helm's storage format: a Secret whose
// "release" is the base64 of the gzipped release JSON.
func helmReleaseSecret(t *testing.T, ns string, config map[string]any) *corev1.Secret {
	t.Helper()
	rel, err := json.Marshal(map[string]any{"name": helmRelease, "namespace": ns, "version": 1, "config": config,
		"info":     map[string]any{"status": "deployed"},
		"chart":    map[string]any{"metadata": map[string]any{"name": "demo", "version": "0.1.0", "apiVersion": "v2"}},
		"manifest": ""})
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(rel)
	w.Close()
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sh.helm.release.v1." + helmRelease + ".v1", Namespace: ns,
			Labels: map[string]string{"name": helmRelease, "owner": "helm", "status": "deployed", "version": "1"}},
		Type: "helm.sh/release.v1",
		Data: map[string][]byte{"release": []byte(base64.StdEncoding.EncodeToString(gz.Bytes()))},
	}
}

// resourceVersions snapshots what the write arguments aim at.
func resourceVersions(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := env.Clientset("admin")
	out := map[string]string{}
	pods, err := c.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		out["pod/"+p.Name] = p.ResourceVersion
	}
	deploys, err := c.AppsV1().Deployments("shop").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deploys.Items {
		out["deployment/"+d.Name] = d.ResourceVersion
	}
	cm, err := c.CoreV1().ConfigMaps("shop").Get(ctx, testenv.ConfigMapName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["configmap/"+cm.Name] = cm.ResourceVersion
	node, err := c.CoreV1().Nodes().Get(ctx, testenv.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["node/"+node.Name] = node.ResourceVersion
	spare, err := c.CoreV1().Nodes().Get(ctx, spareNode, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["node/"+spare.Name] = spare.ResourceVersion
	release, err := c.CoreV1().Secrets("shop").Get(ctx, "sh.helm.release.v1."+helmRelease+".v1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["helm-release/"+helmRelease] = release.ResourceVersion
	return out
}
