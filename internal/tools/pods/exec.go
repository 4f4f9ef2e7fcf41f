package pods

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/utils/exec"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

const (
	defaultExecTimeout = 30 * time.Second
	maxExecTimeout     = 300 * time.Second
	// execReadLimit is how much output a call reads before it stops the
	// command: past it, endless output (a tail -f, a yes) would only hold the
	// call until its timeout.
	execReadLimit = 4 << 20
)

// ExecIn is the command to run and where.
type ExecIn struct {
	toolset.Target
	toolset.Approval
	toolset.TextCap
	Namespace      string   `json:"namespace,omitempty"`
	Name           string   `json:"name"`
	Container      string   `json:"container,omitempty"`
	Command        []string `json:"command"`
	Stdin          string   `json:"stdin,omitempty"`
	TimeoutSeconds int      `json:"timeout_seconds,omitempty" jsonschema:"default 30, max 300"`
}

// ExecOut is how the command ended. Its output is only in the text content,
// fenced, so that it is not sent twice.
type ExecOut struct {
	Namespace    string `json:"namespace"`
	Pod          string `json:"pod"`
	Container    string `json:"container"`
	Ended        string `json:"ended" jsonschema:"exited, timeout, or output_limit (stopped past 4 MiB)"`
	ExitCode     int    `json:"exit_code" jsonschema:"-1 unless it exited"`
	StdoutBytes  int    `json:"stdout_bytes" jsonschema:"bytes the command wrote to stdout"`
	StderrBytes  int    `json:"stderr_bytes"`
	DroppedBytes int    `json:"dropped_bytes" jsonschema:"output left out to stay within max_bytes"`
}

// How a command ended.
const (
	endedExited  = "exited"
	endedTimeout = "timeout"
	endedLimit   = "output_limit"
)

func (p *Pods) podsExec() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "pods_exec",
		Description: "Run a command (argv, no shell) in a container: exit code and output.",
		Annotations: toolset.Writes("Run a command in a container", true, false),
	}, p.exec)
}

func (p *Pods) exec(ctx context.Context, _ *mcp.CallToolRequest, in ExecIn) (string, ExecOut, error) {
	out := ExecOut{ExitCode: -1}
	timeout, err := in.check()
	if err != nil {
		return "", out, err
	}
	kc, pod, err := p.getPod(ctx, in.Cluster, in.Namespace, in.Name)
	if err != nil {
		return "", out, err
	}
	out.Namespace, out.Pod = pod.Namespace, pod.Name
	if out.Container, err = execContainer(pod, in.Container); err != nil {
		return "", out, err
	}
	budget := p.deps.Budget(in.TextCap)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &capture{keep: budget, limit: execReadLimit, stop: cancel}
	start := time.Now()
	err = runExec(ctx, kc, pod, out.Container, in, c)
	if err := out.end(ctx, err, c); err != nil {
		return "", out, err
	}
	return execText(&out, in.Command, c, budget, timeout, time.Since(start)), out, nil
}

func (in ExecIn) check() (time.Duration, error) {
	var errs []error
	switch {
	case in.Name == "":
		errs = append(errs, errors.New("name is required: the pod to run the command in; pods_list shows what exists"))
	case len(in.Command) == 0 || in.Command[0] == "":
		errs = append(errs, errors.New(`command is required, as an argv array such as ["ls","-l","/"]; for shell syntax, run ["sh","-c","..."] if the image has a shell`))
	}
	timeout := time.Duration(in.TimeoutSeconds) * time.Second
	switch {
	case in.TimeoutSeconds < 0 || timeout > maxExecTimeout:
		errs = append(errs, fmt.Errorf("timeout_seconds %d: want 1 to %d", in.TimeoutSeconds, int(maxExecTimeout.Seconds())))
	case timeout == 0:
		timeout = defaultExecTimeout
	}
	return timeout, errors.Join(errs...)
}

// execContainer picks the container as pods_logs does, and refuses a pod
// that has finished: nothing runs in it to exec into.
func execContainer(pod *corev1.Pod, name string) (string, error) {
	if ph := pod.Status.Phase; ph == corev1.PodSucceeded || ph == corev1.PodFailed {
		return "", fmt.Errorf("pod %s/%s has finished (phase %s): nothing runs in it to exec into. pods_logs shows what it printed",
			pod.Namespace, pod.Name, ph)
	}
	return pickContainer(pod, name)
}

// runExec streams the command through the apiserver, over WebSocket or,
// when something on the way cannot upgrade to it, SPDY, as kubectl does.
func runExec(ctx context.Context, kc *kube.Client, pod *corev1.Pod, container string, in ExecIn, c *capture) error {
	u := kc.Typed.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: container, Command: in.Command, Stdin: in.Stdin != "", Stdout: true, Stderr: true},
			scheme.ParameterCodec).URL()
	exec, err := newExecutor(kc, u)
	if err != nil {
		return err
	}
	opts := remotecommand.StreamOptions{Stdout: c.sink(&c.stdout), Stderr: c.sink(&c.stderr)}
	if in.Stdin != "" {
		opts.Stdin = strings.NewReader(in.Stdin)
	}
	return exec.StreamWithContext(ctx, opts)
}

func newExecutor(kc *kube.Client, u *url.URL) (remotecommand.Executor, error) {
	ws, err := remotecommand.NewWebSocketExecutor(kc.Config, "GET", u.String())
	if err != nil {
		return nil, fmt.Errorf("building the WebSocket executor: %w", err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(kc.Config, "POST", u)
	if err != nil {
		return nil, fmt.Errorf("building the SPDY executor: %w", err)
	}
	return remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
}

// end reads how the command ended from the stream's error: a non-zero exit
// is a normal result; so are a timeout and a stop for too much output.
func (out *ExecOut) end(ctx context.Context, err error, c *capture) error {
	out.StdoutBytes, out.StderrBytes = c.stdout.total, c.stderr.total
	var exit utilexec.ExitError
	switch {
	case err == nil:
		out.Ended, out.ExitCode = endedExited, 0
	case errors.As(err, &exit):
		out.Ended, out.ExitCode = endedExited, exit.ExitStatus()
	case c.stopped():
		out.Ended = endedLimit
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		out.Ended = endedTimeout
	default:
		return toolset.Explain(err, toolset.Op{Verb: "create", Resource: "pods/exec", Namespace: out.Namespace, Name: out.Pod})
	}
	return nil
}

func execText(out *ExecOut, command []string, c *capture, budget int, timeout, took time.Duration) string {
	var b strings.Builder
	where := fmt.Sprintf("container %s of pod %s/%s", out.Container, out.Namespace, out.Pod)
	cmd := argv(command)
	switch out.Ended {
	case endedTimeout:
		fmt.Fprintf(&b, "%s did not finish within %s in %s; it may still be running there. Raise timeout_seconds (max %d) or run something shorter.\n",
			cmd, timeout, where, int(maxExecTimeout.Seconds()))
	case endedLimit:
		fmt.Fprintf(&b, "%s wrote more than %d bytes in %s, so kubemcp stopped it after %.1fs (it may still be running there). Narrow its output: head, grep, a smaller file.\n",
			cmd, execReadLimit, where, took.Seconds())
	default:
		fmt.Fprintf(&b, "%s exited with code %d after %.1fs in %s.\n", cmd, out.ExitCode, took.Seconds(), where)
	}
	// What the notes and fences take comes off the budget first; stderr gets
	// up to half of the rest, stdout what stderr leaves.
	room := max(budget-b.Len()-2*len(render.Fence("stdout of the command", ""))-2*len(dropNote("stdout", budget, budget, budget)), 0)
	stdout := c.stdout.head(room - min(len(c.stderr.kept), room/2))
	stderr := c.stderr.head(room - len(stdout))
	out.DroppedBytes = out.StdoutBytes - len(stdout) + out.StderrBytes - len(stderr)
	writeStream(&b, "stdout", stdout, out.StdoutBytes, budget)
	writeStream(&b, "stderr", stderr, out.StderrBytes, budget)
	return b.String()
}

// argv shows the command as a JSON array, cut if long.
func argv(cmd []string) string {
	b, _ := json.Marshal(cmd)
	if len(b) > 200 {
		return string(b[:200]) + "...]"
	}
	return string(b)
}

func writeStream(b *strings.Builder, name, text string, total, budget int) {
	switch {
	case total == 0 && name == "stdout":
		b.WriteString("No output on stdout.\n")
		return
	case total == 0:
		return
	}
	if len(text) < total {
		b.WriteString(dropNote(name, len(text), total-len(text), budget))
	}
	b.WriteString(render.Fence(name+" of the command", text))
}

func dropNote(stream string, shown, dropped, budget int) string {
	return fmt.Sprintf("[%s: the first %d bytes shown, %d more left out: the answer is capped at %d bytes. Narrow the output or raise max_bytes.]\n",
		stream, shown, dropped, budget)
}

// capture keeps the head of a command's output, up to keep bytes of stdout
// and stderr together, and counts the rest; once more than limit bytes were
// read in all, it calls stop.
type capture struct {
	keep, limit int
	stop        func()

	mu             sync.Mutex
	kept, read     int
	halted         bool
	stdout, stderr stream
}

// stream is what one of the command's outputs wrote.
type stream struct {
	kept  []byte
	total int
}

// sink is a writer into s.
func (c *capture) sink(s *stream) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		take := min(max(c.keep-c.kept, 0), len(p))
		s.kept = append(s.kept, p[:take]...)
		c.kept += take
		s.total += len(p)
		c.read += len(p)
		if c.read > c.limit && !c.halted {
			c.halted = true
			c.stop()
		}
		return len(p), nil
	})
}

func (c *capture) stopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.halted
}

// head is at most n bytes of what was kept, cut after a line if one ends in
// the second half; bytes that are not UTF-8 (a character cut in two, binary
// output) are left out.
func (s *stream) head(n int) string {
	b := s.kept[:min(max(n, 0), len(s.kept))]
	if i := bytes.LastIndexByte(b, '\n'); len(b) < len(s.kept) && i >= len(b)/2 {
		b = b[:i+1]
	}
	return strings.ToValidUTF8(string(b), "")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
