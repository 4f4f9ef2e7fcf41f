package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/render"
)

func TestFenceKeepsCutNoteOutside(t *testing.T) {
	var lines []string
	for i := range 200 {
		lines = append(lines, fmt.Sprintf("line %03d of cluster text", i))
	}
	text := strings.Join(lines, "\n") + "\n"
	out := fencedText("test", text, 1500, "Ask for less.")
	closing := strings.Index(out, "</untrusted-data>")
	note := strings.Index(out, "[cut after")
	if closing < 0 || note < closing || !strings.Contains(out[note:], "Ask for less.") {
		t.Fatalf("the cut note is not after the fence:\n%s", out)
	}
	if len(out) > 1500 {
		t.Errorf("%d bytes, budget 1500", len(out))
	}
	if whole := fencedText("test", "short\n", 1500, ""); strings.Contains(whole, "[cut") || !strings.Contains(whole, "short\n</untrusted-data>") {
		t.Errorf("uncut text: %q", whole)
	}
	tbl := render.Table{Header: []string{"A"}}
	for _, l := range lines {
		tbl.Rows = append(tbl.Rows, []string{l})
	}
	out = fencedTable("t", tbl, 1000, "Narrow it.")
	if c, n := strings.Index(out, "</untrusted-data>"), strings.Index(out, "rows not shown"); c < 0 || n < c {
		t.Fatalf("table note inside the fence:\n%s", out)
	}
}
