package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// DeleteIn names the object to delete.
type DeleteIn struct {
	toolset.Target
	toolset.Approval
	KindRef
	Namespace          string `json:"namespace,omitempty"`
	Name               string `json:"name"`
	DryRun             bool   `json:"dry_run,omitempty"`
	PropagationPolicy  string `json:"propagation_policy,omitempty" jsonschema:"Background (default), Foreground or Orphan"`
	GracePeriodSeconds *int64 `json:"grace_period_seconds,omitempty"`
}

// DeleteOut is the structured result of resources_delete.
type DeleteOut struct {
	APIVersion      string   `json:"apiVersion"`
	Kind            string   `json:"kind"`
	Namespace       string   `json:"namespace,omitempty"`
	Name            string   `json:"name"`
	DryRun          bool     `json:"dryRun"`
	Status          string   `json:"status" jsonschema:"deleted, deleting (finalizers still to run) or would delete"`
	Finalizers      []string `json:"finalizers" jsonschema:"finalizers that hold a deleting object"`
	ResourceVersion string   `json:"resourceVersion,omitempty" jsonschema:"of the live object, if any"`
}

var propagationPolicies = []metav1.DeletionPropagation{metav1.DeletePropagationBackground, metav1.DeletePropagationForeground, metav1.DeletePropagationOrphan}

func (c *Core) resourcesDelete() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "resources_delete",
		Description: "Delete one object of any kind.",
		Annotations: toolset.Writes("Delete a resource", true, true),
	}, c.delete)
}

func (c *Core) delete(ctx context.Context, _ *mcp.CallToolRequest, in DeleteIn) (string, DeleteOut, error) {
	out := DeleteOut{DryRun: in.DryRun, Finalizers: []string{}}
	opts, err := in.options()
	if err != nil {
		return "", out, err
	}
	t, err := c.target(ctx, in.Cluster, "delete", in.KindRef, in.Namespace)
	if err != nil {
		return "", out, err
	}
	live, err := t.api().Get(ctx, in.Name, metav1.GetOptions{})
	if err != nil {
		return "", out, t.explain(err, "get", in.Name)
	}
	out.APIVersion, out.Kind, out.Namespace, out.Name = live.GetAPIVersion(), live.GetKind(), t.ns, in.Name
	out.ResourceVersion = live.GetResourceVersion()
	if err := t.api().Delete(ctx, in.Name, opts); err != nil {
		return "", out, t.explain(err, "delete", in.Name)
	}
	out.Status = "would delete"
	if !in.DryRun {
		out.Status, out.Finalizers = deletionState(ctx, t, in.Name)
	}
	return deleteText(in, out), out, nil
}

// ConfirmState implements toolset.Stateful: an approval holds while the object is unchanged.
func (o DeleteOut) ConfirmState() string { return o.ResourceVersion }

func (in DeleteIn) options() (metav1.DeleteOptions, error) {
	opts := metav1.DeleteOptions{GracePeriodSeconds: in.GracePeriodSeconds}
	switch {
	case in.Name == "":
		return opts, fmt.Errorf("name is required: resources_delete deletes one object; resources_list shows what exists")
	case in.GracePeriodSeconds != nil && *in.GracePeriodSeconds < 0:
		return opts, fmt.Errorf("grace_period_seconds %d: want 0 or more", *in.GracePeriodSeconds)
	}
	if in.PropagationPolicy != "" {
		p, ok := propagation(in.PropagationPolicy)
		if !ok {
			return opts, fmt.Errorf("propagation_policy %q: want Background, Foreground or Orphan", in.PropagationPolicy)
		}
		opts.PropagationPolicy = &p
	}
	if in.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return opts, nil
}

func propagation(s string) (metav1.DeletionPropagation, bool) {
	for _, p := range propagationPolicies {
		if strings.EqualFold(s, string(p)) {
			return p, true
		}
	}
	return "", false
}

// deletionState tells whether the object is gone or held by finalizers.
func deletionState(ctx context.Context, t target, name string) (string, []string) {
	obj, err := t.api().Get(ctx, name, metav1.GetOptions{})
	if err != nil || obj.GetDeletionTimestamp() == nil { // not found, or unreadable: the delete itself succeeded
		return "deleted", []string{}
	}
	return "deleting", append([]string{}, obj.GetFinalizers()...)
}

func deleteText(in DeleteIn, out DeleteOut) string {
	what := fmt.Sprintf("%s %s", out.Kind, out.Name)
	if out.Namespace != "" {
		what += " in namespace " + out.Namespace
	}
	policy := "Background"
	if in.PropagationPolicy != "" {
		p, _ := propagation(in.PropagationPolicy)
		policy = string(p)
	}
	switch out.Status {
	case "would delete":
		return fmt.Sprintf("Dry run: nothing was changed. The apiserver would delete %s (propagation %s).\n", what, policy)
	case "deleting":
		return fmt.Sprintf("%s is marked for deletion and waits for its finalizers: %s. The controllers that own them remove them when done; resources_describe shows progress.\n",
			what, strings.Join(out.Finalizers, ", "))
	}
	return fmt.Sprintf("%s deleted (propagation %s).\n", what, policy)
}
