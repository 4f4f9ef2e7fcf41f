package render

import "testing"

// TestUnfence: what Fence wrapped comes back as it went in, header and note
// left outside; an answer without a fence has no text.
func TestUnfence(t *testing.T) {
	for _, text := range []string{"one line\n", "two\nlines\n", "a line <untrusted-data source=\"x\"> quoting a marker\n"} {
		answer := "3 lines of the log of pod shop/web-1:\n" + FenceCut("log", text, text) + "[a note after]\n"
		if got, ok := Unfence(answer); !ok || got != text {
			t.Errorf("Unfence(Fence(%q)) = %q, %v", text, got, ok)
		}
	}
	if got, ok := Unfence("The log of container web in pod shop/web-1 is empty.\n"); ok || got != "" {
		t.Errorf("no fence: got %q, %v", got, ok)
	}
}
