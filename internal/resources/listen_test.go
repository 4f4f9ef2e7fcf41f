package resources

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// message is one JSON-RPC message read off an event stream.
type message struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Error  *struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// listen posts a raw 2026-07-28 subscriptions/listen for uris as user and
// returns the messages of its event stream, or its error; go-sdk's client
// drops a refused listen's error, so this is how a test sees what goes over
// the wire.
func listen(t *testing.T, url, user string, uris ...string) <-chan message {
	t.Helper()
	meta := map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientInfo":         map[string]string{"name": "raw", "version": "v0"},
		"io.modelcontextprotocol/clientCapabilities": map[string]any{},
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
		"params": map[string]any{"_meta": meta, "notifications": map[string]any{"resourceSubscriptions": uris}}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+transport.PathMCP, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "subscriptions/listen")
	req.Header.Set("Authorization", "Bearer token-"+user)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan message, 100)
	if resp.StatusCode != http.StatusOK { // a refusal: go-sdk answers it as a plain JSON error
		defer resp.Body.Close()
		var m message
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("listen: HTTP %d: %v", resp.StatusCode, err)
		}
		msgs <- m
		return msgs
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var m message
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && json.Unmarshal([]byte(data), &m) == nil {
				msgs <- m
			}
		}
	}()
	return msgs
}

func next(t *testing.T, msgs <-chan message) message {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(2 * time.Second):
		t.Fatal("nothing on the listen stream within 2 s")
	}
	return message{}
}

func TestListenOnTheWire(t *testing.T) {
	r := newRig(t, flavour{"streamable 2026-07-28", "streamable", "2026-07-28"}, Options{MaxPerSession: 2})
	ns := env.Namespace(t, "res-listen")
	createConfigMap(t, ns, "a")
	createConfigMap(t, ns, "b")
	createConfigMap(t, ns, "c")
	a, b := URI(cluster, ns, "configmaps", "a"), URI(cluster, ns, "configmaps", "b")

	t.Run("updates", func(t *testing.T) {
		msgs := listen(t, r.url, "admin", a, b)
		if m := next(t, msgs); m.Method != "notifications/subscriptions/acknowledged" {
			t.Fatalf("first message %+v, want the acknowledgement", m)
		}
		label(t, ns, "b", "1")
		m := next(t, msgs)
		var p struct {
			URI  string         `json:"uri"`
			Meta map[string]any `json:"_meta"`
		}
		_ = json.Unmarshal(m.Params, &p)
		if m.Method != "notifications/resources/updated" || p.URI != b || p.Meta["io.modelcontextprotocol/subscriptionId"] != float64(7) {
			t.Fatalf("got %s %s", m.Method, m.Params)
		}
	})
	testenv.Eventually(t, 3*time.Second, "the listen's end releasing its watches", func() bool { return r.pool.Stats() == tracker.Stats{} })

	refusals := []struct {
		name, user string
		uris       []string
		want       string
	}{
		{"forbidden", "alice", []string{URI(cluster, "shop", "configmaps", testenv.ConfigMapName)}, `RBAC does not allow "get" on configmaps`},
		{"over the bound", "admin", []string{a, b, URI(cluster, ns, "configmaps", "c")}, "this session holds 2 subscriptions, its limit"},
		{"unknown object", "admin", []string{URI(cluster, ns, "configmaps", "nope")}, `configmaps "nope" not found`},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			m := next(t, listen(t, r.url, tt.user, tt.uris...))
			if m.Error == nil || !strings.Contains(m.Error.Message, tt.want) {
				t.Fatalf("got %+v, want an error with %q", m, tt.want)
			}
			testenv.Eventually(t, 3*time.Second, "nothing held", func() bool { return r.pool.Stats() == tracker.Stats{} && r.res.Subscriptions() == 0 })
		})
	}
}
