package diagnostics

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// SecurityIn scopes security_scan.
type SecurityIn struct {
	toolset.Target
	toolset.TextCap
	Namespace string `json:"namespace,omitempty"`
}

// SecurityOut is the structured result of security_scan.
type SecurityOut struct {
	Findings  []SecurityFinding `json:"findings" jsonschema:"those the text shows, most severe first"`
	Matched   int               `json:"matched" jsonschema:"findings in all, shown or not"`
	Counts    Counts            `json:"counts"`
	Workloads int               `json:"workloads" jsonschema:"workloads checked, one pod of each"`
	Pods      int               `json:"pods"`
	Unchecked []string          `json:"unchecked" jsonschema:"what could not be read, and why"`
}

func (d *Diagnostics) securityScan() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "security_scan",
		Description: "Unsafe pod settings (privileged, host access, root, no limits, :latest, tokens, Secrets in env) and fixes.",
		Annotations: toolset.ReadOnly("Security scan"),
	}, d.security)
}

func (d *Diagnostics) security(ctx context.Context, _ *mcp.CallToolRequest, in SecurityIn) (string, SecurityOut, error) {
	out := SecurityOut{Findings: []SecurityFinding{}, Unchecked: []string{}}
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	var pods []corev1.Pod
	if err := into(&pods, kc.Typed.CoreV1().Pods(in.Namespace).List, func(l *corev1.PodList) []corev1.Pod { return l.Items })(ctx); err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: in.Namespace})
	}
	accounts, err := defaultAccounts(ctx, kc, in.Namespace)
	switch {
	case err != nil && isRefusal(err):
		out.Unchecked = append(out.Unchecked, "serviceaccounts ("+refusal(err)+"): token automounting judged from the pods alone")
	case err != nil:
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "serviceaccounts", Namespace: in.Namespace})
	}
	order, groups := byWorkload(pods)
	var all []SecurityFinding
	for _, w := range order {
		all = append(all, podSecurity(w, &groups[w][0].Spec, accounts[w.Namespace])...)
	}
	sortSecurity(all)
	out.Matched, out.Counts, out.Workloads, out.Pods = len(all), securityCounts(all), len(order), len(pods)
	return d.securityText(in, &out, all), out, nil
}

// defaultAccounts reads the default ServiceAccount of each namespace in one
// list, for whether it mounts its token.
func defaultAccounts(ctx context.Context, kc *kube.Client, ns string) (map[string]*corev1.ServiceAccount, error) {
	l, err := kc.Typed.CoreV1().ServiceAccounts(ns).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=default"})
	if err != nil {
		return map[string]*corev1.ServiceAccount{}, err
	}
	out := make(map[string]*corev1.ServiceAccount, len(l.Items))
	for i := range l.Items {
		out[l.Items[i].Namespace] = &l.Items[i]
	}
	return out, nil
}

func sortSecurity(fs []SecurityFinding) {
	slices.SortStableFunc(fs, func(a, b SecurityFinding) int {
		return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Object, b.Object), cmp.Compare(a.Container, b.Container), cmp.Compare(a.Check, b.Check))
	})
}

func securityCounts(fs []SecurityFinding) Counts {
	sev := make([]Finding, len(fs))
	for i, f := range fs {
		sev[i].Severity = f.Severity
	}
	return countOf(sev)
}

func (d *Diagnostics) securityText(in SecurityIn, out *SecurityOut, all []SecurityFinding) string {
	checked := fmt.Sprintf("%s (%s)", plural(out.Workloads, "workload"), plural(out.Pods, "pod"))
	tail := uncheckedNote(out.Unchecked)
	if len(all) == 0 {
		return fmt.Sprintf("No findings %s: %s pass every check (privileged, host namespaces and paths, root, limits, image tags, "+
			"service-account tokens, Secrets in env).\n", scope(in.Namespace), checked) + tail
	}
	head := fmt.Sprintf("%s %s over %s: %s.\n", plural(len(all), "finding"), scope(in.Namespace), checked, out.Counts)
	t := render.Table{Header: []string{"SEVERITY", "OBJECT", "CONTAINER", "CHECK", "DETAIL", "FIX"}}
	if in.Namespace == "" {
		t.Header = slices.Insert(t.Header, 1, "NAMESPACE")
	}
	for _, f := range all {
		row := []string{f.Severity, f.Object, cmp.Or(f.Container, "(pod)"), f.Check, f.Detail, f.Fix}
		if in.Namespace == "" {
			row = slices.Insert(row, 1, f.Namespace)
		}
		t.Rows = append(t.Rows, row)
	}
	text, shown := t.Fit(d.deps.Budget(in.TextCap)-len(head)-len(tail), "Narrow with namespace; structuredContent has the counts.")
	out.Findings = all[:shown]
	return head + text + tail
}
