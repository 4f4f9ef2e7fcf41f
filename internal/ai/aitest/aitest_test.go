package aitest_test

import (
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/ai/aitest"
)

// TestAnswer: a request a route accepts is answered by it, between the
// scripted turns, which still answer in order; Requests keeps them all.
func TestAnswer(t *testing.T) {
	model := aitest.Start(t,
		func(aitest.Request) aitest.Reply { return aitest.Reply{Text: "turn 1"} },
		func(aitest.Request) aitest.Reply { return aitest.Reply{Text: "turn 2"} })
	model.Answer(func(r aitest.Request) bool { return strings.HasPrefix(r.Messages[0].Text(), "rank:") },
		func(r aitest.Request) aitest.Reply { return aitest.Reply{Text: "ranked " + r.Messages[0].Text()} })
	t.Setenv("AITEST_KEY", "sk-aitest")
	c, err := ai.New(ai.Provider{Name: "scripted", BaseURL: model.URL, Model: "m", KeyEnv: "AITEST_KEY"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ask := range []string{"plan", "rank: a, b", "go on", "rank: c"} {
		turn, err := c.Chat(t.Context(), []openai.ChatCompletionMessageParamUnion{openai.UserMessage(ask)}, nil)
		if err != nil {
			t.Fatalf("%s: %v", ask, err)
		}
		got = append(got, turn.Text)
	}
	want := []string{"turn 1", "ranked rank: a, b", "turn 2", "ranked rank: c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("answers %q, want %q", got, want)
	}
	if n := len(model.Requests()); n != 4 {
		t.Errorf("%d requests kept, want 4", n)
	}
}
