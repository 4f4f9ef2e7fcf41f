package helm

import (
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"helm.sh/helm/v3/pkg/releaseutil"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// plan is the unified diff from one rendered manifest to another ("" for
// none): what a write would change, Secrets' values hidden on both sides so
// that a diff shows that a value changed but not what it was or becomes.
func plan(from, to string) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(hideSecrets(from)), B: difflib.SplitLines(hideSecrets(to)),
		FromFile: "deployed", ToFile: "planned", Context: 3,
	})
	if d == "" {
		return "No change to the rendered manifest.\n"
	}
	return d
}

// hideSecrets redacts the values of every Secret in a rendered manifest, as
// policy.Redact does for objects read from the cluster; the gate's text
// redaction cannot, as base64 data looks like any other string.
func hideSecrets(manifest string) string {
	if strings.TrimSpace(manifest) == "" {
		return ""
	}
	docs := releaseutil.SplitManifests(manifest)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("---\n" + hideSecret(docs[k]) + "\n")
	}
	return b.String()
}

func hideSecret(doc string) string {
	var obj unstructured.Unstructured
	if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil || obj.GetKind() != "Secret" {
		if err != nil && strings.Contains(doc, "kind: Secret") {
			return "# a Secret that does not parse, not shown"
		}
		return strings.TrimSpace(doc)
	}
	policy.Redact(&obj)
	b, _ := yaml.Marshal(obj.Object)
	return strings.TrimSpace(string(b))
}
