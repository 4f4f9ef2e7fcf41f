package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// sharedTTL is --cache-access-ttl in TestLiveSharedWatches: short, so that a
// revoked grant is seen to stop a shared watch within the test.
const sharedTTL = 2 * time.Second

// sharedPod is the name of the pod in each user's namespace: the same name,
// so that only the namespace tells one user's pod from the other's.
const sharedPod = "watched"

// sharedWorld is two namespaces, alice's and bob's, each with sharedPod,
// which its user may get, list and watch; carol may only get bob's.
type sharedWorld map[string]string // user -> namespace

func newSharedWorld(t *testing.T) sharedWorld {
	t.Helper()
	w := sharedWorld{"alice": env.Namespace(t, "livewatch-a"), "bob": env.Namespace(t, "livewatch-b")}
	read := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}
	for user, ns := range w {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: sharedPod}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
		if _, err := env.Clientset("admin").CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := env.Grant(t.Context(), ns, "read-pods-"+user, rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, read); err != nil {
			t.Fatal(err)
		}
	}
	getOnly := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}}
	if err := env.Grant(t.Context(), w["bob"], "get-pods-carol", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}, getOnly); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w sharedWorld) uri(user string) string { return liveURI(w[user], "pods", sharedPod) }

// sharedModes are the two credential modes, each with the server's
// credential that the watch cache needs (cacheRules) and each user's bearer.
func sharedModes(t *testing.T) []mode {
	users := []string{"alice", "bob", "carol"}
	tokenFile, staticTokens := writeTokenFile(t, users)
	k8sTokens := map[string]string{}
	for _, u := range users {
		k8sTokens[u] = env.Users[u].Token
	}
	kubeconfig := cacheKubeconfig(t)
	return []mode{
		{"impersonate", []string{"--kubeconfig", kubeconfig, "--auth", "token", "--auth-token-file", tokenFile}, staticTokens},
		{"passthrough", []string{"--kubeconfig", kubeconfig, "--auth", "passthrough"}, k8sTokens},
	}
}

// TestLiveSharedWatches subscribes alice and bob, each to the pod in their
// own namespace, through a real kubemcp process over HTTP, in both
// credential modes, with the watch cache on and off. With it on, the
// apiserver serves one watch of pods (the cache's, cluster-wide) for both,
// not one each; each is told of their own pod's changes and never of the
// other's; alice subscribing to bob's pod (no access) and carol (get but no
// watch) are refused in the same words as without the cache; and once
// alice's RoleBinding is removed she is told of no more changes within the
// access TTL.
func TestLiveSharedWatches(t *testing.T) {
	base := settledPodWatches(t)
	for _, m := range sharedModes(t) {
		t.Run(m.name, func(t *testing.T) {
			w := newSharedWorld(t)
			refusals := map[bool]map[string]string{}
			for _, cached := range []bool{true, false} {
				t.Run("cache="+strconv.FormatBool(cached), func(t *testing.T) {
					// The watches of the runs before this one end on the
					// apiserver a moment after their processes.
					testenv.Eventually(t, 10*time.Second, "the earlier runs' watches of pods ended", func() bool { return currentPodWatches(t) == base })
					srv := serveArgs(t, append(m.args, "--cache="+strconv.FormatBool(cached), "--cache-access-ttl", sharedTTL.String())...)
					before := base
					alice := connectLiveAs(t, srv.URL, "2025-11-25", m.tokens["alice"])
					bob := connectLiveAs(t, srv.URL, "2026-07-28", m.tokens["bob"])
					alice.subscribe(t, w.uri("alice"))
					bob.subscribe(t, w.uri("bob"))
					want := podWatches{cluster: 1} // the cache's informer
					if !cached {
						want = podWatches{namespace: 2} // a tracker each
					}
					checkPodWatches(t, before, want)
					checkApart(t, w, alice, bob)
					refusals[cached] = sharedRefusals(t, w, srv.URL, m.tokens)
					checkPodWatches(t, before, want) // the refused hold none
					restore := revoke(t, w["alice"], "read-pods-alice")
					if cached {
						checkRevoked(t, w, alice, bob, restore)
					} else {
						logDirectAfterRevoke(t, w, alice)
					}
				})
			}
			for who, text := range refusals[true] {
				if direct := refusals[false][who]; text != direct {
					t.Errorf("%s subscribing to bob's pod is refused otherwise with the cache:\ncache:  %s\ndirect: %s", who, text, direct)
				}
			}
		})
	}
}

// checkApart: bob's pod changes first, then alice's. Each is told of their
// own change, and of nothing more: were bob's change passed to alice's
// watch (same pod name, other namespace), she would be told twice.
func checkApart(t *testing.T, w sharedWorld, alice, bob *liveClient) {
	t.Helper()
	bob.update(t, w.uri("bob"), touchPod(t, w["bob"]))
	alice.update(t, w.uri("alice"), touchPod(t, w["alice"]))
	alice.noUpdate(t, time.Second, "beyond the one change of her pod")
	bob.noUpdate(t, time.Second, "beyond the one change of his pod")
}

// sharedRefusals subscribes alice (who may not read bob's namespace) and
// carol (who may get bob's pod but not watch it) to bob's pod, and returns
// the refusals' messages by user.
func sharedRefusals(t *testing.T, w sharedWorld, url string, tokens map[string]string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, who := range []string{"alice", "carol"} {
		c := connectLiveAs(t, url, "2025-11-25", tokens[who])
		err := c.Subscribe(testContext(t), &mcp.SubscribeParams{URI: w.uri("bob")})
		var rpc *jsonrpc.Error
		if !errors.As(err, &rpc) {
			t.Fatalf("%s subscribing to bob's pod: %v, want a JSON-RPC refusal", who, err)
		}
		checkText(t, who+"'s refusal", rpc.Message, []string{"forbidden", `"` + who + `"`, w["bob"]}, nil)
		got[who] = rpc.Message
	}
	return got
}

// revoke deletes RoleBinding ns/name and waits until the apiserver applies
// it; restore puts it back (at the latest when the test ends) and waits
// until the apiserver allows its subject again.
func revoke(t *testing.T, ns, name string) (restore func()) {
	t.Helper()
	bindings := env.Clientset("admin").RbacV1().RoleBindings(ns)
	rb, err := bindings.Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := bindings.Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	who := rb.Subjects[0].Name
	mayList := func() bool {
		_, err := env.Clientset(who).CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		return err == nil
	}
	restore = sync.OnceFunc(func() {
		restored := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: rb.Subjects, RoleRef: rb.RoleRef}
		if _, err := bindings.Create(context.Background(), restored, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 10*time.Second, "the apiserver allows "+who+" again", mayList)
	})
	t.Cleanup(restore)
	testenv.Eventually(t, 10*time.Second, "the apiserver refuses "+who, func() bool { return !mayList() })
	return restore
}

// checkRevoked: within the access TTL of the apiserver refusing alice, a
// change of her pod is no longer told to her (and stays so), while bob is
// still told of his; once her access is back, and the kept refusal is older
// than the TTL, she is told again: her subscription held all along.
func checkRevoked(t *testing.T, w sharedWorld, alice, bob *liveClient, restore func()) {
	t.Helper()
	start := time.Now()
	testenv.Eventually(t, sharedTTL+3*time.Second, "alice is told of no more changes", func() bool {
		return !alice.toldOf(t, w["alice"])
	})
	t.Logf("alice told of no more changes %s after the apiserver refused her (access TTL %s)", time.Since(start).Round(100*time.Millisecond), sharedTTL)
	touchPod(t, w["alice"])
	alice.noUpdate(t, time.Second, "after her RoleBinding was removed and the access TTL passed")
	bob.update(t, w.uri("bob"), touchPod(t, w["bob"]))

	restore()
	testenv.Eventually(t, sharedTTL+3*time.Second, "alice is told again once her access is back", func() bool {
		return alice.toldOf(t, w["alice"])
	})
}

// logDirectAfterRevoke says whether alice's own watch, opened before her
// RoleBinding was removed, still tells her of changes: without the cache,
// the apiserver does not end a watch it has authorized.
func logDirectAfterRevoke(t *testing.T, w sharedWorld, alice *liveClient) {
	t.Helper()
	t.Logf("without the cache, alice still told of a change after her RoleBinding was removed: %v", alice.toldOf(t, w["alice"]))
}

// toldOf changes sharedPod in ns and reports whether c is told of a change
// within 500 ms, having forgotten what it was told before.
func (c *liveClient) toldOf(t *testing.T, ns string) bool {
	t.Helper()
	for drained := false; !drained; {
		select {
		case <-c.updates:
		default:
			drained = true
		}
	}
	touchPod(t, ns)
	select {
	case <-c.updates:
		return true
	case <-time.After(500 * time.Millisecond):
		return false
	}
}

// touchPod changes sharedPod in ns, each time anew, and returns when.
func touchPod(t *testing.T, ns string) time.Time {
	t.Helper()
	return touchObject(t, "pods", ns, sharedPod, rand.Text())
}

// podWatches are the apiserver's watches of pods by scope.
type podWatches struct{ cluster, namespace int }

func currentPodWatches(t *testing.T) podWatches {
	t.Helper()
	count := func(scope string) int {
		return int(env.APIServerMetric(t, "apiserver_longrunning_requests", `verb="WATCH"`, `resource="pods"`, `scope="`+scope+`"`))
	}
	return podWatches{cluster: count("cluster"), namespace: count("namespace")}
}

// settledPodWatches is the apiserver's watches of pods once the watches of
// the processes of earlier tests have ended: the same in two looks 200 ms
// apart.
func settledPodWatches(t *testing.T) podWatches {
	t.Helper()
	var now podWatches
	testenv.Eventually(t, 10*time.Second, "the apiserver's watches of pods settle", func() bool {
		now = currentPodWatches(t)
		time.Sleep(200 * time.Millisecond)
		return currentPodWatches(t) == now
	})
	return now
}

// checkPodWatches waits until the apiserver serves want more watches of
// pods than before, as it counts them in apiserver_longrunning_requests.
func checkPodWatches(t *testing.T, before, want podWatches) {
	t.Helper()
	var got podWatches
	defer func() { t.Logf("the apiserver serves %+v more watches of pods, want %+v", got, want) }()
	testenv.Eventually(t, 10*time.Second, "the apiserver's watches of pods", func() bool {
		now := currentPodWatches(t)
		got = podWatches{cluster: now.cluster - before.cluster, namespace: now.namespace - before.namespace}
		return got == want
	})
}
