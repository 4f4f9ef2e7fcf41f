package core

import (
	"strings"

	"github.com/kubemcp/kubemcp/internal/render"
)

// fenceOverhead is what render.Fence adds around its text, with room to spare.
const fenceOverhead = 300

// fence marks cluster text as data (render.Fence). capped is full as
// render.Text or render.Table.Render cut it to a budget; the note such a cut
// appends stays outside the fence, since it is kubemcp's, not the cluster's.
func fence(source, full, capped string) string {
	return fenceWith(render.Fence, source, full, capped)
}

func fenceWith(wrap func(source, text string) string, source, full, capped string) string {
	if capped == full {
		return wrap(source, full)
	}
	i := 0
	for i < len(full) && i < len(capped) && full[i] == capped[i] {
		i++
	}
	i = strings.LastIndexByte(capped[:i], '\n') + 1
	return wrap(source, capped[:i]) + capped[i:]
}

// fencedText caps cluster text to budget bytes, fence included, and fences it.
func fencedText(source, text string, budget int, hint string) string {
	return fence(source, text, render.Text(text, max(budget-fenceOverhead, 512), hint))
}

// fencedRevealed is fencedText for an object cleaned by render.CleanRevealing.
func fencedRevealed(source, text string, budget int, hint string) string {
	return fenceWith(render.FenceVerbatim, source, text, render.Text(text, max(budget-fenceOverhead, 512), hint))
}

// fencedTable renders a table of cluster text within budget bytes, fence
// included, and fences it.
func fencedTable(source string, t render.Table, budget int, hint string) string {
	return fence(source, t.Render(render.MaxBudget*64, ""), t.Render(max(budget-fenceOverhead, 512), hint))
}
