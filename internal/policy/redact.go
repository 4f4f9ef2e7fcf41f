// Package policy decides what kubemcp may show and do. So far it redacts Secret
// values from every object before it is rendered.
package policy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Redact replaces every value of a Secret's data and stringData with a note of
// its size, in place. Keys stay visible: they tell a reader what the Secret is for.
func Redact(obj *unstructured.Unstructured) {
	if obj.GetKind() != "Secret" || obj.GroupVersionKind().Group != "" {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		values, ok := obj.Object[field].(map[string]any)
		if !ok {
			continue
		}
		for k, v := range values {
			s, _ := v.(string)
			values[k] = fmt.Sprintf("<redacted: %d bytes>", len(s))
		}
	}
}
