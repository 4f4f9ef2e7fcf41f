package helm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// chartDirs are the directories local charts may be read from, each with
// its symbolic links evaluated, so that a resolved path can be compared.
type chartDirs []string

// noLocalCharts says what to give instead of a path, and which setting
// allows one.
func noLocalCharts(name string) error {
	return fmt.Errorf("chart %q: give repo, a chart repository's URL with chart the chart's name in it, or an oci:// reference as chart. A local chart is read only from inside the directories kubemcp's operator names in helmChartDirs (--helm-chart-dirs), and none is named", name)
}

// local loads a chart directory or packaged chart (.tgz) from inside
// o.ChartDirs, named by an absolute path or one relative to a chart
// directory (the first that holds it). Its path is resolved, .. and symbolic
// links included, before it is compared with the chart directories: a
// caller cannot read kubemcp's host beyond them. The operator's directories
// are trusted not to change beneath a call (a link swapped in between the
// check and Helm's read would be followed).
func (c ChartRef) local(o Options) (*chart.Chart, error) {
	if len(o.ChartDirs) == 0 {
		return nil, noLocalCharts(c.Chart)
	}
	if c.Version != "" {
		return nil, errors.New("version: a local chart is the version its Chart.yaml says; leave version out")
	}
	dirs, err := resolveDirs(o.ChartDirs)
	if err != nil {
		return nil, err
	}
	path, err := dirs.find(c.Chart, o.ChartDirs)
	if err != nil {
		return nil, err
	}
	return dirs.load(path)
}

// resolveDirs evaluates the symbolic links of each configured directory.
func resolveDirs(configured []string) (chartDirs, error) {
	dirs := make(chartDirs, 0, len(configured))
	for _, d := range configured {
		r, err := filepath.EvalSymlinks(d)
		if err != nil {
			return nil, fmt.Errorf("helmChartDirs entry %s: %w; kubemcp's operator fixes the setting", d, err)
		}
		dirs = append(dirs, r)
	}
	return dirs, nil
}

// find resolves name: an absolute path as it is, a relative one against
// each directory in turn. A path outside every directory is refused before
// the filesystem is asked anything, one that leads outside through a
// symbolic link once resolved; either, and a missing or unreadable one, is
// the same error, which tells nothing of the host beyond the path given.
func (dirs chartDirs) find(name string, configured []string) (string, error) {
	given := append(chartDirs{}, dirs...)
	for _, d := range configured {
		given = append(given, filepath.Clean(d))
	}
	for _, p := range dirs.candidates(name) {
		if !given.hold(p) {
			continue
		}
		resolved, err := filepath.EvalSymlinks(p)
		if err == nil && dirs.hold(resolved) {
			return resolved, nil
		}
	}
	return "", notInside(name, configured)
}

// candidates are the paths name may be, cleaned of .. lexically.
func (dirs chartDirs) candidates(name string) []string {
	if filepath.IsAbs(name) {
		return []string{filepath.Clean(name)}
	}
	var paths []string
	for _, d := range dirs {
		paths = append(paths, filepath.Join(d, name))
	}
	return paths
}

func notInside(name string, configured []string) error {
	return fmt.Errorf("chart %q: no chart directory or .tgz that kubemcp can read at that path inside helmChartDirs (%s); a path leading outside them, through .. or a symbolic link, is refused alike: give a chart inside them, or kubemcp's operator adds its directory to helmChartDirs (--helm-chart-dirs)",
		name, strings.Join(configured, ", "))
}

// hold reports whether the clean path p is one of dirs or beneath one, by
// its text alone.
func (dirs chartDirs) hold(p string) bool {
	for _, d := range dirs {
		rel, err := filepath.Rel(d, p)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// load reads the chart at the resolved path: a directory, once none of its
// links leads outside dirs (Helm's loader follows them), or a .tgz.
func (dirs chartDirs) load(path string) (*chart.Chart, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if err := dirs.linksStayInside(path, map[string]bool{}); err != nil {
			return nil, err
		}
		ch, err := loader.LoadDir(path)
		if err != nil {
			return nil, fmt.Errorf("reading the chart directory %s: %w", path, err)
		}
		return ch, nil
	}
	if !strings.HasSuffix(path, ".tgz") && !strings.HasSuffix(path, ".tar.gz") {
		return nil, fmt.Errorf("chart %s: want a chart directory or a packaged chart (.tgz)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return archive(f, path)
}

// linksStayInside walks dir, and every directory a link in it leads to
// (once each), refusing a link that leads outside dirs.
func (dirs chartDirs) linksStayInside(dir string, seen map[string]bool) error {
	seen[dir] = true
	return filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.Type()&fs.ModeSymlink == 0 {
			return err
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("the chart's link %s: %w", p, err)
		}
		if !dirs.hold(target) {
			return fmt.Errorf("the chart's file %s is a symbolic link leading outside helmChartDirs, and is refused: kubemcp's operator replaces the link with the file", p)
		}
		if st, err := os.Stat(target); err == nil && st.IsDir() && !seen[target] {
			return dirs.linksStayInside(target, seen)
		}
		return nil
	})
}
