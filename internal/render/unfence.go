package render

import (
	"regexp"
	"strings"
)

// Unfence returns the text an answer fenced with Fence, for a reader that
// shows it as data (the console's log viewer) rather than to a model: what
// lies between the first opening marker and the last closing one. ok is
// false when the answer holds no fence, such as an empty log's one line.
func Unfence(answer string) (text string, ok bool) {
	_, rest, ok := strings.Cut(answer, fenceOpen)
	if !ok {
		return "", false
	}
	_, body, ok := strings.Cut(rest, "\n") // the rest of the opening line: the source
	if !ok {
		return "", false
	}
	end := strings.LastIndex(body, fenceClose)
	if end < 0 {
		return "", false
	}
	return defused.ReplaceAllString(body[:end], "<$1"), true
}

// defused is a marker Fence broke.
var defused = regexp.MustCompile("(?i)<\u200b(\\s*/?\\s*untrusted-data)")

const fenceOpen = "<untrusted-data source="

// OutsideFences is what of text lies outside every fence: what a model may
// take for kubemcp's own words. The tests of the output gate and the sweep
// check that outside text never lands there. An opening marker without its
// closing one fences the rest.
func OutsideFences(text string) string {
	var out strings.Builder
	for {
		before, rest, ok := strings.Cut(text, fenceOpen)
		out.WriteString(before)
		if !ok {
			return out.String()
		}
		_, text, ok = strings.Cut(rest, fenceClose)
		if !ok {
			return out.String()
		}
	}
}
