package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// cacheReaderRules are the server's credential in TestCacheRBAC: it may
// impersonate (users, and cacheUsers' service accounts), review access, and
// list and watch everything, Secrets included, so that the cache is on for
// every kind and only kubemcp's own rule keeps Secrets out of it.
var cacheReaderRules = append([]rbacv1.PolicyRule{
	{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"list", "watch"}},
	{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"impersonate"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}, impersonatorRules...)

// cacheWorld is two namespaces, each with three pods, a ConfigMap and a
// Secret: alice may read pods and ConfigMaps in a, bob in b, carol every
// kind but Secrets everywhere.
type cacheWorld struct{ a, b string }

// cacheUsers are TestCacheRBAC's alice, bob and carol: service accounts
// cache-alice... of multiuser-system, so that their grants touch no other
// test's users, and each has a Kubernetes token for passthrough.
var cacheUsers = []string{"alice", "bob", "carol"}

func cacheSubject(user string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "cache-" + user, Namespace: "multiuser-system"}
}

var (
	cacheRBACOnce sync.Once
	cacheRBACErr  error
)

func newCacheWorld(t *testing.T) cacheWorld {
	t.Helper()
	muWorld(t) // the namespace multiuser-system, for the accounts
	ctx, admin := context.Background(), env.Clientset("admin")
	cacheRBACOnce.Do(func() { cacheRBACErr = bindCacheRBAC(ctx, admin) })
	if cacheRBACErr != nil {
		t.Fatal(cacheRBACErr)
	}
	w := cacheWorld{a: env.Namespace(t, "cache-a"), b: env.Namespace(t, "cache-b")}
	for _, ns := range []string{w.a, w.b} {
		if err := seedCacheNamespace(ctx, admin, ns); err != nil {
			t.Fatal(err)
		}
	}
	read := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods", "configmaps"}, Verbs: []string{"get", "list", "watch"}}
	for user, ns := range map[string]string{"alice": w.a, "bob": w.b} {
		if err := env.Grant(ctx, ns, "cache-read-"+user, cacheSubject(user), read); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// cacheTokens are the bearers of cacheUsers: in passthrough their
// Kubernetes tokens; for impersonation a token file that maps kubemcp tokens
// to their identities, which kubemcp then impersonates.
func cacheTokens(t *testing.T) (passthrough map[string]string, tokenFile string, impersonate map[string]string) {
	passthrough, impersonate = map[string]string{}, map[string]string{}
	var b strings.Builder
	b.WriteString("tokens:\n")
	for _, u := range cacheUsers {
		sa := cacheSubject(u)
		passthrough[u], impersonate[u] = saToken(t, sa.Name), randomToken()
		fmt.Fprintf(&b, "- user: %q\n  groups: [system:serviceaccounts, %q]\n  token: %s\n",
			"system:serviceaccount:"+sa.Namespace+":"+sa.Name, "system:serviceaccounts:"+sa.Namespace, impersonate[u])
	}
	tokenFile = filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokenFile, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return passthrough, tokenFile, impersonate
}

func seedCacheNamespace(ctx context.Context, c kubernetes.Interface, ns string) error {
	for i := range 3 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
		if _, err := c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"k": "v"}}
	if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}, StringData: map[string]string{"password": "hunter2"}}
	_, err := c.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{})
	return err
}

// bindCacheRBAC makes the service accounts of cacheUsers and
// cache-reader; gives carol every kind but Secrets, cluster-wide, and
// cache-reader cacheReaderRules.
func bindCacheRBAC(ctx context.Context, c kubernetes.Interface) error {
	carol := cacheSubject("carol")
	reader := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "cache-reader", Namespace: "multiuser-system"}
	for _, name := range []string{"cache-alice", "cache-bob", carol.Name, reader.Name} {
		if _, err := c.CoreV1().ServiceAccounts(reader.Namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	for name, b := range map[string]struct {
		who   rbacv1.Subject
		rules []rbacv1.PolicyRule
	}{
		"e2e-cache-carol": {carol, []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods", "configmaps", "services", "namespaces", "events"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"apps", "batch"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}}}},
		"e2e-cache-reader": {reader, cacheReaderRules},
	} {
		if _, err := c.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: b.rules}, metav1.CreateOptions{}); err != nil {
			return err
		}
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: []rbacv1.Subject{b.who},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}}
		if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	if err := env.WaitAllowed(ctx, carol, authzv1.ResourceAttributes{Verb: "list", Resource: "configmaps"}); err != nil {
		return err
	}
	return env.WaitAllowed(ctx, reader, authzv1.ResourceAttributes{Verb: "watch", Resource: "secrets"})
}

// cacheCall is one tool call of TestCacheRBAC.
type cacheCall struct {
	tool string
	args map[string]any
}

func (w cacheWorld) calls() []cacheCall {
	var calls []cacheCall
	for _, ns := range []string{w.a, w.b} {
		calls = append(calls,
			cacheCall{"pods_list", map[string]any{"namespace": ns}},
			cacheCall{"pods_list", map[string]any{"namespace": ns, "label_selector": "app=web"}},
			cacheCall{"resources_get", map[string]any{"resource": "pods", "namespace": ns, "name": "p1"}},
			cacheCall{"resources_get", map[string]any{"resource": "configmaps", "namespace": ns, "name": "settings"}},
			cacheCall{"resources_get", map[string]any{"resource": "secrets", "namespace": ns, "name": "token"}},
			cacheCall{"resources_list", map[string]any{"resource": "pods", "namespace": ns, "output": "json"}},
			cacheCall{"resources_list", map[string]any{"resource": "configmaps", "namespace": ns, "output": "yaml"}},
			cacheCall{"resources_list", map[string]any{"resource": "secrets", "namespace": ns, "output": "json"}},
			cacheCall{"events_list", map[string]any{"namespace": ns, "warnings_only": true}},
		)
	}
	return append(calls, cacheCall{"resources_get", map[string]any{"resource": "namespaces", "name": w.a}}, cacheCall{"namespaces_list", nil})
}

// TestCacheRBAC runs the real binary twice per credential mode, with the
// watch cache and without it (--cache=false), under a server credential
// that may list and watch every kind, Secrets included: alice, bob and
// carol get from the cache exactly what the direct path gives them, text
// and structured content, refusals in the apiserver's words included; the
// cache did answer every read RBAC allowed (its hits, from /metrics); and
// no Secret was ever listed or watched cluster-wide, as an informer would.
func TestCacheRBAC(t *testing.T) {
	w := newCacheWorld(t)
	k8sTokens, tokenFile, staticTokens := cacheTokens(t)
	reader := saKubeconfig(t, "cache-reader")
	secretsBefore := clusterSecretReads(t)
	for _, m := range []mode{
		{"impersonate", []string{"--auth", "token", "--auth-token-file", tokenFile}, staticTokens},
		{"passthrough", []string{"--auth", "passthrough"}, k8sTokens},
	} {
		t.Run(m.name, func(t *testing.T) {
			args := append([]string{"--kubeconfig", reader, "--user-rate", "0", "--user-concurrency", "0"}, m.args...)
			cached, direct := serveArgs(t, append(args, "--cache")...), serveArgs(t, append(args, "--cache=false")...)
			var n [3]int // by answerAllowed, answerRefused, answerPartial
			for _, u := range cacheUsers {
				cs, ds := connectAs(t, cached.URL, m.tokens[u], "streamable"), connectAs(t, direct.URL, m.tokens[u], "streamable")
				for _, c := range append(w.calls(), cacheCall{"pods_list", map[string]any{}}) {
					n[sameAnswer(t, u, c, cs, ds)]++
				}
			}
			code, body := scrape(t, strings.TrimSuffix(cached.URL, "/mcp"), m.tokens["carol"])
			if code != http.StatusOK {
				t.Fatalf("/metrics: %d %s", code, body)
			}
			cluster := `{cluster="` + testenv.KubeContext + `"`
			hits, directs := metricValue(t, body, `kubemcp_cache_reads_total`+cluster+`,result="hit"}`), metricValue(t, body, `kubemcp_cache_reads_total`+cluster+`,result="direct"}`)
			// Pods, ConfigMaps, Namespaces, Events: never Secrets.
			if kinds := metricValue(t, body, `kubemcp_cache_kinds`+cluster+`,state="cached"}`); kinds != 4 {
				t.Errorf("%v kinds cached, want 4 (pods, configmaps, namespaces, events)", kinds)
			}
			if objects := metricValue(t, body, `kubemcp_cache_objects`+cluster+`}`); objects < 6 {
				t.Errorf("%v objects cached, want at least the test's 6 pods", objects)
			}
			// A refusal is the apiserver's to word: the cache reads it directly.
			if want := n[answerAllowed] + n[answerPartial]; hits != float64(want) || directs != float64(n[answerRefused]) {
				t.Errorf("cache reads: %v hits, %v direct; want %d hits (every read RBAC allowed) and %d direct (every refusal)", hits, directs, want, n[answerRefused])
			}
			if n[answerPartial] != 2 {
				t.Errorf("%d partial answers, want alice's and bob's all-namespace pods_list", n[answerPartial])
			}
			t.Logf("reads allowed, refused, partial: %v; the cache answered %v, the apiserver %v", n, hits, directs)
		})
	}
	if after := clusterSecretReads(t); after != secretsBefore {
		t.Errorf("Secrets listed or watched cluster-wide %v times during the test: the cache held them", after-secretsBefore)
	}
}

// How an answer went, direct and cached alike.
const (
	answerAllowed = iota
	answerRefused
	answerPartial // all namespaces refused directly, some of them cached
)

// sameAnswer fails unless user's call c answers alike from the cache (cs)
// and directly (ds), ages and durations aside (the two calls may fall
// either side of a second); an all-namespace pods_list refused directly is
// answered partially from the cache, over the user's namespace.
func sameAnswer(t *testing.T, user string, c cacheCall, cs, ds *mcp.ClientSession) int {
	t.Helper()
	got, want := callAs(t, cs, c), callAs(t, ds, c)
	if want.IsError && c.tool == "pods_list" && c.args["namespace"] == nil {
		if got.IsError || !strings.HasPrefix(got.text, "Partial: You may not list pods in all namespaces") {
			t.Errorf("%s %s %v: cached %s, want a partial answer", user, c.tool, c.args, got.text)
		}
		return answerPartial
	}
	if got != want {
		t.Errorf("%s %s %v:\ncached:\n%+v\ndirect:\n%+v", user, c.tool, c.args, got, want)
	}
	if want.IsError {
		if !strings.Contains(want.text, "forbidden") {
			t.Errorf("%s %s %v: want a refusal, got %s", user, c.tool, c.args, want.text)
		}
		return answerRefused
	}
	if c.args["resource"] == "secrets" {
		t.Errorf("%s %s %v: a Secret read was allowed: %s", user, c.tool, c.args, want.text)
	}
	return answerAllowed
}

// answer is a tool result made comparable.
type answer struct {
	IsError          bool
	text, structured string
}

var durations = regexp.MustCompile(`\b(\d+[smhd])+\b`)

func callAs(t *testing.T, cs *mcp.ClientSession, c cacheCall) answer {
	t.Helper()
	res, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
	if err != nil {
		t.Fatalf("%s %v: %v", c.tool, c.args, err)
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	return answer{res.IsError, durations.ReplaceAllString(textOf(res), "D"), durations.ReplaceAllString(string(b), "D")}
}

// clusterSecretReads is how many cluster-wide lists and watches of Secrets
// the apiserver has served, from its own metrics.
func clusterSecretReads(t *testing.T) float64 {
	t.Helper()
	return env.APIServerMetric(t, "apiserver_request_total", `resource="secrets"`, `scope="cluster"`)
}
