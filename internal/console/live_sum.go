package console

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubemcp/kubemcp/internal/podstate"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// The summaries of a changed object, as the cards show it: what kubectl get
// would say of it, no more.

func sumPod(ch *liveChange, obj map[string]any) {
	var p corev1.Pod
	if runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &p) != nil {
		return // not a pod as the API defines it: name and version are enough
	}
	st := podstate.Of(&p)
	ch.Status, ch.Ready, ch.Restarts = st.Status, st.Ready, int64(st.Restarts)
	ch.Message = policy.RedactText(st.Message)
}

func sumEvent(ch *liveChange, obj map[string]any) {
	ch.Status, _, _ = unstructured.NestedString(obj, "type")
	ch.Reason, _, _ = unstructured.NestedString(obj, "reason")
	msg, _, _ := unstructured.NestedString(obj, "message")
	ch.Message = policy.RedactText(msg) // controllers quote what they were given
	kind, _, _ := unstructured.NestedString(obj, "involvedObject", "kind")
	name, _, _ := unstructured.NestedString(obj, "involvedObject", "name")
	ch.Object = kind + "/" + name
}

func sumDeployment(ch *liveChange, obj map[string]any) {
	want, _, _ := unstructured.NestedInt64(obj, "spec", "replicas")
	ready, _, _ := unstructured.NestedInt64(obj, "status", "readyReplicas")
	ch.Ready = fmt.Sprintf("%d/%d", ready, want)
}

func sumService(ch *liveChange, obj map[string]any) {
	ch.Status, _, _ = unstructured.NestedString(obj, "spec", "type")
}

// sumNode says Ready, NotReady, or Unknown (no Ready condition yet).
func sumNode(ch *liveChange, obj map[string]any) {
	ch.Status = "Unknown"
	conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != "Ready" {
			continue
		}
		ch.Status = "NotReady"
		if m["status"] == "True" {
			ch.Status = "Ready"
		}
		ch.Reason, _ = m["reason"].(string)
	}
}
