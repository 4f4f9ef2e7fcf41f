package testenv

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"
)

// Main runs a package's tests against one cluster; call it from TestMain:
//
//	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
//
// It starts the env, hands it to set, runs the tests, stops the env and returns
// the exit code. If the cluster cannot start it says why and returns 1: tests
// that need a cluster fail rather than skip. On SIGINT or SIGTERM it stops the
// env (or aborts the start) and then dies of the same signal.
func Main(m *testing.M, opts Options, set func(*Env)) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var current atomic.Pointer[Env]
	started := make(chan struct{})
	stopSignals := onSignal(func(sig syscall.Signal) {
		cancel()
		<-started
		if e := current.Load(); e != nil {
			_ = e.Stop()
		}
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig)
	})
	defer stopSignals()

	env, err := Start(ctx, opts)
	if err == nil {
		current.Store(env)
	}
	close(started)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		return 1
	}
	set(env)
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: stopping the cluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// onSignal calls f in a goroutine on the first SIGINT or SIGTERM. The returned
// function stops listening.
func onSignal(f func(syscall.Signal)) func() {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			f(sig.(syscall.Signal))
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
