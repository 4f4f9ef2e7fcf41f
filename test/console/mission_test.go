package console

import (
	"encoding/json"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/ai/aitest"
)

// missionConfigMap is what the browser's mission creates, once approved.
const missionConfigMap = "browser-mission"

// scriptedModel is the console's AI provider in the browser test: aitest's
// scripted OpenAI-compatible server (the real openai-go client talks to it
// over HTTP; only the model's choices are scripted). Its one mission
// proposes a ConfigMap in ns, then sums up.
func scriptedModel(t *testing.T, ns string) *aitest.Server {
	t.Helper()
	manifest := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  color: blue\n", missionConfigMap, ns)
	args, err := json.Marshal(map[string]string{"manifest": manifest, "namespace": ns})
	if err != nil {
		t.Fatal(err)
	}
	return aitest.Start(t,
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Calls: [][2]string{{"resources_apply", string(args)}}, Tokens: 120}
		},
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Text: "I plan a ConfigMap " + missionConfigMap + " with color blue.", Tokens: 40}
		})
}

// missionApplied fails the test unless the approved mission's ConfigMap is
// in the cluster.
func missionApplied(t *testing.T, ns string) {
	t.Helper()
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), missionConfigMap, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the mission approved in the browser left no ConfigMap %s/%s: %v", ns, missionConfigMap, err)
	}
	if cm.Data["color"] != "blue" {
		t.Fatalf("the mission's ConfigMap: %v", cm.Data)
	}
}
