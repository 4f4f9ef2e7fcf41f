package pods

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// DeleteIn names the pod to delete and how.
type DeleteIn struct {
	toolset.Target
	toolset.Approval
	Namespace          string `json:"namespace,omitempty"`
	Name               string `json:"name"`
	GracePeriodSeconds *int64 `json:"grace_period_seconds,omitempty"`
	DryRun             bool   `json:"dry_run,omitempty"`
}

// DeleteOut is the structured result of pods_delete.
type DeleteOut struct {
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	DryRun      bool   `json:"dry_run"`
	Deleted     bool   `json:"deleted" jsonschema:"true if the delete was done, not just tried"`
	Owner       *Owner `json:"owner,omitempty"`
	Recreated   bool   `json:"recreated" jsonschema:"true if a controller (or the kubelet, for a static pod) will start a replacement"`
	Replacement string `json:"replacement" jsonschema:"what happens after the delete, in a sentence"`
}

func (p *Pods) podsDelete() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "pods_delete",
		Description: "Delete a pod; says whether its controller recreates it (the usual pod restart).",
		Annotations: toolset.Writes("Delete a pod", true, true),
	}, p.delete)
}

func (p *Pods) delete(ctx context.Context, _ *mcp.CallToolRequest, in DeleteIn) (string, DeleteOut, error) {
	out := DeleteOut{DryRun: in.DryRun}
	if in.Name == "" {
		return "", out, errors.New("name is required: pods_delete deletes one pod; pods_list shows what exists")
	}
	if in.GracePeriodSeconds != nil && *in.GracePeriodSeconds < 0 {
		return "", out, fmt.Errorf("grace_period_seconds %d: want 0 or more", *in.GracePeriodSeconds)
	}
	kc, pod, err := p.getPod(ctx, in.Cluster, in.Namespace, in.Name)
	if err != nil {
		return "", out, err
	}
	out.Namespace, out.Name, out.Owner = pod.Namespace, pod.Name, owner(pod)
	opts := metav1.DeleteOptions{GracePeriodSeconds: in.GracePeriodSeconds, Preconditions: &metav1.Preconditions{UID: &pod.UID}}
	if in.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := kc.Typed.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, opts); err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "delete", Resource: "pods", Namespace: pod.Namespace, Name: pod.Name,
			ListCall: fmt.Sprintf(`pods_list {"namespace":%q}`, pod.Namespace)})
	}
	out.Deleted = !in.DryRun
	out.Recreated, out.Replacement = replacement(pod)
	return deleteText(pod, in, out), out, nil
}

// replacement says what brings the pod back, if anything does.
func replacement(pod *corev1.Pod) (bool, string) {
	if _, ok := pod.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		return true, "It is a static pod's mirror: the kubelet on " + pod.Spec.NodeName + " runs it from a manifest and recreates the mirror; deleting it does not stop the pod."
	}
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return false, "No controller owns it: once deleted, it does not come back."
	}
	ctl := ref.Kind + " " + ref.Name
	switch ref.Kind {
	case "ReplicaSet":
		return true, ctl + " replaces it with a new pod under a new name."
	case "StatefulSet":
		return true, ctl + " recreates it under the same name."
	case "DaemonSet":
		return true, ctl + " recreates it on the same node."
	case "Job":
		return true, ctl + " starts a new pod if the job has not finished and its backoffLimit allows."
	}
	return true, ctl + " controls it and most likely recreates it."
}

func deleteText(pod *corev1.Pod, in DeleteIn, out DeleteOut) string {
	var b strings.Builder
	grace := "with the pod's grace period"
	if in.GracePeriodSeconds != nil {
		grace = fmt.Sprintf("with a grace period of %ds", *in.GracePeriodSeconds)
	}
	if in.DryRun {
		fmt.Fprintf(&b, "Dry run: the apiserver accepted deleting pod %s/%s %s; nothing was deleted.\n", pod.Namespace, pod.Name, grace)
	} else {
		fmt.Fprintf(&b, "Deleted pod %s/%s %s.\n", pod.Namespace, pod.Name, grace)
	}
	b.WriteString(out.Replacement + "\n")
	if len(pod.Finalizers) > 0 && !in.DryRun {
		fmt.Fprintf(&b, "It has finalizers (%s): it stays Terminating until they are removed.\n", strings.Join(pod.Finalizers, ", "))
	}
	return b.String()
}
