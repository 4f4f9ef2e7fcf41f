package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/common/expfmt"
	authv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const (
	benchUsers = 50
	benchMUNS  = "bench-multiuser"
)

var (
	benchMUOnce   sync.Once
	benchMUTokens []string // Kubernetes tokens of the 50 service accounts
	benchMUErr    error
)

// benchMultiUserWorld makes namespace bench-multiuser with 20 pods, and 50
// service accounts in it with a token each; the accounts (as passthrough
// callers) and the 50 users of the static token file (group bench-users,
// impersonated) may list its pods.
func benchMultiUserWorld(b *testing.B) []string {
	b.Helper()
	muWorld(b)
	benchMUOnce.Do(func() { benchMUTokens, benchMUErr = seedBenchMultiUser(context.Background(), env.Clientset("admin")) })
	if benchMUErr != nil {
		b.Fatal(benchMUErr)
	}
	return benchMUTokens
}

func seedBenchMultiUser(ctx context.Context, c kubernetes.Interface) ([]string, error) {
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchMUNS}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	for i := range 20 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%02d", i)}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
		if _, err := c.CoreV1().Pods(benchMUNS).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	}
	for _, g := range []string{"system:serviceaccounts:" + benchMUNS, "bench-users"} {
		if err := grantPods(ctx, benchMUNS, "list", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: g}); err != nil {
			return nil, err
		}
	}
	tokens := make([]string, benchUsers)
	for i := range benchUsers {
		name := fmt.Sprintf("u%02d", i)
		if _, err := c.CoreV1().ServiceAccounts(benchMUNS).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		tok, err := c.CoreV1().ServiceAccounts(benchMUNS).CreateToken(ctx, name, &authv1.TokenRequest{}, metav1.CreateOptions{})
		if err != nil {
			return nil, err
		}
		tokens[i] = tok.Status.Token
	}
	return tokens, nil
}

// benchTokenFile gives 50 users of group bench-users a token each.
func benchTokenFile(b *testing.B) (string, []string) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("tokens:\n")
	tokens := make([]string, benchUsers)
	for i := range tokens {
		tokens[i] = randomToken()
		fmt.Fprintf(&sb, "- user: bench-u%02d\n  groups: [bench-users]\n  token: %s\n", i, tokens[i])
	}
	path := filepath.Join(b.TempDir(), "tokens.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path, tokens
}

// BenchmarkMultiUser measures pods_list (20 pods) through a real kubemcp
// process, 50 users with distinct tokens calling at once, one call in flight
// each, in passthrough and impersonate modes: with the per-user client cache
// ("cache"), without it (a client built for every call: "nocache"), and with
// the shared watch cache on top ("watchcache"). It reports calls/s and the
// median latency.
func BenchmarkMultiUser(b *testing.B) {
	k8sTokens := benchMultiUserWorld(b)
	tokenFile, staticTokens := benchTokenFile(b)
	modes := []struct {
		name   string
		args   []string
		tokens []string
	}{
		{"passthrough", []string{"--kubeconfig", saKubeconfig(b, "nobody"), "--auth", "passthrough"}, k8sTokens},
		{"impersonate", []string{"--kubeconfig", saKubeconfig(b, "impersonator"), "--auth", "token", "--auth-token-file", tokenFile}, staticTokens},
	}
	// The watch cache fills itself with the server's credential: one that
	// may also read pods and review access.
	watchcache := []string{"--cache", "--kubeconfig", cacheKubeconfig(b)}
	for _, m := range modes {
		for _, cache := range []struct {
			name string
			args []string
		}{{"cache", []string{"--cache=false"}}, {"nocache", []string{"--cache=false", "--client-cache-size", "0"}}, {"watchcache", watchcache}} {
			args := append(slices.Clone(m.args), "--user-rate", "0", "--user-concurrency", "0", "--log-level", "warn")
			srv := serveArgs(b, append(args, cache.args...)...)
			sessions := make([]*mcp.ClientSession, benchUsers)
			for i := range sessions {
				sessions[i] = connectAs(b, srv.URL, m.tokens[i], "streamable")
			}
			b.Run(m.name+"/"+cache.name, func(b *testing.B) { benchCalls(b, sessions) })
		}
	}
}

// benchCalls makes b.N pods_list calls spread over the sessions, one in
// flight per session, and reports calls/s and the median latency.
func benchCalls(b *testing.B, sessions []*mcp.ClientSession) {
	b.ResetTimer()
	start := time.Now()
	latencies := benchCallsN(b, sessions, b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
}

// benchCallsN makes n pods_list calls spread over the sessions, one in
// flight per session, and returns their latencies.
func benchCallsN(b *testing.B, sessions []*mcp.ClientSession, n int) []time.Duration {
	params := &mcp.CallToolParams{Name: "pods_list", Arguments: map[string]any{"namespace": benchMUNS}}
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, cs := range sessions {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				t0 := time.Now()
				res, err := cs.CallTool(context.Background(), params)
				latencies[i] = time.Since(t0)
				if err != nil || res.IsError || !strings.Contains(textOf(res), "web-19") {
					b.Errorf("call %d: %v %+v", i, err, res)
					return
				}
			}
		})
	}
	wg.Wait()
	return latencies
}

// BenchmarkCachedReadRequests counts the apiserver's requests, from its own
// apiserver_request_total, caused by b.N pods_list calls (make bench: 1,000)
// answered from the watch cache for 10 impersonated users, after one warm-up
// call that starts the informer (its list and watch are not counted): what
// is left are the access reviews, one per user and namespace within their
// TTL, and the cache's heartbeats. The same calls without the cache, for
// comparison. The apiserver counts its /metrics, read between the calls and
// here, as no request; the breakdown is logged (-v) to show it.
func BenchmarkCachedReadRequests(b *testing.B) {
	benchMultiUserWorld(b)
	tokenFile, tokens := benchTokenFile(b)
	for _, watch := range []struct {
		name string
		args []string
	}{{"watchcache", []string{"--cache"}}, {"direct", []string{"--cache=false"}}} {
		args := append([]string{"--kubeconfig", cacheKubeconfig(b), "--auth", "token", "--auth-token-file", tokenFile,
			"--user-rate", "0", "--user-concurrency", "0", "--log-level", "warn"}, watch.args...)
		srv := serveArgs(b, args...)
		sessions := make([]*mcp.ClientSession, 10)
		for i := range sessions {
			sessions[i] = connectAs(b, srv.URL, tokens[i], "streamable")
		}
		benchCallsN(b, sessions[:1], 1) // the informer starts and syncs
		b.Run(watch.name, func(b *testing.B) {
			before := apiserverRequests(b)
			benchCallsN(b, sessions, b.N)
			b.StopTimer()
			total, reviews := 0.0, 0.0
			for what, n := range apiserverRequests(b) {
				if n -= before[what]; n != 0 {
					b.Logf("%s: %v", what, n)
				}
				total += n
				if strings.Contains(what, "subjectaccessreviews") {
					reviews += n
				}
			}
			b.ReportMetric(total, "apiserver-requests")
			b.ReportMetric(reviews, "access-reviews")
		})
	}
}

var (
	cacheSAOnce sync.Once
	cacheSAErr  error
)

// cacheKubeconfig is a kubeconfig of service account
// multiuser-system/cache-impersonator, which holds impersonatorRules and
// cacheRules: the server's credential for --credentials impersonate --cache.
func cacheKubeconfig(b testing.TB) string {
	b.Helper()
	muWorld(b)
	cacheSAOnce.Do(func() { cacheSAErr = bindCacheImpersonator(context.Background(), env.Clientset("admin")) })
	if cacheSAErr != nil {
		b.Fatal(cacheSAErr)
	}
	return saKubeconfig(b, "cache-impersonator")
}

func bindCacheImpersonator(ctx context.Context, c kubernetes.Interface) error {
	sa := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "cache-impersonator", Namespace: "multiuser-system"}
	if _, err := c.CoreV1().ServiceAccounts(sa.Namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa.Name}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "kubemcp-cache"}, Rules: cacheRules}
	if _, err := c.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
		return err
	}
	for _, role := range []string{"kubemcp-impersonator", "kubemcp-cache"} {
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "cache-impersonator-" + role}, Subjects: []rbacv1.Subject{sa},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}}
		if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return env.WaitAllowed(ctx, sa, authzv1.ResourceAttributes{Verb: "watch", Resource: "pods"})
}

// apiserverRequests is the apiserver's apiserver_request_total, by verb,
// resource and subresource (a path, for requests of no resource: /readyz).
func apiserverRequests(b testing.TB) map[string]float64 {
	b.Helper()
	raw, err := env.Clientset("admin").CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	families, err := (&expfmt.TextParser{}).TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	by := map[string]float64{}
	for _, m := range families["apiserver_request_total"].GetMetric() {
		by[label(m, "verb")+" "+label(m, "resource")+" "+label(m, "subresource")] += m.GetCounter().GetValue()
	}
	return by
}
