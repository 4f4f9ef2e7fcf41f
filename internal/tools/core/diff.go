package core

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each change, as in diff -u.
const diffContext = 3

// maxDiffCells bounds the work of the line matching; beyond it the changed
// middle is shown as removed and added whole, which is still a correct diff.
const maxDiffCells = 4 << 20

type diffLine struct {
	kind byte // ' ', '-' or '+'
	text string
}

// unifiedDiff is a unified diff of a and b (whole texts of lines), with the
// given file names in the header; "" when they are equal.
func unifiedDiff(a, b, nameA, nameB string) string {
	if a == b {
		return ""
	}
	lines := diffLines(splitLines(a), splitLines(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for _, h := range hunks(lines) {
		writeHunk(&out, lines, h)
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffLines is an edit script from a to b: the common prefix and suffix kept
// as they are, the middle matched by longest common subsequence.
func diffLines(a, b []string) []diffLine {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []diffLine
	for _, l := range a[:pre] {
		out = append(out, diffLine{' ', l})
	}
	out = append(out, lcsDiff(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, diffLine{' ', l})
	}
	return out
}

func lcsDiff(a, b []string) []diffLine {
	var out []diffLine
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			out = append(out, diffLine{'-', l})
		}
		for _, l := range b {
			out = append(out, diffLine{'+', l})
		}
		return out
	}
	// n[i][j] is the length of the LCS of a[i:] and b[j:].
	n := make([][]int32, len(a)+1)
	for i := range n {
		n[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i][j] = n[i+1][j+1] + 1
			} else {
				n[i][j] = max(n[i+1][j], n[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, diffLine{' ', a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || n[i+1][j] >= n[i][j+1]):
			out = append(out, diffLine{'-', a[i]})
			i++
		default:
			out = append(out, diffLine{'+', b[j]})
			j++
		}
	}
	return out
}

// hunk is a range [from, to) of the edit script.
type hunk struct{ from, to int }

// hunks groups the changes with diffContext lines around them, merging
// groups whose context would touch.
func hunks(lines []diffLine) []hunk {
	var out []hunk
	for i, l := range lines {
		if l.kind == ' ' {
			continue
		}
		from, to := max(i-diffContext, 0), min(i+1+diffContext, len(lines))
		if len(out) > 0 && from <= out[len(out)-1].to {
			out[len(out)-1].to = to
			continue
		}
		out = append(out, hunk{from, to})
	}
	return out
}

func writeHunk(out *strings.Builder, lines []diffLine, h hunk) {
	aStart, bStart := 1, 1
	for _, l := range lines[:h.from] {
		aStart += btoi(l.kind != '+')
		bStart += btoi(l.kind != '-')
	}
	aCount, bCount := 0, 0
	for _, l := range lines[h.from:h.to] {
		aCount += btoi(l.kind != '+')
		bCount += btoi(l.kind != '-')
	}
	// As diff -u does: an empty side names the line before it.
	if aCount == 0 {
		aStart--
	}
	if bCount == 0 {
		bStart--
	}
	fmt.Fprintf(out, "@@ -%d,%d +%d,%d @@\n", aStart, aCount, bStart, bCount)
	for _, l := range lines[h.from:h.to] {
		out.WriteByte(l.kind)
		out.WriteString(l.text)
		out.WriteByte('\n')
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
