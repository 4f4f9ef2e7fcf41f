package core

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ExplainIn names a kind and a field path in it.
type ExplainIn struct {
	toolset.Target
	toolset.TextCap
	KindRef
	Path string `json:"path,omitempty" jsonschema:"e.g. spec.template.spec"`
}

// SchemaField is one child field of the explained field.
type SchemaField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
}

// ExplainOut is the structured result of resources_explain.
type ExplainOut struct {
	APIVersion  string        `json:"apiVersion"`
	Kind        string        `json:"kind"`
	Path        string        `json:"path"`
	Type        string        `json:"type"`
	Description string        `json:"description"`
	Enum        []string      `json:"enum"`
	Fields      []SchemaField `json:"fields"`
}

func (c *Core) resourcesExplain() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "resources_explain",
		Description: "A kind's or field's schema from the cluster's OpenAPI, like kubectl explain.",
		Annotations: toolset.ReadOnly("Explain a resource's schema"),
	}, c.explain)
}

func (c *Core) explain(ctx context.Context, _ *mcp.CallToolRequest, in ExplainIn) (string, ExplainOut, error) {
	out := ExplainOut{Enum: []string{}, Fields: []SchemaField{}}
	t, err := c.resolve(ctx, in.Cluster, "get", in.KindRef)
	if err != nil {
		return "", out, err
	}
	gvk := t.res.GVK
	doc, err := c.schemas.doc(t.kc, gvk.GroupVersion())
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "OpenAPI schema"})
	}
	root, ok := doc.root(gvk)
	if !ok {
		return "", out, fmt.Errorf("the OpenAPI schema of %s has no kind %s", gvk.GroupVersion(), gvk.Kind)
	}
	out.APIVersion, out.Kind = gvk.GroupVersion().String(), gvk.Kind
	path := trimKindPrefix(in.Path, gvk.Kind, t.res.GVR.Resource)
	field, err := walk(doc, root, path)
	if err != nil {
		return "", out, err
	}
	fillExplain(doc, field, &out)
	out.Path = path
	if path == "" {
		out.Type = gvk.Kind
	}
	return render.Text(explainText(out), c.deps.Budget(in.TextCap), "Explain a narrower path to see less."), out, nil
}

// trimKindPrefix lets a path start as kubectl's does, with the kind:
// deployment.spec.replicas is spec.replicas.
func trimKindPrefix(path, kind, resource string) string {
	path = strings.Trim(path, ". ")
	first, rest, _ := strings.Cut(path, ".")
	if strings.EqualFold(first, kind) || strings.EqualFold(first, resource) {
		return rest
	}
	return path
}

// walk follows path down from s, stepping into list items and map values on
// the way, and says which fields exist where a step is not found. It returns
// the field's own schema, before $ref is followed, which names its type.
func walk(doc *apiDoc, s *apiSchema, path string) (*apiSchema, error) {
	var done []string
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" {
			continue
		}
		parent := doc.deref(elem(doc, doc.deref(s)))
		next, ok := parent.Properties[seg]
		if !ok {
			return nil, unknownField(parent, seg, done)
		}
		s = next
		done = append(done, seg)
	}
	return s, nil
}

// elem steps from a list to its items, or from a map to its values.
func elem(doc *apiDoc, s *apiSchema) *apiSchema {
	for range 5 {
		switch {
		case s.Type == "array" && s.Items != nil:
			s = doc.deref(s.Items)
		case len(s.Properties) == 0 && doc.additional(s) != nil:
			s = doc.deref(doc.additional(s))
		default:
			return s
		}
	}
	return s
}

func unknownField(s *apiSchema, seg string, done []string) error {
	where := "the kind"
	if len(done) > 0 {
		where = strings.Join(done, ".")
	}
	names := slices.Sorted(maps.Keys(s.Properties))
	if len(names) == 0 {
		return fmt.Errorf("field %q: %s has no fields of its own (it is a %s)", seg, where, cmpType(s))
	}
	return fmt.Errorf("field %q does not exist in %s; its fields are: %s", seg, where, strings.Join(names, ", "))
}

func cmpType(s *apiSchema) string {
	if s.PreserveUnknown {
		return "free-form object"
	}
	if s.Type == "" {
		return "value of any type"
	}
	return s.Type
}

func fillExplain(doc *apiDoc, raw *apiSchema, out *ExplainOut) {
	field := doc.deref(raw)
	out.Type, out.Description = doc.typeName(raw), strings.TrimSpace(field.Description)
	for _, e := range field.Enum {
		out.Enum = append(out.Enum, fmt.Sprint(e))
	}
	inner := doc.deref(elem(doc, field))
	for _, name := range slices.Sorted(maps.Keys(inner.Properties)) {
		p := inner.Properties[name]
		out.Fields = append(out.Fields, SchemaField{Name: name, Type: doc.typeName(p), Required: slices.Contains(inner.Required, name),
			Description: strings.TrimSpace(doc.deref(p).Description)})
	}
}

func explainText(out ExplainOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "KIND:     %s\nVERSION:  %s\n\n", out.Kind, out.APIVersion)
	if out.Path != "" {
		fmt.Fprintf(&b, "FIELD:    %s <%s>\n\n", out.Path, out.Type)
	}
	fmt.Fprintf(&b, "DESCRIPTION:\n%s\n", indentText(orNone(out.Description), "    "))
	if len(out.Enum) > 0 {
		fmt.Fprintf(&b, "\nENUM:     %s\n", strings.Join(out.Enum, ", "))
	}
	if len(out.Fields) > 0 {
		b.WriteString("\nFIELDS:\n")
	}
	for _, f := range out.Fields {
		req := ""
		if f.Required {
			req = " -required-"
		}
		fmt.Fprintf(&b, "  %s\t<%s>%s\n%s\n", f.Name, f.Type, req, indentText(summary(f.Description), "    "))
	}
	return b.String()
}

// summaryLen is about how much of a child field's description the list of
// fields shows; the whole text is one explain call away.
const summaryLen = 240

// summary keeps a child field's description short: its first paragraph, cut
// after the last sentence that fits in summaryLen.
func summary(s string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(s), "\n\n")
	if len(p) <= summaryLen {
		return orNone(p)
	}
	if i := strings.LastIndex(p[:summaryLen], ". "); i > 0 {
		return p[:i+1] + " ..."
	}
	return strings.TrimSpace(p[:summaryLen]) + " ..."
}

func indentText(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
