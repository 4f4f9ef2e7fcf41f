package console

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/store"
)

// maxSummaryFacts bounds the JSON of what a summary gives the model (some
// 8,000 tokens), shared among the clusters and tools it read; a list over
// its share is cut, saying how many of its items are shown, and past the
// bound in all the lists hold nothing.
const maxSummaryFacts = 32 << 10

// summaryIn is the body of POST /api/ai/summary: what to summarize.
type summaryIn struct {
	// Card is a card type of the catalog, summarized from the tool that
	// feeds it; empty: the clusters' state.
	Card      string `json:"card"`
	Cluster   string `json:"cluster"` // a name, names or patterns; empty: every cluster
	Namespace string `json:"namespace"`
}

// summaryOut is a summary, what it read, and the user's AI use after it.
type summaryOut struct {
	summaryIn
	Summary   string    `json:"summary"` // empty: none (Note says why)
	Read      []string  `json:"read"`    // the tools read, as the signed-in user
	Unchecked []string  `json:"unchecked"`
	Tokens    int64     `json:"tokens"` // what the summary cost
	At        time.Time `json:"at"`
	Proactive bool      `json:"proactive"` // made without being asked (high AI mode)
	Note      string    `json:"note,omitempty"`
	Usage     usage     `json:"usage"`
}

// summarySource is a tool a summary reads, as one cluster's answer.
type summarySource struct {
	tool string
	ask  func(ctx context.Context, cs *mcp.ClientSession, cluster, ns string, multi bool) (string, any)
}

// warningEvents are the events worth a person's attention.
var warningEvents = streamKind{tool: "events_list", items: "events", namespaced: true, warnings: true}

// stateKinds are what a summary of the clusters' state reads: what is
// wrong, what warns, and the nodes.
var stateKinds = []streamKind{streamKinds["issues"], warningEvents, streamKinds["nodes"]}

// cardInsights are the insight cards and the insight that feeds each.
var cardInsights = map[string]string{
	"namespace_overview": "overview", "top_pods": "top_pods", "node_usage": "top_nodes", "resource_cost": "usage", "access": "access",
}

// summarySources are what a summary of card reads: the tool its card
// shows (its stream's or insight's); for a card of no one tool (clusters,
// recommendations, a cluster's detail) and for none, the clusters' state.
func (c *Console) summarySources(card string) ([]summarySource, error) {
	t, ok := c.catalog.get(card)
	if card != "" && !ok {
		return nil, invalid("card", "no card type %q (GET /api/cards/catalog lists them); leave it out to summarize the clusters' state", card)
	}
	if kind, ok := streamKinds[t.Stream]; ok {
		return []summarySource{c.streamSource(kind)}, nil
	}
	if name, ok := cardInsights[card]; ok {
		kind := insightKinds[name]
		return []summarySource{{tool: kind.tool, ask: func(ctx context.Context, cs *mcp.ClientSession, cluster, ns string, multi bool) (string, any) {
			if !kind.namespaced {
				ns = ""
			}
			return c.askInsight(ctx, cs, kind, cluster, ns, multi)
		}}}, nil
	}
	var out []summarySource
	for _, kind := range stateKinds {
		out = append(out, c.streamSource(kind))
	}
	return out, nil
}

func (c *Console) streamSource(kind streamKind) summarySource {
	return summarySource{tool: kind.tool, ask: func(ctx context.Context, cs *mcp.ClientSession, cluster, ns string, multi bool) (string, any) {
		return c.askCluster(ctx, cs, kind, cluster, ns, multi)
	}}
}

// summaryFact is what one tool said of one cluster, as the model reads it.
type summaryFact struct {
	Cluster string          `json:"cluster"`
	Tool    string          `json:"tool"`
	Items   json.RawMessage `json:"items,omitempty"`
	Shown   string          `json:"shown,omitempty"` // "N of M items", when cut to fit
	Error   string          `json:"error,omitempty"`
}

// collect asks every source of every cluster, the clusters a few at a
// time; it returns the facts and what could not be read, and why.
func (c *Console) collect(call clustersCall, srcs []summarySource, ns string) ([]summaryFact, []string) {
	share := max(maxSummaryFacts/max(len(call.names)*len(srcs), 1), 2<<10)
	multi := c.multiCluster()
	var mu sync.Mutex
	facts, unchecked := []summaryFact{}, []string{}
	slots := make(chan struct{}, streamConcurrency)
	var wg sync.WaitGroup
	for _, name := range call.names {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			for _, src := range srcs {
				f := summaryFact{Cluster: name, Tool: src.tool}
				event, v := src.ask(call.ctx, call.cs, name, ns, multi)
				if data, ok := v.(clusterData); ok {
					f.Items, f.Shown = fit(data.Items, share)
				} else {
					f.Error = reasonOf(event, v)
				}
				mu.Lock()
				facts = append(facts, f)
				if f.Error != "" {
					unchecked = append(unchecked, fmt.Sprintf("%s in cluster %s: %s", f.Tool, name, f.Error))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(facts, func(a, b summaryFact) int {
		return cmp.Or(strings.Compare(a.Cluster, b.Cluster), strings.Compare(a.Tool, b.Tool))
	})
	slices.Sort(unchecked)
	return facts, unchecked
}

// fit cuts a JSON list of items to at most budget bytes, whole items from
// the first, and says how many it kept.
func fit(items json.RawMessage, budget int) (json.RawMessage, string) {
	if len(items) <= budget {
		return items, ""
	}
	var xs []json.RawMessage
	if err := json.Unmarshal(items, &xs); err != nil {
		return nil, fmt.Sprintf("none: %d bytes, over the %d a summary reads", len(items), budget)
	}
	n, size := 0, 2
	for n < len(xs) && size+len(xs[n])+1 <= budget {
		size += len(xs[n]) + 1
		n++
	}
	kept, _ := json.Marshal(xs[:n])
	return kept, fmt.Sprintf("%d of %d items", n, len(xs))
}

// subject says in words what a summary is of.
func (in summaryIn) subject() string {
	what := "the clusters' state: issues, warning events and nodes"
	if in.Card != "" {
		what = "the " + in.Card + " card"
	}
	where := cmp.Or(in.Cluster, "every cluster")
	if in.Namespace != "" {
		where += ", namespace " + in.Namespace
	}
	return what + ", in " + where
}

// lowMode is why low AI mode refuses a summary, and what enables one.
const lowMode = "summaries are off in low AI mode, where the model works only on missions you start; " +
	"set AI mode to medium (summaries when you ask) or high (also one made for you) in settings (PUT /api/settings {\"aiMode\": \"medium\"})"

// summarize serves POST /api/ai/summary: the tools that feed the card (or
// the clusters' state) are read as the signed-in user, and the model
// summarizes what they say, within the user's token limit. Medium and
// high AI mode only.
func (c *Console) summarize(w http.ResponseWriter, r *http.Request, u store.User) error {
	var in summaryIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	srcs, err := c.summarySources(in.Card)
	if err != nil {
		return err
	}
	if err := c.needAI(); err != nil {
		return err
	}
	us, err := c.usageOf(r.Context(), u)
	if err != nil {
		return err
	}
	if us.Mode == "low" {
		return &apiError{status: http.StatusForbidden, code: "ai_mode", msg: lowMode, usage: &us}
	}
	out, err := c.makeSummary(r.Context(), u, in, srcs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// makeSummary reads srcs of the clusters in names as u and has the model
// summarize them.
func (c *Console) makeSummary(ctx context.Context, u store.User, in summaryIn, srcs []summarySource) (summaryOut, error) {
	if err := (budget{c: c, u: u}).Check(ctx); err != nil {
		return summaryOut{}, c.overLimit(ctx, u, err) // before reading the clusters for nothing
	}
	facts, unchecked, err := c.readFacts(ctx, u, in, srcs)
	if err != nil {
		return summaryOut{}, err
	}
	out := summaryOut{summaryIn: in, Unchecked: unchecked, At: time.Now().UTC()}
	for _, src := range srcs {
		out.Read = append(out.Read, src.tool)
	}
	out.Summary, out.Tokens, err = ai.Summarize(ctx, c.opts.AI, budget{c: c, u: u}, in.subject(), facts)
	switch {
	case errors.Is(err, ai.ErrTokenLimit):
		return out, c.overLimit(ctx, u, err)
	case err != nil:
		return out, errorf(http.StatusBadGateway, "ai_failed", "the model did not summarize: %v", err)
	}
	out.Usage, err = c.usageOf(ctx, u)
	return out, err
}

// readFacts reads srcs of the clusters in scope as u, within
// maxSummaryFacts; the session ends before the model is asked, whose
// answer may take a minute.
func (c *Console) readFacts(ctx context.Context, u store.User, in summaryIn, srcs []summarySource) ([]summaryFact, []string, error) {
	call, err := c.callClusters(ctx, u, in.Cluster)
	if err != nil {
		return nil, nil, err
	}
	defer call.end()
	facts, unchecked := c.collect(call, srcs, in.Namespace)
	return capFacts(facts, maxSummaryFacts), unchecked, nil
}

// capFacts keeps the facts' items within limit bytes in all: each share
// has a floor, so the shares of many clusters alone could pass it. The
// facts past it keep their cluster and tool, and say why they hold none.
func capFacts(facts []summaryFact, limit int) []summaryFact {
	total := 0
	for i := range facts {
		if total+len(facts[i].Items) > limit {
			facts[i].Items, facts[i].Shown = nil, fmt.Sprintf("none: the %d bytes a summary reads went to the facts before", limit)
		}
		total += len(facts[i].Items)
	}
	return facts
}
