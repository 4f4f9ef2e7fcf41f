package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// spawner starts child processes from one OS thread that it keeps to itself.
//
// Pdeathsig is sent when the *thread* that forked the child exits, not when the
// process does (prctl(2): "the parent is the thread that created this process";
// golang/go#27505). cmd.Start may run on any runtime thread, and a thread exits
// whenever a goroutine that locked it returns without unlocking, so a child
// forked from an arbitrary thread could be killed at a random moment. Forking
// from a goroutine that locks its thread and holds it until the Env stops makes
// the signal mean what we want: children get SIGKILL when the Env stops or the
// test binary dies (even by SIGKILL), never earlier.
type spawner struct {
	mu     sync.Mutex
	reqs   chan spawnReq
	closed bool
}

type spawnReq struct {
	cmd  *exec.Cmd
	errc chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	runtime.LockOSThread()
	// Never unlocked on purpose: when loop returns the thread exits, and the
	// kernel sends Pdeathsig to any child still alive.
	for r := range s.reqs {
		r.errc <- r.cmd.Start()
	}
}

// start starts cmd on the spawner's thread, in its own process group, with
// SIGKILL as its parent-death signal.
func (s *spawner) start(cmd *exec.Cmd) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("the env is stopped")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	errc := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, errc: errc}
	return <-errc
}

func (s *spawner) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.reqs)
	}
}

// process is a child started by the env, with its output in a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // how it exited; valid after done
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL to the process group and waits for the process to be reaped.
func (p *process) kill() error {
	if p.exited() {
		return nil
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s (pid %d): %w", p.name, p.cmd.Process.Pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) still running 10s after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// startProcess runs bin with args, its output going to <Dir>/<name>.log.
func (e *Env) startProcess(name, bin string, args ...string) (*process, error) {
	logPath := e.path(name + ".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the log of %s: %w", name, err)
	}
	defer f.Close() // the child holds its own copy
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := e.spawner.start(cmd); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	e.procs = append(e.procs, p)
	e.log.Debug("started", "process", name, "pid", cmd.Process.Pid, "log", logPath)
	return p, nil
}

// StartProcess starts cmd so that it dies with the Env (Stop) or with this
// program, whichever comes first: it is forked from the env's spawner thread
// with Pdeathsig SIGKILL, in its own process group. It overwrites
// cmd.SysProcAttr. The caller owns the process (Wait, signals).
func (e *Env) StartProcess(cmd *exec.Cmd) error {
	return e.spawner.start(cmd)
}
