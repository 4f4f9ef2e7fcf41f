package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// In is the input of every CLI tool.
type In struct {
	toolset.Approval
	toolset.TextCap
	Args           []string `json:"args" jsonschema:"argv, subcommand first, e.g. [\"get\",\"pods\"]"`
	Namespace      string   `json:"namespace,omitempty" jsonschema:"default: the context's"`
	Context        string   `json:"context,omitempty" jsonschema:"default: the server's"`
	Pipe           []Stage  `json:"pipe,omitempty" jsonschema:"text tools to pipe the output through"`
	Stdin          string   `json:"stdin,omitempty" jsonschema:"e.g. a manifest for -f -"`
	TimeoutSeconds int      `json:"timeout_seconds,omitempty" jsonschema:"default 30"`
}

// Result is the structured outcome of a CLI call.
type Result struct {
	Status        string     `json:"status" jsonschema:"success or error"`
	Output        string     `json:"output"`
	ExitCode      int        `json:"exit_code"`
	ExecutionTime float64    `json:"execution_time" jsonschema:"seconds"`
	Error         *ErrorInfo `json:"error,omitempty"`
}

// ErrorInfo says what went wrong.
type ErrorInfo struct {
	Message string  `json:"message"`
	Code    string  `json:"code" jsonschema:"VALIDATION_ERROR, EXECUTION_ERROR, AUTH_ERROR or TIMEOUT_ERROR"`
	Details Details `json:"details"`
}

// Details of a failed command.
type Details struct {
	Command  string `json:"command"`
	ExitCode int    `json:"exit_code"`
	Stderr   string `json:"stderr,omitempty"`
}

// Error codes.
const (
	codeValidation = "VALIDATION_ERROR"
	codeExecution  = "EXECUTION_ERROR"
	codeAuth       = "AUTH_ERROR"
	codeTimeout    = "TIMEOUT_ERROR"
)

const (
	defaultTimeout = 30 * time.Second
	maxTimeout     = 300 * time.Second
	captureLimit   = 8 << 20 // bytes of raw output kept before the budget cuts it
)

func (c *CLI) runner(t cliTool) toolset.Handler[In, Result] {
	return func(ctx context.Context, _ *mcp.CallToolRequest, in In) (string, Result, error) {
		return c.answer(ctx, t, in)
	}
}

// answer runs t as in says and shapes the answer, for the CLI tools and bash.
func (c *CLI) answer(ctx context.Context, t cliTool, in In) (string, Result, error) {
	start := time.Now()
	res, err := c.run(ctx, t, in)
	res.ExecutionTime = time.Since(start).Seconds()
	if err != nil {
		res.Status = "error"
		res.Error.Message = err.Error()
		return res.Error.Code + ": " + res.Error.Message + stderrNote(res.Error.Details.Stderr), res, toolset.WithOutput(err)
	}
	res.Status = "success"
	res.Output = render.Text(res.Output, c.deps.Budget(in.TextCap), "Narrow the command (a selector, a name) or pipe it through grep, head or tail.")
	return res.Output, res, nil
}

func stderrNote(stderr string) string {
	if stderr == "" {
		return ""
	}
	return "\nstderr:\n" + stderr
}

func (c *CLI) run(ctx context.Context, t cliTool, in In) (Result, error) {
	res := Result{Error: &ErrorInfo{Code: codeValidation, Details: Details{Command: strings.Join(append([]string{t.name}, in.Args...), " ")}}}
	cmd, err := t.rules.validate(in.Args, c.opts.ReadOnly, defaultExec)
	if err != nil {
		return res, fmt.Errorf("Command is restricted for security reasons: %w", err)
	}
	if in.Namespace, err = cmd.namespaceFor(in.Namespace); err != nil {
		return res, err
	}
	in.Args = cmd.argv
	if err := validatePipe(in.Pipe); err != nil {
		return res, fmt.Errorf("Command is restricted for security reasons: %w", err)
	}
	timeout, err := timeoutOf(in.TimeoutSeconds)
	if err != nil {
		return res, err
	}
	env, cleanup, err := c.environment(ctx, t, in)
	if err != nil {
		return res, err
	}
	defer cleanup()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := c.execute(ctx, t, in, env, &res)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Error.Code = codeTimeout
		return res, fmt.Errorf("Command timed out after %d seconds.", int(timeout.Seconds()))
	}
	if err != nil {
		return res, err
	}
	res.Output = out
	res.Error = nil
	return res, nil
}

func timeoutOf(seconds int) (time.Duration, error) {
	switch {
	case seconds == 0:
		return defaultTimeout, nil
	case seconds < 0 || time.Duration(seconds)*time.Second > maxTimeout:
		return 0, fmt.Errorf("timeout_seconds %d: want 1 to %d", seconds, int(maxTimeout.Seconds()))
	}
	return time.Duration(seconds) * time.Second, nil
}

// environment is the whole environment a command gets: nothing of kubemcp's
// own but PATH, and for Kubernetes tools a kubeconfig that reaches the chosen
// cluster only through kubemcp's policy proxy.
func (c *CLI) environment(ctx context.Context, t cliTool, in In) ([]string, func(), error) {
	tmp, err := os.MkdirTemp("", "kubemcp-cli-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	home := c.opts.StateDir
	switch {
	case !t.kube:
		home = os.Getenv("HOME") // argocd keeps its login there
	case home == "":
		home = tmp
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8", "NO_COLOR=1"}
	if !t.kube {
		return env, cleanup, nil
	}
	kc, err := c.deps.Clusters.Get(ctx, in.Context)
	if err != nil {
		cleanup()
		return nil, nil, c.contextError(in.Context, err)
	}
	ns := in.Namespace
	if ns == "" {
		ns = kc.Namespace
	}
	proxy, err := kc.StartProxy()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	path, err := proxy.WriteKubeconfig(tmp, ns)
	if err != nil {
		proxy.Close()
		cleanup()
		return nil, nil, err
	}
	env = append(env, "KUBECONFIG="+path, "HELM_NAMESPACE="+ns)
	return env, func() { proxy.Close(); cleanup() }, nil
}

func (c *CLI) contextError(name string, err error) error {
	if !errors.Is(err, clusters.ErrUnknownCluster) {
		return err
	}
	var names []string
	for _, cl := range c.deps.Clusters.List() {
		names = append(names, cl.Name)
	}
	return fmt.Errorf("Context not found in kubeconfig. Available contexts: %v", names)
}

// execute runs the command and then each pipe stage on the previous output,
// each its own process, none through a shell.
func (c *CLI) execute(ctx context.Context, t cliTool, in In, env []string, res *Result) (string, error) {
	stdout, stderr, code, err := runOne(ctx, t.path, in.Args, env, in.Stdin)
	res.ExitCode = code
	res.Error.Details.ExitCode = code
	res.Error.Details.Stderr = tailOf(stderr, 4096)
	if err != nil || code != 0 || reportsError(stderr) {
		res.Error.Code = classify(stderr)
		// kubectl auth can-i answers "no" on stdout with code 1 and says
		// nothing on stderr: the answer is the message then.
		msg := cmp.Or(errorLine(stderr), stderr, stdout)
		return "", fmt.Errorf("%s exited with code %d: %s", t.name, code, firstLine(msg, err))
	}
	if warnings := strings.TrimSpace(stderr); warnings != "" && len(in.Pipe) == 0 {
		stdout += "\n[stderr]\n" + tailOf(warnings, 2048) + "\n"
	}
	for i, st := range in.Pipe {
		path, lerr := exec.LookPath(st.Command)
		if lerr != nil {
			res.Error.Code = codeExecution
			return "", fmt.Errorf("pipe[%d]: %s is not installed on kubemcp's host", i, st.Command)
		}
		var serr string
		stdout, serr, code, err = runOne(ctx, path, st.Args, []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}, stdout)
		if noMatch := st.Command == "grep" && code == 1; err != nil || code != 0 && !noMatch {
			res.Error.Code = codeExecution
			res.Error.Details.Stderr = tailOf(serr, 4096)
			return "", fmt.Errorf("pipe[%d] %s exited with code %d: %s", i, st.Command, code, firstLine(serr, err))
		}
	}
	return stdout, nil
}

// reportsError catches commands that print an error yet exit 0 (kubectl
// cordon does, when the change is refused).
func reportsError(stderr string) bool { return errorLine(stderr) != "" }

func errorLine(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "error: ") || strings.HasPrefix(line, "Error: ") {
			return line
		}
	}
	return ""
}

var authFailure = regexp.MustCompile(`(?i)forbidden|unauthorized|kubemcp policy refused|must be logged in`)

func classify(stderr string) string {
	if authFailure.MatchString(stderr) {
		return codeAuth
	}
	return codeExecution
}

// runOne runs one process in its own process group, killed with its group
// when ctx ends, and returns its output (capped) and exit code.
func runOne(ctx context.Context, path string, args, env []string, stdin string) (string, string, int, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	cmd.Dir = os.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr capped
	stdout.limit, stderr.limit = captureLimit, 1<<20
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return stdout.String(), stderr.String(), exitErr.ExitCode(), nil
	}
	return stdout.String(), stderr.String(), 0, err
}

// capped keeps at most limit bytes and notes that it dropped the rest.
type capped struct {
	bytes.Buffer
	limit   int
	dropped int
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := max(c.limit-c.Len(), 0); room < n {
		c.dropped += n - room
		p = p[:room]
	}
	c.Buffer.Write(p)
	return n, nil // the rest is dropped on purpose, not a short write
}

func (c *capped) String() string {
	if c.dropped > 0 {
		return c.Buffer.String() + fmt.Sprintf("\n[%d more bytes of output dropped]\n", c.dropped)
	}
	return c.Buffer.String()
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func firstLine(stderr string, err error) string {
	if line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n"); line != "" {
		return line
	}
	if err != nil {
		return err.Error()
	}
	return "no error output"
}
