package pods

import (
	"cmp"
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// minObjectBytes is the least room worth giving the whole pod after the
// summary: less than that would show a few lines of metadata.
const minObjectBytes = 512

// GetIn names one pod.
type GetIn struct {
	toolset.Target
	toolset.TextCap
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Output    string `json:"output,omitempty" jsonschema:"yaml or json to add the whole pod"`
}

// GetOut is the structured result of pods_get: the summary, and the cleaned
// pod when output asked for it.
type GetOut struct {
	Detail
	Object map[string]any `json:"object,omitempty" jsonschema:"the whole pod without managedFields, when output is yaml or json"`
}

func (p *Pods) podsGet() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "pods_get",
		Description: "A pod's status: containers' state, restarts, last exit, resources; conditions.",
		Annotations: toolset.ReadOnly("Get a pod"),
	}, p.get)
}

func (p *Pods) get(ctx context.Context, _ *mcp.CallToolRequest, in GetIn) (string, GetOut, error) {
	var out GetOut
	if in.Name == "" {
		return "", out, fmt.Errorf("name is required: pods_get reads one pod; pods_list shows what exists")
	}
	if in.Output != "" && in.Output != string(render.YAML) && in.Output != string(render.JSON) {
		return "", out, fmt.Errorf("output %q: want yaml or json, or omit it for the summary alone", in.Output)
	}
	pod, err := p.readPod(ctx, in)
	if err != nil {
		return "", out, err
	}
	out.Detail = describe(pod)
	budget := p.deps.Budget(in.TextCap)
	text := render.Text(detailText(out.Detail), budget, "The summary is larger than the budget; raise max_bytes.")
	if in.Output == "" {
		return text, out, nil
	}
	obj, err := podObject(pod)
	if err != nil {
		return "", out, err
	}
	out.Object = obj.Object
	body, err := render.Object(obj, render.Format(in.Output))
	if err != nil {
		return "", out, err
	}
	rest := budget - len(text) - 1 - render.FenceOverhead
	if rest < minObjectBytes {
		return text + fmt.Sprintf("[The pod's %s does not fit in the %d bytes left by the summary; raise max_bytes to see it.]\n", in.Output, budget), out, nil
	}
	// The object holds what anyone who can write the pod wrote (annotations,
	// args, messages): data, fenced.
	capped := render.Text(body, rest, "The pod is larger than the budget; raise max_bytes, or read the summary above.")
	return text + "\n" + render.FenceCut(fmt.Sprintf("pod %s/%s as %s", pod.Namespace, pod.Name, in.Output), body, capped), out, nil
}

// getPod reads one pod, defaulting the namespace to the context's.
func (p *Pods) getPod(ctx context.Context, cluster, ns, name string) (*kube.Client, *corev1.Pod, error) {
	kc, err := p.deps.Clusters.Get(ctx, cluster)
	if err != nil {
		return nil, nil, err
	}
	if ns == "" {
		ns = kc.Namespace
	}
	pod, err := kc.Typed.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "pods", Namespace: ns, Name: name,
			ListCall: fmt.Sprintf(`pods_list {"namespace":%q}`, ns)})
	}
	return kc, pod, nil
}

// readPod is pods_get's read: from the shared watch cache when it holds the
// pod and may answer the caller (the pod is then shared: read it, never
// change it), else getPod's. Delete, exec and logs use getPod: they act on
// the pod as the apiserver has it now.
func (p *Pods) readPod(ctx context.Context, in GetIn) (*corev1.Pod, error) {
	if p.deps.Cache != nil {
		kc, err := p.deps.Clusters.Get(ctx, in.Cluster)
		if err != nil {
			return nil, err
		}
		// Any refusal (the policy's too) is the direct read's to word.
		if pod, err := p.deps.Cache.GetPod(ctx, in.Cluster, cmp.Or(in.Namespace, kc.Namespace), in.Name); err == nil {
			return pod, nil
		}
	}
	_, pod, err := p.getPod(ctx, in.Cluster, in.Namespace, in.Name)
	return pod, err
}

// podObject is the pod as a cleaned object with its apiVersion and kind,
// which typed Gets leave empty.
func podObject(pod *corev1.Pod) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(pod)
	if err != nil {
		return nil, fmt.Errorf("converting pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	obj := &unstructured.Unstructured{Object: m}
	obj.SetAPIVersion("v1")
	obj.SetKind("Pod")
	return render.Clean(obj), nil
}
