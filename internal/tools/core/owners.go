package core

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// maxOwnerDepth bounds the walk up ownerReferences; real chains are two or
// three steps (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob).
const maxOwnerDepth = 6

// owners walks up the object's controllers (or first owner when none is
// marked controller). A step that cannot be read ends the chain with a note.
func owners(ctx context.Context, t target, obj *unstructured.Unstructured) []Owner {
	chain := []Owner{}
	for range maxOwnerDepth {
		ref, ok := controllerOf(obj)
		if !ok {
			break
		}
		o := Owner{APIVersion: ref.APIVersion, Kind: ref.Kind, Name: ref.Name}
		next, err := getOwner(ctx, t, obj.GetNamespace(), ref)
		if err != nil {
			o.Note = err.Error()
			chain = append(chain, o)
			break
		}
		chain = append(chain, o)
		obj = next
	}
	return chain
}

func controllerOf(obj *unstructured.Unstructured) (metav1.OwnerReference, bool) {
	refs := obj.GetOwnerReferences()
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r, true
		}
	}
	if len(refs) > 0 {
		return refs[0], true
	}
	return metav1.OwnerReference{}, false
}

// getOwner reads the owner named by ref. An owner is in the object's
// namespace unless its kind is cluster-scoped.
func getOwner(ctx context.Context, t target, ns string, ref metav1.OwnerReference) (*unstructured.Unstructured, error) {
	res, err := t.kc.Resolve(kube.Ref{APIVersion: ref.APIVersion, Kind: ref.Kind})
	if err != nil {
		return nil, fmt.Errorf("kind not served")
	}
	if !res.Namespaced {
		ns = ""
	}
	owner, err := t.kc.Dynamic.Resource(res.GVR).Namespace(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case err != nil:
		return nil, fmt.Errorf("not readable: %v", toolset.Explain(err, toolset.Op{Verb: "get", Resource: res.GVR.Resource, Namespace: ns, Name: ref.Name}))
	case owner.GetUID() != ref.UID:
		return nil, fmt.Errorf("gone: an object of that name exists but with another uid")
	}
	return owner, nil
}
