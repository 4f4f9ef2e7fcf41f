package clusters

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fan-out defaults: a cluster that has not answered in DefaultTimeout is
// reported as timed out, and at most DefaultConcurrency clusters are asked at
// once.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 8
)

// Outcome is how one cluster's part of a fan-out went.
type Outcome struct {
	Cluster string
	Err     error // ErrSkipped, ErrTimeout, or what the cluster's call returned
	Took    time.Duration
}

// Skipped says whether the cluster was left out without being asked.
func (o Outcome) Skipped() bool { return errors.Is(o.Err, ErrSkipped) }

// Select turns a cluster argument into cluster names, as Match does.
func (m *Manager) Select(spec string) ([]string, error) {
	snap := m.current()
	return Match(snap.names(), snap.def, spec)
}

// Match turns a cluster argument into the names of all that it names: ""
// is the default cluster def, "*" every cluster, and otherwise a
// comma-separated list of names or patterns ("prod-*"). A name or pattern
// that matches nothing is an error that lists the clusters there are.
func Match(all []string, def, spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	switch spec {
	case "":
		return []string{def}, nil
	case "*":
		return all, nil
	}
	var names, unknown []string
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		found := false
		for _, name := range all {
			if ok, _ := path.Match(item, name); ok || item == name {
				found = true
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
		if !found {
			unknown = append(unknown, item)
		}
	}
	if len(unknown) > 0 || len(names) == 0 {
		return nil, fmt.Errorf("cluster %q: %w: no cluster matches %s; configured clusters: %s",
			spec, ErrUnknownCluster, strings.Join(unknown, ", "), strings.Join(all, ", "))
	}
	return names, nil
}

// Fan calls fn for each named cluster in parallel, at most Concurrency at a
// time, each under the per-cluster Timeout (which fn may Extend), and returns
// the values and outcomes in the order of names. A cluster that could not be
// reached is skipped fast until its backoff ends. done, when not nil, hears
// about each cluster as it finishes, one at a time.
func Fan[T any](ctx context.Context, m *Manager, names []string, fn func(ctx context.Context, cluster string) (T, error), done func(Outcome)) ([]T, []Outcome) {
	return fan(ctx, m, names, false, m.timeout(), fn, done)
}

// fan is Fan; probing says fn is itself a probe of the cluster (Probe,
// Ready): then every cluster is asked, in backoff or not, and fn's failure
// to reach one is the verdict on it.
func fan[T any](ctx context.Context, m *Manager, names []string, probing bool, timeout time.Duration,
	fn func(ctx context.Context, cluster string) (T, error), done func(Outcome)) ([]T, []Outcome) {
	values, outcomes := make([]T, len(names)), make([]Outcome, len(names))
	slots := make(chan struct{}, m.concurrency())
	var wg sync.WaitGroup
	var report sync.Mutex
	for i, name := range names {
		wg.Go(func() {
			outcomes[i] = Outcome{Cluster: name}
			if err := m.health.skip(name); !probing && err != nil {
				outcomes[i].Err = err
			} else {
				select {
				case slots <- struct{}{}:
					values[i], outcomes[i] = ask(ctx, m, name, probing, timeout, fn)
					<-slots
				case <-ctx.Done():
					outcomes[i].Err = ctx.Err()
				}
			}
			if done != nil {
				report.Lock()
				defer report.Unlock()
				done(outcomes[i])
			}
		})
	}
	wg.Wait()
	return values, outcomes
}

// ask calls fn for one cluster and gives up on it at the timeout; a call
// left running then has its context cancelled and its result dropped.
func ask[T any](ctx context.Context, m *Manager, name string, probing bool, timeout time.Duration,
	fn func(ctx context.Context, cluster string) (T, error)) (T, Outcome) {
	cctx, lim := withLimit(ctx, timeout)
	defer lim.stop()
	type result struct {
		v   T
		err error
	}
	answer := make(chan result, 1)
	start := time.Now()
	go func() {
		v, err := fn(cctx, name)
		answer <- result{v, err}
	}()
	var r result
	answered := false
	select {
	case r = <-answer:
		answered = true
	case <-cctx.Done():
	}
	o := Outcome{Cluster: name, Err: r.err, Took: time.Since(start)}
	switch {
	case ctx.Err() != nil:
		o.Err = ctx.Err() // the caller gave up: no verdict on the cluster
		return r.v, o
	case !answered || (r.err != nil && cctx.Err() != nil):
		o.Err = fmt.Errorf("%w: no answer within %s", ErrTimeout, lim.allowed())
	}
	m.judge(ctx, name, probing, o.Err)
	return r.v, o
}

// judge records what a cluster's part of a fan-out says of the cluster,
// which every caller's fan-outs then go by: an answer, even an error, means
// it is reachable. A timeout or a failed connection may be the call's own
// doing (a watch, a slow list, a dial elsewhere) and another caller's call
// must not be skipped for it, so unless the call was a probe itself, the
// cluster is probed and only the probe's failure puts it in backoff.
func (m *Manager) judge(ctx context.Context, name string, probing bool, err error) {
	if !unreachable(err) {
		m.health.observe(name, nil)
		return
	}
	if !probing {
		err = m.reach(ctx, name)
	}
	if ctx.Err() == nil { // a probe the caller cut short says nothing
		m.health.observe(name, err)
	}
}

func (m *Manager) timeout() time.Duration {
	if m.opts.Timeout > 0 {
		return m.opts.Timeout
	}
	return DefaultTimeout
}

func (m *Manager) concurrency() int {
	if m.opts.Concurrency > 0 {
		return m.opts.Concurrency
	}
	return DefaultConcurrency
}
