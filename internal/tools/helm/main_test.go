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

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

// chartRepo serves a chart repository, index.yaml and packages, of the demo
// chart in testdata at versions 0.1.0 and 0.2.0 (whose default greeting
// differs), and returns its URL.
func chartRepo(t *testing.T) string {
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
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	index, err := repo.IndexDirectory(dir, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(dir, "index.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL
}
