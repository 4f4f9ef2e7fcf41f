package pods

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/podstate"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

const (
	defaultTail = 100
	maxTail     = 10000
	// scanLines is how far back grep and regex look: the last scanLines lines
	// of the log (within since, if given).
	scanLines = 10000
)

// LogsIn selects a container's log, or the logs of the pods a label selector
// matches, and what part of it to return.
type LogsIn struct {
	toolset.Target
	toolset.TextCap
	Namespace     string `json:"namespace,omitempty"`
	Name          string `json:"name,omitempty"`
	LabelSelector string `json:"label_selector,omitempty" jsonschema:"instead of name"`
	Container     string `json:"container,omitempty"`
	Previous      bool   `json:"previous,omitempty"`
	TailLines     int    `json:"tail_lines,omitempty" jsonschema:"per pod; default 100"`
	Since         string `json:"since,omitempty"`
	SinceTime     string `json:"since_time,omitempty" jsonschema:"RFC 3339, instead of since"`
	Grep          string `json:"grep,omitempty" jsonschema:"case-sensitive; scans the last 10000 lines"`
	Regex         string `json:"regex,omitempty" jsonschema:"RE2; with grep, both must match"`
	Timestamps    bool   `json:"timestamps,omitempty"`
	MaxPods       int    `json:"max_pods,omitempty" jsonschema:"default 10, max 50"`
}

// LogsOut describes the answer. The log text itself is only in the text
// content, fenced, so that it is not sent twice.
type LogsOut struct {
	Namespace string   `json:"namespace"`
	Pods      []PodLog `json:"pods" jsonschema:"the pods whose log was asked for"`
	Lines     int      `json:"lines" jsonschema:"log lines in the answer"`
	Dropped   int      `json:"dropped_lines" jsonschema:"older lines read but left out to stay within max_bytes"`
}

// PodLog is what one pod's log gave.
type PodLog struct {
	Pod       string `json:"pod"`
	Container string `json:"container,omitempty"`
	Lines     int    `json:"lines" jsonschema:"lines read from this pod that passed the filters"`
	Error     string `json:"error,omitempty" jsonschema:"why this pod's log could not be read"`
}

// logQuery is a validated LogsIn: what to ask the kubelet and what to keep.
type logQuery struct {
	tail      int
	since     *int64
	sinceTime *metav1.Time
	filter    lineFilter
	previous  bool
	stamps    bool // show timestamps
	window    string
}

func (p *Pods) podsLogs() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "pods_logs",
		Description: "A container's newest log lines, or its crashed previous instance's, by grep or regex; or many pods' by label.",
		Annotations: toolset.ReadOnly("Read pod logs"),
	}, p.logs)
}

func (p *Pods) logs(ctx context.Context, _ *mcp.CallToolRequest, in LogsIn) (string, LogsOut, error) {
	out := LogsOut{Namespace: in.Namespace, Pods: []PodLog{}}
	q, err := in.query()
	switch {
	case err != nil:
		return "", out, err
	case in.Name != "" && in.LabelSelector != "":
		return "", out, errors.New("give name or label_selector, not both")
	case in.LabelSelector != "":
		return p.logsBySelector(ctx, in, q)
	case in.Name == "":
		return "", out, errors.New("name or label_selector is required: pods_logs reads one pod's log, or the logs of the pods a label selector matches; pods_list shows what exists")
	}
	kc, pod, err := p.getPod(ctx, in.Cluster, in.Namespace, in.Name)
	if err != nil {
		return "", out, err
	}
	out.Namespace = pod.Namespace
	c, err := pickContainer(pod, in.Container)
	if err != nil {
		return "", out, err
	}
	if err := hasLog(pod, c, q.previous); err != nil {
		return "", out, err
	}
	lines, read, err := readLog(ctx, kc, pod, c, q, false)
	if err != nil {
		return "", out, err
	}
	out.Pods = append(out.Pods, PodLog{Pod: pod.Name, Container: c, Lines: len(lines)})
	return p.logText(in, q, logHeader{what: fmt.Sprintf("container %s in pod %s/%s", c, pod.Namespace, pod.Name), read: read,
		restarts: restarts(pod, c)}, lines, &out), out, nil
}

func (in LogsIn) query() (logQuery, error) {
	q := logQuery{tail: defaultTail, previous: in.Previous, stamps: in.Timestamps}
	var errs []error
	switch {
	case in.TailLines < 0 || in.TailLines > maxTail:
		errs = append(errs, fmt.Errorf("tail_lines %d: want 1 to %d", in.TailLines, maxTail))
	case in.TailLines > 0:
		q.tail = in.TailLines
	}
	var err error
	if q.filter, err = newFilter(in.Grep, in.Regex); err != nil {
		errs = append(errs, err)
	}
	if err := q.setSince(in.Since, in.SinceTime); err != nil {
		errs = append(errs, err)
	}
	if in.MaxPods < 0 || in.MaxPods > maxPods {
		errs = append(errs, fmt.Errorf("max_pods %d: want 1 to %d", in.MaxPods, maxPods))
	}
	return q, errors.Join(errs...)
}

func (q *logQuery) setSince(since, sinceTime string) error {
	switch {
	case since != "" && sinceTime != "":
		return errors.New("give since or since_time, not both")
	case since != "":
		d, err := parseDuration(since)
		if err != nil || d <= 0 {
			return fmt.Errorf("since %q: want a positive duration such as 30s, 10m, 2h or 1d", since)
		}
		secs := int64((d + time.Second - 1) / time.Second)
		q.since, q.window = &secs, " in the last "+since
	case sinceTime != "":
		t, err := time.Parse(time.RFC3339, sinceTime)
		if err != nil {
			return fmt.Errorf("since_time %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", sinceTime)
		}
		q.sinceTime, q.window = &metav1.Time{Time: t}, " since "+sinceTime
	}
	return nil
}

// parseDuration is time.ParseDuration that also takes whole days ("2d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// pickContainer returns the container to read: the one named, else the pod's
// default-container annotation, else its only container.
func pickContainer(pod *corev1.Pod, name string) (string, error) {
	all := containerNames(pod)
	if name != "" {
		for _, n := range all {
			if n == name {
				return name, nil
			}
		}
		return "", fmt.Errorf("pod %s/%s has no container %q; its containers: %s", pod.Namespace, pod.Name, name, describeContainers(pod))
	}
	if def := pod.Annotations["kubectl.kubernetes.io/default-container"]; def != "" && findSpec(pod, def) {
		return def, nil
	}
	if len(pod.Spec.Containers) == 1 {
		return pod.Spec.Containers[0].Name, nil
	}
	return "", fmt.Errorf("pod %s/%s has %d containers; name one with container: %s",
		pod.Namespace, pod.Name, len(pod.Spec.Containers), describeContainers(pod))
}

func containerNames(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		out = append(out, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		out = append(out, c.Name)
	}
	return out
}

func findSpec(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func describeContainers(pod *corev1.Pod) string {
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	s := strings.Join(names, ", ")
	if len(pod.Spec.InitContainers) > 0 {
		var inits []string
		for _, c := range pod.Spec.InitContainers {
			inits = append(inits, c.Name)
		}
		s += " (init: " + strings.Join(inits, ", ") + ")"
	}
	return s
}

func statusOf(pod *corev1.Pod, c string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		if cs := findStatus(list, c); cs != nil {
			return cs
		}
	}
	return nil
}

func restarts(pod *corev1.Pod, c string) int32 {
	if cs := statusOf(pod, c); cs != nil {
		return cs.RestartCount
	}
	return 0
}

// hasLog says why a container has no log to read, if it has none: the pod is
// not on a node, the container never started, or there is no previous
// instance. The kubelet would answer these with an empty log or a terse error.
func hasLog(pod *corev1.Pod, c string, previous bool) error {
	where := fmt.Sprintf("container %s in pod %s/%s", c, pod.Namespace, pod.Name)
	cs := statusOf(pod, c)
	ranBefore := cs != nil && (cs.RestartCount > 0 || cs.LastTerminationState.Terminated != nil)
	switch {
	case pod.Spec.NodeName == "":
		return fmt.Errorf("%s has no log: the pod is not scheduled to a node (status %s). pods_get shows why", where, podstate.Of(pod).Status)
	case cs == nil:
		return fmt.Errorf("%s has no log yet: the kubelet has not reported it started (pod status %s). pods_get shows the details", where, podstate.Of(pod).Status)
	case previous && !ranBefore:
		return fmt.Errorf("%s has no previous instance: it has not restarted. Omit previous to read the current log", where)
	case !previous && cs.State.Waiting != nil && !ranBefore:
		return fmt.Errorf("%s has no log: it is waiting to start (%s) and has never run. pods_get shows the kubelet's message",
			where, cmp.Or(cs.State.Waiting.Reason, "no reason given"))
	}
	return nil
}

// readLog streams one container's log. Stream, not DoRaw: DoRaw replaces the
// apiserver's message for pods/log errors with "unknown reason".
func readLog(ctx context.Context, kc *kube.Client, pod *corev1.Pod, c string, q logQuery, stamped bool) ([]logLine, int, error) {
	tail := int64(q.tail)
	if q.filter.active() {
		tail = scanLines
	}
	opts := &corev1.PodLogOptions{Container: c, Previous: q.previous, Timestamps: stamped || q.stamps,
		TailLines: &tail, SinceSeconds: q.since, SinceTime: q.sinceTime}
	stream, err := kc.Typed.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, opts).Stream(ctx)
	if err != nil {
		return nil, 0, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "pods/log", Namespace: pod.Namespace, Name: pod.Name})
	}
	defer stream.Close()
	lines, read, err := readLines(stream, q.tail, q.filter, opts.Timestamps)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the log of container %s in pod %s/%s: %w", c, pod.Namespace, pod.Name, err)
	}
	for i := range lines {
		lines[i].pod = pod.Name
	}
	return lines, read, nil
}

// logHeader is what the line above the log says.
type logHeader struct {
	what     string // "container web in pod shop/web-1", or several pods
	read     int    // lines read, to tell whether a filter searched the whole window
	restarts int32
	skipped  []string // pods not read, with why
}

// logText writes the answer: a line saying what the log is, notes on what was
// left out, and the fenced log, newest lines kept within the budget.
func (p *Pods) logText(in LogsIn, q logQuery, h logHeader, lines []logLine, out *LogsOut) string {
	var head strings.Builder
	prev := ""
	if q.previous {
		prev = " (previous instance)"
	}
	for _, s := range h.skipped {
		head.WriteString("Not read: " + s + "\n")
	}
	if len(lines) == 0 {
		return head.String() + emptyText(q, h, prev)
	}
	fmt.Fprintf(&head, "%d lines of the log of %s%s%s%s", len(lines), h.what, prev, q.window, q.filter.describe())
	if q.filter.active() && h.read >= scanLines {
		fmt.Fprintf(&head, " (searched the newest %d lines)", scanLines)
	}
	head.WriteString(":\n")
	source := "log of " + h.what + prev
	text := formatLines(lines, in.LabelSelector != "", q.stamps)
	budget := p.deps.Budget(in.TextCap)
	avail := budget - head.Len() - len(render.Fence(source, "")) - len(cutNote(len(lines), budget))
	shown, dropped := newest(text, max(avail, 0))
	out.Lines, out.Dropped = len(shown), dropped
	if dropped > 0 {
		head.WriteString(cutNote(dropped, budget))
	}
	return head.String() + render.Fence(source, strings.Join(shown, "\n"))
}

func cutNote(dropped, budget int) string {
	return fmt.Sprintf("[%d older lines not shown: the answer is capped at %d bytes. Narrow with tail_lines, since or grep, or raise max_bytes.]\n",
		dropped, budget)
}

func emptyText(q logQuery, h logHeader, prev string) string {
	var s string
	if q.filter.active() {
		s = fmt.Sprintf("No line of the log of %s%s%s matches%s (searched the newest %d lines).",
			h.what, prev, q.window, strings.TrimPrefix(q.filter.describe(), " matching"), min(h.read, scanLines))
	} else {
		s = fmt.Sprintf("The log of %s%s%s is empty.", h.what, prev, q.window)
	}
	if h.restarts > 0 && !q.previous {
		s += fmt.Sprintf(" The container restarted %d times; previous=true shows how its last instance ended.", h.restarts)
	}
	return s + "\n"
}
