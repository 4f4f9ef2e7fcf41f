package diagnostics

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// HealthIn says whether to watch the cluster change after looking.
type HealthIn struct {
	toolset.Target
	toolset.TextCap
	WatchSeconds int `json:"watch_seconds,omitempty" jsonschema:"max 60"`
}

// check is one of the apiserver's readiness checks.
type check struct {
	name string
	ok   bool
}

// NodeCounts are the nodes by state; a node can be in more than one.
type NodeCounts struct {
	Total    int      `json:"total"`
	Ready    int      `json:"ready"`
	NotReady []string `json:"not_ready"`
	Cordoned []string `json:"cordoned"`
	Pressure []string `json:"pressure" jsonschema:"under memory, disk or PID pressure, or without network"`
}

// HealthOut is the structured result of cluster_health.
type HealthOut struct {
	Ready     bool           `json:"ready" jsonschema:"the apiserver's /readyz passed"`
	Checks    int            `json:"-"` // how many readyz checks ran: the text says it
	Failed    []string       `json:"failed_checks"`
	Readyz    string         `json:"readyz_error,omitempty" jsonschema:"why the checks could not be read"`
	Nodes     NodeCounts     `json:"nodes"`
	Issues    Counts         `json:"issues" jsonschema:"find_issues over the whole cluster"`
	Reasons   map[string]int `json:"reasons" jsonschema:"findings by reason"`
	Unchecked []string       `json:"unchecked" jsonschema:"what could not be read, and why"`
	Changes   []Change       `json:"changes" jsonschema:"with watch_seconds: objects whose problems changed"`
}

func (d *Diagnostics) clusterHealth() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "cluster_health",
		Description: "Apiserver readiness, nodes ready or not, problem counts by reason; can watch changes.",
		Annotations: toolset.ReadOnly("Cluster health"),
	}, d.health)
}

func (d *Diagnostics) health(ctx context.Context, _ *mcp.CallToolRequest, in HealthIn) (string, HealthOut, error) {
	out := HealthOut{Failed: []string{}, Reasons: map[string]int{}, Unchecked: []string{}, Changes: []Change{},
		Nodes: NodeCounts{NotReady: []string{}, Cordoned: []string{}, Pressure: []string{}}}
	if in.WatchSeconds < 0 || in.WatchSeconds > maxWatchSeconds {
		return "", out, fmt.Errorf("watch_seconds %d: want 0 to %d", in.WatchSeconds, maxWatchSeconds)
	}
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	checks, err := readyz(ctx, kc)
	if err != nil {
		out.Readyz = err.Error()
	}
	out.Checks = len(checks)
	for _, c := range checks {
		if !c.ok {
			out.Failed = append(out.Failed, c.name)
		}
	}
	out.Ready = err == nil && len(out.Failed) == 0
	snap, err := readSnapshot(ctx, kc, "", nil)
	if err != nil {
		return "", out, err
	}
	out.Unchecked = append(out.Unchecked, snap.unread...)
	findings := snap.findings(time.Now())
	out.Issues = countOf(findings)
	for _, f := range findings {
		out.Reasons[f.Reason]++
	}
	out.Nodes = nodeCounts(snap.nodes, findings)
	text := healthText(out, snap.refused == nil)
	if in.WatchSeconds > 0 {
		watch := time.Duration(in.WatchSeconds) * time.Second
		// Across clusters, a watch is long by design: not a cluster that does not answer.
		clusters.Extend(ctx, watch)
		changes, dropped, unwatched := watchChanges(ctx, d.deps.Watches, in.Cluster, watch)
		out.Changes = append(out.Changes, changes...)
		text += changesText(out, in.WatchSeconds, dropped, unwatched)
	}
	return render.Text(text, d.deps.Budget(in.TextCap), "find_issues lists the findings one by one."), out, nil
}

// readyz runs the apiserver's readiness checks. An apiserver that is not
// ready answers 500 with the same list, so the list is read either way.
func readyz(ctx context.Context, kc *kube.Client) ([]check, error) {
	body, err := kc.Typed.Discovery().RESTClient().Get().AbsPath("/readyz").Param("verbose", "true").DoRaw(ctx)
	var checks []check
	for l := range strings.Lines(string(body)) {
		switch {
		case strings.HasPrefix(l, "[+]"):
			checks = append(checks, check{name: checkName(l), ok: true})
		case strings.HasPrefix(l, "[-]"):
			checks = append(checks, check{name: checkName(l)})
		}
	}
	if len(checks) == 0 && err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "/readyz"})
	}
	return checks, nil
}

// checkName is the name in a line like "[+]etcd ok" or
// "[-]poststarthook/x failed: reason withheld".
func checkName(line string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(line[3:]), " ")
	return token(name, 100)
}

func nodeCounts(nodes []corev1.Node, findings []Finding) NodeCounts {
	c := NodeCounts{Total: len(nodes), NotReady: []string{}, Cordoned: []string{}, Pressure: []string{}}
	for _, f := range findings {
		switch {
		case f.Kind != "Node":
		case f.Reason == "NotReady":
			c.NotReady = append(c.NotReady, f.Name)
		case f.Reason == "SchedulingDisabled":
			c.Cordoned = append(c.Cordoned, f.Name)
		case !slices.Contains(c.Pressure, f.Name):
			c.Pressure = append(c.Pressure, f.Name)
		}
	}
	c.Ready = c.Total - len(c.NotReady)
	return c
}

func healthText(out HealthOut, scanned bool) string {
	var b strings.Builder
	b.WriteString(readyzText(out))
	if !scanned {
		b.WriteString("Nodes and issues: not available, the caller may read none of them.\n")
		return b.String() + uncheckedNote(out.Unchecked)
	}
	n := out.Nodes
	fmt.Fprintf(&b, "Nodes: %d of %d Ready", n.Ready, n.Total)
	for _, s := range []struct {
		what  string
		nodes []string
	}{{"NotReady", n.NotReady}, {"cordoned", n.Cordoned}, {"under pressure", n.Pressure}} {
		if len(s.nodes) > 0 {
			fmt.Fprintf(&b, "; %s: %s", s.what, strings.Join(s.nodes, ", "))
		}
	}
	b.WriteString(".\n")
	total := out.Issues.Critical + out.Issues.Warning + out.Issues.Info
	fmt.Fprintf(&b, "Issues: %d (%s)", total, out.Issues)
	if total > 0 {
		reasons := slices.SortedFunc(maps.Keys(out.Reasons), func(a, b string) int {
			return cmp.Or(cmp.Compare(out.Reasons[b], out.Reasons[a]), cmp.Compare(a, b))
		})
		parts := make([]string, len(reasons))
		for i, r := range reasons {
			parts[i] = fmt.Sprintf("%s %d", r, out.Reasons[r])
		}
		fmt.Fprintf(&b, ": %s. find_issues {} lists them with evidence and next steps", strings.Join(parts, ", "))
	}
	b.WriteString(".\n")
	return b.String() + uncheckedNote(out.Unchecked)
}

func readyzText(out HealthOut) string {
	if out.Readyz != "" {
		return "Apiserver readiness checks: not available: " + out.Readyz + "\n"
	}
	failed := out.Failed
	if len(failed) == 0 {
		return fmt.Sprintf("Apiserver: ready, all %d readyz checks pass.\n", out.Checks)
	}
	return fmt.Sprintf("Apiserver: NOT ready, %d of %d readyz checks fail: %s. The apiserver's log says why.\n",
		len(failed), out.Checks, strings.Join(failed, ", "))
}
