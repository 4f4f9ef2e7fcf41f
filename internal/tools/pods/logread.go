package pods

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// maxLineBytes bounds one log line; a longer line is cut and says so, so
// that one runaway line cannot fill memory or the answer.
const maxLineBytes = 16 << 10

// logLine is one line of a container's log.
type logLine struct {
	pod  string    // the pod it came from, for logs of several pods
	at   time.Time // the kubelet's timestamp, when asked for one
	text string
}

// lineFilter keeps the lines a call asked for: those containing grep and
// matching re, either of which may be unset.
type lineFilter struct {
	grep string
	re   *regexp.Regexp
}

func newFilter(grep, expr string) (lineFilter, error) {
	f := lineFilter{grep: grep}
	if expr == "" {
		return f, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return f, fmt.Errorf("regex %q does not compile: %w (the syntax is Go's RE2: https://golang.org/s/re2syntax)", expr, err)
	}
	f.re = re
	return f, nil
}

func (f lineFilter) active() bool { return f.grep != "" || f.re != nil }

func (f lineFilter) match(s string) bool {
	return strings.Contains(s, f.grep) && (f.re == nil || f.re.MatchString(s))
}

// describe is how the answer names the filter, e.g. ` matching grep "error"`.
func (f lineFilter) describe() string {
	var parts []string
	if f.grep != "" {
		parts = append(parts, fmt.Sprintf("grep %q", f.grep))
	}
	if f.re != nil {
		parts = append(parts, fmt.Sprintf("regex %q", f.re.String()))
	}
	if len(parts) == 0 {
		return ""
	}
	return " matching " + strings.Join(parts, " and ")
}

// readLines reads a log from r and returns the last keep lines that pass f,
// and how many lines it read in all. With stamped, each line starts with the
// kubelet's RFC 3339 timestamp, which is parsed off.
func readLines(r io.Reader, keep int, f lineFilter, stamped bool) ([]logLine, int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var kept []logLine
	read := 0
	for {
		text, err := readLine(br)
		if errors.Is(err, io.EOF) && text == "" {
			return lastN(kept, keep), read, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return lastN(kept, keep), read, err
		}
		read++
		line := logLine{text: text}
		if stamped {
			line.at, line.text = splitStamp(text)
		}
		if f.match(line.text) {
			kept = append(kept, line)
			if len(kept) >= 2*keep+64 { // keep memory near keep lines
				kept = append(kept[:0], kept[len(kept)-keep:]...)
			}
		}
	}
}

// readLine returns the next line without its newline, cut at maxLineBytes.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	total := 0
	for {
		chunk, err := br.ReadSlice('\n')
		total += len(chunk)
		if room := maxLineBytes - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			total--
		}
		s := strings.TrimRight(string(b), "\r\n")
		if total > maxLineBytes {
			s += fmt.Sprintf(" [line cut: %d bytes, %d shown]", total, maxLineBytes)
		}
		return s, err
	}
}

func splitStamp(s string) (time.Time, string) {
	stamp, rest, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, s
	}
	at, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, s
	}
	return at, rest
}

func lastN(lines []logLine, n int) []logLine {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// formatLines writes the lines, each prefixed with its pod when prefix is
// set and its timestamp when stamps is.
func formatLines(lines []logLine, prefix, stamps bool) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		if prefix {
			b.WriteString("[" + l.pod + "] ")
		}
		if stamps && !l.at.IsZero() {
			b.WriteString(l.at.UTC().Format(time.RFC3339Nano) + " ")
		}
		b.WriteString(l.text)
		out[i] = b.String()
	}
	return out
}

// newest returns the longest tail of lines that fits in budget bytes (one
// newline each), and how many earlier lines it leaves out. Logs are cut from
// the start because the newest lines are the ones that explain the present.
func newest(lines []string, budget int) ([]string, int) {
	size := 0
	for i := len(lines) - 1; i >= 0; i-- {
		size += len(lines[i]) + 1
		if size > budget {
			return lines[i+1:], i + 1
		}
	}
	return lines, 0
}
