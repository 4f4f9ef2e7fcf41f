package workloads

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

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

// serve serves the workloads toolset in memory for kubeconfig, with pol
// enforced beneath the clients (nil: no policy), and connects a real client.
func serve(t *testing.T, kubeconfig string, pol *policy.Config) *mcp.ClientSession {
	t.Helper()
	mgr, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig, Client: kube.Options{Policy: pol}})
	if err != nil {
		t.Fatal(err)
	}
	server := mcpserver.New(mcpserver.Options{Tools: New(toolset.Deps{Clusters: mgr}).Tools()})
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "workloads-test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// admin is a session as the cluster admin, shared by the tests.
func admin(t *testing.T) *mcp.ClientSession { return serve(t, env.Kubeconfig, nil) }

// result is what a tool call answered.
type result struct {
	Text    string
	IsError bool
	Raw     json.RawMessage // structuredContent
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	var r result
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			r.Text += tc.Text
		}
	}
	r.IsError = res.IsError
	if res.StructuredContent != nil {
		r.Raw, _ = json.Marshal(res.StructuredContent)
	}
	return r
}

// decode reads the structured content into out; it fails the test on an error result.
func (r result) decode(t *testing.T, out any) {
	t.Helper()
	if r.IsError || r.Raw == nil {
		t.Fatalf("want a structured result, got isError=%v: %s", r.IsError, r.Text)
	}
	if err := json.Unmarshal(r.Raw, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Raw, err)
	}
}

// expect checks isError and that the text holds every want.
func (r result) expect(t *testing.T, isError bool, want ...string) {
	t.Helper()
	if r.IsError != isError {
		t.Fatalf("isError=%v, want %v:\n%s", r.IsError, isError, r.Text)
	}
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("answer lacks %q:\n%s", w, r.Text)
		}
	}
}

func admins() kubernetes.Interface { return env.Clientset("admin") }

// namespace creates a namespace of the test's own, so that tests that change
// the cluster cannot disturb each other.
func namespace(t *testing.T) string {
	t.Helper()
	name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(name) > 50 {
		name = name[:50]
	}
	name = "wl-" + name
	_, err := admins().CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return name
}
