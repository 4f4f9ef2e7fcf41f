package e2e

import (
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
	authv1 "k8s.io/api/authentication/v1"
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
// each, in passthrough and impersonate modes, with the per-user client cache
// and without it (a client built for every call). It reports calls/s and the
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
	for _, m := range modes {
		for _, cache := range []struct {
			name string
			args []string
		}{{"cache", nil}, {"nocache", []string{"--client-cache-size", "0"}}} {
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
// flight per session.
func benchCalls(b *testing.B, sessions []*mcp.ClientSession) {
	params := &mcp.CallToolParams{Name: "pods_list", Arguments: map[string]any{"namespace": benchMUNS}}
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for _, cs := range sessions {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
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
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
}
