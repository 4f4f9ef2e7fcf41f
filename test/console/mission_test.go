package console

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/ai/aitest"
	"github.com/kubemcp/kubemcp/internal/render"
)

// missionConfigMap is what the browser's mission creates, once approved;
// refusedConfigMap, what the mission it refuses would have.
const (
	missionConfigMap = "browser-mission"
	refusedConfigMap = "browser-refused"
)

// scriptedModel is the console's AI provider in the browser test: aitest's
// scripted OpenAI-compatible server (the real openai-go client talks to it
// over HTTP; only the model's choices are scripted). Its first mission
// plans refusedConfigMap in ns (the browser refuses it); its second,
// missionConfigMap (the browser approves it). It ranks card
// recommendations and summarizes whenever asked.
func scriptedModel(t *testing.T, ns string) *aitest.Server {
	t.Helper()
	model := aitest.Start(t, append(planConfigMap(t, ns, refusedConfigMap), planConfigMap(t, ns, missionConfigMap)...)...)
	model.Answer(isRanking, rankReversed)
	model.Answer(isSummary, func(aitest.Request) aitest.Reply { return aitest.Reply{Text: scriptedSummary, Tokens: 50} })
	return model
}

// planConfigMap is a mission's two turns: propose applying the ConfigMap
// name in ns, then sum up the plan.
func planConfigMap(t *testing.T, ns, name string) []aitest.Turn {
	manifest := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  color: blue\n", name, ns)
	args, err := json.Marshal(map[string]string{"manifest": manifest, "namespace": ns})
	if err != nil {
		t.Fatal(err)
	}
	return []aitest.Turn{
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Calls: [][2]string{{"resources_apply", string(args)}}, Tokens: 120}
		},
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Text: "I plan a ConfigMap " + name + " with color blue.", Tokens: 40}
		},
	}
}

// scriptedSummary is every summary the scripted model makes.
const scriptedSummary = "The scripted model's summary: one pod crash-loops in payments."

// isSummary: the request is ai.Summarize's, whose one user message asks to
// summarize a subject from fenced facts; the dashboard shows one made
// unasked in high AI mode, so it must not take a mission's turn either.
func isSummary(r aitest.Request) bool {
	if len(r.Messages) != 2 || len(r.Tools) != 0 {
		return false
	}
	_, fenced := render.Unfence(r.Messages[1].Text())
	return fenced && strings.HasPrefix(r.Messages[1].Text(), "Summarize ")
}

// isRanking: the request is ai.Rank's, whose one user message is the
// candidates as JSON, fenced; the recommendations card asks it on every load in high
// AI mode and when asked in medium, so it must not take a mission's turn.
func isRanking(r aitest.Request) bool {
	return len(r.Messages) == 2 && len(r.Tools) == 0 && candidates(r) != nil
}

func candidates(r aitest.Request) []ai.Candidate {
	var facts struct {
		Candidates []ai.Candidate `json:"candidates"`
	}
	data, _ := render.Unfence(r.Messages[1].Text())
	if json.Unmarshal([]byte(data), &facts) != nil {
		return nil
	}
	return facts.Candidates
}

// rankReversed ranks the candidates in the reverse of the rules' order
// (which they come in), so the browser sees the model's order is not the
// rules', each with a reason the browser looks for.
func rankReversed(r aitest.Request) aitest.Reply {
	cs := candidates(r)
	var out struct {
		Ranking []ai.Ranked `json:"ranking"`
	}
	for i := len(cs) - 1; i >= 0; i-- {
		out.Ranking = append(out.Ranking, ai.Ranked{ID: cs[i].ID, Why: fmt.Sprintf("The scripted model puts %s at %d.", cs[i].Card, len(out.Ranking)+1)})
	}
	b, _ := json.Marshal(out)
	return aitest.Reply{Text: string(b), Tokens: 30}
}

// missionApplied fails the test unless the approved mission's ConfigMap is
// in the cluster and the refused one's is not.
func missionApplied(t *testing.T, ns string) {
	t.Helper()
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), refusedConfigMap, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the mission refused in the browser: ConfigMap %s/%s: want not found, got %v", ns, refusedConfigMap, err)
	}
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), missionConfigMap, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the mission approved in the browser left no ConfigMap %s/%s: %v", ns, missionConfigMap, err)
	}
	if cm.Data["color"] != "blue" {
		t.Fatalf("the mission's ConfigMap: %v", cm.Data)
	}
}
