package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// fieldManager owns the fields kubemcp applies.
const fieldManager = "kubemcp"

// ApplyIn is a manifest to server-side apply.
type ApplyIn struct {
	toolset.Target
	toolset.Approval
	toolset.TextCap
	Manifest  string `json:"manifest"`
	Namespace string `json:"namespace,omitempty" jsonschema:"for objects without one"`
	DryRun    bool   `json:"dry_run,omitempty"`
	Force     bool   `json:"force,omitempty" jsonschema:"take over fields other managers own"`
}

// Applied is one object of a manifest and what apply did (or would do) to it.
type Applied struct {
	APIVersion      string `json:"apiVersion"`
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	Action          string `json:"action" jsonschema:"created, configured or unchanged; with dry_run: would create, would configure or unchanged; when applying stopped: failed or not attempted"`
	Error           string `json:"error,omitempty" jsonschema:"why applying this object failed"`
	Rollback        string `json:"rollback,omitempty" jsonschema:"when applying stopped, for an object this call created: deleted, deleting, or why it was not deleted"`
	Diff            string `json:"diff,omitempty" jsonschema:"with dry_run: unified diff of the live object against the result, Secret values redacted"`
	ResourceVersion string `json:"resourceVersion,omitempty" jsonschema:"of the live object, if any"`
}

// ApplyOut is the structured result of resources_apply.
type ApplyOut struct {
	DryRun  bool      `json:"dryRun"`
	Objects []Applied `json:"objects"`
}

func (c *Core) resourcesApply() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "resources_apply",
		Description: "Server-side apply YAML: all dry-run first, then in order; a failure deletes what it created.",
		Annotations: toolset.Writes("Apply a manifest", true, true),
	}, c.apply)
}

func (c *Core) apply(ctx context.Context, _ *mcp.CallToolRequest, in ApplyIn) (string, ApplyOut, error) {
	out := ApplyOut{DryRun: in.DryRun, Objects: []Applied{}}
	docs, err := c.prepare(ctx, in)
	if err != nil {
		return "", out, fmt.Errorf("nothing was applied: %w", err)
	}
	results, err := preflight(ctx, docs, in.Force)
	if err != nil {
		return "", out, fmt.Errorf("nothing was applied; checking every document by a dry run first found: %w", err)
	}
	if in.DryRun {
		out.Objects = results
		return dryRunText(results, c.deps.Budget(in.TextCap)), out, nil
	}
	var created map[int]types.UID
	out.Objects, created, err = applyAll(ctx, docs, results, in.Force)
	if err != nil {
		rollBack(ctx, docs, out.Objects, created)
		return "", out, toolset.WithOutput(stopped(docs, out.Objects, err))
	}
	return appliedText(out.Objects), out, nil
}

// prepare parses the manifest and resolves every object's kind and namespace.
func (c *Core) prepare(ctx context.Context, in ApplyIn) ([]doc, error) {
	if strings.TrimSpace(in.Manifest) == "" {
		return nil, errors.New("manifest is empty: give one or more YAML documents")
	}
	kc, err := c.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return nil, err
	}
	docs, parseErr := parseManifest(in.Manifest)
	return docs, errors.Join(parseErr, resolveDocs(kc, docs, cmp.Or(in.Namespace, kc.Namespace)))
}

// preflight reads each live object and applies it as a server-side dry run,
// so that the apiserver validates every document before any is applied. An
// object in a namespace the manifest itself creates cannot be checked before
// that namespace exists; it is checked when applied.
func preflight(ctx context.Context, docs []doc, force bool) ([]Applied, error) {
	var out []Applied
	var errs []error
	newNamespaces := map[string]bool{}
	for _, d := range docs {
		live, result, err := dryRun(ctx, d, force)
		switch {
		case err != nil && isMissingNamespace(err, d.t.ns) && newNamespaces[d.t.ns]:
			out = append(out, appliedOf(d, nil, "would create (checked only when its namespace exists)", ""))
		case err != nil:
			errs = append(errs, fmt.Errorf("%s (%s): %w", d.where, d.label(), explainApply(d, err)))
		default:
			out = append(out, dryRunResult(d, live, result))
		}
		if d.t.res.GVR.Group == "" && d.t.res.GVR.Resource == "namespaces" {
			newNamespaces[d.obj.GetName()] = true
		}
	}
	return out, errors.Join(errs...)
}

// dryRun returns the live object (nil if there is none) and what applying d
// would make of it.
func dryRun(ctx context.Context, d doc, force bool) (live, result *unstructured.Unstructured, err error) {
	live, err = d.t.api().Get(ctx, d.obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		live, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	result, err = d.t.api().Apply(ctx, d.obj.GetName(), d.obj.DeepCopy(), metav1.ApplyOptions{FieldManager: fieldManager, Force: force, DryRun: []string{metav1.DryRunAll}})
	return live, result, err
}

func isMissingNamespace(err error, ns string) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	details := status.Status().Details
	return details != nil && details.Kind == "namespaces" && details.Name == ns
}

func dryRunResult(d doc, live, result *unstructured.Unstructured) Applied {
	diff := objectDiff(live, result)
	switch {
	case live == nil:
		return appliedOf(d, live, "would create", diff)
	case diff == "":
		return appliedOf(d, live, "unchanged", "")
	}
	return appliedOf(d, live, "would configure", diff)
}

func appliedOf(d doc, live *unstructured.Unstructured, action, diff string) Applied {
	a := Applied{APIVersion: d.obj.GetAPIVersion(), Kind: d.obj.GetKind(), Namespace: d.t.ns, Name: d.obj.GetName(), Action: action, Diff: diff}
	if live != nil {
		a.ResourceVersion = live.GetResourceVersion()
	}
	return a
}

// ConfirmState implements toolset.Stateful: an approval of a dry run holds
// only while every object is as it was when dry-run.
func (o ApplyOut) ConfirmState() string {
	var b strings.Builder
	for _, a := range o.Objects {
		fmt.Fprintf(&b, "%s/%s/%s/%s@%s\n", a.APIVersion, a.Kind, a.Namespace, a.Name, a.ResourceVersion)
	}
	return b.String()
}

// explainApply makes a field-manager conflict and an admission refusal
// actionable; other errors go through toolset.Explain.
func explainApply(d doc, err error) error {
	switch {
	case apierrors.IsConflict(err):
		return fmt.Errorf("%s. Another field manager owns these fields; apply with force: true to take them over, if this change is meant to win", toolset.APIMessage(err))
	}
	return toolset.Explain(err, toolset.Op{Verb: "apply", Resource: qualified(d.t.res), Namespace: d.t.ns, Name: d.obj.GetName()})
}

func appliedText(objs []Applied) string {
	var b strings.Builder
	for _, a := range objs {
		fmt.Fprintf(&b, "%s\n", appliedLine(a))
	}
	return b.String()
}

func appliedLine(a Applied) string {
	s := fmt.Sprintf("%s %s %s", a.Kind, a.Name, a.Action)
	if a.Namespace != "" {
		s = fmt.Sprintf("%s %s in namespace %s %s", a.Kind, a.Name, a.Namespace, a.Action)
	}
	return s
}

// dryRunText shows each object's diff, fenced (the live side is cluster
// text), each within an equal share of the budget.
func dryRunText(objs []Applied, budget int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run: nothing was changed. The apiserver accepted every object (%d):\n", len(objs))
	share := (budget - b.Len()) / len(objs)
	for _, a := range objs {
		line := appliedLine(a)
		fmt.Fprintf(&b, "\n%s\n", line)
		if a.Diff != "" {
			b.WriteString(fencedText("diff of "+line, a.Diff, share-len(line), "The diff is larger than its share of the budget; dry-run this object alone, or raise max_bytes."))
		}
	}
	return b.String()
}
