package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// session is an MCP client connected in memory to a server of the core
// toolset alone; every tool answer it gets is checked for Secret values.
type session struct {
	t  testing.TB
	cs *mcp.ClientSession
}

// connect serves the core toolset as the admin.
func connect(t testing.TB) *session {
	return connectAs(t, env.Kubeconfig, kube.Options{})
}

// connectAs serves the core toolset for kubeconfig with the client options
// (e.g. a read-only policy), at the rate limits kubemcp serves with.
func connectAs(t testing.TB, kubeconfig string, opts kube.Options) *session {
	t.Helper()
	opts.QPS, opts.Burst = 200, 400
	cl, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig, Client: opts})
	if err != nil {
		t.Fatal(err)
	}
	server := mcpserver.New(mcpserver.Options{Tools: New(toolset.Deps{Clusters: cl}).Tools()})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "core-test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return &session{t: t, cs: cs}
}

// readOnlySession serves the core toolset with kubemcp's read-only policy.
func readOnlySession(t *testing.T) *session {
	return connectAs(t, env.Kubeconfig, kube.Options{Policy: &policy.Config{ReadOnly: true}})
}

// answer is one tool result: its text, whether it is an error, and its
// structuredContent as JSON.
type answer struct {
	Text       string
	IsError    bool
	Structured json.RawMessage
}

func (s *session) call(tool string, args map[string]any) answer {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		s.t.Fatalf("%s: protocol error: %v", tool, err)
	}
	var a answer
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			a.Text += tc.Text
		}
	}
	a.IsError = res.IsError
	if res.StructuredContent != nil {
		a.Structured, _ = json.Marshal(res.StructuredContent)
	}
	noSecrets(s.t, tool, a.Text+string(a.Structured))
	return a
}

// ok calls a tool that must succeed and decodes its structuredContent into out.
func (s *session) ok(tool string, args map[string]any, out any) string {
	s.t.Helper()
	a := s.call(tool, args)
	if a.IsError {
		s.t.Fatalf("%s %v: %s", tool, args, a.Text)
	}
	if out != nil {
		if err := json.Unmarshal(a.Structured, out); err != nil {
			s.t.Fatalf("%s: structuredContent %s: %v", tool, a.Structured, err)
		}
	}
	return a.Text
}

// fails calls a tool that must answer with an error and returns its text.
func (s *session) fails(tool string, args map[string]any) string {
	s.t.Helper()
	a := s.call(tool, args)
	if !a.IsError {
		s.t.Fatalf("%s %v: want an error, got:\n%s", tool, args, a.Text)
	}
	return a.Text
}

// secretForms are the planted Secret value as it is stored, base64 and plain.
var secretForms = sync.OnceValue(func() []string {
	return []string{testenv.PlantedSecret, base64.StdEncoding.EncodeToString([]byte(testenv.PlantedSecret))}
})

func noSecrets(t testing.TB, tool, text string) {
	t.Helper()
	for _, s := range secretForms() {
		if strings.Contains(text, s) {
			t.Errorf("%s: the answer contains the planted Secret value %q", tool, s)
		}
	}
}

func wantAll(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("want %q in:\n%s", w, text)
		}
	}
}

func wantNone(t *testing.T, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("do not want %q in:\n%s", w, text)
		}
	}
}

// testNamespace creates a namespace for one test and deletes it afterwards.
func testNamespace(t *testing.T, name string) string {
	t.Helper()
	cs := env.Clientset("admin").CoreV1().Namespaces()
	if _, err := cs.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}
