package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/store"
)

// recCard is the card a recommendation would add.
type recCard struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config"`
}

// recommendation is a card worth adding, and why.
type recommendation struct {
	// ID names the card it would add (type and config), so accepting and
	// snoozing need nothing kept between requests.
	ID       string  `json:"id"`
	Card     recCard `json:"card"`
	Title    string  `json:"title"`
	Severity string  `json:"severity"`
	Reason   string  `json:"reason"` // the facts the rules saw
	Why      string  `json:"why,omitempty"`
}

// recommendations is the answer of GET /api/recommendations.
type recommendations struct {
	Recommendations []recommendation `json:"recommendations"`
	// RankedBy is "rules" (most urgent first) or "model"; AINote says why
	// the model did not rank them when the user's mode asks it to.
	RankedBy  string   `json:"rankedBy"`
	AINote    string   `json:"aiNote,omitempty"`
	Usage     usage    `json:"usage"`
	Unchecked []string `json:"unchecked"` // what could not be read, and why
}

// recSource is a tool the rules read, as a stream of one cluster, and the
// rule that reads its items.
type recSource struct {
	kind  streamKind
	apply func(recRules, json.RawMessage) ([]recommendation, error)
}

var recSources = []recSource{
	{streamKinds["issues"], applying(recRules.issues)},
	{warningEvents, applying(recRules.warnings)},
	{streamKinds["security"], applying(recRules.security)},
}

// applying is rule over a tool's items, decoded as the rule takes them.
func applying[T any](rule func(recRules, []T) []recommendation) func(recRules, json.RawMessage) ([]recommendation, error) {
	return func(r recRules, items json.RawMessage) ([]recommendation, error) {
		var xs []T
		if err := json.Unmarshal(items, &xs); err != nil {
			return nil, err
		}
		return rule(r, xs), nil
	}
}

// recommend serves GET /api/recommendations?cluster=&namespace=: rules over
// what the tools find as the user (failing pods, sick nodes, warning
// events, unsafe settings) suggest cards, leaving out those snoozed and
// those already on a dashboard. In high AI mode the model ranks and
// explains them, within the user's token limit.
func (c *Console) recommend(w http.ResponseWriter, r *http.Request, u store.User) error {
	if r.URL.Query().Get("rank") != "" {
		return invalid("rank", "ask for the model's ranking with POST /api/recommendations/rank (same query): it spends tokens, which a link must not")
	}
	return c.answerRecommendations(w, r, u, false)
}

// rankRecommendations serves POST /api/recommendations/rank?cluster=&namespace=:
// the recommendations, ranked and explained by the model in medium AI mode
// as in high. A POST, as a change is: it spends the user's tokens.
func (c *Console) rankRecommendations(w http.ResponseWriter, r *http.Request, u store.User) error {
	return c.answerRecommendations(w, r, u, true)
}

func (c *Console) answerRecommendations(w http.ResponseWriter, r *http.Request, u store.User, requested bool) error {
	out, err := c.ruled(r, u)
	if err != nil {
		return err
	}
	if out.Usage, err = c.usageOf(r.Context(), u); err != nil {
		return err
	}
	if c.rank(r.Context(), u, &out, requested) { // what the model spent shows in the answer
		if out.Usage, err = c.usageOf(r.Context(), u); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// ruled is what the rules recommend to u in the clusters r names; the
// session ends before the model is asked, whose answer may take a while.
func (c *Console) ruled(r *http.Request, u store.User) (recommendations, error) {
	call, err := c.clustersCall(r, u)
	if err != nil {
		return recommendations{}, err
	}
	defer call.end()
	recs, unchecked := c.gather(call.ctx, call.cs, call.names, r.URL.Query().Get("namespace"))
	recs, err = c.unseen(r.Context(), u, recs)
	return recommendations{Recommendations: recs, RankedBy: "rules", Unchecked: unchecked}, err
}

// gather runs the rules over every cluster, a few at a time, most urgent
// recommendation first.
func (c *Console) gather(ctx context.Context, cs *mcp.ClientSession, names []string, ns string) ([]recommendation, []string) {
	var mu sync.Mutex
	recs, unchecked := []recommendation{}, []string{}
	slots := make(chan struct{}, streamConcurrency)
	multi := c.multiCluster()
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			rs, errs := c.ruleCluster(ctx, cs, recRules{cluster: name, namespace: ns}, multi)
			mu.Lock()
			defer mu.Unlock()
			recs, unchecked = append(recs, rs...), append(unchecked, errs...)
		})
	}
	wg.Wait()
	for i := range recs {
		recs[i].ID = recID(recs[i].Card)
		t, _ := c.catalog.get(recs[i].Card.Type)
		recs[i].Title = t.Title
	}
	slices.SortStableFunc(recs, func(a, b recommendation) int { return sevRank(a.Severity) - sevRank(b.Severity) })
	slices.Sort(unchecked)
	return recs, unchecked
}

// ruleCluster asks one cluster's tools and applies the rules to what they
// say.
func (c *Console) ruleCluster(ctx context.Context, cs *mcp.ClientSession, rules recRules, multi bool) ([]recommendation, []string) {
	var recs []recommendation
	var unchecked []string
	for _, src := range recSources {
		event, v := c.askCluster(ctx, cs, src.kind, rules.cluster, rules.namespace, multi)
		data, ok := v.(clusterData)
		if !ok {
			unchecked = append(unchecked, fmt.Sprintf("%s in cluster %s: %s", src.kind.tool, rules.cluster, reasonOf(event, v)))
			continue
		}
		found, err := src.apply(rules, data.Items)
		if err != nil {
			unchecked = append(unchecked, fmt.Sprintf("%s in cluster %s: reading its result: %v", src.kind.tool, rules.cluster, err))
		}
		recs = append(recs, found...)
	}
	return recs, unchecked
}

func reasonOf(event string, v any) string {
	switch e := v.(type) {
	case clusterError:
		return e.Error
	case clusterSkipped:
		return e.Reason // kubemcp says it skipped the cluster, and why
	}
	return event
}

// recID names card in a URL path segment.
func recID(card recCard) string {
	b, _ := json.Marshal(card)
	return base64.RawURLEncoding.EncodeToString(b)
}

// recCardOf reads the card a recommendation id names, as the catalog allows
// it.
func (c *Console) recCardOf(id string) (recCard, error) {
	var card recCard
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || json.Unmarshal(b, &card) != nil {
		return recCard{}, invalid("id", "not a recommendation id; take one from GET /api/recommendations")
	}
	return card, c.catalog.check(card.Type, card.Config)
}

// unseen leaves out the recommendations u snoozed and the cards already on
// one of u's dashboards.
func (c *Console) unseen(ctx context.Context, u store.User, recs []recommendation) ([]recommendation, error) {
	snoozed, err := c.opts.Store.Snoozed(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ds, err := c.opts.Store.Dashboards(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	shown := map[string]bool{}
	for _, d := range ds {
		for _, card := range d.Cards {
			shown[recID(recCard{Type: card.Type, Config: canonical(card.Config)})] = true
		}
	}
	return slices.DeleteFunc(recs, func(r recommendation) bool {
		_, asleep := snoozed[r.ID]
		return asleep || shown[r.ID]
	}), nil
}

// canonical is a card's config as the rules write it, so a stored card and
// a recommendation of the same card compare equal.
func canonical(config json.RawMessage) json.RawMessage {
	var sc scopeConfig
	_ = json.Unmarshal(config, &sc) // a config of another shape compares unequal, as it should
	b, _ := json.Marshal(sc)
	return b
}

// rank has the model order and explain out's recommendations when u asked
// (POST; the card asks once on its own in high AI mode) and their mode
// allows it, noting why not when it cannot; it reports whether it asked the
// model (which may have spent tokens). The rules' list, which cards refresh
// every minute, never spends tokens.
func (c *Console) rank(ctx context.Context, u store.User, out *recommendations, requested bool) (asked bool) {
	mode := out.Usage.Mode
	switch {
	case len(out.Recommendations) == 0 || !requested:
		return false
	case mode == "low":
		out.AINote = "in low AI mode the model ranks nothing; set AI mode to medium (ranked when you ask) or high (ranked when a card loads, and when you ask) in settings"
		return false
	case c.opts.AI == nil:
		out.AINote = "no AI provider is configured, so the rules' order stands"
		return false
	}
	var cands []ai.Candidate
	byID := map[string]recommendation{}
	for _, r := range out.Recommendations {
		cands = append(cands, ai.Candidate{ID: r.ID, Card: r.Title, Severity: r.Severity, Reason: r.Reason})
		byID[r.ID] = r
	}
	ranked, err := ai.Rank(ctx, c.opts.AI, budget{c: c, u: u}, cands)
	if err != nil {
		out.AINote = "the model did not rank these, so the rules' order stands: " + err.Error()
		return true
	}
	out.Recommendations = out.Recommendations[:0]
	for _, rk := range ranked {
		r := byID[rk.ID]
		r.Why = rk.Why
		out.Recommendations = append(out.Recommendations, r)
	}
	out.RankedBy = "model"
	return true
}
