package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/store"
)

const (
	defaultLogTail = 500
	maxLogTail     = 10000 // pods_logs's own bound on tail_lines
	// logPollInterval is how often a followed log is read again: pods_logs
	// answers with what the log holds now and has no follow of its own, so
	// following is asking again for the lines since the newest one seen.
	logPollInterval = 2 * time.Second
	// logFollowLimit ends a followed log, so a tab left open does not call
	// pods_logs for ever; the viewer says so and offers to follow again.
	logFollowLimit = 15 * time.Minute
)

// logArgs are pods_logs's arguments that the console uses.
type logArgs struct {
	Cluster    string `json:"cluster"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	Container  string `json:"container,omitempty"`
	TailLines  int    `json:"tail_lines,omitempty"`
	SinceTime  string `json:"since_time,omitempty"`
	Grep       string `json:"grep,omitempty"`
	Timestamps bool   `json:"timestamps"`
	MaxBytes   int    `json:"max_bytes"`
}

// logLine is one line of a container's log as the viewer shows it.
type logLine struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// podLog is a log read once.
type podLog struct {
	Cluster   string    `json:"cluster"`
	Namespace string    `json:"namespace"`
	Pod       string    `json:"pod"`
	Container string    `json:"container"`
	Lines     []logLine `json:"lines"`
	Dropped   int       `json:"dropped"` // older lines left out to stay within the answer's size
}

// podLogs serves GET /api/clusters/{cluster}/pods/{namespace}/{name}/log
// ?container=&tail=&search=&follow=1: the newest tail lines (containing
// search, if given) as JSON, or with follow, as server-sent events: "lines"
// with the tail and then each batch of new lines, "end" when the follow
// limit is reached or the log can no longer be read. Read through pods_logs
// as the signed-in user.
func (c *Console) podLogs(w http.ResponseWriter, r *http.Request, u store.User) error {
	args, follow, err := c.logRequest(r)
	if err != nil {
		return err
	}
	cs, err := c.bridge.open(r.Context(), identityOf(u))
	if err != nil {
		return err
	}
	defer cs.Close()
	log, err := readLog(r.Context(), cs, args)
	if err != nil {
		return err
	}
	if !follow {
		return writeJSON(w, http.StatusOK, log)
	}
	s, err := c.startSSE(w)
	if err != nil {
		return err
	}
	s.send("lines", log)
	s.send("end", map[string]string{"reason": followLog(r.Context(), cs, args, log.Lines, s)})
	return nil
}

// logRequest reads and checks the request, naming the field that is wrong.
func (c *Console) logRequest(r *http.Request) (logArgs, bool, error) {
	q := r.URL.Query()
	args := logArgs{Cluster: r.PathValue("cluster"), Namespace: r.PathValue("namespace"), Name: r.PathValue("name"),
		Container: q.Get("container"), TailLines: defaultLogTail, Grep: q.Get("search"), Timestamps: true, MaxBytes: render.MaxBudget}
	if err := c.knownCluster(args.Cluster); err != nil {
		return args, false, err
	}
	if t := q.Get("tail"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > maxLogTail {
			return args, false, invalid("tail", "%q: want a number of lines from 1 to %d", t, maxLogTail)
		}
		args.TailLines = n
	}
	switch f := q.Get("follow"); f {
	case "", "0", "false":
		return args, false, nil
	case "1", "true":
		return args, true, nil
	default:
		return args, false, invalid("follow", "%q: want 1 to follow the log, or leave it out", f)
	}
}

// readLog calls pods_logs once. Its log text is fenced for a model; the
// viewer gets the lines inside the fence, each with its timestamp.
func readLog(ctx context.Context, cs *mcp.ClientSession, args logArgs) (podLog, error) {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "pods_logs", Arguments: args})
	if err != nil {
		return podLog{}, fmt.Errorf("calling pods_logs: %w", err)
	}
	if res.IsError {
		return podLog{}, refused(mcpserver.ResultText(res))
	}
	var out struct {
		Namespace string `json:"namespace"`
		Pods      []struct {
			Pod       string `json:"pod"`
			Container string `json:"container"`
		} `json:"pods"`
		Dropped int `json:"dropped_lines"`
	}
	if err := mcpserver.Decode(res, &out); err != nil {
		return podLog{}, fmt.Errorf("reading the structured result of pods_logs: %w", err)
	}
	log := podLog{Cluster: args.Cluster, Namespace: out.Namespace, Pod: args.Name, Container: args.Container,
		Lines: parseLines(mcpserver.ResultText(res)), Dropped: out.Dropped}
	if len(out.Pods) == 1 {
		log.Container = out.Pods[0].Container
	}
	return log, nil
}

// followLog reads the log again every logPollInterval for the lines after
// the newest one seen, and sends each new batch, until the request ends, the
// follow limit passes or a read fails; it returns why it stopped.
func followLog(ctx context.Context, cs *mcp.ClientSession, args logArgs, seen []logLine, s *sse) string {
	ctx, cancel := context.WithTimeout(ctx, logFollowLimit)
	defer cancel()
	args.Container = "" // pods_logs picked it the first time; the same pick again
	mark := markOf(seen)
	tick := time.NewTicker(logPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Sprintf("stopped following after %s; follow again to go on", logFollowLimit)
		case <-tick.C:
		}
		if !mark.at.IsZero() {
			// The kubelet takes whole seconds: lines of the newest second seen
			// come again, and mark drops them.
			args.SinceTime = mark.at.UTC().Truncate(time.Second).Format(time.RFC3339)
			args.TailLines = maxLogTail
		}
		log, err := readLog(ctx, cs, args)
		if ctx.Err() != nil {
			continue
		}
		if err != nil {
			return "the log can no longer be read: " + err.Error()
		}
		if fresh := mark.after(log.Lines); len(fresh) > 0 {
			log.Lines = fresh
			s.send("lines", log)
		}
	}
}

// logMark is where a followed log has been read up to: the newest
// timestamp, and how many lines carried it.
type logMark struct {
	at time.Time
	n  int
}

func markOf(lines []logLine) logMark {
	var m logMark
	m.after(lines)
	return m
}

// after returns the lines past the mark and moves the mark past them.
func (m *logMark) after(lines []logLine) []logLine {
	var fresh []logLine
	skip := 0
	for _, l := range lines {
		switch {
		case l.Time.Before(m.at):
			continue
		case l.Time.Equal(m.at) && skip < m.n:
			skip++
			continue
		}
		fresh = append(fresh, l)
	}
	for _, l := range fresh {
		if l.Time.After(m.at) {
			m.at, m.n = l.Time, 0
		}
		m.n++
	}
	return fresh
}

// parseLines reads the fenced log of a pods_logs answer asked with
// timestamps: each line starts with the kubelet's RFC 3339 time.
func parseLines(answer string) []logLine {
	body, ok := render.Unfence(answer)
	if !ok {
		return []logLine{} // an empty log, or no line matched
	}
	raw := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	lines := make([]logLine, 0, len(raw))
	for _, s := range raw {
		stamp, rest, _ := strings.Cut(s, " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			lines = append(lines, logLine{Text: s})
			continue
		}
		lines = append(lines, logLine{Time: at, Text: rest})
	}
	return lines
}

// refused is a tool's refusal (no such pod, container not started) as the
// API answers it: the tool's own sentence, which says what to do.
func refused(msg string) error {
	return errorf(http.StatusUnprocessableEntity, "refused", "%s", msg)
}
