package cache_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// seen is what one watcher was told, in order: "type ns/name".
type seen struct {
	mu     sync.Mutex
	events []string
}

func (s *seen) add(e tracker.Event) {
	o := e.Object()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e.Type+" "+o.GetNamespace()+"/"+o.GetName())
}

func (s *seen) has(event string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.events, event)
}

func (s *seen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

func newPool(t *testing.T, s cache.Stack, shared bool) *tracker.Pool {
	t.Helper()
	opts := tracker.PoolOptions{}
	if shared {
		opts.Shared = s.Cache
	}
	p := tracker.NewPool(s.Clusters, opts)
	t.Cleanup(p.Close)
	return p
}

func createPod(t *testing.T, ns, name string) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	if _, err := cache.Env.Clientset("admin").CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestSharedWatches: in both credential modes, alice and bob watching pods
// in their own namespaces share the cache's one cluster-wide watch (no
// watch of their own reaches the apiserver; without the cache each has
// one), and each is told only of their own namespace's changes, as the
// tracker tells them.
func TestSharedWatches(t *testing.T) {
	w := newWorld(t)
	baseline := apiserverWatches(t, "pods", "namespace")
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		for _, shared := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/shared=%v", mode, shared), func(t *testing.T) {
				// The watches a run before this one stopped end on the
				// apiserver a moment later.
				testenv.Eventually(t, 10*time.Second, "the earlier runs' watches ended", func() bool {
					return apiserverWatches(t, "pods", "namespace") == baseline
				})
				s := cache.NewStack(t, mode, policy.Config{}, nil)
				pool := newPool(t, s, shared)
				before := apiserverWatches(t, "pods", "namespace")
				got := map[string]*seen{"alice": {}, "bob": {}}
				for user, ns := range map[string]string{"alice": w.a, "bob": w.b} {
					stop, err := pool.Watch(cache.As(t.Context(), user), "", tracker.Target{Resource: podsGVR, Namespace: ns}, got[user].add)
					if err != nil {
						t.Fatalf("%s watching pods in %s: %v", user, ns, err)
					}
					defer stop()
				}
				want := tracker.Stats{Trackers: 2, Watches: 2, Watchers: 2}
				if shared {
					want = tracker.Stats{Watchers: 2, Shared: 2}
				}
				if st := pool.Stats(); st != want {
					t.Fatalf("pool holds %+v, want %+v", st, want)
				}
				testenv.Eventually(t, 10*time.Second, "the apiserver's namespaced watches of pods", func() bool {
					return apiserverWatches(t, "pods", "namespace")-before == want.Watches
				})
				// Each handler gets the informer's events in order: bob's
				// pod comes first, so alice, told of hers, was not told of
				// his, nor bob of hers once told of his.
				suffix := strings.ToLower(string(mode)) + fmt.Sprint(shared)
				createPod(t, w.b, "b-"+suffix)
				createPod(t, w.a, "a-"+suffix)
				createPod(t, w.b, "b2-"+suffix)
				testenv.Eventually(t, 10*time.Second, "each told of their pod", func() bool {
					return got["alice"].has("added "+w.a+"/a-"+suffix) && got["bob"].has("added "+w.b+"/b2-"+suffix)
				})
				for user, ns := range map[string]string{"alice": w.a, "bob": w.b} {
					for _, e := range got[user].list() {
						if !strings.Contains(e, " "+ns+"/") {
							t.Errorf("%s was told %q, outside %s", user, e, ns)
						}
					}
				}
			})
		}
	}
}

// TestSharedWatchRefusedAsDirect: a namespace the user may not watch, all
// namespaces when the user may watch only one, a cluster-scoped kind the
// user may not watch, and a kind kubemcp's policy denies, are refused in the
// same words with the cache as without it: the pool watches them directly.
func TestSharedWatchRefusedAsDirect(t *testing.T) {
	w := newWorld(t)
	deny := policy.Config{Deny: []policy.Rule{{Name: "no-configmaps", Resources: []string{"configmaps"}}}}
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		t.Run(string(mode), func(t *testing.T) {
			for _, c := range []struct {
				what   string
				target tracker.Target
			}{
				{"pods in bob's namespace", tracker.Target{Resource: podsGVR, Namespace: w.b}},
				{"pods in every namespace", tracker.Target{Resource: podsGVR}},
				{"nodes, cluster-scoped", tracker.Target{Resource: corev1.SchemeGroupVersion.WithResource("nodes")}},
				{"configmaps, denied by policy", tracker.Target{Resource: corev1.SchemeGroupVersion.WithResource("configmaps"), Namespace: w.a}},
			} {
				var errs []string
				for _, shared := range []bool{true, false} {
					s := cache.NewStack(t, mode, deny, nil)
					pool := newPool(t, s, shared)
					_, err := pool.Watch(cache.As(t.Context(), "alice"), "", c.target, func(tracker.Event) {})
					if err == nil {
						t.Fatalf("alice watching %s (shared %v): no error", c.what, shared)
					}
					if st := pool.Stats(); st != (tracker.Stats{}) {
						t.Fatalf("a refused watch holds %+v", st)
					}
					errs = append(errs, err.Error())
				}
				if errs[0] != errs[1] {
					t.Errorf("alice watching %s:\nshared: %s\ndirect: %s", c.what, errs[0], errs[1])
				}
			}
		})
	}
}

// TestSharedWatchRevoked: a RoleBinding removed, the user's shared watch
// still delivers while the kept decision holds, delivers nothing once it
// has expired (an injected clock), and delivers again once access is back
// and the kept refusal has expired, in both credential modes.
func TestSharedWatchRevoked(t *testing.T) {
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			clock := testenv.NewClock()
			s := cache.NewStack(t, mode, policy.Config{}, clock.Now)
			pool := newPool(t, s, true)
			ctx := cache.As(t.Context(), "alice")
			var got seen
			stop, err := pool.Watch(ctx, "", tracker.Target{Resource: podsGVR, Namespace: w.a}, got.add)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if st := pool.Stats(); st.Shared != 1 {
				t.Fatalf("pool holds %+v, want a shared watch", st)
			}
			admin := cache.Env.Clientset("admin")
			if err := admin.RbacV1().RoleBindings(w.a).Delete(t.Context(), "read-pods-alice", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 10*time.Second, "the apiserver refuses alice", func() bool {
				_, err := cache.Env.Clientset("alice").CoreV1().Pods(w.a).List(t.Context(), metav1.ListOptions{})
				return err != nil
			})
			createPod(t, w.a, "kept")
			testenv.Eventually(t, 10*time.Second, "within the TTL, the kept decision delivers", func() bool { return got.has("added " + w.a + "/kept") })

			clock.Add(cache.DefaultAccessTTL)
			// A cached read asks again now, so the refusal is kept from
			// this moment: the next event meets it, however late it runs.
			if _, err := s.Cache.ListPods(ctx, "", cache.PodQuery{Namespace: w.a}); err == nil {
				t.Fatal("alice's cached list after the TTL: allowed, want refused")
			}
			createPod(t, w.a, "hidden")
			if _, err := admin.RbacV1().RoleBindings(w.a).Create(t.Context(), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "read-pods-alice"},
				Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "alice"}},
				RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "read-pods-alice"}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 10*time.Second, "the apiserver allows alice again", func() bool {
				_, err := cache.Env.Clientset("alice").CoreV1().Pods(w.a).List(t.Context(), metav1.ListOptions{})
				return err == nil
			})
			clock.Add(cache.DefaultAccessTTL)
			createPod(t, w.a, "back")
			testenv.Eventually(t, 10*time.Second, "access back, deliveries resume", func() bool { return got.has("added " + w.a + "/back") })
			if got.has("added " + w.a + "/hidden") {
				t.Fatalf("alice was told of a pod created while she had no access: %v", got.list())
			}
		})
	}
}

// TestSecretsWatchedDirectly: a Secret watch goes to the caller's tracker,
// never to the cache, and works there.
func TestSecretsWatchedDirectly(t *testing.T) {
	w := newWorld(t)
	secrets := rbacv1.PolicyRule{Verbs: []string{"list", "watch", "get"}, APIGroups: []string{""}, Resources: []string{"secrets"}}
	if err := cache.Env.Grant(t.Context(), w.a, "read-secrets-alice", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}, secrets); err != nil {
		t.Fatal(err)
	}
	s := cache.NewStack(t, clusters.Impersonate, policy.Config{}, nil)
	pool := newPool(t, s, true)
	var got seen
	stop, err := pool.Watch(cache.As(t.Context(), "alice"), "", tracker.Target{Resource: corev1.SchemeGroupVersion.WithResource("secrets"), Namespace: w.a}, got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if st := pool.Stats(); st != (tracker.Stats{Trackers: 1, Watches: 1, Watchers: 1}) {
		t.Fatalf("pool holds %+v, want one tracker's watch", st)
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}, StringData: map[string]string{"k": "v"}}
	if _, err := cache.Env.Clientset("admin").CoreV1().Secrets(w.a).Create(t.Context(), sec, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "told of the secret", func() bool { return got.has("added " + w.a + "/token") })
}

var podsGVR = corev1.SchemeGroupVersion.WithResource("pods")

// apiserverWatches is how many watches of resource with scope ("cluster",
// "namespace") the apiserver serves now, from its own metrics.
func apiserverWatches(t testing.TB, resource, scope string) int {
	t.Helper()
	return int(cache.Env.APIServerMetric(t, "apiserver_longrunning_requests", `verb="WATCH"`, `resource="`+resource+`"`, `scope="`+scope+`"`))
}

// TestSharedWatchBounds: shared watchers count against the user's bound of
// watchers as trackers' do, and the pool's Close ends them.
func TestSharedWatchBounds(t *testing.T) {
	w := newWorld(t)
	s := cache.NewStack(t, clusters.Impersonate, policy.Config{}, nil)
	pool := tracker.NewPool(s.Clusters, tracker.PoolOptions{Shared: s.Cache, MaxWatchersPerUser: 1})
	ctx := cache.As(t.Context(), "alice")
	target := tracker.Target{Resource: podsGVR, Namespace: w.a}
	stop, err := pool.Watch(ctx, "", target, func(tracker.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Watch(ctx, "", target, func(tracker.Event) {}); !errors.Is(err, tracker.ErrTooManyWatchers) {
		t.Fatalf("alice's second watcher: %v, want ErrTooManyWatchers", err)
	}
	stop()
	if _, err := pool.Watch(ctx, "", target, func(tracker.Event) {}); err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	pool.Close()
	if st := pool.Stats(); st != (tracker.Stats{}) {
		t.Fatalf("a closed pool holds %+v", st)
	}
}
