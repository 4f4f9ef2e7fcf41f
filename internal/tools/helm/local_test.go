package helm

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// chartDir is an allowed chart directory holding the demo chart as a
// directory (demo, version 0.1.0, greeting hello) and packaged
// (demo-0.1.0.tgz, demo-0.2.0.tgz, greeting bonjour).
func chartDir(t *testing.T) string {
	t.Helper()
	dir := packages(t)
	ch, err := loader.LoadDir(filepath.Join("testdata", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chartutil.SaveDir(ch, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLocalCharts installs the demo chart from a chart directory inside
// helmChartDirs, by a path relative to it, and upgrades it to a packaged
// chart there by its absolute path, against the real apiserver.
func TestLocalCharts(t *testing.T) {
	dir, ns := chartDir(t), env.Namespace(t, "helm-local")
	s := toolsettest.Serve(t, options(Options{ChartDirs: []string{t.TempDir(), dir}}))
	args := func(chart string) map[string]any {
		return map[string]any{"namespace": ns, "name": "web", "chart": chart}
	}

	toolsettest.Want(t, s.OK(t, "helm_install", args("demo"), nil), "installed", "chart demo-0.1.0")
	greeting(t, ns, "hello")
	toolsettest.Want(t, s.OK(t, "helm_upgrade", args(filepath.Join(dir, "demo-0.2.0.tgz")), nil), "upgraded", "revision 2", "chart demo-0.2.0")
	greeting(t, ns, "bonjour")
}

// TestLocalChartsConfined: without helmChartDirs every path is refused,
// naming the setting; with it, a path that leaves the directories through
// .., or through a symbolic link (the chart's own, or one inside the chart),
// is refused before anything is installed, and so is a version.
func TestLocalChartsConfined(t *testing.T) {
	dir, outside, ns := chartDir(t), chartDir(t), env.Namespace(t, "helm-local")
	link := func(target, name string) {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(outside, "demo"), filepath.Join(dir, "elsewhere"))
	link(filepath.Join(outside, "demo-0.1.0.tgz"), filepath.Join(dir, "elsewhere.tgz"))
	link(filepath.Join(dir, "demo"), filepath.Join(dir, "inside")) // a link that stays inside is fine
	leaky := filepath.Join(dir, "leaky")
	if err := os.CopyFS(leaky, os.DirFS(filepath.Join(dir, "demo"))); err != nil {
		t.Fatal(err)
	}
	link(filepath.Join(outside, "demo", "templates", "configmap.yaml"), filepath.Join(leaky, "templates", "stolen.yaml"))

	args := func(chart string) map[string]any {
		return map[string]any{"namespace": ns, "name": "web", "chart": chart}
	}
	refused := toolsettest.Serve(t, options(Options{}))
	toolsettest.Want(t, refused.Fails(t, "helm_install", args(filepath.Join(dir, "demo"))), "helmChartDirs (--helm-chart-dirs)", "none is named")

	s := toolsettest.Serve(t, options(Options{ChartDirs: []string{dir}}))
	rel, _ := filepath.Rel(dir, filepath.Join(outside, "demo"))
	for _, chart := range []string{rel, filepath.Join(dir, rel), "elsewhere", "elsewhere.tgz", "nothing-here"} {
		toolsettest.Want(t, s.Fails(t, "helm_install", args(chart)), "inside helmChartDirs ("+dir+")", "refused alike", "symbolic link", "--helm-chart-dirs")
	}
	toolsettest.Want(t, s.Fails(t, "helm_install", args("leaky")), "stolen.yaml is a symbolic link leading outside helmChartDirs")
	toolsettest.Want(t, s.Fails(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "chart": "demo", "version": "0.1.0"}), "leave version out")
	toolsettest.Want(t, s.Fails(t, "helm_status", map[string]any{"namespace": ns, "name": "web"}), "not found")
	greeting(t, ns, "")

	toolsettest.Want(t, s.OK(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "chart": "inside", "dry_run": true}, nil), "would be installed")
}

// TestLocalChartsTellNothingOutside: a path outside helmChartDirs gets one
// answer whether it exists, is missing, passes through a file or leads out
// through a link: the caller learns nothing of kubemcp's host from it.
func TestLocalChartsTellNothingOutside(t *testing.T) {
	dir, outside, ns := chartDir(t), chartDir(t), env.Namespace(t, "helm-local")
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	s := toolsettest.Serve(t, options(Options{ChartDirs: []string{dir}}))
	answer := func(chart string) string {
		text := s.Fails(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "chart": chart})
		return strings.ReplaceAll(text, strconv.Quote(chart), `"…"`)
	}
	want := answer(filepath.Join(outside, "demo"))
	for _, chart := range []string{
		filepath.Join(outside, "missing"),
		filepath.Join(outside, "demo", "Chart.yaml", "x"), // not a directory
		filepath.Join(dir, "..", filepath.Base(outside), "demo"),
		filepath.Join(dir, "out", "demo"),
		filepath.Join(dir, "out", "missing"),
		filepath.Join(dir, "missing"),
	} {
		if got := answer(chart); got != want {
			t.Errorf("chart %s: %q\nwant the answer for an existing chart outside: %q", chart, got, want)
		}
	}
	toolsettest.Want(t, want, "inside helmChartDirs ("+dir+")", "refused alike")
}
