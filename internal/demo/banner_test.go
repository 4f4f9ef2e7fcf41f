package demo

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPrintBanner(t *testing.T) {
	in := Info{Endpoint: "http://127.0.0.1:8080/mcp", Console: "http://127.0.0.1:8080/", Kubeconfig: "/repo/.cache/demo/kubeconfig", Binary: "/repo/bin/kubemcp", Server: "https://127.0.0.1:40000"}
	var b strings.Builder
	PrintBanner(&b, in)
	out := b.String()
	for _, want := range []string{in.Endpoint, in.Console, in.Server, "KUBECONFIG=" + in.Kubeconfig + " ", "Press Ctrl-C to stop; everything started here stops with it."} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}

	// Each JSON snippet, decoded, must name the endpoint (or the stdio
	// command) under the key that client reads.
	tests := []struct {
		client string
		path   []string // keys down to the server entry
		want   map[string]any
	}{
		{"Claude Desktop (stdio)", []string{"mcpServers", "kubemcp"}, map[string]any{"command": in.Binary, "args": []any{"serve", "--kubeconfig", in.Kubeconfig}}},
		{"VS Code", []string{"servers", "kubemcp"}, map[string]any{"type": "http", "url": in.Endpoint}},
		{"Cursor", []string{"mcpServers", "kubemcp"}, map[string]any{"url": in.Endpoint}},
		{"Gemini CLI", []string{"mcpServers", "kubemcp"}, map[string]any{"httpUrl": in.Endpoint}},
	}
	configs := map[string]clientConfig{}
	for _, c := range clientConfigs(in) {
		configs[c.Client] = c
		if !strings.Contains(out, c.Snippet) {
			t.Errorf("banner lacks the %s snippet", c.Client)
		}
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(configs[tt.client].Snippet), &doc); err != nil {
				t.Fatalf("snippet is not JSON: %v\n%s", err, configs[tt.client].Snippet)
			}
			var entry any = doc
			for _, k := range tt.path {
				entry = entry.(map[string]any)[k]
			}
			got, _ := json.Marshal(entry)
			want, _ := json.Marshal(tt.want)
			if string(got) != string(want) {
				t.Errorf("entry = %s, want %s", got, want)
			}
		})
	}
	if got, want := configs["Claude Code"].Snippet, "claude mcp add --transport http kubemcp "+in.Endpoint; got != want {
		t.Errorf("Claude Code = %q, want %q", got, want)
	}
}

func TestEndpoint(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/mcp",
		":9000":          "http://127.0.0.1:9000/mcp",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/mcp",
		"[::1]:8080":     "http://[::1]:8080/mcp",
		"localhost:8080": "http://localhost:8080/mcp",
	}
	for listen, want := range tests {
		if got := endpoint(listen); got != want {
			t.Errorf("endpoint(%q) = %q, want %q", listen, got, want)
		}
	}
}
