package helm

import (
	"context"
	"fmt"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Write is what every Helm write takes beside its own arguments.
type Write struct {
	toolset.Approval
	DryRun      bool `json:"dry_run,omitempty" jsonschema:"change nothing; answer with the plan, the diff of the rendered manifest"`
	WaitSeconds int  `json:"wait_seconds,omitempty" jsonschema:"wait up to this long (max 300, and within the call timeout) for the release's objects to be ready (Deployments', StatefulSets' and DaemonSets' pods, Jobs done, claims bound, Services addressed; for an uninstall, gone) before answering; 0, the default, does not wait. Not ready in time: Helm marks the release failed"`
}

// ActsOn implements toolset.Acting: a release may hold any kind, so every
// confirmation rule for the namespace covers it.
func (r Release) ActsOn() (kind, namespace string) { return "*", r.Namespace }

// Change is what a write did or, on a dry run, would do.
type Change struct {
	Info
	DryRun bool   `json:"dry_run"`
	Plan   string `json:"plan,omitempty" jsonschema:"the unified diff of the rendered manifest, Secrets' values hidden"`
}

// ConfirmState implements toolset.Stateful: an approval holds while the
// release stays at the revision the plan was made from.
func (c Change) ConfirmState() string {
	return c.Namespace + "/" + c.Name + "@" + strconv.Itoa(c.Revision)
}

func (c Change) text(done string) string {
	if c.DryRun {
		return fmt.Sprintf("Dry run: %s %q in %q would be %s (chart %s). Plan:\n%s", "release", c.Name, c.Namespace, done, c.Chart, c.Plan)
	}
	return fmt.Sprintf("Release %q in %q %s: revision %d, %s, chart %s.\n", c.Name, c.Namespace, done, c.Revision, c.Status, c.Chart)
}

// InstallIn installs a chart as a new release.
type InstallIn struct {
	Write
	Release
	ChartRef
	Values string `json:"values,omitempty" jsonschema:"values as YAML, over the chart's defaults"`
}

func (h *Helm) installTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_install",
		Description: "Install a chart from a chart repository (repo + chart), an OCI registry (chart oci://...) or, where kubemcp's operator allows, a local chart directory or .tgz (chart: its path) as a new Helm release. Try dry_run first: it answers with the rendered manifest.",
		Annotations: toolset.Writes("Install a Helm release", false, false),
	}, h.install)
}

// writeCall is what every write needs: the caller's Helm configuration and
// namespace, and how long it waits for the release's objects.
type writeCall struct {
	cfg  *action.Configuration
	ns   string
	wait *waiting
}

// writeCall checks wr's wait, then readies the caller's Helm configuration.
func (h *Helm) writeCall(ctx context.Context, rel Release, wr Write) (writeCall, error) {
	if err := checkWait(wr.WaitSeconds); err != nil {
		return writeCall{}, err
	}
	cfg, ns, err := h.config(ctx, rel.Cluster, rel.Namespace, false)
	if err != nil {
		return writeCall{}, err
	}
	return writeCall{cfg, ns, waitFor(ctx, cfg, wr.WaitSeconds, wr.DryRun)}, nil
}

// releaseCall is writeCall for a write to an existing release, with its
// latest revision.
func (h *Helm) releaseCall(ctx context.Context, rel Release, wr Write) (writeCall, *release.Release, error) {
	c, err := h.writeCall(ctx, rel, wr)
	if err != nil {
		return c, nil, err
	}
	last, err := lastRevision(c.cfg, rel.Name, c.ns)
	return c, last, err
}

// chartCall is what installing or upgrading needs beside a writeCall: the
// values and the chart, fetched once everything else is known good.
type chartCall struct {
	writeCall
	vals map[string]any
	ch   *chart.Chart
}

func (h *Helm) chartCall(ctx context.Context, rel Release, wr Write, ref ChartRef, valuesYAML string) (chartCall, error) {
	var c chartCall
	var err error
	if c.vals, err = values(valuesYAML); err != nil {
		return c, err
	}
	if c.writeCall, err = h.writeCall(ctx, rel, wr); err != nil {
		return c, err
	}
	c.ch, err = ref.load(h.opts)
	return c, err
}

func (h *Helm) install(ctx context.Context, _ *mcp.CallToolRequest, in InstallIn) (string, Change, error) {
	var out Change
	call, err := h.chartCall(ctx, in.Release, in.Write, in.ChartRef, in.Values)
	if err != nil {
		return "", out, err
	}
	ns, w := call.ns, call.wait
	planned, err := call.installer(in.Name, true).RunWithContext(ctx, call.ch, call.vals)
	if err == nil {
		err = preflight(call.cfg, planned, "", release.HookPreInstall, release.HookPostInstall)
	}
	if err != nil {
		return "", out, fmt.Errorf("installing %q in %q: %w", in.Name, ns, err)
	}
	if in.DryRun {
		out = Change{Info: infoOf(planned), DryRun: true, Plan: plan("", planned.Manifest)}
		return out.text("installed"), out, nil
	}
	rel, err := call.installer(in.Name, false).RunWithContext(ctx, call.ch, call.vals)
	if err != nil {
		return "", out, w.explain(fmt.Errorf("installing %q in %q: %w", in.Name, ns, err))
	}
	out = Change{Info: infoOf(rel)}
	return out.text("installed") + w.text(), out, nil
}

// installer is Helm's install of name; dry, a server dry run (lookups in
// templates see the cluster, as the caller) that leaves out the chart's own
// custom resources.
func (c chartCall) installer(name string, dry bool) *action.Install {
	i := action.NewInstall(c.config(dry))
	i.ReleaseName, i.Namespace = name, c.ns
	if dry {
		i.DryRunOption = "server"
	} else {
		i.Wait, i.WaitForJobs, i.Timeout = c.wait.on(), c.wait.on(), c.wait.timeout
	}
	return i
}

// config is the caller's Helm configuration; for a dry run, planning's.
func (c chartCall) config(dry bool) *action.Configuration {
	if dry {
		return planning(c.cfg)
	}
	return c.cfg
}

// UpgradeIn upgrades a release to a chart and values.
type UpgradeIn struct {
	Write
	Release
	ChartRef
	Values      string `json:"values,omitempty" jsonschema:"values as YAML, over the chart's defaults"`
	ReuseValues bool   `json:"reuse_values,omitempty" jsonschema:"keep the values the last revision was given, values merged over them"`
}

func (h *Helm) upgradeTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_upgrade",
		Description: "Upgrade a Helm release to a chart from a chart repository, an OCI registry or an allowed local path, and new values. dry_run answers with the diff of the rendered manifest.",
		Annotations: toolset.Writes("Upgrade a Helm release", true, false),
	}, h.upgrade)
}

func (h *Helm) upgrade(ctx context.Context, _ *mcp.CallToolRequest, in UpgradeIn) (string, Change, error) {
	var out Change
	call, err := h.chartCall(ctx, in.Release, in.Write, in.ChartRef, in.Values)
	if err != nil {
		return "", out, err
	}
	ns, w := call.ns, call.wait
	last, err := lastRevision(call.cfg, in.Name, ns)
	if err != nil {
		return "", out, err
	}
	planned, err := call.upgrader(in.ReuseValues, true).RunWithContext(ctx, in.Name, call.ch, call.vals)
	if err == nil {
		err = preflight(call.cfg, planned, last.Manifest, release.HookPreUpgrade, release.HookPostUpgrade)
	}
	if err != nil {
		return "", out, fmt.Errorf("upgrading %q in %q: %w", in.Name, ns, err)
	}
	if in.DryRun {
		return changed(last, planned, true, "upgraded", w)
	}
	rel, err := call.upgrader(in.ReuseValues, false).RunWithContext(ctx, in.Name, call.ch, call.vals)
	if err != nil {
		return "", out, w.explain(fmt.Errorf("upgrading %q in %q: %w", in.Name, ns, err))
	}
	return changed(last, rel, false, "upgraded", w)
}

// upgrader is Helm's upgrade; dry, a server dry run, as installer's.
func (c chartCall) upgrader(reuse, dry bool) *action.Upgrade {
	u := action.NewUpgrade(c.config(dry))
	u.Namespace, u.ReuseValues = c.ns, reuse
	if dry {
		u.DryRunOption = "server"
	} else {
		u.Wait, u.WaitForJobs, u.Timeout = c.wait.on(), c.wait.on(), c.wait.timeout
	}
	return u
}

// RollbackIn returns a release to an earlier revision.
type RollbackIn struct {
	Write
	Release
	Revision int `json:"revision,omitempty" jsonschema:"the revision to return to (helm_history lists them); default: the one before the latest"`
}

func (h *Helm) rollbackTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_rollback",
		Description: "Roll a Helm release back to an earlier revision, as a new revision. dry_run answers with the diff of the rendered manifest.",
		Annotations: toolset.Writes("Roll back a Helm release", true, false),
	}, h.rollback)
}

func (h *Helm) rollback(ctx context.Context, _ *mcp.CallToolRequest, in RollbackIn) (string, Change, error) {
	var out Change
	call, last, err := h.releaseCall(ctx, in.Release, in.Write)
	if err != nil {
		return "", out, err
	}
	cfg, w := call.cfg, call.wait
	rev := in.Revision
	if rev == 0 {
		rev = last.Version - 1
	}
	target, err := cfg.Releases.Get(in.Name, rev)
	if err != nil {
		return "", out, fmt.Errorf("release %q has no revision %d (%w); helm_history lists its revisions", in.Name, rev, err)
	}
	if err := preflight(cfg, target, last.Manifest, release.HookPreRollback, release.HookPostRollback); err != nil {
		return "", out, fmt.Errorf("rolling %q back to revision %d: %w", in.Name, rev, err)
	}
	if in.DryRun {
		return changed(last, target, true, fmt.Sprintf("rolled back to revision %d", rev), w)
	}
	r := action.NewRollback(cfg)
	r.Version = rev
	r.Wait, r.WaitForJobs, r.Timeout = w.on(), w.on(), w.timeout
	if err := r.Run(in.Name); err != nil {
		return "", out, w.explain(fmt.Errorf("rolling %q back to revision %d: %w", in.Name, rev, err))
	}
	now, err := cfg.Releases.Last(in.Name)
	if err != nil {
		return "", out, err
	}
	return changed(last, now, false, fmt.Sprintf("rolled back to revision %d", rev), w)
}

// UninstallIn removes a release.
type UninstallIn struct {
	Write
	Release
}

func (h *Helm) uninstallTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "helm_uninstall",
		Description: "Uninstall a Helm release: delete its objects and its history. dry_run answers with what would be deleted.",
		Annotations: toolset.Writes("Uninstall a Helm release", true, true),
	}, h.uninstall)
}

func (h *Helm) uninstall(ctx context.Context, _ *mcp.CallToolRequest, in UninstallIn) (string, Change, error) {
	var out Change
	call, last, err := h.releaseCall(ctx, in.Release, in.Write)
	if err != nil {
		return "", out, err
	}
	cfg, ns, w := call.cfg, call.ns, call.wait
	out = Change{Info: infoOf(last), DryRun: in.DryRun}
	if in.DryRun {
		out.Plan = plan(last.Manifest, "")
		return out.text("uninstalled"), out, nil
	}
	w.gone = true
	u := action.NewUninstall(cfg)
	u.Wait, u.Timeout = w.on(), w.timeout
	res, err := u.Run(in.Name)
	if err != nil {
		return "", out, w.explain(fmt.Errorf("uninstalling %q from %q: %w", in.Name, ns, err))
	}
	if res != nil && res.Release != nil {
		out.Info = infoOf(res.Release)
	}
	return out.text("uninstalled") + w.text(), out, nil
}

// changed is the answer to an upgrade or rollback from last to rel, after w;
// a dry run's plan is their manifests' diff, and its state the revision it
// saw.
func changed(last, rel *release.Release, dry bool, done string, w *waiting) (string, Change, error) {
	out := Change{Info: infoOf(rel), DryRun: dry}
	if dry {
		out.Revision = last.Version
		out.Plan = plan(last.Manifest, rel.Manifest)
	}
	return out.text(done) + w.text(), out, nil
}

func values(s string) (map[string]any, error) {
	vals := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &vals); err != nil {
		return nil, fmt.Errorf("values: not a YAML mapping: %w", err)
	}
	return vals, nil
}

// lastRevision is a release's latest revision, or an error that says where
// to look for the release.
func lastRevision(cfg *action.Configuration, name, ns string) (*release.Release, error) {
	last, err := cfg.Releases.Last(name)
	if err != nil {
		return nil, missing(err, name, ns)
	}
	return last, nil
}
