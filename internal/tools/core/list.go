package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Page sizes of resources_list.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// ListIn selects objects of one kind.
type ListIn struct {
	toolset.Target
	toolset.TextCap
	KindRef
	Namespace     string `json:"namespace,omitempty"`
	LabelSelector string `json:"label_selector,omitempty"`
	FieldSelector string `json:"field_selector,omitempty"`
	Limit         int    `json:"limit,omitempty" jsonschema:"per page; default 100"`
	Continue      string `json:"continue,omitempty" jsonschema:"from the previous page"`
	Wide          bool   `json:"wide,omitempty"`
	Format        string `json:"output,omitempty" jsonschema:"table (default), yaml or json"`
}

// Row is one object of resources_list.
type Row struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Cells     map[string]string `json:"cells" jsonschema:"the server's printer columns by column name (all of them, wide or not)"`
}

// ListOut is the structured result of resources_list.
type ListOut struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Namespace  string           `json:"namespace,omitempty" jsonschema:"the namespace listed; empty for all namespaces or a cluster-scoped kind"`
	Columns    []string         `json:"columns" jsonschema:"names of the printer columns, in the server's order"`
	Rows       []Row            `json:"rows"`
	Objects    []map[string]any `json:"objects,omitempty" jsonschema:"with output yaml or json: the cleaned objects, Secret values redacted"`
	Count      int              `json:"count" jsonschema:"objects on this page"`
	Remaining  *int64           `json:"remaining,omitempty" jsonschema:"objects after this page, when the server can tell"`
	Continue   string           `json:"continue,omitempty" jsonschema:"token for the next page; empty on the last page"`
}

func (c *Core) resourcesList() toolset.Tool {
	return toolset.FanOut(c.deps, mcp.Tool{
		Name:        "resources_list",
		Description: "List objects of any kind with kubectl get's columns, a page at a time.",
		Annotations: toolset.ReadOnly("List resources"),
	}, c.listResources)
}

func (c *Core) listResources(ctx context.Context, _ *mcp.CallToolRequest, in ListIn) (string, ListOut, error) {
	out := ListOut{Columns: []string{}, Rows: []Row{}}
	if err := in.validate(); err != nil {
		return "", out, err
	}
	t, err := c.resolve(ctx, in.Cluster, "list", in.KindRef)
	if err != nil {
		return "", out, err
	}
	if t.res.Namespaced {
		t.ns = in.Namespace
	}
	out.APIVersion, out.Kind, out.Namespace = t.res.GVK.GroupVersion().String(), t.res.GVK.Kind, t.ns
	var text string
	if in.Format == "" || in.Format == "table" {
		text, err = c.listTable(ctx, t, in, &out)
	} else {
		text, err = c.listObjects(ctx, t, in, &out)
	}
	if err != nil {
		return "", out, explainList(t, err)
	}
	out.Count = len(out.Rows)
	return text, out, nil
}

func (in ListIn) validate() error {
	switch {
	case in.Format != "" && in.Format != "table" && checkFormat(in.Format) != nil:
		return fmt.Errorf("output %q: want table, yaml or json", in.Format)
	case in.Limit < 0 || in.Limit > maxLimit:
		return fmt.Errorf("limit %d: want 1 to %d (default %d)", in.Limit, maxLimit, defaultLimit)
	}
	return nil
}

func (in ListIn) options() metav1.ListOptions {
	limit := in.Limit
	if limit == 0 {
		limit = defaultLimit
	}
	return metav1.ListOptions{LabelSelector: in.LabelSelector, FieldSelector: in.FieldSelector, Limit: int64(limit), Continue: in.Continue}
}

func explainList(t target, err error) error {
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return fmt.Errorf("the continue token has expired (the apiserver keeps them for a few minutes); list again without continue")
	}
	return toolset.Explain(err, toolset.Op{Verb: "list", Resource: qualified(t.res), Namespace: t.ns})
}

// nextPage is the note that ends a page when more objects exist: the exact
// call that gets the next one.
func nextPage(in ListIn, token string, remaining *int64) string {
	if token == "" {
		return ""
	}
	in.Continue = token
	args, _ := json.Marshal(in)
	more := "More objects exist"
	if remaining != nil {
		more = fmt.Sprintf("%d more objects exist", *remaining)
	}
	return fmt.Sprintf("[%s. To get the next page, call resources_list %s]\n", more, args)
}

// noneFound says an empty page is empty, and where it looked.
func noneFound(t target, in ListIn) string {
	where := "in any namespace"
	switch {
	case !t.res.Namespaced:
		where = "(cluster-scoped)"
	case t.ns != "":
		where = fmt.Sprintf("in namespace %q", t.ns)
	}
	var sel []string
	for _, s := range []string{in.LabelSelector, in.FieldSelector} {
		if s != "" {
			sel = append(sel, fmt.Sprintf("%q", s))
		}
	}
	if len(sel) > 0 {
		where += " matching " + strings.Join(sel, " and ")
	}
	return fmt.Sprintf("No %s found %s.\n", qualified(t.res), where)
}
