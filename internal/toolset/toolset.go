// Package toolset defines what a toolset is (a named group of MCP tools with
// typed handlers) and what every tool shares: the constructors New and FanOut,
// the registry filter Select, Explain for errors and the Confirmer.
package toolset

import (
	"context"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/confirm"
)

// Toolset is a named group of tools, one per package under internal/tools.
type Toolset interface {
	Name() string
	Description() string
	Tools() []Tool
}

// Tool is one MCP tool: its metadata and how to install its typed handler.
type Tool struct {
	Meta    mcp.Tool
	kind    string // see On
	fenced  bool   // see Fenced
	install func(s *mcp.Server, meta *mcp.Tool, t Tool, o InstallOptions)
}

// On says the tool acts on objects of one kind, whatever its arguments say
// (pods_delete on Pods), so that confirmation rules naming kinds cover it.
func (t Tool) On(kind string) Tool {
	t.kind = kind
	return t
}

// Fenced says the tool fences the outside text in its answers itself: text
// anyone but kubemcp wrote (messages, annotations, logs, values) appears only
// inside render.Fence, which the tool puts around exactly the parts that are
// the cluster's, leaving its own notes and next steps outside. The gate then
// sends the text as the tool made it. A tool that does not say so has its
// whole text fenced by the gate, so a new tool cannot pass outside text on
// unmarked; the sweep (test/e2e) checks the claim for every tool. Tools made
// with Raw are always fenced by the gate.
func (t Tool) Fenced() Tool {
	t.fenced = true
	return t
}

// AllFenced is tools, each Fenced: for a toolset whose every tool fences its
// own outside text.
func AllFenced(tools ...Tool) []Tool {
	out := make([]Tool, len(tools))
	for i, t := range tools {
		out[i] = t.Fenced()
	}
	return out
}

// fence names t's text as the gate fences it ("tool X": "answer of tool X",
// "error of tool X"), or is "" when t fences its outside text itself.
func (t Tool) fence(meta *mcp.Tool) string {
	if t.fenced {
		return ""
	}
	return "tool " + meta.Name
}

// InstallOptions say how the server installing the tools is set up.
type InstallOptions struct {
	Confirm *confirm.Confirmer // asks for confirmation of the calls its rules name; nil: none
	// MultiCluster advertises the cluster argument; with one cluster it is
	// left out of every schema.
	MultiCluster bool
}

// Handler is a typed tool handler. It returns the text a model reads and the
// structured value that goes to structuredContent (and fixes the outputSchema).
// An error becomes an isError result: make it a sentence that says what to do
// next (see Explain).
type Handler[In, Out any] func(ctx context.Context, req *mcp.CallToolRequest, in In) (text string, out Out, err error)

// New makes a Tool from its metadata and typed handler. The input and output
// schemas are inferred from In and Out (see inputSchema and outputSchema);
// the handler is installed behind the gate (see addTool).
func New[In, Out any](meta mcp.Tool, h Handler[In, Out]) Tool {
	meta.OutputSchema = outputSchema[Out](meta.Name)
	return Tool{
		Meta: meta,
		install: func(s *mcp.Server, t *mcp.Tool, self Tool, o InstallOptions) {
			run := h
			confirms := o.Confirm != nil && t.Annotations != nil && !t.Annotations.ReadOnlyHint
			if confirms {
				run = confirming(o.Confirm, self.kind, self.fence(t), h)
			}
			addTool(s, t, self.fence(t), inputSchema[In](confirms, o.MultiCluster, oneCluster), func(ctx context.Context, req *mcp.CallToolRequest, in In) (string, any, error) {
				return run(ctx, req, in)
			})
		},
	}
}

// How the cluster argument is described to a model, by tools that act on one
// cluster and by those that fan out.
const (
	oneCluster     = "kubeconfig context (see clusters_list); default: the current one"
	severalCluster = `kubeconfig context, "*" for every cluster, or names and patterns, comma-separated`
)

// inputSchema is In's input schema as this server takes it:
// approval_token only when calls may need confirmation, cluster only when
// there is more than one cluster to choose from.
func inputSchema[In any](confirms, multiCluster bool, cluster string) *jsonschema.Schema {
	s, err := jsonschema.ForType(reflect.TypeFor[In](), &jsonschema.ForOptions{})
	if err != nil {
		panic(fmt.Sprintf("input schema of %v: %v", reflect.TypeFor[In](), err)) // a programming error, caught by every test
	}
	if !confirms {
		delete(s.Properties, "approval_token")
	}
	if p := s.Properties["cluster"]; p != nil && multiCluster {
		p.Description = cluster
	} else {
		delete(s.Properties, "cluster")
	}
	return s
}

// OptIn is implemented by toolsets that are served only when named in the
// toolsets setting, never by default.
type OptIn interface {
	OptIn() bool
}

// Install adds the tools to s, replacing any of the same name (the SDK then
// tells clients the tool list changed).
func Install(s *mcp.Server, tools []Tool, o InstallOptions) {
	for _, t := range tools {
		meta := t.Meta
		t.install(s, &meta, t, o)
	}
}

// Bool returns a pointer to b, for the optional hints in mcp.ToolAnnotations.
func Bool(b bool) *bool { return &b }

// outputSchemaDepth is how deep an advertised output schema goes. Output
// schemas are for programs validating structuredContent, not for the model,
// so kubemcp advertises their shape without descriptions, to keep tools/list
// small enough for a model's context.
const outputSchemaDepth = 2

// outputSchema infers Out's schema and strips it to its shape.
func outputSchema[Out any](tool string) *jsonschema.Schema {
	s, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", tool, err)) // a programming error, caught by every test
	}
	return shape(s, outputSchemaDepth)
}

func shape(s *jsonschema.Schema, depth int) *jsonschema.Schema {
	if s == nil {
		return nil
	}
	out := &jsonschema.Schema{Type: s.Type, Types: s.Types}
	if depth == 0 {
		return out
	}
	if len(s.Properties) > 0 {
		out.Properties = make(map[string]*jsonschema.Schema, len(s.Properties))
		for name, p := range s.Properties {
			out.Properties[name] = shape(p, depth-1)
		}
	}
	out.Items = shape(s.Items, depth-1)
	return out
}
