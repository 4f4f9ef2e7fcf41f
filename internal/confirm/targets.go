package confirm

import (
	"cmp"
	"context"
	"errors"
	"io"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// needs reports whether call, with these arguments, needs confirmation.
func (c *Confirmer) needs(ctx context.Context, call Call, args map[string]any) bool {
	targets := targetsOf(args, call.Kind)
	if call.ActsOn != nil {
		k, ns := call.ActsOn()
		targets = []target{{kind: k, namespace: ns}}
	}
	tool := call.Req.Params.Name
	targets = c.resolve(ctx, args, targets)
	for _, r := range c.rules {
		for _, t := range targets {
			if r.Covers(tool, t.kind, t.namespace) {
				return true
			}
		}
	}
	return false
}

type target struct{ kind, namespace string }

// targetsOf reads what a call acts on from its arguments: kind or resource and
// namespace, or every document of a manifest.
func targetsOf(args map[string]any, kind string) []target {
	if manifest := str(args, "manifest"); manifest != "" {
		return manifestTargets(manifest, str(args, "namespace"))
	}
	kind = cmp.Or(kind, str(args, "kind"), str(args, "resource"))
	return []target{{kind: kind, namespace: str(args, "namespace")}}
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// resolve makes each target's kind the cluster's name for it and fills in the
// context's namespace where a namespaced kind names none, as the call itself
// will. What does not resolve stays as written; the call then fails itself.
func (c *Confirmer) resolve(ctx context.Context, args map[string]any, targets []target) []target {
	if c.clusters == nil {
		return targets
	}
	kc, err := c.clusters.Get(ctx, str(args, "cluster"))
	if err != nil {
		return targets
	}
	for i, t := range targets {
		if t.kind == "*" && t.namespace == "" {
			targets[i].namespace = kc.Namespace // any kind, the namespaced ones too
		}
		res, err := kc.Resolve(kube.Ref{Resource: t.kind})
		if err != nil {
			continue
		}
		targets[i].kind = res.GVK.Kind
		if res.Namespaced && t.namespace == "" {
			targets[i].namespace = kc.Namespace
		}
	}
	return targets
}

// manifestTargets reads kind and namespace of every document of a manifest;
// a document it cannot read counts as any kind, so rules still catch it.
func manifestTargets(manifest, namespace string) []target {
	var out []target
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	for {
		var doc struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := dec.Decode(&doc); err != nil {
			if !errors.Is(err, io.EOF) {
				out = append(out, target{kind: "*", namespace: "*"})
			}
			return out
		}
		out = append(out, target{kind: doc.Kind, namespace: cmp.Or(doc.Metadata.Namespace, namespace)})
	}
}
