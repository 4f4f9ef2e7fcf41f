package nodes

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Drain timeouts: the default leaves time for pods to terminate within the
// usual 30 s grace period; the cap keeps a call within what clients wait for.
const (
	defaultDrainTimeout = 60
	maxDrainTimeout     = 300
)

// DrainIn names a node and how to drain it; the options are kubectl drain's.
type DrainIn struct {
	toolset.Target
	toolset.Approval
	toolset.TextCap
	Name               string `json:"name"`
	DryRun             bool   `json:"dry_run,omitempty"`
	IgnoreDaemonSets   *bool  `json:"ignore_daemonsets,omitempty" jsonschema:"default true; false refuses if any"`
	DeleteEmptyDirData bool   `json:"delete_emptydir_data,omitempty"`
	Force              bool   `json:"force,omitempty"`
	GracePeriodSeconds *int64 `json:"grace_period_seconds,omitempty"`
	TimeoutSeconds     int    `json:"timeout_seconds,omitempty" jsonschema:"default 60, max 300"`
}

// Results of a drain for one pod.
const (
	resultEvicted     = "evicted"          // gone from the node
	resultTerminating = "terminating"      // eviction accepted, still shutting down at the timeout
	resultBlocked     = "blocked"          // a PodDisruptionBudget refused the eviction until the timeout
	resultFailed      = "failed"           // the eviction failed for another reason
	resultSkipped     = "skipped"          // left on the node by rule
	resultRefused     = "refused"          // stops the drain unless an option allows it
	resultWouldEvict  = "would evict"      // dry run
	resultWouldBlock  = "would be blocked" // dry run, by a PodDisruptionBudget
)

// DrainPod is what the drain did, or would do, with one pod.
type DrainPod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Result    string `json:"result" jsonschema:"evicted, terminating, blocked, failed, skipped or refused; in a dry run: would evict, would be blocked, skipped or refused"`
	Reason    string `json:"reason" jsonschema:"the pod's owner, the rule that skips or refuses it, or the apiserver's answer (for blocked: the PodDisruptionBudget's message)"`
}

// DrainOut is the structured result of nodes_drain.
type DrainOut struct {
	Node     string     `json:"node"`
	DryRun   bool       `json:"dry_run"`
	Cordoned bool       `json:"cordoned" jsonschema:"the node is cordoned (in a dry run: it would be)"`
	Complete bool       `json:"complete" jsonschema:"every pod that had to leave has left; in a dry run: nothing known would stop or block the drain"`
	Pods     []DrainPod `json:"pods"`
}

func (n *Nodes) drainTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "nodes_drain",
		Description: "kubectl drain: cordon a node, evict its pods, respecting PodDisruptionBudgets; dry_run first.",
		Annotations: toolset.Writes("Drain a node", true, false),
	}, n.drain)
}

func (n *Nodes) drain(ctx context.Context, _ *mcp.CallToolRequest, in DrainIn) (string, DrainOut, error) {
	out := DrainOut{Node: in.Name, DryRun: in.DryRun, Pods: []DrainPod{}}
	timeout, err := in.validate()
	if err != nil {
		return "", out, err
	}
	kc, err := n.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	node, err := kc.Typed.CoreV1().Nodes().Get(ctx, in.Name, metav1.GetOptions{})
	if err != nil {
		return "", out, explain(err, "get", in.Name)
	}
	pods, err := podsOn(ctx, kc, in.Name)
	if err != nil {
		return "", out, err
	}
	steps := plan(pods, drainOptions{ignoreDaemonSets: in.IgnoreDaemonSets == nil || *in.IgnoreDaemonSets,
		deleteEmptyDirData: in.DeleteEmptyDirData, force: in.Force})
	budget := n.deps.Budget(in.TextCap)
	if in.DryRun {
		out.Cordoned, out.Pods = true, predict(ctx, kc, steps)
		out.Complete = !hasResult(out.Pods, resultRefused, resultWouldBlock)
		return dryRunText(node, out, budget), out, nil
	}
	if err := refusal(node.Name, steps); err != nil {
		return "", out, err
	}
	wasCordoned := node.Spec.Unschedulable
	if !wasCordoned {
		if _, err := cordon(ctx, kc, node, true); err != nil {
			return "", out, err
		}
	}
	out.Cordoned = true
	if deadline, ok := ctx.Deadline(); ok {
		// Stop waiting in time to say what happened to each pod, before the
		// call's own timeout cuts the whole answer.
		timeout = max(0, min(timeout, time.Until(deadline)-drainReportTime))
	}
	out.Pods = evictAll(ctx, kc, steps, in.GracePeriodSeconds, timeout)
	out.Complete = !hasResult(out.Pods, resultBlocked, resultFailed, resultTerminating)
	return drainText(node.Name, wasCordoned, out, budget), out, nil
}

// drainReportTime is what a drain keeps of its call's time to report.
const drainReportTime = 2 * time.Second

func (in DrainIn) validate() (time.Duration, error) {
	switch {
	case in.Name == "":
		return 0, fmt.Errorf("name is required: the node's name, as nodes_list shows it")
	case in.TimeoutSeconds < 0 || in.TimeoutSeconds > maxDrainTimeout:
		return 0, fmt.Errorf("timeout_seconds %d: want 1 to %d (default %d)", in.TimeoutSeconds, maxDrainTimeout, defaultDrainTimeout)
	case in.GracePeriodSeconds != nil && *in.GracePeriodSeconds < 0:
		return 0, fmt.Errorf("grace_period_seconds %d: want 0 or more, or leave it out for each pod's own", *in.GracePeriodSeconds)
	case in.TimeoutSeconds == 0:
		return defaultDrainTimeout * time.Second, nil
	}
	return time.Duration(in.TimeoutSeconds) * time.Second, nil
}

// podsOn lists the pods bound to a node, in every namespace.
func podsOn(ctx context.Context, kc *kube.Client, node string) ([]corev1.Pod, error) {
	list, err := kc.Typed.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String()})
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods"})
	}
	return list.Items, nil
}

// refusal is the error that stops a drain before it changes anything, when
// some pods cannot leave with the options given.
func refusal(node string, steps []step) error {
	var lines []string
	for _, s := range steps {
		if s.action == refuse {
			lines = append(lines, fmt.Sprintf("  %s/%s: %s", s.pod.Namespace, s.pod.Name, s.reason))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("node %s was not drained and nothing changed (not cordoned, no pod evicted): %d pod(s) cannot be drained with the options given:\n%s\n"+
		"Call nodes_drain again with the option each reason names, or with dry_run to see the whole plan", node, len(lines), strings.Join(lines, "\n"))
}

func hasResult(pods []DrainPod, results ...string) bool {
	return slices.ContainsFunc(pods, func(p DrainPod) bool { return slices.Contains(results, p.Result) })
}

// resultOrder puts what needs attention first.
var resultOrder = []string{resultRefused, resultBlocked, resultWouldBlock, resultFailed, resultTerminating, resultEvicted, resultWouldEvict, resultSkipped}

func podTable(pods []DrainPod, budget int) string {
	pods = slices.Clone(pods)
	slices.SortStableFunc(pods, func(a, b DrainPod) int {
		return cmp.Or(cmp.Compare(slices.Index(resultOrder, a.Result), slices.Index(resultOrder, b.Result)),
			cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	t := render.Table{Header: []string{"NAMESPACE", "POD", "RESULT", "REASON"}}
	for _, p := range pods {
		t.Rows = append(t.Rows, []string{p.Namespace, p.Name, p.Result, p.Reason})
	}
	return t.Render(budget, "structuredContent lists every pod; pods_list with the namespace shows them.")
}

// counts is "2 evicted, 1 blocked" in resultOrder.
func counts(pods []DrainPod) string {
	var parts []string
	for _, r := range resultOrder {
		if n := len(slices.DeleteFunc(slices.Clone(pods), func(p DrainPod) bool { return p.Result != r })); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
	}
	if len(parts) == 0 {
		return "no pods on the node"
	}
	return strings.Join(parts, ", ")
}

func dryRunText(node *corev1.Node, out DrainOut, budget int) string {
	cordon := "cordon it"
	if node.Spec.Unschedulable {
		cordon = "keep it cordoned"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run, nothing changed. Draining node %s would %s; pods: %s.\n", node.Name, cordon, counts(out.Pods))
	if len(out.Pods) > 0 {
		b.WriteString(podTable(out.Pods, budget-b.Len()-400))
	}
	switch {
	case hasResult(out.Pods, resultRefused):
		b.WriteString("Refused pods stop a real drain before it changes anything: set the option each reason names.\n")
	case hasResult(out.Pods, resultWouldBlock):
		b.WriteString("Blocked pods would stay until their PodDisruptionBudget allows a disruption (more ready replicas elsewhere); the drain retries them until timeout_seconds.\n")
	}
	return b.String()
}

func drainText(node string, wasCordoned bool, out DrainOut, budget int) string {
	var b strings.Builder
	cordoned := "cordoned"
	if wasCordoned {
		cordoned = "was already cordoned"
	}
	state := "drained: every pod that had to leave has left"
	if !out.Complete {
		state = "NOT fully drained"
	}
	fmt.Fprintf(&b, "Node %s %s and is %s; pods: %s.\n", node, cordoned, state, counts(out.Pods))
	if len(out.Pods) > 0 {
		b.WriteString(podTable(out.Pods, budget-b.Len()-400))
	}
	if hasResult(out.Pods, resultBlocked) {
		b.WriteString("Blocked pods are still running: their PodDisruptionBudget allows no disruption now. Wait for more replicas to be ready elsewhere (or scale the workload up), then call nodes_drain again; the node stays cordoned.\n")
	}
	if hasResult(out.Pods, resultTerminating) {
		b.WriteString("Terminating pods accepted their eviction and are shutting down within their grace period.\n")
	}
	if out.Complete {
		fmt.Fprintf(&b, "After maintenance, nodes_cordon {\"action\":\"uncordon\",\"name\":%q} lets pods be scheduled here again.\n", node)
	}
	return b.String()
}
