package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	authv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubemcp/kubemcp/internal/identity/oidctest"
)

// The multi-user world: three namespaces of three pods, and three users whose
// Roles differ.
//
//	             alice (group team-a)   bob (user)       carol (user)
//	multiuser-a  list (Role, group)     -                list (Role)
//	multiuser-b  -                      list (Role)      -
//	multiuser-c  -                      list (Role)      get only, no list
var (
	muNamespaces = []string{"multiuser-a", "multiuser-b", "multiuser-c"}
	muMayList    = map[string]map[string]bool{
		"alice": {"multiuser-a": true},
		"bob":   {"multiuser-b": true, "multiuser-c": true},
		"carol": {"multiuser-a": true},
	}
	muUsers = []string{"alice", "bob", "carol"}
)

// impersonatorRules are exactly the rules README gives the server for
// --credentials impersonate; the impersonate tests run it with these alone.
var impersonatorRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"}},
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/scopes"}, Verbs: []string{"impersonate"}},
}

// cacheRules are what README adds for --cache, here for pods alone: the
// watch cache lists and watches the kinds it caches with the server's
// credential, and asks whether each caller may read them (in passthrough
// the caller asks for itself).
var cacheRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}

var muOnce sync.Once

func muWorld(t testing.TB) {
	t.Helper()
	var err error
	muOnce.Do(func() { err = seedMultiUser(context.Background(), env.Clientset("admin")) })
	if err != nil {
		t.Fatal(err)
	}
}

func seedMultiUser(ctx context.Context, c kubernetes.Interface) error {
	for _, ns := range append([]string{"multiuser-system"}, muNamespaces...) {
		if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	for _, ns := range muNamespaces {
		for i := range 3 {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-pod-%d", ns, i)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
			if _, err := c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
				return err
			}
		}
	}
	grants := []struct {
		ns, verb string
		who      rbacv1.Subject
	}{
		{"multiuser-a", "list", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "team-a"}},
		{"multiuser-a", "list", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}},
		{"multiuser-b", "list", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "bob"}},
		{"multiuser-c", "list", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "bob"}},
		{"multiuser-c", "get", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}},
	}
	for _, g := range grants {
		if err := grantPods(ctx, g.ns, g.verb, g.who); err != nil {
			return err
		}
	}
	return bindImpersonator(ctx, c)
}

func grantPods(ctx context.Context, ns, verb string, who rbacv1.Subject) error {
	rule := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{verb}}
	return env.Grant(ctx, ns, "pods-"+verb+"-"+who.Name, who, rule)
}

// bindImpersonator makes service account multiuser-system/impersonator hold
// impersonatorRules; multiuser-system/nobody holds nothing.
func bindImpersonator(ctx context.Context, c kubernetes.Interface) error {
	for _, sa := range []string{"impersonator", "nobody"} {
		if _, err := c.CoreV1().ServiceAccounts("multiuser-system").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "kubemcp-impersonator"}, Rules: impersonatorRules}
	if _, err := c.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
		return err
	}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "kubemcp-impersonator"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "impersonator", Namespace: "multiuser-system"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "kubemcp-impersonator"}}
	if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		return err
	}
	return env.WaitAllowed(ctx, crb.Subjects[0], authzv1.ResourceAttributes{Verb: "impersonate", Resource: "users"})
}

// saKubeconfig is a kubeconfig with a fresh token of service account
// multiuser-system/name: kubemcp's own credential in these tests.
func saKubeconfig(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := env.WriteTokenKubeconfig(path, name, saToken(t, name)); err != nil {
		t.Fatal(err)
	}
	return path
}

// saToken is a fresh token of service account multiuser-system/name.
func saToken(t testing.TB, name string) string {
	t.Helper()
	tok, err := env.Clientset("admin").CoreV1().ServiceAccounts("multiuser-system").CreateToken(context.Background(), name, &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Status.Token
}

type withBearer struct{ token string }

func (b withBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connectAs opens an MCP session over HTTP with token as the bearer, by the
// given flavour: "streamable" (2025-11-25 sessions), "stateless" (2026-07-28)
// or "sse" (legacy).
func connectAs(t testing.TB, url, token, flavour string) *mcp.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: withBearer{token}}
	switch flavour {
	case "stateless":
		return connect(t, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
	case "sse":
		return connect(t, &mcp.SSEClientTransport{Endpoint: strings.TrimSuffix(url, "/mcp") + "/sse", HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: "2024-11-05"})
	}
	return connect(t, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
}

func randomToken() string {
	return "kubemcp-" + rand.Text()
}

// writeTokenFile maps a fresh token to each user (groups as in testenv) and
// returns the file and the tokens.
func writeTokenFile(t testing.TB, users []string) (string, map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("tokens:\n")
	tokens := map[string]string{}
	for _, u := range users {
		tokens[u] = randomToken()
		groups := "[]"
		if tu, ok := env.Users[u]; ok {
			groups = "[" + strings.Join(tu.Groups, ", ") + "]"
		}
		fmt.Fprintf(&b, "- user: %s\n  groups: %s\n  token: %s\n", u, groups, tokens[u])
	}
	path := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, tokens
}

// mode is one way of running the multi-user server: its flags and the bearer
// each user presents.
type mode struct {
	name   string
	args   []string
	tokens map[string]string
}

func muModes(t *testing.T) []mode {
	tokenFile, staticTokens := writeTokenFile(t, muUsers)
	iss := oidctest.New(t)
	ca := filepath.Join(t.TempDir(), "issuer-ca.pem")
	if err := os.WriteFile(ca, iss.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	oidcTokens := map[string]string{}
	for _, u := range muUsers {
		oidcTokens[u] = iss.Token(t, map[string]any{"sub": u, "groups": env.Users[u].Groups, "aud": "https://kubemcp.example.com/mcp"})
	}
	k8sTokens := map[string]string{}
	for _, u := range muUsers {
		k8sTokens[u] = env.Users[u].Token
	}
	impersonator := saKubeconfig(t, "impersonator")
	return []mode{
		{"token impersonate", []string{"--kubeconfig", impersonator, "--auth", "token", "--auth-token-file", tokenFile}, staticTokens},
		{"oidc impersonate", []string{"--kubeconfig", impersonator, "--auth", "oidc", "--oidc-issuer", iss.URL, "--oidc-issuer-ca", ca,
			"--public-url", "https://kubemcp.example.com", "--oidc-username-prefix=-", "--oidc-groups-prefix=-"}, oidcTokens},
		// The server's own credential may do nothing: whatever works, works by the caller's token.
		{"passthrough", []string{"--kubeconfig", saKubeconfig(t, "nobody"), "--auth", "passthrough"}, k8sTokens},
	}
}

// TestMultiUser runs 1,000 interleaved pods_list calls from alice, bob and
// carol, each on another HTTP flavour, in every mode: each sees exactly what
// RBAC lets them list, gets a forbidden answer naming themselves otherwise,
// and never sees another namespace's pods or another user's name. No token
// reaches the server's log or the audit log.
func TestMultiUser(t *testing.T) {
	muWorld(t)
	flavours := map[string]string{"alice": "streamable", "bob": "stateless", "carol": "sse"}
	for _, m := range muModes(t) {
		t.Run(m.name, func(t *testing.T) {
			audit := filepath.Join(t.TempDir(), "audit.log")
			srv := serveArgs(t, append(m.args, "--audit-file", audit, "--user-rate", "0", "--user-concurrency", "0")...)
			sessions := map[string]*mcp.ClientSession{}
			for _, u := range muUsers {
				sessions[u] = connectAs(t, srv.URL, m.tokens[u], flavours[u])
			}
			start := time.Now()
			const calls = 1000
			failures := interleave(t, sessions, calls)
			t.Logf("%d calls in %s, %d wrong", calls, time.Since(start).Round(time.Millisecond), failures)
			if failures > 0 {
				t.Fatalf("%d of %d calls answered wrongly", failures, calls)
			}
			for _, u := range muUsers {
				for where, text := range map[string]string{"server log": srv.Log(), "audit log": readFile(t, audit)} {
					if strings.Contains(text, m.tokens[u]) {
						t.Errorf("%s's token is in the %s", u, where)
					}
				}
			}
			checkAuditIdentities(t, readFile(t, audit), calls)
		})
	}
}

// interleave makes n calls, spread over four workers per user, each worker
// cycling through the namespaces, and counts the wrong answers.
func interleave(t *testing.T, sessions map[string]*mcp.ClientSession, n int64) int64 {
	var next, wrong atomic.Int64
	var wg sync.WaitGroup
	for _, u := range muUsers {
		for w := range 4 {
			wg.Go(func() {
				for i := next.Add(1); i <= n; i = next.Add(1) {
					ns := muNamespaces[(int(i)+w)%len(muNamespaces)]
					if msg := checkCall(t, sessions[u], u, ns); msg != "" {
						if wrong.Add(1) <= 5 {
							t.Error(msg)
						}
					}
				}
			})
		}
	}
	wg.Wait()
	return wrong.Load()
}

// checkCall lists ns's pods as user and says what is wrong with the answer.
func checkCall(t *testing.T, cs *mcp.ClientSession, user, ns string) string {
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "pods_list", Arguments: map[string]any{"namespace": ns}})
	if err != nil {
		return fmt.Sprintf("%s listing %s: protocol error %v", user, ns, err)
	}
	text := textOf(res)
	for _, other := range muUsers {
		if other != user && strings.Contains(text, `"`+other+`"`) {
			return fmt.Sprintf("%s listing %s got an answer naming %s:\n%s", user, ns, other, text)
		}
	}
	for _, otherNS := range muNamespaces {
		if otherNS != ns && strings.Contains(text, otherNS+"-pod-") {
			return fmt.Sprintf("%s listing %s saw pods of %s:\n%s", user, ns, otherNS, text)
		}
	}
	if !muMayList[user][ns] {
		if !res.IsError || !strings.Contains(text, "forbidden") || !strings.Contains(text, `"`+user+`"`) || !strings.Contains(text, ns) {
			return fmt.Sprintf("%s listing %s: want a forbidden answer naming the user and namespace, got:\n%s", user, ns, text)
		}
		return ""
	}
	for i := range 3 {
		if pod := fmt.Sprintf("%s-pod-%d", ns, i); res.IsError || !strings.Contains(text, pod) {
			return fmt.Sprintf("%s listing %s: %s missing:\n%s", user, ns, pod, text)
		}
	}
	return ""
}

func textOf(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkAuditIdentities: one audit line per call, each naming its caller:
// alice, bob (streamable HTTP) and carol (legacy SSE) by name, never "local".
func checkAuditIdentities(t *testing.T, log string, calls int64) {
	t.Helper()
	count := map[string]int{}
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for _, l := range lines {
		_, rest, _ := strings.Cut(l, `"identity":"`)
		who, _, _ := strings.Cut(rest, `"`)
		count[who]++
	}
	if int64(len(lines)) != calls || count["alice"] == 0 || count["bob"] == 0 || count["carol"] == 0 || count["local"] > 0 {
		t.Errorf("audit: %d lines for %d calls, by identity %v", len(lines), calls, count)
	}
	t.Logf("audit lines by identity: %v", count)
}

// TestMultiUserFairness: beyond a user's rate, a call is refused with a tool
// error that says so and when to retry; other users are not held back.
func TestMultiUserFairness(t *testing.T) {
	muWorld(t)
	tokenFile, tokens := writeTokenFile(t, muUsers)
	srv := serveArgs(t, "--kubeconfig", saKubeconfig(t, "impersonator"), "--auth", "token", "--auth-token-file", tokenFile,
		"--user-rate", "0.5", "--user-burst", "2")
	alice, bob := connectAs(t, srv.URL, tokens["alice"], "streamable"), connectAs(t, srv.URL, tokens["bob"], "streamable")
	args := map[string]any{"namespace": "multiuser-a"}
	for range 2 {
		if got, _ := call(t, alice, "pods_list", args); got.IsError {
			t.Fatalf("within the burst: %s", got.Text)
		}
	}
	got, _ := call(t, alice, "pods_list", args)
	if !got.IsError || !strings.Contains(got.Text, "alice is over kubemcp's limit of 0.5 tool calls a second (bursts of 2); retry in") {
		t.Fatalf("beyond the burst: %+v", got)
	}
	if got, _ := call(t, bob, "pods_list", map[string]any{"namespace": "multiuser-b"}); got.IsError {
		t.Fatalf("bob held back by alice: %s", got.Text)
	}
}

// TestMultiUserUnauthenticated: without a good bearer there is no MCP at all.
func TestMultiUserUnauthenticated(t *testing.T) {
	muWorld(t)
	tokenFile, _ := writeTokenFile(t, muUsers)
	srv := serveArgs(t, "--kubeconfig", saKubeconfig(t, "impersonator"), "--auth", "token", "--auth-token-file", tokenFile)
	for _, token := range []string{"", "wrong"} {
		tr := &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: withBearer{token}}}
		if _, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil).Connect(testContext(t), tr, nil); err == nil {
			t.Errorf("token %q: connected", token)
		}
	}
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
