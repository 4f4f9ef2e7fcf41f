// Package ai is kubemcp's use of a language model: an OpenAI-compatible
// chat-completions client configured per provider, missions (a goal in
// words worked through kubemcp's own tools by function calling: reads run,
// writes only as dry-run plans a person approves) and the ranking of card
// recommendations. It holds no cluster client: every call goes through an
// MCP session the caller opened as the signed-in user.
package ai

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// Provider says how to reach one OpenAI-compatible chat-completions API
// (OpenAI itself, Azure's compatible endpoint, Ollama, vLLM, LiteLLM...).
// The key is named, never held: it is read from KeyEnv or KeyFile when the
// client is made, so a Provider can be shown or logged as it is.
type Provider struct {
	Name    string `json:"name"`
	BaseURL string `json:"baseURL"` // e.g. https://api.openai.com/v1
	Model   string `json:"model"`
	KeyEnv  string `json:"keyEnv,omitempty"`  // environment variable holding the API key
	KeyFile string `json:"keyFile,omitempty"` // file holding the API key
}

// Validate reports every missing or conflicting setting.
func (p Provider) Validate() error {
	var errs []error
	if p.BaseURL == "" {
		errs = append(errs, fmt.Errorf("AI provider %q: a base URL is required (--ai-base-url), e.g. https://api.openai.com/v1", p.Name))
	}
	if p.Model == "" {
		errs = append(errs, fmt.Errorf("AI provider %q: a model is required (--ai-model)", p.Name))
	}
	if p.KeyEnv != "" && p.KeyFile != "" {
		errs = append(errs, fmt.Errorf("AI provider %q: name the key's environment variable or its file, not both", p.Name))
	}
	return errors.Join(errs...)
}

// key reads the provider's API key; a provider with neither source has
// none (a local model server may need none).
func (p Provider) key() (string, error) {
	switch {
	case p.KeyFile != "":
		b, err := os.ReadFile(p.KeyFile)
		if err != nil {
			return "", fmt.Errorf("reading the API key of AI provider %q: %w", p.Name, err)
		}
		return strings.TrimSpace(string(b)), nil
	case p.KeyEnv != "":
		k, ok := os.LookupEnv(p.KeyEnv)
		if !ok {
			return "", fmt.Errorf("AI provider %q: environment variable %s, which should hold its API key, is not set", p.Name, p.KeyEnv)
		}
		return k, nil
	}
	return "", nil
}

// requestTimeout bounds one attempt of a request to the provider: a
// provider that accepts the connection and never answers must not hold a
// mission's turn or a summary for ever.
const requestTimeout = 2 * time.Minute

// Client talks to one provider's chat-completions API.
type Client struct {
	api      openai.Client
	provider Provider
}

// New makes a client of p; hc may be nil for the default HTTP client.
func New(p Provider, hc *http.Client) (*Client, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	key, err := p.key()
	if err != nil {
		return nil, err
	}
	opts := []option.RequestOption{option.WithBaseURL(p.BaseURL), option.WithAPIKey(cmp.Or(key, "none")), option.WithMaxRetries(2),
		option.WithRequestTimeout(requestTimeout)}
	if hc != nil {
		opts = append(opts, option.WithHTTPClient(hc))
	}
	return &Client{api: openai.NewClient(opts...), provider: p}, nil
}

// Turn is one answer of the model.
type Turn struct {
	Text   string
	Calls  []ToolCall
	Tokens int64 // prompt and completion, as the provider counted them
	reply  openai.ChatCompletionMessageParamUnion
}

// ToolCall is a function the model asked to have called.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON, as the model wrote it
}

// Chat sends the conversation and the tools the model may call, and
// returns its answer.
func (c *Client) Chat(ctx context.Context, msgs []openai.ChatCompletionMessageParamUnion, tools []openai.ChatCompletionToolUnionParam) (Turn, error) {
	res, err := c.api.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: c.provider.Model, Messages: msgs, Tools: tools})
	if err != nil {
		return Turn{}, fmt.Errorf("asking %s (model %s): %w", cmp.Or(c.provider.Name, c.provider.BaseURL), c.provider.Model, err)
	}
	if len(res.Choices) == 0 {
		return Turn{}, fmt.Errorf("%s answered with no choices", cmp.Or(c.provider.Name, c.provider.BaseURL))
	}
	msg := res.Choices[0].Message
	t := Turn{Text: msg.Content, Tokens: res.Usage.TotalTokens, reply: msg.ToParam()}
	for _, tc := range msg.ToolCalls {
		if tc.Type == "function" {
			t.Calls = append(t.Calls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
	}
	return t, nil
}

// Reply is the model's answer as the next request's history carries it.
func (t Turn) Reply() openai.ChatCompletionMessageParamUnion { return t.reply }

// FunctionTool offers a function to the model.
func FunctionTool(name, description string, parameters map[string]any) openai.ChatCompletionToolUnionParam {
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: name, Description: openai.String(description), Parameters: parameters})
}
