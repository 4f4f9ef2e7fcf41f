package transport

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// go-sdk refuses these in plain text; a client gets a JSON-RPC error with the
// same status instead.
func TestRefusalsAreJSONRPC(t *testing.T) {
	srv := httptest.NewServer(Mux(mcp.NewServer(&mcp.Implementation{Name: "t"}, nil), HTTPOptions{}))
	defer srv.Close()
	for _, tt := range []struct {
		name, body, session string
		status, code        int
	}{
		{"not JSON", "{", "", http.StatusBadRequest, -32600},
		{"unknown session", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "no-such-session", http.StatusNotFound, -32001},
		{"legacy SSE, unknown session", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "", http.StatusNotFound, -32001},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := srv.URL + PathMCP
			if strings.HasPrefix(tt.name, "legacy") {
				url = srv.URL + PathMessage + "?sessionid=nope"
			}
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tt.session != "" {
				req.Header.Set("Mcp-Session-Id", tt.session)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				JSONRPC string `json:"jsonrpc"`
				Error   struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != tt.status ||
				got.JSONRPC != "2.0" || got.Error.Code != tt.code || got.Error.Message == "" {
				t.Fatalf("HTTP %d %s: %+v (%v)", resp.StatusCode, resp.Header.Get("Content-Type"), got, err)
			}
		})
	}
}
