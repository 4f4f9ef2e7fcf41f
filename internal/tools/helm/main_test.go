package helm

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

// options serves the toolset with o.
func options(o Options) func(toolset.Deps) *Helm {
	return func(d toolset.Deps) *Helm { return New(d, o) }
}

// packages writes the packages of the demo chart in testdata, at versions
// 0.1.0 and 0.2.0 (whose default greeting differs), into a new directory.
func packages(t *testing.T) string {
	t.Helper()
	ch, err := loader.LoadDir(filepath.Join("testdata", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for version, greeting := range map[string]string{"0.1.0": "hello", "0.2.0": "bonjour"} {
		ch.Metadata.Version = version
		for _, f := range ch.Raw {
			if f.Name == chartutil.ValuesfileName {
				f.Data = []byte("greeting: " + greeting + "\npassword: chart-default-password\n")
			}
		}
		if _, err := chartutil.Save(ch, dir); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// index is the repository index of the packages in dir, their URLs under
// base.
func index(t *testing.T, dir, base string) []byte {
	idx, err := repo.IndexDirectory(dir, base)
	if err != nil {
		t.Error(err)
		return nil
	}
	b, err := yaml.Marshal(idx)
	if err != nil {
		t.Error(err)
	}
	return b
}

// chartRepo serves a chart repository, index.yaml and the packages, and
// returns its URL.
func chartRepo(t *testing.T) string {
	t.Helper()
	dir := packages(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	if err := os.WriteFile(filepath.Join(dir, "index.yaml"), index(t, dir, srv.URL), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL
}
