package gateway

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

func TestServedURI(t *testing.T) {
	if got, want := servedURI("everything", "demo://resource/static/document/a.md"), "kubemcp-upstream://everything/demo://resource/static/document/a.md"; got != want {
		t.Errorf("servedURI = %q, want %q", got, want)
	}
}

// TestEverythingPromptsAndResources serves server-everything's prompts,
// resources and resource templates under prefixed names and URIs, forwards
// gets and reads to it, and withdraws them all when it dies.
func TestEverythingPromptsAndResources(t *testing.T) {
	node, script := testenv.NPMServer(t, "@modelcontextprotocol/server-everything")
	pidFile := filepath.Join(t.TempDir(), "pid")
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "everything",
		Command: []string{"sh", "-c", `echo $$ > "$0"; exec "$1" "$2" stdio`, pidFile, node, script}}}})
	ctx := context.Background()

	prompts := k.prompts(t)
	if !has(prompts, "everything__args-prompt") || !has(prompts, "everything__simple-prompt") {
		t.Fatalf("prompts/list lacks server-everything's prompts: %v", prompts)
	}
	got, err := k.client.GetPrompt(ctx, &mcp.GetPromptParams{Name: "everything__args-prompt", Arguments: map[string]string{"city": "Paris"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) == 0 || !strings.Contains(got.Messages[0].Content.(*mcp.TextContent).Text, "Paris") {
		t.Errorf("args-prompt through kubemcp: %+v, want the upstream's message naming Paris", got.Messages)
	}

	leak, err := k.client.GetPrompt(ctx, &mcp.GetPromptParams{Name: "everything__args-prompt", Arguments: map[string]string{"city": plantedBearer}})
	if err != nil {
		t.Fatal(err)
	}
	if text := leak.Messages[0].Content.(*mcp.TextContent).Text; strings.Contains(text, "s3cr3tT0kenValue42") {
		t.Errorf("a prompt's text passed kubemcp unredacted: %q", text)
	}

	doc := servedURI("everything", "demo://resource/static/document/architecture.md")
	if uris := k.resources(t); !has(uris, doc) {
		t.Fatalf("resources/list lacks %s: %v", doc, uris)
	}
	read, err := k.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: doc})
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Contents) != 1 || read.Contents[0].URI != doc || read.Contents[0].Text == "" {
		t.Errorf("reading %s: %+v, want its text under kubemcp's URI", doc, read.Contents)
	}

	var templates []string
	for rt, err := range k.client.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		templates = append(templates, rt.URITemplate)
	}
	tmpl := servedURI("everything", "demo://resource/dynamic/text/{resourceId}")
	if !has(templates, tmpl) {
		t.Fatalf("resources/templates/list lacks %s: %v", tmpl, templates)
	}
	dyn := servedURI("everything", "demo://resource/dynamic/text/1")
	if read, err := k.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: dyn}); err != nil || len(read.Contents) == 0 || read.Contents[0].URI != dyn {
		t.Errorf("reading %s through the template: %+v, %v", dyn, read, err)
	}
	if s := k.gw.upstreams[0].snapshot(); len(s.Prompts) == 0 || s.Resources == 0 || s.ResourceTemplates == 0 {
		t.Errorf("upstreams_list state %+v; want its prompts and resources counted", s)
	}

	if err := syscallKill(pidOf(pidFile)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "everything's prompts and resources withdrawn", func() bool {
		return !has(k.prompts(t), "everything__args-prompt") && !has(k.resources(t), doc)
	})
	if _, err := k.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: doc}); err == nil {
		t.Error("a withdrawn resource can still be read")
	}
	testenv.Eventually(t, 10*time.Second, "everything's prompts served again", func() bool { return has(k.prompts(t), "everything__args-prompt") })
}

func (k *kubemcp) prompts(t *testing.T) []string {
	t.Helper()
	var names []string
	for p, err := range k.client.Prompts(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p.Name)
	}
	return names
}

func (k *kubemcp) resources(t *testing.T) []string {
	t.Helper()
	var uris []string
	for r, err := range k.client.Resources(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, r.URI)
	}
	return slices.Sorted(slices.Values(uris))
}
