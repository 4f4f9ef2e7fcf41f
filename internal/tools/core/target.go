package core

import (
	"context"

	"k8s.io/client-go/dynamic"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// target is a resolved kind in a namespace on a cluster: what every
// tool that acts on objects of any kind starts from.
type target struct {
	kc  *kube.Client
	res kube.Resolved
	ns  string // "" for cluster-scoped kinds (or all namespaces, for lists)
}

// target resolves ref and picks the namespace: ns, else the context's
// namespace for namespaced kinds; always "" for cluster-scoped ones.
func (c *Core) target(ctx context.Context, cluster, verb string, ref KindRef, ns string) (target, error) {
	t, err := c.resolve(ctx, cluster, verb, ref)
	if err != nil {
		return t, err
	}
	if t.res.Namespaced {
		t.ns = ns
		if t.ns == "" {
			t.ns = t.kc.Namespace
		}
	}
	return t, nil
}

// resolve is target without a namespace.
func (c *Core) resolve(ctx context.Context, cluster, verb string, ref KindRef) (target, error) {
	kc, err := c.deps.Clusters.Get(ctx, cluster)
	if err != nil {
		return target{}, err
	}
	res, err := kc.Resolve(ref.ref())
	if err != nil {
		return target{}, toolset.Explain(err, toolset.Op{Verb: verb})
	}
	return target{kc: kc, res: res}, nil
}

func (t target) api() dynamic.ResourceInterface {
	return t.kc.Dynamic.Resource(t.res.GVR).Namespace(t.ns)
}

func (t target) explain(err error, verb, name string) error {
	return toolset.Explain(err, toolset.Op{Verb: verb, Resource: qualified(t.res), Namespace: t.ns, Name: name, ListCall: listCall(t.res, t.ns)})
}
