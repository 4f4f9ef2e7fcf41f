package clusters

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/rest"
)

// DefaultPoll is how often Watch looks at the kubeconfig files.
const DefaultPoll = 2 * time.Second

// Change is what a reload changed. Changed clusters kept their name but not
// their server or credentials: their clients were dropped.
type Change struct {
	Added, Removed, Changed []string
	Default                 string // the default cluster after the change
}

func (c Change) empty(oldDefault string) bool {
	return len(c.Added)+len(c.Removed)+len(c.Changed) == 0 && c.Default == oldDefault
}

// OnChange calls fn after every reload that changed the clusters.
func (m *Manager) OnChange(fn func(Change)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onChange = append(m.onChange, fn)
}

// Watch reloads the sources every interval (DefaultPoll when zero) until ctx
// ends. Polling, rather than file events, sees files replaced by rename (as
// editors and kubectl write them) and directories that gain a file alike.
func (m *Manager) Watch(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultPoll
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.Reload(); err != nil {
				m.logger().Warn("kubeconfig not reloaded; keeping the clusters as they were", "error", err)
			}
		}
	}
}

// Reload reads the sources again and, if they changed, starts serving what
// they now say: new clusters are added, removed ones dropped, and changed
// ones get new clients. A source that cannot be read leaves everything as it
// was and returns the error.
func (m *Manager) Reload() (Change, error) {
	snap, warnings, err := m.opts.load()
	if err != nil {
		return Change{}, err
	}
	m.mu.Lock()
	if snap.stamp == m.snap.stamp {
		defer m.mu.Unlock()
		return Change{Default: m.snap.def}, nil
	}
	change, oldDefault := diff(m.snap, snap), m.snap.def
	for _, name := range slices.Concat(change.Removed, change.Changed) {
		delete(m.clients, name)
		m.cache.drop(name + "\x00")
		m.health.forget(name)
	}
	m.snap = snap
	listeners := slices.Clone(m.onChange)
	m.mu.Unlock()

	for _, w := range warnings {
		m.logger().Warn("skipping kubeconfig context", "error", w)
	}
	if change.empty(oldDefault) {
		return change, nil
	}
	m.logger().Info("clusters reloaded", "added", strings.Join(change.Added, ","), "removed", strings.Join(change.Removed, ","),
		"changed", strings.Join(change.Changed, ","), "default", change.Default)
	for _, fn := range listeners {
		fn(change)
	}
	return change, nil
}

func diff(old, cur *snapshot) Change {
	c := Change{Default: cur.def}
	for name, cfg := range cur.configs {
		was, ok := old.configs[name]
		switch {
		case !ok:
			c.Added = append(c.Added, name)
		case !sameConfig(was, cfg) || old.namespace(name) != cur.namespace(name):
			c.Changed = append(c.Changed, name)
		}
	}
	for name := range old.configs {
		if _, ok := cur.configs[name]; !ok {
			c.Removed = append(c.Removed, name)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Removed)
	slices.Sort(c.Changed)
	return c
}

// sameConfig says whether two configs reach a cluster the same way.
// clientcmd turns a proxy-url into a Proxy func, which reflect.DeepEqual
// never finds equal to another: the proxies are compared by the URL they give.
func sameConfig(a, b *rest.Config) bool {
	ac, bc := *a, *b
	ac.Proxy, bc.Proxy = nil, nil
	return reflect.DeepEqual(ac, bc) && proxyOf(a) == proxyOf(b)
}

func proxyOf(c *rest.Config) string {
	if c.Proxy == nil {
		return ""
	}
	u, err := c.Proxy(&http.Request{URL: &url.URL{Scheme: "https"}})
	return fmt.Sprint(u, err) // clientcmd's http.ProxyURL gives its URL for any request
}
