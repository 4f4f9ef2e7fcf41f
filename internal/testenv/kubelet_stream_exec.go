package testenv

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// fakeRuntime is a fake container runtime behind the fake kubelet's exec: no
// real one can run here. It knows a few commands and runs them with their
// real semantics against the pod's spec; any other command is not found
// (exit 127), as a shell says.
type fakeRuntime struct{ pod *corev1.Pod }

// proc is one running command: its streams, never nil, and its container.
type proc struct {
	ctx       context.Context
	in        io.Reader
	out, errs io.Writer
	pod       *corev1.Pod
	container *corev1.Container
}

// command runs with its arguments and returns its exit code.
type command func(p proc, args []string) int

var commands = map[string]command{
	"echo":     runEcho,
	"hostname": func(p proc, _ []string) int { fmt.Fprintln(p.out, hostname(p.pod)); return 0 },
	"cat":      runCat,
	"env":      runEnv,
	"sleep":    runSleep,
	"exit":     runExit,
	"yes":      runYes,
	"true":     func(proc, []string) int { return 0 },
	"false":    func(proc, []string) int { return 1 },
}

// ExecInContainer implements the kubelet's remotecommand.Executor.
func (f fakeRuntime) ExecInContainer(ctx context.Context, _ string, _ types.UID, container string, cmd []string,
	in io.Reader, out, errs io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	c := f.container(container)
	if c == nil {
		return fmt.Errorf("container %q not found in pod %s/%s", container, f.pod.Namespace, f.pod.Name)
	}
	if len(cmd) == 0 {
		return fmt.Errorf("no command given")
	}
	p := proc{ctx: ctx, in: orEmpty(in), out: orDiscard(out), errs: orDiscard(errs), pod: f.pod, container: c}
	run, ok := commands[cmd[0]]
	if !ok {
		run = func(p proc, _ []string) int { fmt.Fprintf(p.errs, "%s: command not found\n", cmd[0]); return 127 }
	}
	code := run(p, cmd[1:])
	closeAll(out, errs) // the process exited: its output ends
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if code != 0 {
		return utilexec.CodeExitError{Err: fmt.Errorf("exit status %d", code), Code: code}
	}
	return nil
}

func (f fakeRuntime) container(name string) *corev1.Container {
	for i, c := range f.pod.Spec.Containers {
		if c.Name == name {
			return &f.pod.Spec.Containers[i]
		}
	}
	for i, c := range f.pod.Spec.InitContainers {
		if c.Name == name {
			return &f.pod.Spec.InitContainers[i]
		}
	}
	return nil
}

func runEcho(p proc, args []string) int {
	end := "\n"
	if len(args) > 0 && args[0] == "-n" {
		args, end = args[1:], ""
	}
	fmt.Fprint(p.out, strings.Join(args, " ")+end)
	return 0
}

func hostname(pod *corev1.Pod) string { return cmp.Or(pod.Spec.Hostname, pod.Name) }

// runCat copies stdin without arguments; of files, only /etc/hostname exists.
func runCat(p proc, args []string) int {
	if len(args) == 0 {
		_, _ = io.Copy(p.out, p.in)
		return 0
	}
	code := 0
	for _, f := range args {
		if f == "/etc/hostname" {
			fmt.Fprintln(p.out, hostname(p.pod))
			continue
		}
		fmt.Fprintf(p.errs, "cat: %s: No such file or directory\n", f)
		code = 1
	}
	return code
}

// runEnv prints the container's environment from its spec. Values from
// Secrets, ConfigMaps or fields are not resolved: the ref is printed.
func runEnv(p proc, _ []string) int {
	fmt.Fprintln(p.out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	fmt.Fprintln(p.out, "HOSTNAME="+hostname(p.pod))
	for _, e := range p.container.Env {
		fmt.Fprintf(p.out, "%s=%s\n", e.Name, envValue(e))
	}
	return 0
}

func envValue(e corev1.EnvVar) string {
	switch from := e.ValueFrom; {
	case from == nil:
		return e.Value
	case from.SecretKeyRef != nil:
		return fmt.Sprintf("<secretKeyRef %s/%s>", from.SecretKeyRef.Name, from.SecretKeyRef.Key)
	case from.ConfigMapKeyRef != nil:
		return fmt.Sprintf("<configMapKeyRef %s/%s>", from.ConfigMapKeyRef.Name, from.ConfigMapKeyRef.Key)
	case from.FieldRef != nil:
		return fmt.Sprintf("<fieldRef %s>", from.FieldRef.FieldPath)
	}
	return "<valueFrom>"
}

// runSleep waits N seconds, or until the exec is cancelled.
func runSleep(p proc, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(p.errs, "sleep: want one argument, seconds")
		return 1
	}
	secs, err := strconv.ParseFloat(args[0], 64)
	if err != nil || secs < 0 {
		fmt.Fprintf(p.errs, "sleep: invalid time interval %q\n", args[0])
		return 1
	}
	select {
	case <-time.After(time.Duration(secs * float64(time.Second))):
	case <-p.ctx.Done():
	}
	return 0
}

// runExit is the shell builtin: exit with the code given.
func runExit(p proc, args []string) int {
	if len(args) == 0 {
		return 0
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		fmt.Fprintf(p.errs, "exit: %s: numeric argument required\n", args[0])
		return 2
	}
	return n & 0xff
}

// runYes writes its argument (default y) over and over until stdout closes or
// the exec is cancelled: endless output.
func runYes(p proc, args []string) int {
	line := cmp.Or(strings.Join(args, " "), "y") + "\n"
	chunk := bytes.Repeat([]byte(line), max(1, 4096/len(line)))
	for p.ctx.Err() == nil {
		if _, err := p.out.Write(chunk); err != nil {
			return 1
		}
	}
	return 0
}

func orEmpty(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// closeAll closes the non-nil writers.
func closeAll(ws ...io.WriteCloser) {
	for _, w := range ws {
		if w != nil {
			_ = w.Close()
		}
	}
}
