// Package toolsettest serves a toolset in memory to a real MCP client against
// the project's test cluster, for the tests of the packages under
// internal/tools. Only _test files import it.
package toolsettest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// callTimeout bounds one tool call; a drain that waits on evictions is the
// slowest there is.
const callTimeout = 90 * time.Second

// cluster is the test cluster Main started; a test binary has one.
var cluster *testenv.Env

// Main runs a package's tests against the seeded test cluster and returns the
// exit code; set (if not nil) gets the cluster before any test runs:
//
//	func TestMain(m *testing.M) { os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e })) }
func Main(m *testing.M, set func(*testenv.Env)) int {
	return testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) {
		cluster = e
		if set != nil {
			set(e)
		}
	})
}

// Options say as whom and under which policy a toolset is served.
type Options struct {
	User       string         // a seeded user, e.g. "alice" (no RBAC grants); empty: the admin
	Kubeconfig string         // instead of User: this kubeconfig
	Policy     *policy.Config // enforced beneath the clients; nil: none
	ReadOnly   bool           // kubemcp's read-only policy (with Policy's rules, if any)
}

func (o Options) kubeconfig() string {
	switch {
	case o.Kubeconfig != "":
		return o.Kubeconfig
	case o.User != "":
		return cluster.Users[o.User].Kubeconfig
	}
	return cluster.Kubeconfig
}

func (o Options) policy() *policy.Config {
	if !o.ReadOnly {
		return o.Policy
	}
	p := policy.Config{}
	if o.Policy != nil {
		p = *o.Policy
	}
	p.ReadOnly = true
	return &p
}

// Session is an MCP client connected to a server of one toolset.
type Session struct {
	*mcp.ClientSession
	Watches *tracker.Pool                   // the toolset's shared watches, for tests that wait on them
	outputs map[string]*jsonschema.Resolved // each tool's advertised output schema
}

// Serve serves the toolset newSet builds as the cluster admin.
func Serve[T toolset.Toolset](t testing.TB, newSet func(toolset.Deps) T) *Session {
	t.Helper()
	return ServeWith(t, Options{}, newSet)
}

// ServeWith serves the toolset newSet builds as o says, in memory, and
// connects a client; both close when the test ends.
func ServeWith[T toolset.Toolset](t testing.TB, o Options, newSet func(toolset.Deps) T) *Session {
	t.Helper()
	// Wired as kubemcp serves by default: the watch cache answers the reads
	// it can, having seen the writes made through the clients, and serves
	// the watches it can.
	writes := cache.NewWrites(nil)
	pol := o.policy()
	mgr, err := clusters.New(clusters.Options{Kubeconfig: o.kubeconfig(), Client: kube.Options{Policy: pol, Wrap: writes.Record}})
	if err != nil {
		t.Fatal(err)
	}
	var rules policy.Config
	if pol != nil {
		rules = *pol
	}
	c := cache.New(cache.Options{Clusters: mgr, Policy: rules, Writes: writes})
	t.Cleanup(c.Close)
	pool := tracker.NewPool(mgr, tracker.PoolOptions{Shared: c})
	t.Cleanup(pool.Close)
	server := mcpserver.New(mcpserver.Options{Tools: newSet(toolset.Deps{Clusters: mgr, Watches: pool, Cache: c}).Tools()})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "toolsettest", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return &Session{ClientSession: cs, Watches: pool, outputs: OutputSchemas(t, cs)}
}

// OutputSchemas are the output schemas the server advertises, by tool. The
// gate sends structuredContent without checking it (that would cost every
// call), so the tests check every structured result against them instead.
func OutputSchemas(t testing.TB, cs *mcp.ClientSession) map[string]*jsonschema.Resolved {
	t.Helper()
	list, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Resolved{}
	for _, tool := range list.Tools {
		if tool.OutputSchema == nil {
			continue
		}
		b, _ := json.Marshal(tool.OutputSchema)
		var s jsonschema.Schema
		Must(t, json.Unmarshal(b, &s))
		r, err := s.Resolve(nil)
		if err != nil {
			t.Fatalf("%s: output schema: %v", tool.Name, err)
		}
		out[tool.Name] = r
	}
	return out
}

// CheckOutput fails the test when structured does not match the tool's
// advertised output schema.
func CheckOutput(t testing.TB, schemas map[string]*jsonschema.Resolved, tool string, structured json.RawMessage) {
	t.Helper()
	schema := schemas[tool]
	if structured == nil || schema == nil {
		return
	}
	var v any
	Must(t, json.Unmarshal(structured, &v))
	if err := schema.Validate(v); err != nil {
		t.Errorf("%s: structuredContent does not match the advertised output schema: %v\n%s", tool, err, structured)
	}
}

// Result is what a tool call answered.
type Result struct {
	Text       string
	IsError    bool
	Structured json.RawMessage // structuredContent; nil when there is none
}

// Call calls a tool. A protocol error fails the test; so does an answer that
// holds the planted Secret value, whatever the tool.
func (s *Session) Call(t testing.TB, tool string, args map[string]any) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	var r Result
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			r.Text += tc.Text
		}
	}
	r.IsError = res.IsError
	if res.StructuredContent != nil {
		r.Structured, _ = json.Marshal(res.StructuredContent)
	}
	noSecrets(t, tool, r.Text+string(r.Structured))
	CheckOutput(t, s.outputs, tool, r.Structured)
	return r
}

// OK calls a tool that must succeed, decodes its structuredContent into out
// (unless nil) and returns its text.
func (s *Session) OK(t testing.TB, tool string, args map[string]any, out any) string {
	t.Helper()
	r := s.Call(t, tool, args)
	if r.IsError {
		t.Fatalf("%s %v: %s", tool, args, r.Text)
	}
	if out != nil {
		r.Decode(t, out)
	}
	return r.Text
}

// Fails calls a tool that must answer with an error and returns its text.
func (s *Session) Fails(t testing.TB, tool string, args map[string]any) string {
	t.Helper()
	r := s.Call(t, tool, args)
	if !r.IsError {
		t.Fatalf("%s %v: want an error, got:\n%s", tool, args, r.Text)
	}
	return r.Text
}

// Decode reads the structured content into out; an error result fails the test.
func (r Result) Decode(t testing.TB, out any) {
	t.Helper()
	if r.IsError || r.Structured == nil {
		t.Fatalf("want a structured result, got isError=%v: %s", r.IsError, r.Text)
	}
	if err := json.Unmarshal(r.Structured, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Structured, err)
	}
}

// Expect checks isError and that the text holds every want.
func (r Result) Expect(t testing.TB, isError bool, want ...string) {
	t.Helper()
	if r.IsError != isError {
		t.Fatalf("isError=%v, want %v:\n%s", r.IsError, isError, r.Text)
	}
	Want(t, r.Text, want...)
}

// Lacks checks that the text holds none of unwanted.
func (r Result) Lacks(t testing.TB, unwanted ...string) {
	t.Helper()
	WantNone(t, r.Text, unwanted...)
}

// Want checks that text holds every want.
func Want(t testing.TB, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("want %q in:\n%s", w, text)
		}
	}
}

// WantNone checks that text holds none of unwanted.
func WantNone(t testing.TB, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("do not want %q in:\n%s", w, text)
		}
	}
}

func noSecrets(t testing.TB, tool, text string) {
	t.Helper()
	for _, s := range []string{testenv.PlantedSecret, base64.StdEncoding.EncodeToString([]byte(testenv.PlantedSecret))} {
		if strings.Contains(text, s) {
			t.Errorf("%s: the answer contains the planted Secret value %q", tool, s)
		}
	}
}

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var notName = regexp.MustCompile(`[^a-z0-9]+`)

// Name is prefix and the test's name as a Kubernetes name.
func Name(t testing.TB, prefix string) string {
	name := strings.Trim(notName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return prefix + strings.TrimRight(name[:min(len(name), 50)], "-")
}

// Namespace creates a namespace of the test's own, so that tests that change
// the cluster cannot disturb each other, and deletes it when the test ends.
// An empty name means Name(t, ""). The name is exact because tests write it
// into manifests; so a test cannot run twice against one cluster (-count).
func Namespace(t testing.TB, name string) string {
	t.Helper()
	if name == "" {
		name = Name(t, "")
	}
	api := cluster.Clientset("admin").CoreV1().Namespaces()
	if _, err := api.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// Hints are a tool's readOnlyHint, destructiveHint and idempotentHint.
type Hints [3]bool

// WantAnnotations checks that the session serves exactly the tools in want,
// each with these hints and openWorldHint true.
func (s *Session) WantAnnotations(t testing.TB, want map[string]Hints) {
	t.Helper()
	res, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != len(want) {
		t.Errorf("%d tools, want %d", len(res.Tools), len(want))
	}
	for _, tool := range res.Tools {
		a := tool.Annotations
		if a == nil || a.DestructiveHint == nil || a.OpenWorldHint == nil || !*a.OpenWorldHint {
			t.Errorf("%s: incomplete annotations %+v", tool.Name, a)
			continue
		}
		if got := (Hints{a.ReadOnlyHint, *a.DestructiveHint, a.IdempotentHint}); got != want[tool.Name] {
			t.Errorf("%s: readOnly, destructive, idempotent = %v, want %v", tool.Name, got, want[tool.Name])
		}
	}
}
