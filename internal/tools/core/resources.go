package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// KindRef names a kind the way a person or model might. It is embedded in the
// input of every tool that acts on objects of any kind.
type KindRef struct {
	APIVersion string `json:"api_version,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Resource   string `json:"resource,omitempty" jsonschema:"e.g. deploy; or kind and api_version"`
}

func (r KindRef) ref() kube.Ref {
	return kube.Ref{APIVersion: r.APIVersion, Kind: r.Kind, Resource: r.Resource}
}

// GetIn names one object of any kind, custom resources included.
type GetIn struct {
	toolset.Target
	toolset.TextCap
	KindRef
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Format    string `json:"output,omitempty"`
	Reveal    bool   `json:"reveal_secret_values,omitempty" jsonschema:"if the server allows it"`
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
		Name:        "resources_get",
		Description: "Get one object of any kind as YAML or JSON, Secret values redacted.",
		Annotations: toolset.ReadOnly("Get a resource"),
	}, c.getResource)
}

func (c *Core) getResource(ctx context.Context, _ *mcp.CallToolRequest, in GetIn) (string, GetOut, error) {
	var out GetOut
	if in.Name == "" {
		return "", out, fmt.Errorf("name is required: resources_get reads one object; resources_list shows what exists")
	}
	if err := checkFormat(in.Format); err != nil {
		return "", out, err
	}
	if in.Reveal && !c.deps.AllowSecretReveal {
		return "", out, fmt.Errorf("reveal_secret_values is refused: this server's configuration does not allow revealing Secret values (allowSecretReveal); call again without it to see the keys and sizes")
	}
	t, err := c.target(ctx, in.Cluster, "get", in.KindRef, in.Namespace)
	if err != nil {
		return "", out, err
	}
	obj, err := c.getObject(ctx, t, in)
	if err != nil {
		return "", out, t.explain(err, "get", in.Name)
	}
	if in.Reveal {
		toolset.Reveal(ctx)
		obj = render.CleanRevealing(obj)
	} else {
		obj = render.Clean(obj)
	}
	text, err := render.Object(obj, render.Format(in.Format))
	if err != nil {
		return "", out, err
	}
	out = GetOut{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Object: obj.Object}
	return fencedText(objectSource(t, in.Name), text, c.deps.Budget(in.TextCap), "The object is larger than the budget; ask for the fields you need."), out, nil
}

// getObject reads in's object: from the shared watch cache when it holds it
// and may answer the caller, else from the apiserver. The object may be
// shared: render.Clean copies.
func (c *Core) getObject(ctx context.Context, t target, in GetIn) (*unstructured.Unstructured, error) {
	if c.deps.Cache != nil {
		obj, err := c.deps.Cache.Get(ctx, in.Cluster, t.res, t.ns, in.Name)
		if !errors.Is(err, cache.ErrDirect) {
			return obj, err
		}
	}
	return t.api().Get(ctx, in.Name, metav1.GetOptions{})
}

func checkFormat(f string) error {
	if f != "" && f != string(render.YAML) && f != string(render.JSON) {
		return fmt.Errorf("output %q: want yaml or json", f)
	}
	return nil
}

// listCall is the tool call that shows what exists of a kind, offered on "not
// found".
func listCall(res kube.Resolved, ns string) string {
	args := map[string]string{"resource": qualified(res)}
	if ns != "" {
		args["namespace"] = ns
	}
	b, _ := json.Marshal(args)
	return "resources_list " + string(b)
}

// qualified is the resource as kubectl spells it unambiguously:
// "pods", "deployments.apps", "widgets.example.kubemcp.io".
func qualified(res kube.Resolved) string {
	if res.GVR.Group == "" {
		return res.GVR.Resource
	}
	return res.GVR.Resource + "." + res.GVR.Group
}

// objectSource names an object for a fence: "deployments.apps shop/web".
func objectSource(t target, name string) string {
	if t.ns == "" {
		return qualified(t.res) + " " + name
	}
	return qualified(t.res) + " " + t.ns + "/" + name
}
