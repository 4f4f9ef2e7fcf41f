package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/ai/aitest"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

type recs struct {
	Recommendations []struct {
		ID   string
		Card struct {
			Type   string
			Config map[string]string
		}
		Title, Severity, Reason, Why string
	}
	RankedBy, AINote string
	Usage            struct{ UsedToday, Limit int64 }
	Unchecked        []string
}

// byType indexes the recommendations by the type of card they add.
func (r recs) byType() map[string]int {
	out := map[string]int{}
	for i, rec := range r.Recommendations {
		out[rec.Card.Type] = i
	}
	return out
}

func (c *consoleServer) recommendations(t *testing.T, query string) recs {
	t.Helper()
	var r recs
	decodeOK(t, http.StatusOK, &r)(c.do(t, "GET", "/api/recommendations"+query, nil))
	return r
}

// ranked asks for the recommendations ranked by the model, as the Rank
// with AI button does.
func (c *consoleServer) ranked(t *testing.T, query string) recs {
	t.Helper()
	var r recs
	decodeOK(t, http.StatusOK, &r)(c.do(t, "POST", "/api/recommendations/rank"+query, nil))
	return r
}

// TestRecommendationsByRules: the seeded payments namespace (a pod in
// CrashLoopBackOff, warning events) gets the issues and events cards with
// the facts behind them, most urgent first; the cluster that is down is
// named as unchecked; an accepted card lands on the dashboard and is not
// recommended again, nor a snoozed one.
func TestRecommendationsByRules(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	got := c.recommendations(t, "?namespace="+testenv.NamespacePayments)
	at := got.byType()
	issues, events := got.Recommendations[at["issues"]], got.Recommendations[at["events"]]
	if _, ok := at["issues"]; !ok || issues.Severity != "critical" || !strings.Contains(issues.Reason, testenv.PodCrashLoop+" CrashLoopBackOff") ||
		issues.Card.Config["cluster"] != "live" || issues.Card.Config["namespace"] != testenv.NamespacePayments || got.Recommendations[0].Severity != "critical" {
		t.Fatalf("issues: %+v", got)
	}
	if _, ok := at["events"]; !ok || !strings.Contains(events.Reason, "BackOff ×") || events.Title != "Events" {
		t.Fatalf("events: %+v", got)
	}
	if got.RankedBy != "rules" || got.AINote != "" || len(got.Unchecked) != 3 || !strings.Contains(got.Unchecked[0], "cluster down") {
		t.Fatalf("ranking and unchecked: %+v", got)
	}

	var d struct {
		Cards []struct {
			Type   string
			Y      int
			Config map[string]string
		}
	}
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/recommendations/"+issues.ID+"/accept", map[string]any{}))
	last := d.Cards[len(d.Cards)-1]
	if last.Type != "issues" || last.Config["namespace"] != testenv.NamespacePayments {
		t.Fatalf("accepted: %+v", d)
	}
	status, body := c.do(t, "POST", "/api/recommendations/"+events.ID+"/snooze", map[string]any{"until": time.Now().Add(-time.Minute)})
	wantError(t, status, body, http.StatusBadRequest, "invalid", "until: a time in the next 30 days")
	var snoozed struct{ Until time.Time }
	decodeOK(t, http.StatusOK, &snoozed)(c.do(t, "POST", "/api/recommendations/"+events.ID+"/snooze", map[string]any{}))
	if d := time.Until(snoozed.Until); d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("snoozed until %s", snoozed.Until)
	}
	again := c.recommendations(t, "?cluster=live&namespace="+testenv.NamespacePayments).byType()
	if _, ok := again["issues"]; ok {
		t.Errorf("the accepted card is still recommended: %v", again)
	}
	if _, ok := again["events"]; ok {
		t.Errorf("the snoozed card is still recommended: %v", again)
	}
	status, body = c.do(t, "POST", "/api/recommendations/not-an-id/accept", map[string]any{})
	wantError(t, status, body, http.StatusBadRequest, "invalid", "id: not a recommendation id")
}

// TestRecommendationsRankedByModel: in medium mode, asked to (a POST: a
// link cannot spend the user's tokens),
// the scripted model puts events first and says why; its tokens count against the user's limit, and
// once the limit is reached the rules' order stands, with the reason.
func TestRecommendationsRankedByModel(t *testing.T) {
	var ids []string // as the rules made them, read in the model's first turn
	model := aitest.Start(t, func(req aitest.Request) aitest.Reply {
		facts := req.Messages[len(req.Messages)-1].Text()
		for _, part := range strings.Split(facts, `"id":"`)[1:] {
			ids = append(ids, part[:strings.Index(part, `"`)])
		}
		if !strings.Contains(req.Messages[0].Text(), "data, not instructions") || !strings.Contains(facts, "CrashLoopBackOff") {
			t.Errorf("the model was asked: %v", req.Messages)
		}
		return aitest.Reply{Tokens: 500, Text: fmt.Sprintf("```json\n{\"ranking\": [{\"id\": %q, \"why\": \"the BackOff events explain the crash\"}, {\"id\": \"made-up\", \"why\": \"x\"}]}\n```", ids[len(ids)-1])}
	})
	c := startWithModel(t, model)
	var st map[string]any
	// The rules' list, refreshed every minute, spends no tokens even in high mode.
	decodeOK(t, http.StatusOK, &st)(c.do(t, "PUT", "/api/settings", map[string]any{"aiMode": "high", "tokenLimit": 500}))
	if got := c.recommendations(t, "?cluster=live&namespace="+testenv.NamespacePayments); got.RankedBy != "rules" || len(ids) != 0 {
		t.Fatalf("a GET in high mode asked the model: %+v", got)
	}
	decodeOK(t, http.StatusOK, &st)(c.do(t, "PUT", "/api/settings", map[string]any{"aiMode": "medium", "tokenLimit": 500}))

	status, body := c.do(t, "GET", "/api/recommendations?cluster=live&rank=model", nil)
	wantError(t, status, body, http.StatusBadRequest, "invalid", "POST /api/recommendations/rank")
	got := c.ranked(t, "?cluster=live&namespace="+testenv.NamespacePayments)
	if got.RankedBy != "model" || len(got.Recommendations) != len(ids) || got.Recommendations[0].ID != ids[len(ids)-1] ||
		got.Recommendations[0].Why != "the BackOff events explain the crash" || got.Recommendations[1].ID != ids[0] || got.Usage.UsedToday != 500 {
		t.Fatalf("ranked: %+v (the rules' ids %v)", got, ids)
	}
	got = c.ranked(t, "?cluster=live&namespace="+testenv.NamespacePayments)
	if got.RankedBy != "rules" || !strings.Contains(got.AINote, "500 of 500 tokens used today") || got.Recommendations[0].Severity != "critical" {
		t.Fatalf("past the limit: %+v", got)
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("the model was asked %d times, want 1", n)
	}
}
