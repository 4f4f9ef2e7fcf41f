package testenv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"
)

// StopAPIServer kills the kube-apiserver, leaving etcd and the data: the
// cluster is down (connections refused) until StartAPIServer. Tests of what
// kubemcp does when a cluster goes away use it.
func (e *Env) StopAPIServer() error {
	i := e.apiserverProc()
	if i < 0 {
		return errors.New("no kube-apiserver is running")
	}
	p := e.procs[i]
	e.procs = slices.Delete(e.procs, i, i+1)
	return p.kill()
}

// StartAPIServer starts the kube-apiserver StopAPIServer stopped, on the same
// port with the same certificates, and waits until it is ready.
func (e *Env) StartAPIServer(ctx context.Context) error {
	if e.apiserverProc() >= 0 {
		return errors.New("the kube-apiserver is already running")
	}
	api, err := e.startProcess("kube-apiserver", e.apiserver.bin, e.apiserver.args...)
	if err != nil {
		return err
	}
	if err := e.waitReady(ctx, api); err != nil {
		return fmt.Errorf("restarting the kube-apiserver: %w", err)
	}
	return nil
}

// PauseAPIServer stops the kube-apiserver with SIGSTOP: connections are
// accepted by the kernel but never answered, like a hung or partitioned
// cluster, until ResumeAPIServer.
func (e *Env) PauseAPIServer() error { return e.signalAPIServer(syscall.SIGSTOP) }

// ResumeAPIServer lets a paused kube-apiserver run again.
func (e *Env) ResumeAPIServer() error { return e.signalAPIServer(syscall.SIGCONT) }

func (e *Env) signalAPIServer(sig syscall.Signal) error {
	i := e.apiserverProc()
	if i < 0 {
		return errors.New("no kube-apiserver is running")
	}
	if err := syscall.Kill(-e.procs[i].cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("signalling the kube-apiserver: %w", err)
	}
	return nil
}

// apiserverProc is the index of the running kube-apiserver in e.procs, or -1.
func (e *Env) apiserverProc() int {
	return slices.IndexFunc(e.procs, func(p *process) bool { return p.name == "kube-apiserver" })
}
