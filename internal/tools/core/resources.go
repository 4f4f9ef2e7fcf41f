package core

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// GetIn names one object of any kind, custom resources included.
type GetIn struct {
	toolset.TextCap
	APIVersion string `json:"api_version,omitempty" jsonschema:"API group and version, e.g. apps/v1 or v1; use with kind"`
	Kind       string `json:"kind,omitempty" jsonschema:"object kind, e.g. Deployment; use with api_version"`
	Resource   string `json:"resource,omitempty" jsonschema:"resource name in any kubectl spelling instead of api_version+kind, e.g. pods, deploy, deployments.apps, widgets"`
	Namespace  string `json:"namespace,omitempty" jsonschema:"namespace of a namespaced object; default: the context's namespace"`
	Name       string `json:"name" jsonschema:"object name"`
	Format     string `json:"output,omitempty" jsonschema:"yaml (default) or json"`
}

// GetOut is the structured result of resources_get: the cleaned object.
type GetOut struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Namespace  string         `json:"namespace,omitempty"`
	Name       string         `json:"name"`
	Object     map[string]any `json:"object" jsonschema:"the object without managedFields or the last-applied annotation, Secret values redacted"`
}

func (c *Core) resourcesGet() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name: "resources_get",
		Description: "Get one Kubernetes object of any kind, custom resources included, as YAML or JSON. " +
			"Name the kind by resource (\"deploy\", \"pods\", \"widgets.example.com\") or by api_version and kind. " +
			"managedFields and the last-applied annotation are left out; Secret values are redacted.",
		Annotations: readOnly("Get a resource"),
	}, c.getResource)
}

func (c *Core) getResource(ctx context.Context, _ *mcp.CallToolRequest, in GetIn) (string, GetOut, error) {
	var out GetOut
	if in.Name == "" {
		return "", out, fmt.Errorf("name is required: resources_get reads one object; pods_list or namespaces_list show what exists")
	}
	if in.Format != "" && in.Format != string(render.YAML) && in.Format != string(render.JSON) {
		return "", out, fmt.Errorf("output %q: want yaml or json", in.Format)
	}
	kc, err := c.deps.Clusters.Get(ctx, "")
	if err != nil {
		return "", out, err
	}
	res, err := kc.Resolve(kube.Ref{APIVersion: in.APIVersion, Kind: in.Kind, Resource: in.Resource})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "get"})
	}
	ns := ""
	if res.Namespaced {
		ns = in.Namespace
		if ns == "" {
			ns = kc.Namespace
		}
	}
	obj, err := kc.Dynamic.Resource(res.GVR).Namespace(ns).Get(ctx, in.Name, metav1.GetOptions{})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "get", Resource: res.GVR.Resource, Namespace: ns, Name: in.Name,
			ListCall: listCall(res, ns)})
	}
	obj = render.Clean(obj)
	text, err := render.Object(obj, render.Format(in.Format))
	if err != nil {
		return "", out, err
	}
	out = GetOut{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Object: obj.Object}
	return render.Text(text, c.deps.Budget(in.TextCap), "The object is larger than the budget; ask for the fields you need."), out, nil
}

// listCall is the tool call that shows what exists of a kind, for "not found".
func listCall(res kube.Resolved, ns string) string {
	switch res.GVR.Resource {
	case "pods":
		return fmt.Sprintf(`pods_list {"namespace":%q}`, ns)
	case "namespaces":
		return "namespaces_list"
	}
	return ""
}
