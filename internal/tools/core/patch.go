package core

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// PatchIn is a patch to one object.
type PatchIn struct {
	toolset.Target
	toolset.Approval
	toolset.TextCap
	KindRef
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Patch     string `json:"patch" jsonschema:"JSON; YAML also for merge and strategic"`
	Type      string `json:"type,omitempty" jsonschema:"merge (default), json (RFC 6902) or strategic (built-in kinds)"`
	DryRun    bool   `json:"dry_run,omitempty"`
}

// PatchOut is the structured result of resources_patch.
type PatchOut struct {
	APIVersion      string `json:"apiVersion"`
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	DryRun          bool   `json:"dryRun"`
	Changed         bool   `json:"changed" jsonschema:"whether the patch changes (or, with dry_run, would change) the object"`
	Diff            string `json:"diff" jsonschema:"unified diff of the object before and after, Secret values redacted"`
	ResourceVersion string `json:"resourceVersion,omitempty" jsonschema:"of the live object, if any"`
}

var patchTypes = map[string]types.PatchType{
	"merge":     types.MergePatchType,
	"json":      types.JSONPatchType,
	"strategic": types.StrategicMergePatchType,
}

func (c *Core) resourcesPatch() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "resources_patch",
		Description: "Patch one object of any kind (merge, JSON or strategic); answers with the diff.",
		Annotations: toolset.Writes("Patch a resource", true, true),
	}, c.patch)
}

func (c *Core) patch(ctx context.Context, _ *mcp.CallToolRequest, in PatchIn) (string, PatchOut, error) {
	out := PatchOut{DryRun: in.DryRun}
	if in.Name == "" {
		return "", out, fmt.Errorf("name is required: resources_patch changes one object; resources_list shows what exists")
	}
	t, err := c.target(ctx, in.Cluster, "patch", in.KindRef, in.Namespace)
	if err != nil {
		return "", out, err
	}
	pt, body, err := patchBody(t, in)
	if err != nil {
		return "", out, err
	}
	live, err := t.api().Get(ctx, in.Name, metav1.GetOptions{})
	if err != nil {
		return "", out, t.explain(err, "get", in.Name)
	}
	opts := metav1.PatchOptions{FieldManager: fieldManager}
	if in.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	result, err := t.api().Patch(ctx, in.Name, pt, body, opts)
	if err != nil {
		return "", out, t.explain(err, "patch", in.Name)
	}
	out.APIVersion, out.Kind, out.Namespace, out.Name = result.GetAPIVersion(), result.GetKind(), t.ns, in.Name
	out.Diff = objectDiff(live, result)
	out.ResourceVersion = live.GetResourceVersion()
	out.Changed = out.Diff != ""
	return c.patchText(in, out), out, nil
}

// ConfirmState implements toolset.Stateful: an approval holds while the object is unchanged.
func (o PatchOut) ConfirmState() string { return o.ResourceVersion }

// patchBody checks the patch type against the kind and makes the patch JSON.
func patchBody(t target, in PatchIn) (types.PatchType, []byte, error) {
	name := cmp.Or(in.Type, "merge")
	pt, ok := patchTypes[name]
	switch {
	case !ok:
		return "", nil, fmt.Errorf("type %q: want merge, json or strategic", in.Type)
	case pt == types.StrategicMergePatchType && !scheme.Scheme.Recognizes(t.res.GVK):
		return "", nil, fmt.Errorf("strategic merge patch works only for built-in kinds, and %s is not one (a custom resource or an aggregated API): use type merge, or json for list edits", qualified(t.res))
	case strings.TrimSpace(in.Patch) == "":
		return "", nil, fmt.Errorf("patch is empty")
	}
	body, err := yaml.YAMLToJSON([]byte(in.Patch))
	if err != nil {
		return "", nil, fmt.Errorf("patch is neither JSON nor YAML: %w", err)
	}
	if err := checkPatchShape(pt, body); err != nil {
		return "", nil, err
	}
	return pt, body, nil
}

// checkPatchShape catches the commonest mix-up before the apiserver does,
// with a clearer word: a JSON patch is a list of operations, the others an
// object.
func checkPatchShape(pt types.PatchType, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	_, isList := v.([]any)
	_, isObject := v.(map[string]any)
	switch {
	case pt == types.JSONPatchType && !isList:
		return fmt.Errorf(`a json patch is a list of operations, e.g. [{"op":"replace","path":"/spec/replicas","value":3}]; for an object like {"spec":...} use type merge`)
	case pt != types.JSONPatchType && !isObject:
		return fmt.Errorf("a %s patch is an object, e.g. {\"spec\":{\"replicas\":3}}; for a list of operations use type json", pt)
	}
	return nil
}

func (c *Core) patchText(in PatchIn, out PatchOut) string {
	what := fmt.Sprintf("%s %s", out.Kind, out.Name)
	if out.Namespace != "" {
		what += " in namespace " + out.Namespace
	}
	var head string
	switch {
	case !out.Changed:
		head = what + " unchanged: the patch matches what is there already.\n"
	case out.DryRun:
		head = "Dry run: nothing was changed. The patch would change " + what + ":\n"
	default:
		head = what + " patched:\n"
	}
	if !out.Changed {
		return head
	}
	return head + fencedText("diff of "+strings.ToLower(what), out.Diff, c.deps.Budget(in.TextCap)-len(head), "The diff is larger than the budget; resources_get shows the object.")
}
