package diagnostics

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kubemcp/kubemcp/internal/render"
)

// Severities, most urgent first.
const (
	Critical = "critical" // something does not run or serve
	Warning  = "warning"  // degraded, or heading there
	Info     = "info"     // worth knowing, nothing broken
)

func severityRank(s string) int {
	switch s {
	case Critical:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Finding is one thing wrong with one object.
type Finding struct {
	Severity  string `json:"severity" jsonschema:"critical, warning or info"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Reason    string `json:"reason" jsonschema:"e.g. CrashLoopBackOff, Unschedulable, ProgressDeadlineExceeded"`
	Evidence  string `json:"evidence" jsonschema:"facts read from the object's status"`
	// Message is what the cluster said about it, if anything: text written by
	// whoever reported the status or event, so data and not instructions.
	Message string `json:"message,omitempty"`
	Next    string `json:"next" jsonschema:"the tool call that helps next"`
}

func (f Finding) object() string { return strings.ToLower(f.Kind) + "/" + f.Name }

func (f Finding) where() string {
	if f.Namespace == "" {
		return f.object()
	}
	return f.Namespace + "/" + f.object()
}

// sortFindings puts the most urgent first, then by place and name.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
}

// Counts are findings by severity.
type Counts struct {
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

func countOf(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case Critical:
			c.Critical++
		case Warning:
			c.Warning++
		default:
			c.Info++
		}
	}
	return c
}

func (c Counts) String() string {
	return fmt.Sprintf("%d critical, %d warning, %d info", c.Critical, c.Warning, c.Info)
}

// findingsTable is one line a finding. Reasons and evidence are kubemcp's
// reading of status fields; messages written by the cluster stay out of it
// (findingsText fences them).
func findingsTable(fs []Finding, withNamespace bool) render.Table {
	t := render.Table{Header: []string{"SEVERITY", "OBJECT", "REASON", "EVIDENCE", "NEXT"}}
	if withNamespace {
		t.Header = []string{"SEVERITY", "NAMESPACE", "OBJECT", "REASON", "EVIDENCE", "NEXT"}
	}
	for _, f := range fs {
		row := []string{f.Severity, f.object(), f.Reason, f.Evidence, f.Next}
		if withNamespace {
			row = slices.Insert(row, 1, cmp.Or(f.Namespace, "-"))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// maxMessage is the most of one cluster message the text shows; the whole
// message is in structuredContent.
const maxMessage = 300

// findingsText renders the findings within budget: the table, then the
// cluster's messages about the findings it shows, fenced. It returns how many
// findings the text shows.
func findingsText(fs []Finding, withNamespace bool, budget int, hint string) (string, int) {
	msgs := func(shown []Finding) string {
		var b strings.Builder
		for _, f := range shown {
			if f.Message != "" {
				fmt.Fprintf(&b, "%s: %s\n", f.where(), clip(oneLine(f.Message), maxMessage))
			}
		}
		return b.String()
	}
	all := msgs(fs)
	reserve := 0
	if all != "" {
		reserve = min(len(all)+render.FenceOverhead, budget/3)
	}
	text, shown := findingsTable(fs, withNamespace).Fit(max(budget-reserve, 512), hint)
	if m := msgs(fs[:shown]); m != "" {
		capped := render.Text(m, max(reserve-render.FenceOverhead, 256), "The whole messages are in structuredContent.")
		text += "\n" + render.FenceCut("messages the cluster recorded about these objects", m, capped)
	}
	return text, shown
}

// call spells a tool call the way the findings suggest it, with the
// arguments in the order given, empty strings left out:
// call("pods_logs", "namespace", "a", "previous", true).
func call(tool string, kv ...any) string {
	var b strings.Builder
	b.WriteString(tool + " {")
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	return b.String() + "}"
}

// word keeps a reason or other short status field to one clipped token, so a
// status writer cannot spread text across the table.
func word(s string) string { return token(s, 64) }

// token is s without whitespace, clipped to n bytes: for names and paths
// from a spec (an image, a hostPath), which are free text to the apiserver.
func token(s string, n int) string { return clip(strings.Join(strings.Fields(s), "_"), n) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
