package ai_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/ai/aitest"
)

// TestChat: the real openai-go client against the scripted server: the key
// from a file goes as the bearer, the model and tools as configured, and the
// answer's text, tool calls and token count come back.
func TestChat(t *testing.T) {
	model := aitest.Start(t,
		func(aitest.Request) aitest.Reply {
			return aitest.Reply{Calls: [][2]string{{"pods_list", `{"namespace":"default"}`}}, Tokens: 30}
		},
		func(r aitest.Request) aitest.Reply {
			last := r.Messages[len(r.Messages)-1]
			return aitest.Reply{Text: "saw " + last.Role + " " + last.Text(), Tokens: 12}
		})
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("sk-test-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ai.New(ai.Provider{Name: "scripted", BaseURL: model.URL, Model: "m-1", KeyFile: keyFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := []openai.ChatCompletionToolUnionParam{ai.FunctionTool("pods_list", "List pods", map[string]any{"type": "object"})}
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("list the pods")}
	turn, err := c.Chat(t.Context(), msgs, tools)
	if err != nil {
		t.Fatal(err)
	}
	if len(turn.Calls) != 1 || turn.Calls[0].Name != "pods_list" || turn.Calls[0].Arguments != `{"namespace":"default"}` || turn.Tokens != 30 {
		t.Fatalf("first turn: %+v", turn)
	}
	msgs = append(msgs, turn.Reply(), openai.ToolMessage("3 pods", turn.Calls[0].ID))
	turn, err = c.Chat(t.Context(), msgs, tools)
	if err != nil {
		t.Fatal(err)
	}
	if turn.Text != "saw tool 3 pods" || turn.Tokens != 12 {
		t.Errorf("second turn: %+v", turn)
	}
	req := model.Requests()[0]
	if req.Authorization != "Bearer sk-test-123" || req.Model != "m-1" || !req.Tool("pods_list") {
		t.Errorf("request: %+v", req)
	}
}

// TestProvider: a provider missing its settings says which; a key variable
// not set is named; the key never appears in an error.
func TestProvider(t *testing.T) {
	err := ai.Provider{Name: "p"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "base URL") || !strings.Contains(err.Error(), "model") {
		t.Errorf("empty provider: %v", err)
	}
	_, err = ai.New(ai.Provider{Name: "p", BaseURL: "http://127.0.0.1:1/v1", Model: "m", KeyEnv: "KUBEMCP_TEST_NO_SUCH_KEY"}, nil)
	if err == nil || !strings.Contains(err.Error(), "KUBEMCP_TEST_NO_SUCH_KEY") {
		t.Errorf("unset key variable: %v", err)
	}
	t.Setenv("KUBEMCP_TEST_KEY", "sk-secret-456")
	c, err := ai.New(ai.Provider{Name: "p", BaseURL: "http://127.0.0.1:1/v1", Model: "m", KeyEnv: "KUBEMCP_TEST_KEY"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat(t.Context(), []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}, nil)
	if err == nil || strings.Contains(err.Error(), "sk-secret-456") {
		t.Errorf("a provider that is down: %v", err)
	}
}
