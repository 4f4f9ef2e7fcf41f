package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/ai/aitest"
)

// The model in these tests is aitest's scripted server: the console talks
// to it with the real openai-go client over the chat-completions HTTP API,
// which is the contract; only the model's choices are scripted.

// startWithModel runs the console with the scripted model as its provider.
func startWithModel(t *testing.T, model *aitest.Server, extra ...string) *consoleServer {
	t.Helper()
	t.Setenv("KUBEMCP_TEST_AI_KEY", "sk-mission-key")
	c := startConsole(t, append([]string{"--ai-base-url", model.URL, "--ai-model", "scripted-1", "--ai-api-key-env", "KUBEMCP_TEST_AI_KEY"}, extra...)...)
	c.login(t)
	return c
}

type mission struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Tokens int64  `json:"tokens"`
}

// start creates a mission and follows its stream to its end (done, failed
// or awaiting approval); it returns the mission as it then is, and the events.
func (c *consoleServer) startMission(t *testing.T, goal string) (mission, []event) {
	t.Helper()
	var m mission
	decodeOK(t, http.StatusCreated, &m)(c.do(t, "POST", "/api/missions", map[string]string{"goal": goal}))
	events := c.stream(t, fmt.Sprintf("/api/missions/%d/stream", m.ID), 60*time.Second)
	var got struct{ Mission mission }
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", fmt.Sprintf("/api/missions/%d", m.ID), nil))
	return got.Mission, events
}

func configMap(name, ns string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  color: blue\n", name, ns)
}

func applyCall(name, ns string) [2]string {
	args, _ := json.Marshal(map[string]string{"manifest": configMap(name, ns), "namespace": ns})
	return [2]string{"resources_apply", string(args)}
}

func eventsNamed(events []event, name string) []event {
	var out []event
	for _, e := range events {
		if e.name == name {
			out = append(out, e)
		}
	}
	return out
}

// payload is an event's stored payload.
func payload(e event) map[string]any {
	p, _ := e.data["payload"].(map[string]any)
	return p
}

// TestMissionEndToEnd: the model lists pods (a read, run at once) and
// proposes a ConfigMap (a write, only dry-run: a plan with a diff); nothing
// exists until the person approves; approval applies it as the signed-in
// user, and the ConfigMap is in the cluster afterwards.
func TestMissionEndToEnd(t *testing.T) {
	ns := env.Namespace(t, "mission")
	if _, err := env.Clientset("admin").CoreV1().Pods(ns).Create(t.Context(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var sawPods string
	model := aitest.Start(t,
		func(r aitest.Request) aitest.Reply {
			if !r.Tool("pods_list") || !r.Tool("resources_apply") || r.Tool("pods_exec") || r.Tool("nodes_cordon") {
				t.Errorf("tools offered: want reads and dry-runnable writes only, got %+v", r.Tools)
			}
			return aitest.Reply{Calls: [][2]string{{"pods_list", fmt.Sprintf(`{"namespace":%q}`, ns)}}, Tokens: 100}
		},
		func(r aitest.Request) aitest.Reply {
			sawPods = r.Messages[len(r.Messages)-1].Text()
			return aitest.Reply{Calls: [][2]string{applyCall("settings", ns)}, Tokens: 100}
		},
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Text: "web-1 is pending; I plan a ConfigMap settings with color blue.", Tokens: 50}
		})
	audit := filepath.Join(t.TempDir(), "audit.log")
	c := startWithModel(t, model, "--audit-file", audit)
	m, events := c.startMission(t, "look at the pods in "+ns+" and add a settings ConfigMap")

	if !strings.Contains(sawPods, "web-1") {
		t.Errorf("the model was not told the pods: %q", sawPods)
	}
	plans := eventsNamed(events, "plan")
	if m.Status != "awaiting_approval" || len(plans) != 1 || m.Tokens != 250 {
		t.Fatalf("after planning: %+v, events %v", m, events)
	}
	preview, _ := payload(plans[0])["preview"].(string)
	if !strings.Contains(preview, "would create") || !strings.Contains(preview, "+  color: blue") {
		t.Errorf("the plan shows no diff: %q", preview)
	}
	cms := env.Clientset("admin").CoreV1().ConfigMaps(ns)
	if _, err := cms.Get(t.Context(), "settings", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the plan changed the cluster before approval: %v", err)
	}

	var after struct{ Mission mission }
	decodeOK(t, http.StatusOK, &after)(c.do(t, "POST", fmt.Sprintf("/api/missions/%d/approve", m.ID), nil))
	if after.Mission.Status != "done" {
		t.Fatalf("after approval: %+v", after)
	}
	cm, err := cms.Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil || cm.Data["color"] != "blue" {
		t.Fatalf("the approved ConfigMap: %v %v", cm, err)
	}
	data, _ := os.ReadFile(audit)
	if !strings.Contains(string(data), `"tool":"resources_apply"`) || !strings.Contains(string(data), `"identity":"dev"`) {
		t.Errorf("the apply is not audited as the signed-in user:\n%s", data)
	}
	status, body := c.do(t, "POST", fmt.Sprintf("/api/missions/%d/approve", m.ID), nil)
	wantError(t, status, body, http.StatusConflict, "not_awaiting", "is done")
	if strings.Contains(c.bodies.String(), "sk-mission-key") {
		t.Error("the provider's API key reached the browser")
	}
	if auth := model.Requests()[0].Authorization; auth != "Bearer sk-mission-key" {
		t.Errorf("the model was asked with %q", auth)
	}
}

// TestRefusedMissionAppliesNothing: a refused plan is never applied, and
// cannot be approved afterwards.
func TestRefusedMissionAppliesNothing(t *testing.T) {
	ns := env.Namespace(t, "refused")
	model := aitest.Start(t,
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Calls: [][2]string{applyCall("unwanted", ns)}, Tokens: 10}
		},
		func(aitest.Request) aitest.Reply { return aitest.Reply{Text: "planned", Tokens: 10} })
	c := startWithModel(t, model)
	m, _ := c.startMission(t, "add an unwanted ConfigMap")
	if m.Status != "awaiting_approval" {
		t.Fatalf("after planning: %+v", m)
	}
	var after struct{ Mission mission }
	decodeOK(t, http.StatusOK, &after)(c.do(t, "POST", fmt.Sprintf("/api/missions/%d/refuse", m.ID), nil))
	status, body := c.do(t, "POST", fmt.Sprintf("/api/missions/%d/approve", m.ID), nil)
	wantError(t, status, body, http.StatusConflict, "not_awaiting", "is refused")
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), "unwanted", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a refused mission changed the cluster: %v", err)
	}
	if after.Mission.Status != "refused" {
		t.Errorf("after refusal: %+v", after)
	}
}

// TestTokenLimit: a mission stops at the user's daily token limit with an
// error saying so, the use is reported, and a new mission is refused.
func TestTokenLimit(t *testing.T) {
	read := func(aitest.Request) aitest.Reply {
		return aitest.Reply{Calls: [][2]string{{"namespaces_list", `{}`}}, Tokens: 40}
	}
	model := aitest.Start(t, read, read) // a third turn would fail the test
	c := startWithModel(t, model, "--ai-token-limit", "60")
	m, events := c.startMission(t, "list namespaces forever")
	errs := eventsNamed(events, "error")
	if m.Status != "failed" || len(errs) != 1 {
		t.Fatalf("a mission over its limit: %+v %v", m, events)
	}
	if msg, _ := payload(errs[0])["message"].(string); !strings.Contains(msg, "token limit") || !strings.Contains(msg, "80 of 60 tokens") {
		t.Errorf("the limit error: %q", msg)
	}
	var list struct {
		Usage struct{ UsedToday, Limit int64 }
	}
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/missions", nil))
	if list.Usage.UsedToday != 80 || list.Usage.Limit != 60 {
		t.Errorf("usage reported: %+v", list.Usage)
	}
	status, body := c.do(t, "POST", "/api/missions", map[string]string{"goal": "more"})
	wantError(t, status, body, http.StatusTooManyRequests, "token_limit", "80 of 60 tokens used today")
}

// TestMissionsNeedAProvider: without --ai-base-url the API says how to
// configure one.
func TestMissionsNeedAProvider(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	status, body := c.do(t, "POST", "/api/missions", map[string]string{"goal": "x"})
	wantError(t, status, body, http.StatusServiceUnavailable, "no_ai", "--ai-base-url")
}
