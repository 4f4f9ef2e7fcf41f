package core

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// doc is one object of a manifest, resolved to where it goes.
type doc struct {
	where string // "document 2", or "document 2, item 3" inside a List
	obj   *unstructured.Unstructured
	t     target
}

func (d doc) label() string {
	s := fmt.Sprintf("%s/%s", qualified(d.t.res), d.obj.GetName())
	if d.t.ns != "" {
		s += fmt.Sprintf(" in namespace %q", d.t.ns)
	}
	return s
}

// parseManifest splits a YAML (or JSON) stream into objects; a v1 List
// stands for its items. Every bad document is reported, by its number, and
// the good ones are returned all the same so that their problems can be
// reported too.
func parseManifest(manifest string) ([]doc, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifest)))
	var docs []doc
	var errs []error
	for n := 1; ; n++ {
		raw, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("document %d: reading YAML: %w", n, err))
			break
		}
		got, err := decodeDoc(raw, fmt.Sprintf("document %d", n))
		docs = append(docs, got...)
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	if len(docs) == 0 && err == nil {
		return nil, errors.New("the manifest holds no objects")
	}
	return docs, err
}

// decodeDoc decodes one document; empty ones (comments, a stray ---) hold none.
func decodeDoc(raw []byte, where string) ([]doc, error) {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", where, err)
	}
	if s := strings.TrimSpace(string(js)); s == "null" || s == "" {
		return nil, nil
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		return nil, fmt.Errorf("%s: not a Kubernetes object: %w", where, err)
	}
	if !obj.IsList() {
		return []doc{{where: where, obj: obj}}, nil
	}
	list, err := obj.ToList()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	var docs []doc
	for i := range list.Items {
		docs = append(docs, doc{where: fmt.Sprintf("%s, item %d", where, i+1), obj: &list.Items[i]})
	}
	return docs, nil
}

// resolveDocs finds each object's resource and namespace: its own, else
// defaultNS. Every problem is reported, by document.
func resolveDocs(kc *kube.Client, docs []doc, defaultNS string) error {
	var errs []error
	for i := range docs {
		errs = append(errs, resolveDoc(kc, &docs[i], defaultNS))
	}
	return errors.Join(errs...)
}

func resolveDoc(kc *kube.Client, d *doc, defaultNS string) error {
	obj := d.obj
	switch {
	case obj.GetAPIVersion() == "" || obj.GetKind() == "":
		return fmt.Errorf("%s: apiVersion and kind are required", d.where)
	case obj.GetName() == "":
		return fmt.Errorf("%s (%s): metadata.name is required (generateName cannot be applied)", d.where, obj.GetKind())
	}
	res, err := kc.Resolve(kube.Ref{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind()})
	if err != nil {
		return fmt.Errorf("%s (%s %s): %w; if its CustomResourceDefinition is in this manifest, apply the CRD first", d.where, obj.GetKind(), obj.GetName(), err)
	}
	d.t = target{kc: kc, res: res}
	if !res.Namespaced {
		obj.SetNamespace("")
		return nil
	}
	d.t.ns = obj.GetNamespace()
	if d.t.ns == "" {
		d.t.ns = defaultNS
		obj.SetNamespace(defaultNS)
	}
	return nil
}
