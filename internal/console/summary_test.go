package console_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/ai/aitest"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

type summary struct {
	Card, Cluster, Namespace string
	Summary                  string
	Read, Unchecked          []string
	Tokens                   int64
	At                       time.Time
	Proactive                bool
	Note                     string
	Usage                    struct {
		Mode             string
		UsedToday, Limit int64
	}
}

// asks tells the model's requests apart by their system prompt.
func asks(prompt string) func(aitest.Request) bool {
	return func(r aitest.Request) bool { return strings.Contains(r.Messages[0].Text(), prompt) }
}

// countAsked is how many of the model's requests were match's.
func countAsked(model *aitest.Server, match func(aitest.Request) bool) int {
	n := 0
	for _, r := range model.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// summaryModel is a scripted model that summarizes for 300 tokens and
// ranks (keeping the rules' order) for 100.
func summaryModel(t *testing.T) *aitest.Server {
	model := aitest.Start(t)
	model.Answer(asks("You summarize"), func(aitest.Request) aitest.Reply {
		return aitest.Reply{Text: "In payments one pod crash-loops; look at its log.", Tokens: 300}
	})
	model.Answer(asks("You rank"), func(aitest.Request) aitest.Reply {
		return aitest.Reply{Text: `{"ranking": []}`, Tokens: 100}
	})
	return model
}

func (c *consoleServer) setAI(t *testing.T, settings map[string]any) {
	t.Helper()
	decodeOK(t, http.StatusOK, &map[string]any{})(c.do(t, "PUT", "/api/settings", settings))
}

// TestSummaryByAIMode: low mode refuses a summary, naming the setting that
// enables one, ranks nothing and asks the model nothing; medium summarizes
// a card when asked, from the card's own tool read as the user, and ranks
// only when asked; high also ranks unasked and makes the dashboard's
// summary unasked, once per interval. Every token counts against the
// user's limit, reported with each answer.
func TestSummaryByAIMode(t *testing.T) {
	model := summaryModel(t)
	summarizes, ranks := asks("You summarize"), asks("You rank")
	c := startWithModel(t, model)
	pods := map[string]string{"card": "pods", "cluster": "live", "namespace": testenv.NamespacePayments}

	status, body := c.do(t, "POST", "/api/ai/summary", pods)
	wantError(t, status, body, http.StatusForbidden, "ai_mode", "set AI mode to medium")
	var got summary
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", "/api/ai/summary", nil))
	if got.Summary != "" || !strings.Contains(got.Note, "only in high AI mode (yours is low)") {
		t.Fatalf("unasked, low: %+v", got)
	}
	if r := c.ranked(t, "?namespace="+testenv.NamespacePayments); r.RankedBy != "rules" || !strings.Contains(r.AINote, "low AI mode") {
		t.Fatalf("ranking asked for in low mode: %+v", r)
	}
	if n := len(model.Requests()); n != 0 {
		t.Fatalf("low mode asked the model %d times", n)
	}

	c.setAI(t, map[string]any{"aiMode": "medium"})
	got = summary{}
	decodeOK(t, http.StatusOK, &got)(c.do(t, "POST", "/api/ai/summary", pods))
	facts := model.Requests()[0].Messages[1].Text()
	if got.Summary != "In payments one pod crash-loops; look at its log." || got.Tokens != 300 || got.Usage.UsedToday != 300 ||
		len(got.Read) != 1 || got.Read[0] != "pods_list" || got.Card != "pods" || len(got.Unchecked) != 0 {
		t.Fatalf("summary of the pods card: %+v", got)
	}
	if !strings.Contains(facts, "the pods card, in live, namespace "+testenv.NamespacePayments) || !strings.Contains(facts, testenv.PodCrashLoop) ||
		!strings.Contains(facts, `"tool":"pods_list"`) {
		t.Fatalf("the model was given: %s", facts)
	}
	if r := c.recommendations(t, "?namespace="+testenv.NamespacePayments); r.RankedBy != "rules" || countAsked(model, ranks) != 0 {
		t.Fatalf("medium mode ranked unasked: %+v", r)
	}
	if r := c.ranked(t, "?namespace="+testenv.NamespacePayments); r.RankedBy != "model" || r.Usage.UsedToday != 400 {
		t.Fatalf("medium mode, ranking asked for: %+v", r)
	}
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", "/api/ai/summary", nil))
	if got.Summary != "" || countAsked(model, summarizes) != 1 {
		t.Fatalf("medium mode summarized unasked: %+v", got)
	}

	c.setAI(t, map[string]any{"aiMode": "high"})
	// The rules' list a card refreshes every minute spends nothing, even in
	// high mode; the ranking a card asks for on its own when it loads does.
	asked := countAsked(model, ranks)
	if r := c.recommendations(t, "?namespace="+testenv.NamespacePayments); r.RankedBy != "rules" || countAsked(model, ranks) != asked {
		t.Fatalf("high mode's rules' list asked the model: %+v", r)
	}
	if r := c.ranked(t, "?namespace="+testenv.NamespacePayments); r.RankedBy != "model" || r.Usage.UsedToday != 500 {
		t.Fatalf("high mode did not rank: %+v", r)
	}
	var first, second summary
	decodeOK(t, http.StatusOK, &first)(c.do(t, "GET", "/api/ai/summary", nil))
	if !first.Proactive || first.Summary == "" || first.Tokens != 300 || first.Usage.UsedToday != 800 || len(first.Read) != 3 ||
		len(first.Unchecked) != 3 || !strings.Contains(first.Unchecked[0], "cluster down") {
		t.Fatalf("the dashboard's summary, unasked: %+v", first)
	}
	decodeOK(t, http.StatusOK, &second)(c.do(t, "GET", "/api/ai/summary", nil))
	if second.Summary != first.Summary || !second.At.Equal(first.At) || second.Usage.UsedToday != 800 || countAsked(model, summarizes) != 2 ||
		!slices.Equal(second.Read, first.Read) {
		t.Fatalf("the second request made another summary: %+v (first %+v)", second, first)
	}
}

// TestSummaryTokenLimit: at the limit a summary is refused with 429 and
// the use and limit beside the message, before the clusters are read; the
// unasked summary then says why there is no new one.
func TestSummaryTokenLimit(t *testing.T) {
	model := summaryModel(t)
	c := startWithModel(t, model)
	c.setAI(t, map[string]any{"aiMode": "high", "tokenLimit": 300})
	var got summary
	decodeOK(t, http.StatusOK, &got)(c.do(t, "POST", "/api/ai/summary", map[string]string{"cluster": "live"}))
	if got.Usage.UsedToday != 300 || got.Usage.Limit != 300 || len(got.Read) != 3 {
		t.Fatalf("the state of cluster live: %+v", got)
	}
	status, body := c.do(t, "POST", "/api/ai/summary", map[string]string{"card": "events"})
	wantError(t, status, body, http.StatusTooManyRequests, "token_limit", "300 of 300 tokens used today")
	var refusal struct {
		Error struct {
			Usage struct{ UsedToday, Limit int64 }
		}
	}
	if err := json.Unmarshal(body, &refusal); err != nil || refusal.Error.Usage.UsedToday != 300 || refusal.Error.Usage.Limit != 300 {
		t.Fatalf("the refusal's usage: %s", body)
	}
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", "/api/ai/summary", nil))
	if got.Summary != "" || !strings.Contains(got.Note, "no new summary: the AI token limit is reached: 300 of 300") {
		t.Fatalf("unasked, over the limit: %+v", got)
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("the model was asked %d times, want 1", n)
	}
	status, body = c.do(t, "POST", "/api/ai/summary", map[string]string{"card": "nope"})
	wantError(t, status, body, http.StatusBadRequest, "invalid", "card: no card type \"nope\"")
}

// TestSummaryNeedsAProvider: without --ai-base-url the API says how to
// configure one.
func TestSummaryNeedsAProvider(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	status, body := c.do(t, "POST", "/api/ai/summary", map[string]string{"card": "pods"})
	wantError(t, status, body, http.StatusServiceUnavailable, "no_ai", "--ai-base-url")
}
