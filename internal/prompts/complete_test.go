package prompts

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// completion is what a completion/complete must answer.
type completion struct {
	values  []string
	total   int
	hasMore bool
}

func complete(t *testing.T, cs *mcp.ClientSession, ref *mcp.CompleteReference, arg, value string, context map[string]string) completion {
	t.Helper()
	params := &mcp.CompleteParams{Ref: ref, Argument: mcp.CompleteParamsArgument{Name: arg, Value: value}}
	if context != nil {
		params.Context = &mcp.CompleteContext{Arguments: context}
	}
	res, err := cs.Complete(testContext(t), params)
	if err != nil {
		t.Fatalf("complete %s=%q: %v", arg, value, err)
	}
	if res.Completion.Values == nil {
		t.Errorf("complete %s=%q: values null, want a list", arg, value)
	}
	return completion{res.Completion.Values, res.Completion.Total, res.Completion.HasMore}
}

func prompt(name string) *mcp.CompleteReference {
	return &mcp.CompleteReference{Type: "ref/prompt", Name: name}
}

func (c completion) check(t *testing.T, want completion) {
	t.Helper()
	if !slices.Equal(c.values, want.values) && !(len(c.values) == 0 && len(want.values) == 0) {
		t.Errorf("values %q, want %q", c.values, want.values)
	}
	if c.total != want.total || c.hasMore != want.hasMore {
		t.Errorf("total %d hasMore %v, want %d %v", c.total, c.hasMore, want.total, want.hasMore)
	}
}

func TestComplete(t *testing.T) {
	cs := serve(t, as(withContexts(t, "prod-eu", "prod-us", "staging")), nil)
	frontend, cart := testenv.FrontendPods(), testenv.CartPods()
	payments := []string{testenv.PodCrashLoop, testenv.PodImagePull}
	some := func(v ...string) completion { return completion{values: v, total: len(v)} }
	tests := []struct {
		name    string
		prompt  string
		arg     string
		value   string
		context map[string]string
		want    completion
	}{
		{"namespaces by prefix", "cluster_status", "namespace", "pay", nil, some("payments")},
		{"namespaces, one letter", "security_assessment", "namespace", "m", nil, some("monitoring")},
		{"namespace nothing starts with", "cluster_status", "namespace", "zz", nil, some()},
		{"pods in the context's namespace", "troubleshoot_pod", "pod", "", map[string]string{"namespace": "payments"}, some(payments...)},
		{"pods in a namespace by prefix", "troubleshoot_pod", "pod", "api-", map[string]string{"namespace": "payments"}, some(testenv.PodCrashLoop)},
		{"pods in all namespaces", "troubleshoot_pod", "pod", "frontend-", nil, some(frontend...)},
		{"pods in shop", "troubleshoot_pod", "pod", "", map[string]string{"namespace": "shop"}, some(slices.Concat(cart, frontend)...)},
		{"pods of a namespace that cannot be one", "troubleshoot_pod", "pod", "", map[string]string{"namespace": "Shop!"}, some()},
		{"pods on another cluster", "troubleshoot_pod", "pod", "ledger", map[string]string{"namespace": "payments", "cluster": "staging"}, some(testenv.PodImagePull)},
		{"pods on an unknown cluster", "troubleshoot_pod", "pod", "", map[string]string{"cluster": "nowhere"}, some()},
		{"deployments in shop", "performance_optimization", "deployment", "", map[string]string{"namespace": "shop"}, some("cart", "frontend")},
		{"deployments in all namespaces", "resource_usage_analysis", "deployment", "l", nil, some("ledger", "log-aggregator")},
		{"clusters by prefix", "cost_optimization", "cluster", "prod", nil, some("prod-eu", "prod-us")},
		{"all clusters", "cluster_status", "cluster", "", nil, some("kubemcp-test", "prod-eu", "prod-us", "staging")},
		{"an argument not completed", "cost_optimization", "cpu_hour_price", "", nil, some()},
		{"an argument the prompt has not", "cluster_status", "pod", "", nil, some()},
		{"a prompt not ours", "someone_elses", "namespace", "", nil, some()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			complete(t, cs, prompt(tt.prompt), tt.arg, tt.value, tt.context).check(t, tt.want)
		})
	}
}

// TestCompleteForbidden: alice has no RBAC grants, so she sees no names, and
// no error either; the cluster names are not the cluster's to refuse.
func TestCompleteForbidden(t *testing.T) {
	cs := serve(t, as(env.Users["alice"].Kubeconfig), nil)
	complete(t, cs, prompt("cluster_status"), "namespace", "", nil).check(t, completion{})
	complete(t, cs, prompt("troubleshoot_pod"), "pod", "", map[string]string{"namespace": "shop"}).check(t, completion{})
	complete(t, cs, prompt("performance_optimization"), "deployment", "", nil).check(t, completion{})
	complete(t, cs, prompt("cluster_status"), "cluster", "", nil).check(t, completion{values: []string{testenv.KubeContext}, total: 1})
}

// TestCompleteDenied: what kubemcp's policy denies completes to nothing, the
// rest as usual; the lookups pass the same guard as tool calls.
func TestCompleteDenied(t *testing.T) {
	deny := &policy.Config{Deny: []policy.Rule{{Name: "no payments pods", Resources: []string{"pods"}, Namespaces: []string{"payments"}}}}
	cs := serve(t, clusters.Options{Kubeconfig: env.Kubeconfig, Client: kube.Options{Policy: deny}}, nil)
	ref := prompt("troubleshoot_pod")
	complete(t, cs, ref, "pod", "", map[string]string{"namespace": "payments"}).check(t, completion{})
	complete(t, cs, ref, "pod", "cart-", map[string]string{"namespace": "shop"}).check(t, completion{values: testenv.CartPods(), total: 2})
}

// capPods creates a namespace of the test's own with n pods named
// cap-000 and on, and returns it and the names; the pods stay Pending, with
// no scheduler to place them.
func capPods(t *testing.T, n int) (string, []string) {
	t.Helper()
	api := env.Clientset("admin").CoreV1()
	ctx := testContext(t)
	ns := env.Namespace(t, "prompts-cap")
	var names []string
	for i := range n {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cap-%03d", i), Namespace: ns},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "busybox:1.37"}}}}
		if _, err := api.Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		names = append(names, pod.Name)
	}
	return ns, names
}

// TestCompleteCap: 120 pods complete to the first 100, with the total and
// hasMore; listed in pages of 7, the answer is the same; with the scan
// stopped at 50 objects, the total is unknown and hasMore is set.
func TestCompleteCap(t *testing.T) {
	ns, names := capPods(t, 120)
	ctx := map[string]string{"namespace": ns}
	full := completion{values: names[:100], total: 120, hasMore: true}
	tests := []struct {
		name  string
		scan  scan
		value string
		want  completion
	}{
		{"one page", defaultScan, "cap-", full},
		{"pages of 7", scan{page: 7, max: 10000}, "", full},
		{"a prefix under the cap", scan{page: 7, max: 10000}, "cap-11", completion{values: names[110:], total: 10}},
		{"scan stopped early", scan{page: 7, max: 50}, "cap-", completion{values: names[:56], hasMore: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := serve(t, as(env.Kubeconfig), func(p *Prompts) { p.scan = tt.scan })
			complete(t, cs, prompt("troubleshoot_pod"), "pod", tt.value, ctx).check(t, tt.want)
		})
	}
}

// before is a feature installed ahead of the prompts that completes
// resource templates, so that the prompts' handler must chain to it.
type before struct{}

func (before) Configure(so *mcp.ServerOptions) {
	so.CompletionHandler = func(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
		return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{"from-before:" + req.Params.Ref.Type}, Total: 1}}, nil
	}
}

func (before) Install(*mcp.Server) {}

func TestCompleteChains(t *testing.T) {
	cs := serve(t, as(env.Kubeconfig), nil, before{})
	resource := &mcp.CompleteReference{Type: "ref/resource", URI: "k8s://{cluster}/{namespace}/{resource}/{name}"}
	complete(t, cs, resource, "namespace", "", nil).check(t, completion{values: []string{"from-before:ref/resource"}, total: 1})
	complete(t, cs, prompt("someone_elses"), "namespace", "", nil).check(t, completion{values: []string{"from-before:ref/prompt"}, total: 1})
	complete(t, cs, prompt("cluster_status"), "namespace", "sho", nil).check(t, completion{values: []string{"shop"}, total: 1})
}

// TestCompleteOtherRefs: a resource reference, or one of a type this SDK's
// client will not send (so the handler is called directly), completes to
// nothing when no handler was set before ours.
func TestCompleteOtherRefs(t *testing.T) {
	cs := serve(t, as(env.Kubeconfig), nil)
	complete(t, cs, &mcp.CompleteReference{Type: "ref/resource", URI: "k8s://x"}, "namespace", "", nil).check(t, completion{})

	so := &mcp.ServerOptions{}
	New(nil).Configure(so)
	res, err := so.CompletionHandler(t.Context(), &mcp.CompleteRequest{Params: &mcp.CompleteParams{
		Ref: &mcp.CompleteReference{Type: "ref/other", Name: "cluster_status"}, Argument: mcp.CompleteParamsArgument{Name: "namespace"}}})
	if err != nil || res.Completion.Values == nil || len(res.Completion.Values) != 0 {
		t.Errorf("got %+v, %v; want an empty completion", res, err)
	}
}
