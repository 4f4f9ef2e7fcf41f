package core

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubemcp/kubemcp/internal/render"
)

// objectDiff is a unified diff of two versions of an object as cleaned YAML
// (nil before is an object that does not exist yet). Secret values are
// redacted on both sides; a changed value says so, without showing either.
func objectDiff(before, after *unstructured.Unstructured) string {
	a := ""
	if before != nil {
		a = diffYAML(before, nil)
	}
	return unifiedDiff(a, diffYAML(after, changedSecretKeys(before, after)), "live", "after")
}

// diffYAML is the object cleaned for reading and stripped of the fields that
// change on every write, or are made up by a dry-run create, and would only
// add noise to a diff. The Secret keys
// in changed are marked as such: redaction alone would hide a value changed
// to another of the same length.
func diffYAML(obj *unstructured.Unstructured, changed []string) string {
	clean := render.Clean(obj)
	for _, f := range []string{"resourceVersion", "generation", "uid", "creationTimestamp"} {
		unstructured.RemoveNestedField(clean.Object, "metadata", f)
	}
	for _, k := range changed {
		note, _, _ := unstructured.NestedString(clean.Object, "data", k) // policy's "<redacted: N bytes>"
		_ = unstructured.SetNestedField(clean.Object, strings.TrimSuffix(note, ">")+", changed>", "data", k)
	}
	s, err := render.Object(clean, render.YAML)
	if err != nil {
		return fmt.Sprintf("# cannot render the object: %v\n", err)
	}
	return s
}

// changedSecretKeys are the keys of a Secret's data present in both versions
// with different values.
func changedSecretKeys(before, after *unstructured.Unstructured) []string {
	if before == nil || after.GetKind() != "Secret" || after.GroupVersionKind().Group != "" {
		return nil
	}
	old, _, _ := unstructured.NestedMap(before.Object, "data")
	cur, _, _ := unstructured.NestedMap(after.Object, "data")
	var keys []string
	for k, v := range cur {
		if ov, ok := old[k]; ok && !reflect.DeepEqual(ov, v) {
			keys = append(keys, k)
		}
	}
	return keys
}
