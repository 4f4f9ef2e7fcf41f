package diagnostics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// IssuesIn scopes find_issues.
type IssuesIn struct {
	toolset.Target
	toolset.TextCap
	Namespace string `json:"namespace,omitempty" jsonschema:"omit: whole cluster, nodes too"`
}

// IssuesOut is the structured result of find_issues.
type IssuesOut struct {
	Findings  []Finding `json:"findings" jsonschema:"those the text shows, most urgent first"`
	Matched   int       `json:"matched" jsonschema:"findings in all, shown or not"`
	Counts    Counts    `json:"counts"`
	Unchecked []string  `json:"unchecked" jsonschema:"what could not be read, and why"`
}

func (d *Diagnostics) findIssues() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "find_issues",
		Description: "What is wrong: failing pods, stuck rollouts, failed Jobs, sick nodes, pending PVCs, with evidence.",
		Annotations: toolset.ReadOnly("Find issues"),
	}, d.issues)
}

func (d *Diagnostics) issues(ctx context.Context, _ *mcp.CallToolRequest, in IssuesIn) (string, IssuesOut, error) {
	out := IssuesOut{Findings: []Finding{}, Unchecked: []string{}}
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	snap, err := readAnything(ctx, kc, in.Namespace, nil)
	if err != nil {
		return "", out, err
	}
	all := snap.findings(time.Now())
	out.Matched, out.Counts, out.Unchecked = len(all), countOf(all), append(out.Unchecked, snap.unread...)
	head := fmt.Sprintf("%s %s: %s. Checked %s.\n", plural(len(all), "issue"), scope(in.Namespace), out.Counts, snap.checked())
	tail := uncheckedNote(snap.unread)
	if len(all) == 0 {
		return fmt.Sprintf("No issues %s. Checked %s.\n", scope(in.Namespace), snap.checked()) + tail, out, nil
	}
	text, shown := findingsText(all, in.Namespace == "", d.deps.Budget(in.TextCap)-len(head)-len(tail),
		"Narrow with namespace; structuredContent has the counts.")
	out.Findings = all[:shown]
	return head + text + tail, out, nil
}

func scope(ns string) string {
	if ns == "" {
		return "in the cluster"
	}
	return fmt.Sprintf("in namespace %q", ns)
}

func uncheckedNote(unread []string) string {
	if len(unread) == 0 {
		return ""
	}
	return "Not checked, so not known to be healthy: " + strings.Join(unread, ", ") + ".\n"
}
