package helm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Info is one revision of a release.
type Info struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	Revision    int    `json:"revision"`
	Status      string `json:"status"`
	Chart       string `json:"chart" jsonschema:"chart name-version"`
	AppVersion  string `json:"app_version,omitempty"`
	Updated     string `json:"updated,omitempty"`
	Description string `json:"description,omitempty"`
}

func infoOf(r *release.Release) Info {
	i := Info{Name: r.Name, Namespace: r.Namespace, Revision: r.Version}
	if r.Info != nil {
		i.Status, i.Description = r.Info.Status.String(), r.Info.Description
		if !r.Info.LastDeployed.IsZero() {
			i.Updated = r.Info.LastDeployed.UTC().Format(time.RFC3339)
		}
	}
	if r.Chart != nil && r.Chart.Metadata != nil {
		i.Chart, i.AppVersion = r.Chart.Metadata.Name+"-"+r.Chart.Metadata.Version, r.Chart.Metadata.AppVersion
	}
	return i
}

func (i Info) line() string {
	return fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s\t%s\n", i.Name, i.Namespace, i.Revision, i.Status, i.Chart, i.AppVersion, i.Updated)
}

const header = "NAME\tNAMESPACE\tREVISION\tSTATUS\tCHART\tAPP VERSION\tUPDATED\n"

// ListIn chooses the releases to list.
type ListIn struct {
	toolset.Target
	Namespace string `json:"namespace,omitempty" jsonschema:"only this namespace (default: all)"`
}

// Releases are the releases found.
type Releases struct {
	Releases []Info `json:"releases"`
}

func (h *Helm) listTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_list",
		Description: "List Helm releases, each at its latest revision, in every status.",
		Annotations: toolset.ReadOnly("List Helm releases"),
	}, h.list)
}

func (h *Helm) list(ctx context.Context, _ *mcp.CallToolRequest, in ListIn) (string, Releases, error) {
	var out Releases
	cfg, _, err := h.config(ctx, in.Cluster, in.Namespace, in.Namespace == "")
	if err != nil {
		return "", out, err
	}
	l := action.NewList(cfg)
	l.All, l.AllNamespaces = true, in.Namespace == ""
	rels, err := l.Run()
	if err != nil {
		return "", out, fmt.Errorf("listing Helm releases: %w", err)
	}
	out.Releases = []Info{}
	text := header
	for _, r := range rels {
		i := infoOf(r)
		out.Releases = append(out.Releases, i)
		text += i.line()
	}
	if len(rels) == 0 {
		text = "No Helm releases" + where(in.Namespace) + ".\n"
	}
	return text, out, nil
}

func where(ns string) string {
	if ns == "" {
		return " in any namespace"
	}
	return fmt.Sprintf(" in namespace %q", ns)
}

// Status is a release's latest revision and its notes.
type Status struct {
	Info
	Notes string `json:"notes,omitempty"`
}

func (h *Helm) statusTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_status",
		Description: "Show a Helm release's latest revision: status, chart, when, and the chart's notes.",
		Annotations: toolset.ReadOnly("Show a Helm release"),
	}, h.status)
}

func (h *Helm) status(ctx context.Context, _ *mcp.CallToolRequest, in Release) (string, Status, error) {
	var out Status
	cfg, ns, err := h.config(ctx, in.Cluster, in.Namespace, false)
	if err != nil {
		return "", out, err
	}
	r, err := action.NewStatus(cfg).Run(in.Name)
	if err != nil {
		return "", out, missing(err, in.Name, ns)
	}
	out.Info = infoOf(r)
	if r.Info != nil {
		out.Notes = r.Info.Notes
	}
	text := header + out.line()
	if out.Description != "" {
		text += "Description: " + out.Description + "\n"
	}
	if out.Notes != "" {
		text += "Notes:\n" + out.Notes
	}
	return text, out, nil
}

// History lists a release's revisions, oldest first.
type History struct {
	Revisions []Info `json:"revisions"`
}

func (h *Helm) historyTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_history",
		Description: "List a Helm release's revisions, oldest first; helm_rollback returns to one.",
		Annotations: toolset.ReadOnly("Show a Helm release's history"),
	}, h.history)
}

func (h *Helm) history(ctx context.Context, _ *mcp.CallToolRequest, in Release) (string, History, error) {
	var out History
	cfg, ns, err := h.config(ctx, in.Cluster, in.Namespace, false)
	if err != nil {
		return "", out, err
	}
	rels, err := action.NewHistory(cfg).Run(in.Name)
	if err != nil {
		return "", out, missing(err, in.Name, ns)
	}
	text := header
	for _, r := range rels {
		i := infoOf(r)
		out.Revisions = append(out.Revisions, i)
		text += i.line()
	}
	return text, out, nil
}

// ValuesIn names a release and which of its values to show.
type ValuesIn struct {
	Release
	All      bool `json:"all,omitempty" jsonschema:"the computed values, the chart's defaults merged in; default: only those the install or upgrade gave"`
	Revision int  `json:"revision,omitempty" jsonschema:"default: the latest"`
}

// Values are a release's values.
type Values struct {
	Values map[string]any `json:"values"`
}

func (h *Helm) valuesTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_values",
		Description: "Show the values of a Helm release as YAML. Credentials in them are redacted.",
		Annotations: toolset.ReadOnly("Show a Helm release's values"),
	}, h.values)
}

func (h *Helm) values(ctx context.Context, _ *mcp.CallToolRequest, in ValuesIn) (string, Values, error) {
	var out Values
	cfg, ns, err := h.config(ctx, in.Cluster, in.Namespace, false)
	if err != nil {
		return "", out, err
	}
	g := action.NewGetValues(cfg)
	g.AllValues, g.Version = in.All, in.Revision
	vals, err := g.Run(in.Name)
	if err != nil {
		return "", out, missing(err, in.Name, ns)
	}
	out.Values = vals
	if out.Values == nil {
		out.Values = map[string]any{}
	}
	b, err := yaml.Marshal(out.Values)
	if err != nil {
		return "", out, err
	}
	return string(b), out, nil
}

// ManifestIn names a release and the revision whose manifest to show.
type ManifestIn struct {
	Release
	toolset.TextCap
	Revision int `json:"revision,omitempty" jsonschema:"default: the latest"`
}

// Manifest is the objects a release's revision rendered, as YAML.
type Manifest struct {
	Revision int    `json:"revision"`
	Manifest string `json:"manifest" jsonschema:"Secrets' values hidden"`
}

func (h *Helm) manifestTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_manifest",
		Description: "Show the objects a Helm release rendered, as YAML (Secrets' values hidden).",
		Annotations: toolset.ReadOnly("Show a Helm release's manifest"),
	}, h.manifest)
}

func (h *Helm) manifest(ctx context.Context, _ *mcp.CallToolRequest, in ManifestIn) (string, Manifest, error) {
	var out Manifest
	cfg, ns, err := h.config(ctx, in.Cluster, in.Namespace, false)
	if err != nil {
		return "", out, err
	}
	g := action.NewGet(cfg)
	g.Version = in.Revision
	r, err := g.Run(in.Name)
	if err != nil {
		return "", out, missing(err, in.Name, ns)
	}
	out.Revision, out.Manifest = r.Version, hideSecrets(r.Manifest)
	return render.Text(out.Manifest, h.deps.Budget(in.TextCap), "Name a revision, or read one object with resources_get."), out, nil
}

// missing explains Helm's "release: not found", which names nothing.
func missing(err error, name, ns string) error {
	if strings.Contains(err.Error(), "not found") {
		return fmt.Errorf("Helm release %q not found in namespace %q (%w); helm_list shows the releases there", name, ns, err)
	}
	return err
}
