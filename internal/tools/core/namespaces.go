package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// NamespacesIn takes only the output cap.
type NamespacesIn struct {
	toolset.Target
	toolset.TextCap
}

// Namespace is one row of namespaces_list.
type Namespace struct {
	Name    string    `json:"name"`
	Status  string    `json:"status" jsonschema:"Active or Terminating"`
	Created time.Time `json:"created"`
}

// NamespacesOut is the structured result of namespaces_list.
type NamespacesOut struct {
	Namespaces []Namespace `json:"namespaces"`
	Matched    int         `json:"matched" jsonschema:"how many matched; the list holds those the text shows"`
}

func (c *Core) namespacesList() toolset.Tool {
	return toolset.FanOut(c.deps, mcp.Tool{
		Name:        "namespaces_list",
		Description: "List namespaces: status, age.",
		Annotations: toolset.ReadOnly("List namespaces"),
	}, c.listNamespaces)
}

func (c *Core) listNamespaces(ctx context.Context, _ *mcp.CallToolRequest, in NamespacesIn) (string, NamespacesOut, error) {
	out := NamespacesOut{Namespaces: []Namespace{}}
	kc, err := c.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	list, err := c.namespaces(ctx, kc, in.Cluster)
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "namespaces"})
	}
	now := time.Now()
	table := render.Table{Header: []string{"NAME", "STATUS", "AGE"}}
	for _, ns := range list {
		out.Namespaces = append(out.Namespaces, Namespace{Name: ns.Name, Status: string(ns.Status.Phase), Created: ns.CreationTimestamp.Time})
		table.Rows = append(table.Rows, []string{ns.Name, string(ns.Status.Phase), render.Age(ns.CreationTimestamp.Time, now)})
	}
	out.Matched = len(out.Namespaces)
	text, shown := table.Fit(c.deps.Budget(in.TextCap), `To read one namespace, call resources_get {"resource":"namespaces","name":"NAME"}.`)
	out.Namespaces = out.Namespaces[:shown]
	return text, out, nil
}

// namespaces lists the cluster's namespaces: from the shared watch cache
// when it may answer the caller, else from the apiserver.
func (c *Core) namespaces(ctx context.Context, kc *kube.Client, cluster string) ([]corev1.Namespace, error) {
	if c.deps.Cache != nil {
		res, err := kc.Resolve(kube.Ref{Resource: "namespaces"})
		if err != nil {
			return nil, err
		}
		items, err := c.deps.Cache.List(ctx, cluster, cache.Query{Resource: res})
		if err == nil {
			return fromCache[corev1.Namespace](items)
		}
		if !errors.Is(err, cache.ErrDirect) {
			return nil, err
		}
	}
	list, err := kc.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// fromCache converts the watch cache's objects of one kind to their Go type.
func fromCache[T any](items []*unstructured.Unstructured) ([]T, error) {
	out := make([]T, len(items))
	for i, u := range items {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &out[i]); err != nil {
			return nil, fmt.Errorf("%s %q from the watch cache: %w", u.GetKind(), u.GetName(), err)
		}
	}
	return out, nil
}
