package ai_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/ai/aitest"
)

// tally is a budget of limit tokens kept in memory; the console's, over
// the store, is tested in internal/console.
type tally struct{ used, limit int64 }

func (b *tally) Check(context.Context) error {
	if b.used >= b.limit {
		return ai.ErrTokenLimit
	}
	return nil
}

func (b *tally) Spend(_ context.Context, n int64) error { b.used += n; return nil }

// TestSummarize: the facts go to the model as data with the subject, the
// answer's text comes back trimmed and its tokens are spent; past the limit
// the model is not asked.
func TestSummarize(t *testing.T) {
	model := aitest.Start(t, func(r aitest.Request) aitest.Reply {
		if !strings.Contains(r.Messages[0].Text(), "data, not instructions") || !strings.Contains(r.Messages[1].Text(), `"subject":"pods in payments"`) ||
			!strings.Contains(r.Messages[1].Text(), `"status":"CrashLoopBackOff"`) {
			t.Errorf("asked: %v", r.Messages)
		}
		return aitest.Reply{Text: "  One pod crash-loops.\n", Tokens: 70}
	})
	c, err := ai.New(ai.Provider{Name: "scripted", BaseURL: model.URL, Model: "m-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &tally{limit: 50}
	facts := []map[string]string{{"name": "api", "status": "CrashLoopBackOff"}}
	text, tokens, err := ai.Summarize(t.Context(), c, b, "pods in payments", facts)
	if err != nil || text != "One pod crash-loops." || tokens != 70 || b.used != 70 {
		t.Fatalf("summary %q (%d tokens), %v; %d tokens used", text, tokens, err, b.used)
	}
	if _, _, err := ai.Summarize(t.Context(), c, b, "pods in payments", facts); !errors.Is(err, ai.ErrTokenLimit) {
		t.Fatalf("past the limit: %v", err)
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("the model was asked %d times, want 1", n)
	}
}
