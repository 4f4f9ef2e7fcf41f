package workloads

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// maxWait bounds wait_seconds: long enough for a small rollout, short enough
// that a client's request timeout does not cut the call off.
const maxWait = 60

// StatusIn names a workload and how long to wait for its rollout.
type StatusIn struct {
	toolset.TextCap
	Target
	WaitSeconds int `json:"wait_seconds,omitempty" jsonschema:"max 60"`
}

// StatusOut is the structured result of rollout_status.
type StatusOut struct {
	Kind      Kind   `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Progress
	PodsOf       string       `json:"pods_of,omitempty" jsonschema:"whose pods not_ready_pods lists: the Deployment's new ReplicaSet, or the StatefulSet or DaemonSet"`
	NotReadyPods []PodProblem `json:"not_ready_pods"`
	PodsError    string       `json:"pods_error,omitempty" jsonschema:"why the pods could not be read, if they could not"`
	Waited       float64      `json:"waited_seconds,omitempty"`
}

func (w *Workloads) statusTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout_status",
		Description: "A rollout's progress and its new pods not ready, with why; can wait.",
		Annotations: toolset.ReadOnly("Rollout status"),
	}, w.status)
}

func (w *Workloads) status(ctx context.Context, _ *mcp.CallToolRequest, in StatusIn) (string, StatusOut, error) {
	out := StatusOut{NotReadyPods: []PodProblem{}}
	if in.WaitSeconds < 0 || in.WaitSeconds > maxWait {
		return "", out, fmt.Errorf("wait_seconds %d: want 0 to %d", in.WaitSeconds, maxWait)
	}
	r, obj, err := w.fetch(ctx, in.Target)
	if err != nil {
		return "", out, err
	}
	start := time.Now()
	if p := evaluate(obj); !p.settled() && in.WaitSeconds > 0 {
		if obj, err = r.waitSettled(ctx, obj, time.Duration(in.WaitSeconds)*time.Second); err != nil {
			return "", out, err
		}
		out.Waited = time.Since(start).Round(time.Millisecond).Seconds()
	}
	out.Kind, out.Namespace, out.Name, out.Progress = r.kind, r.ns, r.name, evaluate(obj)
	owner, members, err := r.rolloutPods(ctx, obj)
	if err != nil {
		out.PodsError = err.Error()
	}
	out.PodsOf, out.NotReadyPods = owner, notReady(members)
	return render.Text(statusText(r, out), w.deps.Budget(in.TextCap), "Ask for a larger max_bytes."), out, nil
}

// waitSettled watches the workload until its rollout is done, failed or
// paused, or until d has passed; it returns the last version seen.
func (r ref) waitSettled(ctx context.Context, obj metav1.Object, d time.Duration) (metav1.Object, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for ctx.Err() == nil {
		wi, err := r.watch(ctx, obj.GetResourceVersion())
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return nil, err
		}
		next, done, err := r.follow(ctx, wi, obj)
		wi.Stop()
		if done || err != nil {
			return next, err
		}
		obj = next
	}
	return obj, nil
}

// follow reads events until the rollout settles (done), the watch ends
// (not done: the caller watches again) or ctx ends.
func (r ref) follow(ctx context.Context, wi watch.Interface, obj metav1.Object) (metav1.Object, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return obj, true, nil
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return obj, false, nil
			}
			switch ev.Type {
			case watch.Deleted:
				return nil, true, fmt.Errorf("%s was deleted while waiting for its rollout", r)
			case watch.Error:
				return nil, true, r.explain(apierrors.FromObject(ev.Object), "watch")
			case watch.Added, watch.Modified:
				if o, ok := ev.Object.(metav1.Object); ok {
					obj = o
				}
				if evaluate(obj).settled() {
					return obj, true, nil
				}
			}
		}
	}
}

func statusText(r ref, out StatusOut) string {
	var b strings.Builder
	state := "in progress"
	switch {
	case out.Done:
		state = "done"
	case out.Failed:
		state = "FAILED"
	case out.Paused:
		state = "paused"
	}
	fmt.Fprintf(&b, "%s: rollout %s: %s.\n", r, state, out.Message)
	if out.Waited > 0 {
		fmt.Fprintf(&b, "Waited %.1fs.\n", out.Waited)
	}
	fmt.Fprintf(&b, "Generation %d, observed by the controller: %d.\n", out.Generation, out.ObservedGeneration)
	fmt.Fprintf(&b, "Replicas: %d desired, %d updated, %d ready, %d available.\n", out.Desired, out.Updated, out.Ready, out.Available)
	b.WriteString(conditionTable(out.Conditions))
	b.WriteString(podsSection(out))
	b.WriteString(messages(out))
	b.WriteString(nextStep(r, out))
	return b.String()
}

func conditionTable(conds []Condition) string {
	if len(conds) == 0 {
		return ""
	}
	t := render.Table{Header: []string{"CONDITION", "STATUS", "REASON"}}
	for _, c := range conds {
		t.Rows = append(t.Rows, []string{c.Type, c.Status, cmp.Or(c.Reason, "-")})
	}
	return "\n" + t.Render(render.MaxBudget, "")
}

func podsSection(out StatusOut) string {
	switch {
	case out.PodsError != "":
		return "\nCould not read the pods: " + out.PodsError + "\n"
	case out.PodsOf == "":
		return "\nNo ReplicaSet has the deployment's current template yet: the deployment controller has not acted on the change.\n"
	case len(out.NotReadyPods) == 0:
		return fmt.Sprintf("\nEvery pod of %s is ready.\n", out.PodsOf)
	}
	t := render.Table{Header: []string{"NOT READY POD", "READY", "STATUS", "RESTARTS", "LAST TERMINATION", "NODE"}}
	for _, p := range out.NotReadyPods {
		t.Rows = append(t.Rows, []string{p.Name, p.Ready, p.Status, strconv.Itoa(int(p.Restarts)), cmp.Or(p.LastTermination, "-"), cmp.Or(p.Node, "<none>")})
	}
	return fmt.Sprintf("\nPods of %s that are not ready:\n", out.PodsOf) + t.Render(render.MaxBudget, "")
}

// messages gathers the free text of conditions and pods, which comes from the
// cluster, inside one fence.
func messages(out StatusOut) string {
	var b strings.Builder
	for _, c := range out.Conditions {
		if c.Message != "" && !out.Done { // a finished rollout's messages say nothing new
			fmt.Fprintf(&b, "condition %s: %s\n", c.Type, c.Message)
		}
	}
	for _, p := range out.NotReadyPods {
		if p.Message != "" {
			fmt.Fprintf(&b, "pod %s: %s\n", p.Name, p.Message)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n" + render.Fence("condition and pod messages", b.String())
}

func nextStep(r ref, out StatusOut) string {
	args := fmt.Sprintf(`{"kind":%q,"namespace":%q,"name":%q}`, r.kind, r.ns, r.name)
	switch {
	case out.Failed || len(out.NotReadyPods) > 0 && !out.Done:
		return "\nNext: read the failing pods' logs and events; rollout_history " + args + " lists revisions and " + rolloutCall(r, "undo") + " returns to the previous one.\n"
	case out.Paused:
		return "\nNext: " + rolloutCall(r, "resume") + " lets the rollout continue.\n"
	case !out.Done:
		return "\nNext: call again with wait_seconds to wait for it to finish.\n"
	}
	return ""
}
