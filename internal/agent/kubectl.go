package agent

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/kubemcp/kubemcp/internal/tools/cli"
)

// KubectlRequest is the payload of a kubectl request. A command that may
// change the cluster is first answered with a Preview; it runs when the
// same request comes again with Confirmed, on the same socket.
type KubectlRequest struct {
	Args      []string `json:"args"`
	Namespace string   `json:"namespace,omitempty"`
	Context   string   `json:"context,omitempty"`
	Stdin     string   `json:"stdin,omitempty"`
	Confirmed bool     `json:"confirmed,omitempty"`
}

// Preview is the result of a kubectl request that needs confirmation.
type Preview struct {
	ConfirmationRequired bool   `json:"confirmationRequired"`
	Command              string `json:"command"`
	// Preview is the apiserver's answer to the command as a server-side dry
	// run, or, for a command without one, what will run.
	Preview string `json:"preview"`
	DryRun  bool   `json:"dryRun"`
}

// StreamEnd ends a kubectl command's output.
type StreamEnd struct {
	ExitCode      int     `json:"exitCode"`
	ExecutionTime float64 `json:"executionTime"`
}

// Progress says what a request is doing.
type Progress struct {
	Message string `json:"message"`
}

// Chunk is one piece of a command's output.
type Chunk struct {
	Data string `json:"data"`
}

// chunkSize bounds one stream_chunk's output.
const chunkSize = 32 << 10

func (c *conn) kubectl(ctx context.Context, m Message) error {
	var k KubectlRequest
	if err := json.Unmarshal(m.Payload, &k); err != nil || len(k.Args) == 0 {
		return &requestError{"bad_payload", `kubectl needs {"args": ["get", "pods"], "namespace"?, "context"?, "stdin"?, "confirmed"?}`}
	}
	if !c.kubectlOK {
		return &requestError{"no_kubectl", "kubectl is not on the agent's PATH; install it and start the agent again"}
	}
	changes, err := cli.CheckKubectl(k.Args)
	if err != nil {
		return &requestError{"VALIDATION_ERROR", "Command is restricted for security reasons: " + err.Error()}
	}
	if changes {
		confirmed, err := c.confirm(ctx, m, k)
		if err != nil || !confirmed {
			return err
		}
	}
	c.answer(m, TypeProgress, Progress{"running " + k.command()})
	out, err := c.runTool(ctx, k)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk([]byte(out.Output), chunkSize) {
		c.answer(m, TypeStreamChunk, Chunk{string(chunk)})
	}
	c.answer(m, TypeStreamEnd, StreamEnd{ExitCode: out.ExitCode, ExecutionTime: out.ExecutionTime})
	return nil
}

// confirm reports whether k, a command that may change the cluster, may
// run: it was previewed on this socket and now comes confirmed. Otherwise
// it answers with the preview, and remembers it, for a confirmed request to
// follow.
func (c *conn) confirm(ctx context.Context, m Message, k KubectlRequest) (bool, error) {
	key := k.key()
	c.previewM.Lock()
	seen := c.previewed[key]
	if k.Confirmed {
		delete(c.previewed, key) // one confirmation runs one command
	}
	c.previewM.Unlock()
	switch {
	case k.Confirmed && seen:
		return true, nil
	case k.Confirmed:
		return false, &requestError{"not_previewed", "confirmed: true runs only a command this socket previewed; send it once without confirmed, show the preview, then send it again with confirmed: true"}
	}
	p, err := c.preview(ctx, k)
	if err != nil {
		return false, err
	}
	c.previewM.Lock()
	c.previewed[key] = true
	c.previewM.Unlock()
	c.answer(m, TypeResult, p)
	return false, nil
}

func (c *conn) preview(ctx context.Context, k KubectlRequest) (Preview, error) {
	p := Preview{ConfirmationRequired: true, Command: k.command()}
	if !dryRunnable(k.Args) {
		p.Preview = k.command() + "\nThis command has no dry run: nothing was checked. Confirm to run it as written."
		return p, nil
	}
	if slices.ContainsFunc(k.Args, func(a string) bool { return a == "--dry-run" || strings.HasPrefix(a, "--dry-run=") }) {
		// A --dry-run=none of the caller's after ours would make the
		// preview the real change.
		return p, &requestError{"VALIDATION_ERROR", "--dry-run is the agent's to set: every change is previewed by a server dry run first; leave it out"}
	}
	dry := k
	// Right after the subcommand, not at the end: a flag at the end missing
	// its value would take --dry-run=server as its value and run for real.
	dry.Args = slices.Insert(slices.Clone(k.Args), 1, "--dry-run=server")
	out, err := c.runTool(ctx, dry)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			re.msg = "the dry run of " + k.command() + " failed, so it was not offered to run: " + re.msg
		}
		return p, err
	}
	p.Preview, p.DryRun = out.Output, true
	return p, nil
}

// key is what a confirmation is bound to: the whole command but Confirmed.
func (k KubectlRequest) key() string {
	k.Confirmed = false
	b, _ := json.Marshal(k)
	return string(b)
}
