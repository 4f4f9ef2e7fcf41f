package console

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCapFactsBoundsTheWhole: with many clusters each share's floor alone
// would pass the bound; the lists past it hold nothing and say why, so
// what the model is given stays within maxSummaryFacts.
func TestCapFactsBoundsTheWhole(t *testing.T) {
	items := json.RawMessage(`[` + strings.Repeat(`"x",`, 500) + `"x"]`) // 2,002 bytes, under the floor
	var facts []summaryFact
	for range 40 { // 40 clusters: 80 KB of shares at their floor
		facts = append(facts, summaryFact{Cluster: "c", Tool: "events_list", Items: items})
	}
	total := 0
	for _, f := range capFacts(facts, maxSummaryFacts) {
		total += len(f.Items)
	}
	last := facts[len(facts)-1]
	if total > maxSummaryFacts || total < maxSummaryFacts-len(items) || last.Items != nil || !strings.Contains(last.Shown, "went to the facts before") {
		t.Fatalf("%d bytes of items kept, bound %d; the last: %+v", total, maxSummaryFacts, last)
	}
}
