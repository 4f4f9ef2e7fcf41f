package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// installCRDs creates the chart's own CRDs (as helm install does from
// crds/) and testdata/crds.yaml's stand-ins for the Prometheus Operator's
// and Gateway API's (there is no registry to fetch the real ones from), and
// waits until they are Established.
func installCRDs(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob(repoPath(t, "deploy", "helm", "kubemcp", "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the chart's crds/: %v %v", files, err)
	}
	for _, path := range append(files, "testdata/crds.yaml") {
		installCRDFile(t, path)
	}
}

func installCRDFile(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	api := apiextensions.NewForConfigOrDie(env.RESTConfig("admin")).ApiextensionsV1().CustomResourceDefinitions()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var crd apiextensionsv1.CustomResourceDefinition
		err := dec.Decode(&crd)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, err := api.Create(context.Background(), &crd, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating CRD %s: %v", crd.Name, err)
		}
		err = wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			got, err := api.Get(ctx, crd.Name, metav1.GetOptions{})
			return err == nil && established(got), err
		})
		if err != nil {
			t.Fatalf("CRD %s not Established: %v", crd.Name, err)
		}
	}
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

// applier sends objects to the test apiserver as the cluster admin.
type applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// newApplier discovers the apiserver's kinds now, so make it after the CRDs.
func newApplier() applier {
	cfg := env.RESTConfig("admin")
	disco := memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg))
	return applier{dyn: dynamic.NewForConfigOrDie(cfg), mapper: restmapper.NewDeferredDiscoveryRESTMapper(disco)}
}

// dryRun sends obj as a server-side apply with dryRun=All and strict field
// validation: defaulting, validation and admission run, nothing is stored,
// and an unknown field is an error.
func (a applier) dryRun(t *testing.T, ns string, obj *unstructured.Unstructured) {
	t.Helper()
	if err := a.send(a.resource(t, ns, obj), obj, []string{metav1.DryRunAll}); err != nil {
		t.Errorf("%s %s: the apiserver refuses it: %v", obj.GetKind(), obj.GetName(), err)
	}
}

// resource is the client for obj's kind, in ns if the kind is namespaced.
func (a applier) resource(t *testing.T, ns string, obj *unstructured.Unstructured) dynamic.ResourceInterface {
	t.Helper()
	gvk := obj.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		t.Fatalf("%s: the apiserver does not serve it: %v", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(ns)
	}
	return a.dyn.Resource(m.Resource)
}

// send server-side applies obj with strict field validation.
func (a applier) send(ri dynamic.ResourceInterface, obj *unstructured.Unstructured, dryRun []string) error {
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	force := true
	_, err = ri.Patch(context.Background(), obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager: "chart-test", Force: &force, DryRun: dryRun, FieldValidation: "Strict"})
	return err
}
