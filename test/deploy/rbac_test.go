package deploy

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	authv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
)

// callerToken is the bearer the MCP client presents, from the tokens.yaml the
// chart mounts from auth.token.existingSecret.
const callerToken = "rbac-test-caller-token"

// TestPresetRBAC installs each RBAC preset's ServiceAccount, ClusterRole and
// binding for real, runs `kubemcp serve` as the chart's pod would (in-cluster
// environment, the ServiceAccount's token and the cluster CA at the fixed
// in-cluster paths, the chart's config) and calls tools through an MCP client
// over HTTP: what the preset promises works, what it does not grant is
// refused by Kubernetes RBAC, not only by kubemcp.
func TestPresetRBAC(t *testing.T) {
	requireMountNamespace(t)
	bin := buildKubemcp(t)
	a := newApplier()
	for _, p := range []struct {
		name   string
		values string
		probe  func(ns string) authzv1.ResourceAttributes // something the preset grants, to wait for
		check  func(t *testing.T, s presetServer)
	}{
		{"readOnly", tokenAuth, may("get", "configmaps"), readOnlyPromises},
		{"readWrite", tokenAuth + "rbac: {preset: readWrite}", may("create", "configmaps"), readWritePromises},
		{"readWrite with Secrets", tokenAuth + "rbac: {preset: readWrite, secrets: true}", may("get", "secrets"), secretsPromises},
		{"impersonation", tokenAuth + "rbac: {preset: impersonation}", mayImpersonate, impersonationPromises},
	} {
		t.Run(p.name, func(t *testing.T) {
			p.check(t, install(t, a, bin, p.values, p.probe))
		})
	}
}

// install applies the chart's ServiceAccount, ClusterRole and binding for
// values into a fresh namespace and starts kubemcp in it as the pod would.
func install(t *testing.T, a applier, bin, values string, probe func(ns string) authzv1.ResourceAttributes) presetServer {
	t.Helper()
	ns := env.Namespace(t, "rbac")
	r, err := render(t, ns, values)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding"} {
		a.apply(t, ns, r.one(t, kind))
	}
	sa := r.one(t, "ServiceAccount").GetName()
	// The RBAC authorizer learns of the binding through a watch.
	if err := env.WaitAllowed(context.Background(), rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa}, probe(ns)); err != nil {
		t.Fatal(err)
	}
	seed(t, ns)
	token := saToken(t, ns, sa)
	return presetServer{ns: ns, token: token, cs: connectMCP(t, startInPod(t, bin, ns, token, r.configFile(t)))}
}

// may is a request on a core resource in the test's namespace.
func may(verb, resource string) func(ns string) authzv1.ResourceAttributes {
	return func(ns string) authzv1.ResourceAttributes {
		return authzv1.ResourceAttributes{Namespace: ns, Verb: verb, Resource: resource}
	}
}

func mayImpersonate(string) authzv1.ResourceAttributes {
	return authzv1.ResourceAttributes{Verb: "impersonate", Resource: "users"}
}

// presetServer is one preset's kubemcp, reached through an MCP client, and
// the ServiceAccount token it runs with.
type presetServer struct {
	ns    string
	token string
	cs    *mcp.ClientSession
}

func readOnlyPromises(t *testing.T, s presetServer) {
	s.wantWorks(t, "pods_list", map[string]any{"namespace": s.ns}, "web")
	// No namespace: the pod's namespace file says which.
	s.wantWorks(t, "resources_get", map[string]any{"resource": "configmaps", "name": "settings"}, "colour")
	s.wantWorks(t, "events_list", map[string]any{"namespace": s.ns}, "")
	s.wantRBACRefuses(t, "resources_get", map[string]any{"resource": "secrets", "name": "creds"})
	for _, tool := range []string{"resources_apply", "resources_patch", "resources_delete"} {
		if s.listed(t, tool) {
			t.Errorf("%s is served under the readOnly preset", tool)
		}
	}
	// kubemcp serving only read tools is not the whole promise: the
	// ServiceAccount itself may not write.
	_, err := s.client(t).CoreV1().ConfigMaps(s.ns).Create(context.Background(), configMap("written"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("the readOnly ServiceAccount creating a ConfigMap: want Forbidden, got %v", err)
	}
}

func readWritePromises(t *testing.T, s presetServer) {
	s.writeConfigMap(t)
	s.wantRBACRefuses(t, "resources_get", map[string]any{"resource": "secrets", "name": "creds"})
	s.wantWorks(t, "pods_list", map[string]any{"namespace": s.ns}, "web")
}

func secretsPromises(t *testing.T, s presetServer) {
	s.writeConfigMap(t)
	// RBAC lets the ServiceAccount read the Secret; kubemcp still hides its
	// values (allowSecretReveal is off).
	text := s.wantWorks(t, "resources_get", map[string]any{"resource": "secrets", "name": "creds"}, "creds")
	if strings.Contains(text, "hunter2") {
		t.Errorf("the Secret's value is shown:\n%s", text)
	}
}

// impersonationPromises: calls run as the caller (alice), who may read
// ConfigMaps in the namespace and nothing else; the ServiceAccount itself
// may only list and watch what the watch cache holds.
func impersonationPromises(t *testing.T, s presetServer) {
	alice := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}
	if err := env.Grant(context.Background(), s.ns, "alice-reads-configmaps", alice,
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}); err != nil {
		t.Fatal(err)
	}
	s.wantWorks(t, "resources_get", map[string]any{"resource": "configmaps", "name": "settings"}, "colour")
	s.wantRBACRefuses(t, "pods_list", map[string]any{"namespace": s.ns})
	s.wantRBACRefuses(t, "resources_get", map[string]any{"resource": "secrets", "name": "creds"})
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\n"
	s.wantRBACRefuses(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": s.ns})
	// As itself the ServiceAccount may only list and watch, for the watch
	// cache, which asks the cluster about each caller before it answers:
	// never a Secret, never a write.
	sa := s.client(t).CoreV1()
	if _, err := sa.Secrets(s.ns).Get(context.Background(), "creds", metav1.GetOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the impersonating ServiceAccount reading a Secret as itself: want Forbidden, got %v", err)
	}
	_, err := sa.ConfigMaps(s.ns).Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "by-the-sa"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("the impersonating ServiceAccount creating a ConfigMap as itself: want Forbidden, got %v", err)
	}
}

// writeConfigMap creates, patches and deletes a ConfigMap through kubemcp.
func (s presetServer) writeConfigMap(t *testing.T) {
	t.Helper()
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\ndata: {a: '1'}\n"
	s.wantWorks(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": s.ns}, "made")
	s.wantWorks(t, "resources_patch", map[string]any{"resource": "configmaps", "namespace": s.ns, "name": "made", "patch": `{"data":{"a":"2"}}`}, "made")
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(s.ns).Get(context.Background(), "made", metav1.GetOptions{})
	if err != nil || cm.Data["a"] != "2" {
		t.Fatalf("after apply and patch: %v %v", cm.Data, err)
	}
	s.wantWorks(t, "resources_delete", map[string]any{"resource": "configmaps", "namespace": s.ns, "name": "made"}, "made")
}

// wantWorks calls tool and wants a result that is not an error and mentions want.
func (s presetServer) wantWorks(t *testing.T, tool string, args map[string]any, want string) string {
	t.Helper()
	res := s.call(t, tool, args)
	text := resultText(res)
	if res.IsError || !strings.Contains(text, want) {
		t.Errorf("%s %v: want a result mentioning %q, got (isError %v):\n%s", tool, args, want, res.IsError, text)
	}
	return text
}

// wantRBACRefuses calls tool and wants the apiserver's refusal, not kubemcp's.
func (s presetServer) wantRBACRefuses(t *testing.T, tool string, args map[string]any) {
	t.Helper()
	res := s.call(t, tool, args)
	if text := resultText(res); !res.IsError || !strings.Contains(text, "Kubernetes RBAC") {
		t.Errorf("%s %v: want Kubernetes RBAC to refuse it, got (isError %v):\n%s", tool, args, res.IsError, text)
	}
}

func (s presetServer) call(t *testing.T, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := s.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	return res
}

func (s presetServer) listed(t *testing.T, tool string) bool {
	t.Helper()
	for tl, err := range s.cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tl.Name == tool {
			return true
		}
	}
	return false
}

// client is a clientset with the ServiceAccount's own token, for what
// kubemcp would not even try.
func (s presetServer) client(t *testing.T) kubernetes.Interface {
	cfg := env.RESTConfig("admin")
	cfg.BearerToken = s.token
	return kubernetes.NewForConfigOrDie(cfg)
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// seed puts in ns what the tools look at: a pod, a ConfigMap and a Secret.
func seed(t *testing.T, ns string) {
	t.Helper()
	ctx, core := context.Background(), env.Clientset("admin").CoreV1()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds"}, StringData: map[string]string{"password": "hunter2"}}
	errs := []error{}
	_, err := core.Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	errs = append(errs, err)
	_, err = core.ConfigMaps(ns).Create(ctx, configMap("settings"), metav1.CreateOptions{})
	errs = append(errs, err)
	_, err = core.Secrets(ns).Create(ctx, secret, metav1.CreateOptions{})
	for _, err := range append(errs, err) {
		if err != nil {
			t.Fatalf("seeding %s: %v", ns, err)
		}
	}
}

func configMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"colour": "blue"}}
}

// saToken mints a token for the ServiceAccount, as the kubelet does for the
// projected volume of a pod that runs as it.
func saToken(t *testing.T, ns, name string) string {
	t.Helper()
	tok, err := env.Clientset("admin").CoreV1().ServiceAccounts(ns).CreateToken(context.Background(), name, &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("minting a token for ServiceAccount %s/%s: %v", ns, name, err)
	}
	return tok.Status.Token
}

// requireMountNamespace skips unless this process may make a private mount
// namespace: rest.InClusterConfig reads fixed paths under
// /var/run/secrets, which only a private mount can put files at without
// touching the host (where other kubemcp processes would take them for a
// cluster they run in).
func requireMountNamespace(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("unshare", "--mount", "--propagation", "private", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot make a private mount namespace for the in-cluster files (needs root and unshare): %v %s", err, out)
	}
}

// buildKubemcp builds ./cmd/kubemcp into the test's temporary directory.
func buildKubemcp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kubemcp")
	if out, err := exec.Command("go", "build", "-o", bin, repoPath(t, "cmd", "kubemcp")).CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kubemcp: %v\n%s", err, out)
	}
	return bin
}

// inPod mounts a tmpfs over /run in the private namespace, puts the
// ServiceAccount directory there ($1) and runs kubemcp ($2, args after).
const inPod = `mount -t tmpfs tmpfs /run &&
mkdir -p /run/secrets/kubernetes.io/serviceaccount &&
mount --bind "$1" /run/secrets/kubernetes.io/serviceaccount &&
shift && exec "$@"`

// startInPod runs `kubemcp serve` as the chart's pod does: the config file
// from the ConfigMap, the in-cluster environment and the projected
// ServiceAccount files; only where the chart names pod paths (the listen
// address, the tokens file) do flags point elsewhere. It returns the MCP URL.
func startInPod(t *testing.T, bin, ns, token string, config []byte) string {
	t.Helper()
	dir := t.TempDir()
	sa := filepath.Join(dir, "serviceaccount")
	files := map[string][]byte{
		filepath.Join(sa, "token"):        []byte(token),
		filepath.Join(sa, "ca.crt"):       env.CAData(),
		filepath.Join(sa, "namespace"):    []byte(ns),
		filepath.Join(dir, "config.yaml"): config,
		filepath.Join(dir, "tokens.yaml"): []byte("tokens:\n- user: alice\n  token: " + callerToken + "\n"),
	}
	if err := os.Mkdir(sa, 0o700); err != nil {
		t.Fatal(err)
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	api, err := url.Parse(env.Server)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", inPod, "sh", sa, bin, "serve",
		"--config", filepath.Join(dir, "config.yaml"), "--listen", "127.0.0.1:0", "--auth-token-file", filepath.Join(dir, "tokens.yaml"))
	cmd.Env = append(os.Environ(), "KUBERNETES_SERVICE_HOST="+api.Hostname(), "KUBERNETES_SERVICE_PORT="+api.Port(), "KUBECONFIG=/nonexistent")
	return runServe(t, cmd)
}

// runServe starts cmd and returns the URL kubemcp says it serves MCP at; it
// stops the process when the test ends.
func runServe(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := env.StartProcess(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	urls, log := make(chan string, 1), make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if _, rest, ok := strings.Cut(sc.Text(), "serving MCP at "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
		log <- b.String()
	}()
	select {
	case u := <-urls:
		return u
	case l := <-log:
		t.Fatalf("kubemcp exited before serving:\n%s", l)
	case <-time.After(30 * time.Second):
		t.Fatal("kubemcp did not report its address within 30s")
	}
	return ""
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connectMCP opens a go-sdk session over streamable HTTP as the caller the
// chart's tokens file names.
func connectMCP(t *testing.T, endpoint string) *mcp.ClientSession {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: bearer{callerToken}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "rbac-test"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatalf("connecting to %s: %v", endpoint, err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// apply creates or updates obj for real, as `helm install` does, and deletes
// it when the test ends (cluster-scoped objects outlive the namespace).
func (a applier) apply(t *testing.T, ns string, obj *unstructured.Unstructured) {
	t.Helper()
	ri := a.resource(t, ns, obj)
	if err := a.send(ri, obj, nil); err != nil {
		t.Fatalf("%s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	t.Cleanup(func() { _ = ri.Delete(context.Background(), obj.GetName(), metav1.DeleteOptions{}) })
}
