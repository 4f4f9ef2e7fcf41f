package deploy

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// release is the name every test installs the chart as.
const release = "mcp"

// rendered is the chart as `helm install` would send it.
type rendered struct {
	objects []*unstructured.Unstructured
	notes   string
}

// render renders the chart with values (YAML over values.yaml) into ns, as
// `helm install --dry-run` does: values checked against values.schema.json,
// templates run, manifests split into objects.
func render(t *testing.T, ns, values string) (rendered, error) {
	t.Helper()
	ch, err := loader.Load(repoPath(t, "deploy", "helm", "kubemcp"))
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	vals, err := chartutil.ReadValues([]byte(values))
	if err != nil {
		t.Fatalf("test values: %v", err)
	}
	opts := chartutil.ReleaseOptions{Name: release, Namespace: ns, Revision: 1, IsInstall: true}
	top, err := chartutil.ToRenderValues(ch, vals, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return rendered{}, err
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return rendered{}, err
	}
	return split(t, files), nil
}

// split decodes the rendered files, in name order, into objects.
func split(t *testing.T, files map[string]string) rendered {
	t.Helper()
	var r rendered
	for _, name := range slices.Sorted(maps.Keys(files)) {
		switch {
		case path.Base(name) == "NOTES.txt":
			r.notes = files[name]
			continue
		case strings.HasPrefix(path.Base(name), "_"):
			continue
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(files[name]), 4096)
		for {
			var obj map[string]any
			err := dec.Decode(&obj)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s does not parse: %v\n%s", name, err, files[name])
			}
			if obj != nil {
				r.objects = append(r.objects, &unstructured.Unstructured{Object: obj})
			}
		}
	}
	return r
}

// one is the only object of kind, failing the test when there is not one.
func (r rendered) one(t *testing.T, kind string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range r.objects {
		if o.GetKind() == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s, rendered %d (kinds: %v)", kind, len(found), r.kinds())
	}
	return found[0]
}

func (r rendered) kinds() []string {
	var kinds []string
	for _, o := range r.objects {
		kinds = append(kinds, o.GetKind())
	}
	slices.Sort(kinds)
	return kinds
}

// configFile is config.yaml of the rendered ConfigMap.
func (r rendered) configFile(t *testing.T) []byte {
	t.Helper()
	data, _, _ := unstructured.NestedString(r.one(t, "ConfigMap").Object, "data", "config.yaml")
	return bytes.TrimSpace([]byte(data))
}
