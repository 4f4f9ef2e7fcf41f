package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// APIResourcesIn filters the served resources.
type APIResourcesIn struct {
	toolset.Target
	toolset.TextCap
	APIGroup   string `json:"api_group,omitempty" jsonschema:"e.g. apps, or core"`
	Namespaced *bool  `json:"namespaced,omitempty"`
	Verb       string `json:"verb,omitempty"`
}

// APIResource is one resource the cluster serves, at its preferred version.
type APIResource struct {
	Name       string   `json:"name" jsonschema:"plural resource name, e.g. deployments"`
	ShortNames []string `json:"shortNames"`
	APIVersion string   `json:"apiVersion"`
	Namespaced bool     `json:"namespaced"`
	Kind       string   `json:"kind"`
	Verbs      []string `json:"verbs"`
}

// APIResourcesOut is the structured result of api_resources_list.
type APIResourcesOut struct {
	Resources []APIResource `json:"resources"`
	Partial   string        `json:"partial,omitempty" jsonschema:"set when some API groups could not be read, with the reason"`
}

func (c *Core) apiResourcesList() toolset.Tool {
	return toolset.FanOut(c.deps, mcp.Tool{
		Name:        "api_resources_list",
		Description: "The kinds the cluster serves, custom ones too, like kubectl api-resources.",
		Annotations: toolset.ReadOnly("List API resources"),
	}, c.listAPIResources)
}

func (c *Core) listAPIResources(ctx context.Context, _ *mcp.CallToolRequest, in APIResourcesIn) (string, APIResourcesOut, error) {
	out := APIResourcesOut{Resources: []APIResource{}}
	kc, err := c.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	lists, err := kc.Discovery.ServerPreferredResources()
	if len(lists) == 0 && err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "API discovery"})
	}
	if err != nil {
		out.Partial = err.Error()
	}
	out.Resources = filterResources(lists, in)
	return c.apiResourcesText(in, out), out, nil
}

func filterResources(lists []*metav1.APIResourceList, in APIResourcesIn) []APIResource {
	group := strings.ToLower(in.APIGroup)
	if group == "core" {
		group = ""
	}
	out := []APIResource{}
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil || in.APIGroup != "" && gv.Group != group {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || in.Namespaced != nil && r.Namespaced != *in.Namespaced || in.Verb != "" && !slices.Contains(r.Verbs, in.Verb) {
				continue
			}
			out = append(out, APIResource{Name: r.Name, ShortNames: append([]string{}, r.ShortNames...), APIVersion: list.GroupVersion,
				Namespaced: r.Namespaced, Kind: r.Kind, Verbs: append([]string{}, r.Verbs...)})
		}
	}
	slices.SortFunc(out, func(a, b APIResource) int {
		return cmp.Or(cmp.Compare(groupOf(a.APIVersion), groupOf(b.APIVersion)), cmp.Compare(a.Name, b.Name))
	})
	return out
}

func groupOf(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

func (c *Core) apiResourcesText(in APIResourcesIn, out APIResourcesOut) string {
	var note string
	if out.Partial != "" {
		note = fmt.Sprintf("[Some API groups could not be read, so this list is incomplete: %s]\n", out.Partial)
	}
	if len(out.Resources) == 0 {
		return "No served resources match; call api_resources_list without filters to see all.\n" + note
	}
	t := render.Table{Header: []string{"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS"}}
	for _, r := range out.Resources {
		t.Rows = append(t.Rows, []string{r.Name, orEmpty(strings.Join(r.ShortNames, ",")), r.APIVersion, strconv.FormatBool(r.Namespaced), r.Kind, strings.Join(r.Verbs, ",")})
	}
	return t.Render(c.deps.Budget(in.TextCap)-len(note), "Narrow with api_group, namespaced or verb.") + note
}

func orEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
