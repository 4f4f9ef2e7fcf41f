package agent_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/agent"
	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{}, func(e *testenv.Env) { env = e }))
}

// startAgent runs `kubemcp agent --port 0` against the test cluster, with
// kubectl built from the module proxy on PATH, until the test ends, and
// returns its address (127.0.0.1:PORT).
func startAgent(t *testing.T, extra ...string) string {
	t.Helper()
	t.Setenv("PATH", os.Getenv("KUBEMCP_BIN_DIR")+string(os.PathListSeparator)+os.Getenv("PATH"))
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"agent", "--port", "0", "--kubeconfig", env.Kubeconfig}, extra...)
	go func() {
		done <- app.Run(ctx, args, app.Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: pw})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	})
	started := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			if _, rest, ok := strings.Cut(lines.Text(), "agent serving ws://"); ok {
				started <- strings.TrimSuffix(strings.Fields(rest)[0], agent.PathWS)
			}
		}
	}()
	select {
	case addr := <-started:
		return addr
	case err := <-done:
		t.Fatalf("agent exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not start")
	}
	return ""
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// dial opens /ws as a browser page at origin would ("" as a client outside a
// browser); resp is the server's answer to the upgrade.
func dial(t *testing.T, addr, origin, query string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+agent.PathWS+query, h)
	if ws != nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, resp, err
}

// TestOrigins: a page from a foreign origin is refused before the upgrade,
// localhost pages and the --allowed-origins are let in.
func TestOrigins(t *testing.T) {
	addr := startAgent(t, "--allowed-origins", "https://console.example.com")
	for _, tt := range []struct {
		origin string
		want   int
	}{
		{"https://evil.example.com", http.StatusForbidden},
		{"http://localhost.evil.example.com", http.StatusForbidden},
		{"null", http.StatusForbidden},
		{"http://localhost:3000", http.StatusSwitchingProtocols},
		{"http://127.0.0.1:5173", http.StatusSwitchingProtocols},
		{"https://console.example.com", http.StatusSwitchingProtocols},
		{"", http.StatusSwitchingProtocols},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			_, resp, err := dial(t, addr, tt.origin, "")
			if resp == nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("origin %q: status %d, want %d", tt.origin, resp.StatusCode, tt.want)
			}
		})
	}
	req, _ := http.NewRequest("POST", "http://"+addr+transport.PathMCP, strings.NewReader("{}"))
	req.Header.Set("Origin", "https://evil.example.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("/mcp from a foreign origin: %d, want 403", resp.StatusCode)
	}
}

// TestOriginsFromEnv: KC_ALLOWED_ORIGINS allows what --allowed-origins would.
func TestOriginsFromEnv(t *testing.T) {
	t.Setenv("KC_ALLOWED_ORIGINS", "https://a.example.com, https://b.example.com/")
	addr := startAgent(t)
	if _, resp, _ := dial(t, addr, "https://b.example.com", ""); resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("an origin of KC_ALLOWED_ORIGINS was refused: %v", resp)
	}
}

// TestToken: with --token-file, a request without the token gets 401; the
// token works as a bearer or in the query; without a token the agent will not
// listen beyond loopback.
func TestToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := startAgent(t, "--token-file", file)
	if _, resp, _ := dial(t, addr, "", ""); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %v, want 401", resp)
	}
	if _, resp, _ := dial(t, addr, "", "?token=wrong"); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %v, want 401", resp)
	}
	ws, _, err := dial(t, addr, "http://localhost:3000", "?token=s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	if got := request(t, ws, "1", "health", nil); got[0].Type != agent.TypeResult {
		t.Fatalf("health with the token: %+v", got)
	}

	err = app.Run(t.Context(), []string{"agent", "--listen", "0.0.0.0:0", "--kubeconfig", env.Kubeconfig},
		app.Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: io.Discard})
	if !errors.Is(err, transport.ErrNotLoopback) || !strings.Contains(err.Error(), "--token-file") {
		t.Errorf("listening beyond loopback without a token: %v", err)
	}
	err = app.Run(t.Context(), []string{"agent", "--listen", "127.0.0.1:0", "--auth", "passthrough", "--kubeconfig", env.Kubeconfig},
		app.Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "--token-file is its authentication") {
		t.Errorf("the agent given --auth: %v, want a refusal naming --token-file", err)
	}
}

// request sends one message and reads its answers up to the last (result,
// error or stream_end).
func request(t *testing.T, ws *websocket.Conn, id, typ string, payload any) []agent.Message {
	t.Helper()
	m := agent.Message{ID: id, Type: typ}
	if payload != nil {
		m.Payload, _ = json.Marshal(payload)
	}
	if err := ws.WriteJSON(m); err != nil {
		t.Fatal(err)
	}
	var got []agent.Message
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		var a agent.Message
		if err := ws.ReadJSON(&a); err != nil {
			t.Fatalf("reading the answers to %s: %v (so far %+v)", typ, err, got)
		}
		if a.ID != id {
			t.Fatalf("answer %+v to another request than %s", a, id)
		}
		got = append(got, a)
		switch a.Type {
		case agent.TypeResult, agent.TypeError, agent.TypeStreamEnd:
			return got
		}
	}
}

func decode[T any](t *testing.T, m agent.Message) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(m.Payload, &v); err != nil {
		t.Fatalf("payload of %s: %v", m.Type, err)
	}
	return v
}

// output joins the stream_chunks of a kubectl answer; it fails the test
// unless the answer is progress, chunks and stream_end.
func output(t *testing.T, got []agent.Message) string {
	t.Helper()
	if got[0].Type != agent.TypeProgress || got[len(got)-1].Type != agent.TypeStreamEnd {
		t.Fatalf("want progress ... stream_end, got %+v", got)
	}
	var b strings.Builder
	for _, m := range got[1 : len(got)-1] {
		if m.Type != agent.TypeStreamChunk {
			t.Fatalf("want stream_chunk, got %+v", m)
		}
		b.WriteString(decode[agent.Chunk](t, m).Data)
	}
	return b.String()
}

// TestMessages: each message type answered as the protocol says, and a real
// kubectl get through the guarded tool.
func TestMessages(t *testing.T) {
	addr := startAgent(t)
	ws, _, err := dial(t, addr, "http://localhost:3000", "")
	if err != nil {
		t.Fatal(err)
	}
	if h := decode[agent.Health](t, request(t, ws, "h", "health", nil)[0]); h.Status != "ok" || !h.Kubectl {
		t.Errorf("health: %+v", h)
	}
	cl := request(t, ws, "c", "clusters", nil)
	if cl[0].Type != agent.TypeResult || !strings.Contains(string(cl[0].Payload), testenv.KubeContext) {
		t.Errorf("clusters: %+v", cl)
	}
	got := request(t, ws, "k", "kubectl", agent.KubectlRequest{Args: []string{"get", "namespaces"}})
	if out := output(t, got); !strings.Contains(out, "kube-system") {
		t.Errorf("kubectl get namespaces: %q", out)
	}
	if end := decode[agent.StreamEnd](t, got[len(got)-1]); end.ExitCode != 0 {
		t.Errorf("stream_end: %+v", end)
	}
	for _, tt := range []struct {
		typ     string
		payload any
		code    string
	}{
		{"launch", nil, "unknown_type"},
		{"kubectl", map[string]any{"args": []string{}}, "bad_payload"},
		{"kubectl", agent.KubectlRequest{Args: []string{"get", "secrets"}}, "VALIDATION_ERROR"},
	} {
		got := request(t, ws, "e", tt.typ, tt.payload)
		if e := decode[agent.ErrorPayload](t, got[len(got)-1]); got[len(got)-1].Type != agent.TypeError || e.Code != tt.code || e.Message == "" {
			t.Errorf("%s %v: %+v, want error %s", tt.typ, tt.payload, got, tt.code)
		}
	}
}

// TestConfirm: a command that changes the cluster is previewed by a server
// dry run and changes nothing until sent again with confirmed: true; a
// confirmation of a command never previewed is refused.
func TestConfirm(t *testing.T) {
	addr := startAgent(t)
	ws, _, err := dial(t, addr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ns := env.Namespace(t, "agent")
	cms := env.Clientset("admin").CoreV1().ConfigMaps(ns)
	for _, name := range []string{"doomed", "kept"} {
		if _, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	del := agent.KubectlRequest{Args: []string{"delete", "configmap", "doomed"}, Namespace: ns}
	got := request(t, ws, "p", "kubectl", del)
	p := decode[agent.Preview](t, got[0])
	if len(got) != 1 || got[0].Type != agent.TypeResult || !p.ConfirmationRequired || !p.DryRun || !strings.Contains(p.Preview, "server dry run") {
		t.Fatalf("the first delete: %+v, want a preview", got)
	}
	if _, err := cms.Get(t.Context(), "doomed", metav1.GetOptions{}); err != nil {
		t.Fatalf("the preview deleted the ConfigMap: %v", err)
	}
	other := agent.KubectlRequest{Args: []string{"delete", "configmap", "kept"}, Namespace: ns, Confirmed: true}
	if got := request(t, ws, "x", "kubectl", other); decode[agent.ErrorPayload](t, got[0]).Code != "not_previewed" {
		t.Fatalf("a confirmation without a preview: %+v", got)
	}
	del.Confirmed = true
	if out := output(t, request(t, ws, "c", "kubectl", del)); !strings.Contains(out, `"doomed" deleted`) {
		t.Errorf("the confirmed delete: %q", out)
	}
	if _, err := cms.Get(t.Context(), "doomed", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after the confirmed delete: %v, want not found", err)
	}
	if _, err := cms.Get(t.Context(), "kept", metav1.GetOptions{}); err != nil {
		t.Errorf("the unpreviewed confirmation deleted: %v", err)
	}
	if got := request(t, ws, "again", "kubectl", del); decode[agent.ErrorPayload](t, got[0]).Code != "not_previewed" {
		t.Errorf("a confirmation used twice: %+v", got)
	}
}

// TestPreviewChangesNothing: no spelling of a command makes its preview the
// real change (a value flag left without its value would take the preview's
// --dry-run=server as its value; a caller's --dry-run=none would override it).
func TestPreviewChangesNothing(t *testing.T) {
	addr := startAgent(t)
	ws, _, err := dial(t, addr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ns := env.Namespace(t, "agent-preview")
	cms := env.Clientset("admin").CoreV1().ConfigMaps(ns)
	for i, args := range [][]string{
		{"create", "configmap", "made", "--from-literal"},
		{"create", "configmap", "made", "--dry-run=none"},
		{"create", "configmap", "made", "--dry-run", "none"},
	} {
		got := request(t, ws, fmt.Sprint(i), "kubectl", agent.KubectlRequest{Args: args, Namespace: ns})
		if got[0].Type != agent.TypeError {
			t.Errorf("%q: %+v, want it refused", args, got)
		}
		if _, err := cms.Get(t.Context(), "made", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("the preview of %q created the ConfigMap (%v)", args, err)
		}
	}
	ok := request(t, ws, "ok", "kubectl", agent.KubectlRequest{Args: []string{"create", "configmap", "made", "--from-literal", "a=b"}, Namespace: ns})
	if p := decode[agent.Preview](t, ok[0]); !p.DryRun {
		t.Errorf("a well-formed create: %+v, want a server dry run", ok)
	}
	if _, err := cms.Get(t.Context(), "made", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the preview created the ConfigMap (%v)", err)
	}
}

// TestMCP: the agent serves kubemcp's MCP at /mcp, with the kubectl tool.
func TestMCP(t *testing.T) {
	addr := startAgent(t)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, nil).
		Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: "http://" + addr + transport.PathMCP}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	found := false
	for tool, err := range cs.Tools(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || tool.Name == "kubectl"
	}
	if !found {
		t.Error("no kubectl tool at /mcp")
	}
}
