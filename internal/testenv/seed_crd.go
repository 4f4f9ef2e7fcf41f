package testenv

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"
)

// WidgetGVR is the resource of the seeded CRD.
var WidgetGVR = schema.GroupVersionResource{Group: "example.kubemcp.io", Version: "v1", Resource: "widgets"}

// widgets creates the Widget CRD, waits until it is Established and served,
// and creates WidgetName in shop.
func (s *seeder) widgets(ctx context.Context) error {
	cfg := s.env.RESTConfig("admin")
	crds := apiextensions.NewForConfigOrDie(cfg).ApiextensionsV1().CustomResourceDefinitions()
	if _, err := crds.Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating CRD %s: %w", CRDName, err)
	}
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		crd, err := crds.Get(ctx, CRDName, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range crd.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for CRD %s to be Established: %w", CRDName, err)
	}
	return createWidget(ctx, dynamic.NewForConfigOrDie(cfg))
}

// createWidget creates the Widget by server-side apply, not create: the
// apiserver holds every create of a custom resource for 2s while its CRD is
// less than 2s Established (a guard for HA apiservers, pointless with one),
// and that would be most of Seed's time. It retries NotFound, since for a
// moment after Established the resource may not be served yet.
func createWidget(ctx context.Context, dyn dynamic.Interface) error {
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.kubemcp.io/v1",
		"kind":       "Widget",
		"metadata":   map[string]any{"name": WidgetName, "namespace": NamespaceShop, "labels": map[string]any{"app": DeploymentFrontend}},
		"spec":       map[string]any{"size": int64(3), "color": "teal"},
	}}
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(WidgetGVR).Namespace(NamespaceShop).Apply(ctx, WidgetName, w, metav1.ApplyOptions{FieldManager: "kubemcp-testenv", Force: true})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("creating widget %s: %w", WidgetName, err)
	}
	return nil
}

func widgetCRD() *apiextensionsv1.CustomResourceDefinition {
	schema := &apiextensionsv1.JSONSchemaProps{
		Type: "object",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"spec": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"size":  {Type: "integer", Minimum: ptr.To(0.0)},
				"color": {Type: "string"},
			}},
		},
	}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: CRDName},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: WidgetGVR.Group,
			Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList", ShortNames: []string{"wdg"}},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema},
				AdditionalPrinterColumns: []apiextensionsv1.CustomResourceColumnDefinition{
					{Name: "Size", Type: "integer", JSONPath: ".spec.size"},
					{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
				},
			}},
		},
	}
}
