package workloads

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// HistoryIn names a workload and, optionally, one of its revisions.
type HistoryIn struct {
	toolset.TextCap
	Target
	Revision int64 `json:"revision,omitempty"`
}

// Revision is one entry of a rollout history.
type Revision struct {
	Revision    int64     `json:"revision"`
	Name        string    `json:"name" jsonschema:"the ReplicaSet (Deployment) or ControllerRevision (StatefulSet, DaemonSet) that records it"`
	Current     bool      `json:"current" jsonschema:"the workload's template is this revision's"`
	Images      []string  `json:"images"`
	ChangeCause string    `json:"change_cause,omitempty" jsonschema:"the kubernetes.io/change-cause annotation, as the cluster has it"`
	Created     time.Time `json:"created"`
	Replicas    *int32    `json:"replicas,omitempty" jsonschema:"pods the revision's ReplicaSet runs (Deployments only)"`
}

// HistoryOut is the structured result of rollout_history.
type HistoryOut struct {
	Kind      Kind           `json:"kind"`
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Revisions []Revision     `json:"revisions"`
	Template  map[string]any `json:"template,omitempty" jsonschema:"the pod template of the revision asked for"`
}

func (w *Workloads) historyTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout_history",
		Description: "A workload's revisions with their images and change-cause, or one's pod template.",
		Annotations: toolset.ReadOnly("Rollout history"),
	}, w.history)
}

func (w *Workloads) history(ctx context.Context, _ *mcp.CallToolRequest, in HistoryIn) (string, HistoryOut, error) {
	out := HistoryOut{Revisions: []Revision{}}
	r, obj, err := w.fetch(ctx, in.Target)
	if err != nil {
		return "", out, err
	}
	revs, err := r.revisions(ctx, obj)
	if err != nil {
		return "", out, err
	}
	out.Kind, out.Namespace, out.Name = r.kind, r.ns, r.name
	cur := current(obj, revs)
	for _, rev := range revs {
		out.Revisions = append(out.Revisions, summarize(rev, cur))
	}
	budget := w.deps.Budget(in.TextCap)
	if in.Revision == 0 {
		return historyText(r, out, budget), out, nil
	}
	rev, err := find(revs, in.Revision)
	if err != nil {
		return "", out, err
	}
	out.Template = templateMap(rev.template)
	text, err := revisionText(r, rev, cur, out.Template)
	return render.Text(text, budget, "Ask for a larger max_bytes."), out, err
}

func summarize(rev revision, cur int64) Revision {
	s := Revision{Revision: rev.number, Name: rev.name, Current: rev.number == cur, Images: images(rev.template),
		ChangeCause: rev.annotations[changeCauseAnnotation], Created: rev.created}
	if rev.rs != nil {
		s.Replicas = &rev.rs.Status.Replicas
	}
	return s
}

func historyText(r ref, out HistoryOut, budget int) string {
	if len(out.Revisions) == 0 {
		return fmt.Sprintf("%s has no recorded revisions: the %s controller records them when it acts on the workload.\n", r, r.kind)
	}
	t := render.Table{Header: []string{"REVISION", "CURRENT", "IMAGES", "AGE", "RECORDED IN"}}
	if r.kind == Deployment {
		t.Header = append(t.Header, "PODS")
	}
	now := time.Now()
	var causes strings.Builder
	for _, rev := range out.Revisions {
		row := []string{strconv.FormatInt(rev.Revision, 10), yes(rev.Current), strings.Join(rev.Images, ","), render.Age(rev.Created, now), rev.Name}
		if rev.Replicas != nil {
			row = append(row, strconv.Itoa(int(*rev.Replicas)))
		}
		t.Rows = append(t.Rows, row)
		if rev.ChangeCause != "" {
			fmt.Fprintf(&causes, "revision %d: %s\n", rev.Revision, rev.ChangeCause)
		}
	}
	text := fmt.Sprintf("%s: %d revisions, oldest first.\n", r, len(out.Revisions)) + t.Render(budget/2, "Narrow with revision to see one.")
	if causes.Len() > 0 {
		text += "\nChange causes:\n" + render.Fence("kubernetes.io/change-cause annotations", causes.String())
	}
	return render.Text(text, budget, "Ask for one revision with revision.")
}

func revisionText(r ref, rev revision, cur int64, tmpl map[string]any) (string, error) {
	body, err := render.Object(&unstructured.Unstructured{Object: tmpl}, render.YAML)
	if err != nil {
		return "", err
	}
	head := fmt.Sprintf("%s, revision %d (recorded in %s", r, rev.number, rev.name)
	if rev.number == cur {
		head += ", current"
	}
	head += "). Pod template:\n"
	if cause := rev.annotations[changeCauseAnnotation]; cause != "" {
		head += render.Fence("kubernetes.io/change-cause annotation", cause)
	}
	return head + body, nil
}

// templateMap is a pod template as a cleaned, redacted map.
func templateMap(t *corev1.PodTemplateSpec) map[string]any {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(t)
	if err != nil {
		return map[string]any{}
	}
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	return render.Clean(&unstructured.Unstructured{Object: m}).Object
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
