package core

import (
	"github.com/kubemcp/kubemcp/internal/render"
)

// fencedText caps cluster text to budget bytes, fence included, and fences it.
func fencedText(source, text string, budget int, hint string) string {
	return render.FenceCut(source, text, render.Text(text, max(budget-render.FenceOverhead, 512), hint))
}

// fencedTable renders a table of cluster text within budget bytes, fence
// included, and fences it.
func fencedTable(source string, t render.Table, budget int, hint string) string {
	return render.FenceCut(source, t.Render(render.MaxBudget*64, ""), t.Render(max(budget-render.FenceOverhead, 512), hint))
}
