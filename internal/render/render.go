// Package render turns Kubernetes objects into output a language model can
// afford: compact tables, cleaned YAML or JSON, always within a byte budget,
// and saying how to get the rest when it cuts.
package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// DefaultBudget is the most bytes of text a tool answers with unless told
// otherwise; MaxBudget is the most a call may ask for.
const (
	DefaultBudget = 16 << 10
	MaxBudget     = 1 << 20
)

// Table is rows of cells under a header.
type Table struct {
	Header []string
	Rows   [][]string
}

// Render writes the table with aligned columns, at most budget bytes of it. When
// rows do not fit, it ends with a note saying how many were left out and hint,
// which should say how to see them.
func (t Table) Render(budget int, hint string) string {
	text, _ := t.Fit(budget, hint)
	return text
}

// Fit is Render that also says how many rows it shows, so a tool can return
// exactly those rows as structured content: an answer is bounded in both forms.
func (t Table) Fit(budget int, hint string) (string, int) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(t.Header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
	text, lines := cutLines(b.String(), budget)
	shown := max(lines-1, 0) // the header is a line too
	if left := len(t.Rows) - shown; left > 0 {
		text += fmt.Sprintf("[%d of %d rows not shown: the answer is capped at %d bytes. %s]\n", left, len(t.Rows), budget, hint)
	}
	return text, shown
}

// Text caps free text at budget bytes on a line boundary, noting the cut and hint.
func Text(s string, budget int, hint string) string {
	text, shown := cutLines(s, budget)
	if total := strings.Count(s, "\n"); shown < total {
		text += fmt.Sprintf("[cut after %d of %d lines: the answer is capped at %d bytes. %s]\n", shown, total, budget, hint)
	}
	return text
}

// cutLines returns the longest prefix of whole lines of s within budget bytes,
// leaving room for a note, and how many lines it holds.
func cutLines(s string, budget int) (string, int) {
	if len(s) <= budget {
		return s, strings.Count(s, "\n")
	}
	limit := max(budget-200, 0)
	cut := strings.LastIndexByte(s[:limit], '\n') + 1
	return s[:cut], strings.Count(s[:cut], "\n")
}

// Age formats how long ago t was the way kubectl does: 45s, 12m, 5h, 3d.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	d := now.Sub(t)
	switch {
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Clean strips what only adds noise (managedFields, the last-applied
// annotation) and redacts what must not be shown.
func Clean(obj *unstructured.Unstructured) *unstructured.Unstructured {
	obj = strip(obj)
	policy.Redact(obj)
	return obj
}

// CleanRevealing is Clean for a caller allowed to see a Secret's values
// (policy.RedactRevealing): only the explicit opt-in of one call leads here.
func CleanRevealing(obj *unstructured.Unstructured) *unstructured.Unstructured {
	obj = strip(obj)
	policy.RedactRevealing(obj)
	return obj
}

func strip(obj *unstructured.Unstructured) *unstructured.Unstructured {
	obj = obj.DeepCopy()
	unstructured.RemoveNestedField(obj.Object, "metadata", "managedFields")
	if ann := obj.GetAnnotations(); ann != nil {
		delete(ann, lastApplied)
		if len(ann) == 0 {
			ann = nil
		}
		obj.SetAnnotations(ann)
	}
	return obj
}

// Format selects how a single object is written.
type Format string

// Formats for Object.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// Object writes a cleaned object as YAML (default) or indented JSON.
func Object(obj *unstructured.Unstructured, f Format) (string, error) {
	switch f {
	case JSON:
		b, err := json.MarshalIndent(obj.Object, "", "  ")
		return string(b) + "\n", err
	case YAML, "":
		b, err := yaml.Marshal(obj.Object)
		return string(b), err
	default:
		return "", fmt.Errorf("output %q: want yaml or json", f)
	}
}
