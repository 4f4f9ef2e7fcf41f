package toolset

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
)

// Target is embedded in the input of every tool that acts on a cluster. The
// property is advertised only when more than one cluster is configured.
type Target struct {
	// A context name; tools made with FanOut also take "*" (every cluster)
	// or a comma-separated list of names and patterns. Explained once, in the
	// server instructions.
	Cluster string `json:"cluster,omitempty"`
}

func (t *Target) target() *Target { return t }

type targeted interface{ target() *Target }

func (c *TextCap) textCap() *TextCap { return c }

type capped interface{ textCap() *TextCap }

// Fanned is the structuredContent of a call that named several clusters:
// each cluster's own result, or why it has none.
type Fanned struct {
	Clusters []ClusterResult `json:"clusters"`
}

// ClusterResult is one cluster's part of a fanned-out call.
type ClusterResult struct {
	Cluster  string `json:"cluster"`
	Result   any    `json:"result,omitempty"`
	Error    string `json:"error,omitempty"`
	Skipped  bool   `json:"skipped,omitempty"`   // unreachable a moment ago: not asked
	TimedOut bool   `json:"timed_out,omitempty"` // asked, no answer in time
	Millis   int64  `json:"ms"`
}

// minClusterBudget is the least text budget one cluster's part gets when a
// call's budget is shared among many clusters: below it a part could not say
// even how to get the rest, so a call across more than budget/1 KiB clusters
// may answer more than its budget.
const minClusterBudget = 1024

// FanOut makes a read-only tool that also answers for several clusters at
// once: a call whose cluster is "*" or a list runs h for each cluster in
// parallel (see clusters.Fan) and returns every cluster's answer, error,
// timeout or skip, grouped by cluster: partial results, never all or nothing.
// In must embed Target. With a progress token, a progress notification goes
// out as each cluster finishes.
func FanOut[In, Out any](deps Deps, meta mcp.Tool, h Handler[In, Out]) Tool {
	if meta.Annotations == nil || !meta.Annotations.ReadOnlyHint {
		panic(fmt.Sprintf("tool %s: only read-only tools fan out", meta.Name)) // a programming error
	}
	if _, ok := any(new(In)).(targeted); !ok {
		panic(fmt.Sprintf("tool %s: its input does not embed toolset.Target", meta.Name))
	}
	single := outputSchema[Out](meta.Name)
	// With several clusters, the result may be either shape.
	either := *single
	either.Properties = maps.Clone(single.Properties)
	either.Properties["clusters"] = outputSchema[Fanned](meta.Name).Properties["clusters"]
	meta.OutputSchema = single
	return Tool{Meta: meta, install: func(s *mcp.Server, t *mcp.Tool, self Tool, o InstallOptions) {
		if o.MultiCluster {
			t.OutputSchema = &either
		}
		addTool(s, t, self.fence(t), inputSchema[In](false, o.MultiCluster, severalCluster), func(ctx context.Context, req *mcp.CallToolRequest, in In) (string, any, error) {
			spec := any(&in).(targeted).target().Cluster
			if !strings.ContainsAny(spec, "*,") {
				return h(ctx, req, in)
			}
			return fanOut(ctx, deps, req, in, spec, h)
		})
	}}
}

// fanOut answers a call across clusters. It fails, with every cluster's part
// as its structured result, only when no cluster answered.
func fanOut[In, Out any](ctx context.Context, deps Deps, req *mcp.CallToolRequest, in In, spec string, h Handler[In, Out]) (string, any, error) {
	names, err := deps.Clusters.Select(spec)
	if err != nil {
		return "", nil, err
	}
	total := deps.Budget(TextCap{})
	if c, ok := any(&in).(capped); ok {
		total = deps.Budget(*c.textCap())
	}
	per := max(total/len(names), minClusterBudget)
	type answer struct {
		text string
		out  Out
	}
	finished := 0
	answers, outcomes := clusters.Fan(ctx, deps.Clusters, names, func(ctx context.Context, cluster string) (answer, error) {
		one := in
		any(&one).(targeted).target().Cluster = cluster
		if c, ok := any(&one).(capped); ok {
			c.textCap().MaxBytes = per
		}
		text, out, err := h(ctx, req, one)
		if err != nil && text != "" && text != err.Error() {
			err = fmt.Errorf("%w\n%s", err, text)
		}
		return answer{text, out}, err
	}, func(o clusters.Outcome) {
		finished++
		notifyProgress(ctx, req, finished, len(names), o)
	})
	var text strings.Builder
	res := Fanned{Clusters: make([]ClusterResult, len(names))}
	failed := 0
	for i, o := range outcomes {
		r := ClusterResult{Cluster: o.Cluster, Millis: o.Took.Milliseconds()}
		if o.Err != nil {
			failed++
			r.Error, _ = explainAny(o.Err)
			r.Skipped, r.TimedOut = o.Skipped(), errors.Is(o.Err, clusters.ErrTimeout)
			fmt.Fprintf(&text, "\n== cluster %s: %s ==\n", o.Cluster, r.Error)
		} else {
			r.Result = answers[i].out
			fmt.Fprintf(&text, "\n== cluster %s (%s) ==\n%s", o.Cluster, o.Took.Round(time.Millisecond), ensureNewline(answers[i].text))
		}
		res.Clusters[i] = r
	}
	head := fmt.Sprintf("%d clusters: %d answered, %d did not.\n", len(names), len(names)-failed, failed)
	if failed == len(names) {
		return head + text.String(), res, WithOutput(errors.New("no cluster answered"))
	}
	return head + text.String(), res, nil
}

func notifyProgress(ctx context.Context, req *mcp.CallToolRequest, done, total int, o clusters.Outcome) {
	tok := req.Params.GetProgressToken()
	if tok == nil || req.Session == nil {
		return
	}
	status := "answered"
	if o.Err != nil {
		status = "failed: " + o.Err.Error()
	}
	msg := fmt.Sprintf("cluster %s %s", o.Cluster, status)
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok,
		Progress: float64(done), Total: float64(total), Message: msg})
}

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
