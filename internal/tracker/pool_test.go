package tracker

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var configmaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// impersonating is a clusters.Manager that reaches the test cluster as each
// call's caller, the way kubemcp serves authenticated users.
func impersonating(t *testing.T) *clusters.Manager {
	t.Helper()
	m, err := clusters.New(clusters.Options{Kubeconfig: env.Kubeconfig, Credentials: clusters.Impersonate})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func as(ctx context.Context, user string) context.Context {
	return identity.NewContext(ctx, &identity.Identity{User: user, Groups: env.Users[user].Groups})
}

// grantConfigMaps lets user watch the ConfigMaps of ns.
func grantConfigMaps(t *testing.T, ns, user string) {
	t.Helper()
	rule := rbacv1.PolicyRule{Verbs: []string{"list", "watch", "get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}
	if err := env.Grant(t.Context(), ns, "watch-configmaps-"+user, rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, rule); err != nil {
		t.Fatal(err)
	}
}

func createConfigMap(t *testing.T, ns, name string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func wantStats(t *testing.T, p *Pool, want Stats) {
	t.Helper()
	testenv.Eventually(t, 2*time.Second, fmt.Sprintf("the pool holding %+v", want), func() bool { return p.Stats() == want })
}

func TestPoolOneTrackerPerCallerAndCluster(t *testing.T) {
	ns := namespace(t, "pool-callers")
	grantConfigMaps(t, ns, "alice")
	grantConfigMaps(t, ns, "bob")
	p := NewPool(impersonating(t), PoolOptions{})
	defer p.Close()
	alice, bob := newRecorder(), newRecorder()
	target := Target{Resource: configmaps, Namespace: ns}

	stopA, err := p.Watch(as(t.Context(), "alice"), "", target, alice.add)
	if err != nil {
		t.Fatal(err)
	}
	// The default cluster named or not, another target: still alice's tracker.
	stopA2, err := p.Watch(as(t.Context(), "alice"), testenv.KubeContext, Target{Resource: configmaps, Namespace: ns, Name: "x"}, func(Event) {})
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, p, Stats{Trackers: 1, Watches: 1, Watchers: 2})
	stopB, err := p.Watch(as(t.Context(), "bob"), "", target, bob.add)
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, p, Stats{Trackers: 2, Watches: 2, Watchers: 3}) // bob never shares alice's watch

	createConfigMap(t, ns, "seen")
	for _, r := range []*recorder{alice, bob} {
		if e := r.next(t); e.Type != Added || e.New.GetName() != "seen" {
			t.Fatalf("got %s %s", e.Type, e.Object().GetName())
		}
	}
	stopB()
	stopB()
	wantStats(t, p, Stats{Trackers: 1, Watches: 1, Watchers: 2})
	stopA()
	stopA2()
	wantStats(t, p, Stats{}) // the last watcher closed the tracker
}

func TestPoolWatchesAsTheCaller(t *testing.T) {
	ns := namespace(t, "pool-rbac")
	p := NewPool(impersonating(t), PoolOptions{Tracker: Options{SyncTimeout: 5 * time.Second}})
	defer p.Close()
	_, err := p.Watch(as(t.Context(), "carol"), "", Target{Resource: configmaps, Namespace: ns}, func(Event) {})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("carol, who may not list ConfigMaps: %v, want forbidden", err)
	}
	wantStats(t, p, Stats{})
	if _, err := p.Watch(t.Context(), "", Target{Resource: configmaps, Namespace: ns}, func(Event) {}); !errors.Is(err, clusters.ErrNoIdentity) {
		t.Fatalf("no caller with impersonation: %v, want ErrNoIdentity", err)
	}
	if _, err := p.Watch(as(t.Context(), "admin"), "elsewhere", Target{Resource: configmaps}, func(Event) {}); !errors.Is(err, clusters.ErrUnknownCluster) {
		t.Fatalf("unknown cluster: %v", err)
	}
	wantStats(t, p, Stats{})
}

func TestPoolContextEndsTheWatch(t *testing.T) {
	ns := namespace(t, "pool-ctx")
	m, err := clusters.New(clusters.Options{Kubeconfig: env.Kubeconfig}) // server credentials: no caller needed
	if err != nil {
		t.Fatal(err)
	}
	p := NewPool(m, PoolOptions{})
	defer p.Close()
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := p.Watch(ctx, "", Target{Resource: configmaps, Namespace: ns}, func(Event) {}); err != nil {
		t.Fatal(err)
	}
	wantStats(t, p, Stats{Trackers: 1, Watches: 1, Watchers: 1})
	cancel()
	wantStats(t, p, Stats{})
}

func TestPoolBounds(t *testing.T) {
	ns := namespace(t, "pool-bounds")
	watch := func(p *Pool, user string, res schema.GroupVersionResource) error {
		_, err := p.Watch(as(t.Context(), user), "", Target{Resource: res, Namespace: ns}, func(Event) {})
		return err
	}
	tests := []struct {
		name string
		opts PoolOptions
		user string // of the second watch; the first is admin's pods
		res  schema.GroupVersionResource
		want error
	}{
		{"trackers", PoolOptions{MaxTrackers: 1}, "bob", pods, ErrTooManyTrackers},
		{"watches across trackers", PoolOptions{MaxWatches: 1}, "bob", configmaps, ErrTooManyWatches},
		{"watches of one tracker", PoolOptions{Tracker: Options{MaxWatches: 1}}, "admin", configmaps, ErrTooManyWatches},
		{"watchers", PoolOptions{MaxWatchers: 1}, "admin", pods, ErrTooManyWatchers},
	}
	grantConfigMaps(t, ns, "bob")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPool(impersonating(t), tt.opts)
			defer p.Close()
			if err := watch(p, "admin", pods); err != nil {
				t.Fatal(err)
			}
			before := p.Stats()
			err := watch(p, tt.user, tt.res)
			if !errors.Is(err, tt.want) {
				t.Fatalf("over the limit: %v, want %v", err, tt.want)
			}
			t.Log(err)
			wantStats(t, p, before) // a refused watch holds nothing
		})
	}
}

func TestPoolClose(t *testing.T) {
	ns := namespace(t, "pool-close")
	p := NewPool(impersonating(t), PoolOptions{})
	stop, err := p.Watch(as(t.Context(), "admin"), "", Target{Resource: configmaps, Namespace: ns}, func(Event) {})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	wantStats(t, p, Stats{})
	stop() // a watcher of a closed pool leaves cleanly
	if _, err := p.Watch(as(t.Context(), "admin"), "", Target{Resource: configmaps, Namespace: ns}, func(Event) {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	wantStats(t, p, Stats{})
}

// TestPoolReopensOnReload: the kubeconfig entry of a watched cluster
// rewritten and reloaded, the watch is opened again through the new client
// and its watcher told Reopened, then sees changes again; a new credential
// the apiserver refuses, or the cluster gone, ends it with why, and the pool
// holds nothing more.
func TestPoolReopensOnReload(t *testing.T) {
	ns := namespace(t, "pool-reload")
	tests := []struct {
		name string
		edit func(*clientcmdapi.Config)
		want string // what the watcher is told: Reopened, or Ended with this
	}{
		{"new server URL", func(c *clientcmdapi.Config) {
			c.Clusters["alpha"].Server = strings.Replace(c.Clusters["alpha"].Server, "127.0.0.1", "localhost", 1)
		}, Reopened},
		{"token refused", func(c *clientcmdapi.Config) { c.AuthInfos["alpha"].Token = "rotated-wrongly" }, "Unauthorized"},
		{"cluster removed", func(c *clientcmdapi.Config) {
			c.Contexts["beta"], c.CurrentContext = c.Contexts["alpha"], "beta"
			delete(c.Contexts, "alpha")
		}, "unknown cluster"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			if err := testenv.WriteKubeconfig(path, "admin", "alpha", map[string]*testenv.Env{"alpha": env}); err != nil {
				t.Fatal(err)
			}
			m, err := clusters.New(clusters.Options{Kubeconfig: path})
			if err != nil {
				t.Fatal(err)
			}
			p := NewPool(m, PoolOptions{})
			defer p.Close()
			m.OnChange(func(c clusters.Change) { p.Forget(slices.Concat(c.Removed, c.Changed)...) })
			rec := newRecorder()
			stop, err := p.Watch(t.Context(), "alpha", Target{Resource: configmaps, Namespace: ns}, rec.add)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if err := testenv.EditKubeconfig(path, tt.edit); err != nil {
				t.Fatal(err)
			}
			if c, err := m.Reload(); err != nil || len(c.Changed)+len(c.Removed) != 1 {
				t.Fatalf("reload: %+v, %v; want alpha changed or removed", c, err)
			}
			e := rec.next(t)
			if tt.want != Reopened {
				if e.Type != Ended || e.Err == nil || !strings.Contains(e.Err.Error(), tt.want) {
					t.Fatalf("told %s (%v), want ended: %s", e.Type, e.Err, tt.want)
				}
				t.Log(e.Err)
				wantStats(t, p, Stats{})
				return
			}
			if e.Type != Reopened {
				t.Fatalf("told %s, want reopened", e.Type)
			}
			wantStats(t, p, Stats{Trackers: 1, Watches: 1, Watchers: 1})
			name := fmt.Sprint("after-reload-", i)
			createConfigMap(t, ns, name)
			if e := rec.next(t); e.Type != Added || e.New.GetName() != name {
				t.Fatalf("after reopening: %s %v, want %s added", e.Type, e.Object(), name)
			}
		})
	}
}

// TestPoolUserShares: one user filling her share of the pool, under any of
// her credentials, leaves room for another (issue 18, finding 4).
func TestPoolUserShares(t *testing.T) {
	ns1, ns2, ns3 := namespace(t, "pool-share-1"), namespace(t, "pool-share-2"), namespace(t, "pool-share-3")
	for _, ns := range []string{ns1, ns2, ns3} {
		grantConfigMaps(t, ns, "alice")
		grantConfigMaps(t, ns, "bob")
	}
	// alice under another credential: the same user, another tracker.
	aliceToo := identity.NewContext(t.Context(), &identity.Identity{User: "alice", Groups: []string{"elsewhere"}})
	t.Run("watchers", func(t *testing.T) {
		p := NewPool(impersonating(t), PoolOptions{MaxWatchers: 4, MaxWatchersPerUser: 3})
		defer p.Close()
		for _, ctx := range []context.Context{as(t.Context(), "alice"), as(t.Context(), "alice"), aliceToo} {
			if _, err := p.Watch(ctx, "", Target{Resource: configmaps, Namespace: ns1}, func(Event) {}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := p.Watch(as(t.Context(), "alice"), "", Target{Resource: configmaps, Namespace: ns1}, func(Event) {})
		if !errors.Is(err, ErrTooManyWatchers) || !strings.Contains(err.Error(), "alice holds 3 watchers") || !strings.Contains(err.Error(), "--user-watchers") {
			t.Fatalf("alice's fourth watcher: %v", err)
		}
		if _, err := p.Watch(as(t.Context(), "bob"), "", Target{Resource: configmaps, Namespace: ns1}, func(Event) {}); err != nil {
			t.Fatalf("bob, with alice at her share: %v", err)
		}
	})
	t.Run("watches", func(t *testing.T) {
		p := NewPool(impersonating(t), PoolOptions{MaxWatches: 3, MaxWatchesPerUser: 2})
		defer p.Close()
		for _, w := range []struct {
			ctx context.Context
			ns  string
		}{{as(t.Context(), "alice"), ns1}, {aliceToo, ns2}} {
			if _, err := p.Watch(w.ctx, "", Target{Resource: configmaps, Namespace: w.ns}, func(Event) {}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ctx := range []context.Context{as(t.Context(), "alice"), aliceToo} {
			_, err := p.Watch(ctx, "", Target{Resource: configmaps, Namespace: ns3}, func(Event) {})
			if !errors.Is(err, ErrTooManyWatches) || !strings.Contains(err.Error(), "alice watches 2 resources and namespaces") || !strings.Contains(err.Error(), "--user-watches") {
				t.Fatalf("alice's third watch: %v", err)
			}
		}
		if _, err := p.Watch(as(t.Context(), "bob"), "", Target{Resource: configmaps, Namespace: ns3}, func(Event) {}); err != nil {
			t.Fatalf("bob, with alice at her share: %v", err)
		}
		wantStats(t, p, Stats{Trackers: 3, Watches: 3, Watchers: 3})
	})
}
