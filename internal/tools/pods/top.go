package pods

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// metricsGroupVersion is the API metrics-server serves.
const metricsGroupVersion = "metrics.k8s.io/v1beta1"

// TopPodsIn selects the pods whose usage to show.
type TopPodsIn struct {
	toolset.Target
	toolset.TextCap
	Namespace     string `json:"namespace,omitempty"`
	Name          string `json:"name,omitempty"`
	LabelSelector string `json:"label_selector,omitempty"`
	SortBy        string `json:"sort_by,omitempty" jsonschema:"cpu or memory; default: name"`
	Containers    bool   `json:"containers,omitempty" jsonschema:"a row per container"`
}

// Usage is CPU and memory in use.
type Usage struct {
	CPUMillicores int64 `json:"cpu_millicores"`
	MemoryBytes   int64 `json:"memory_bytes" jsonschema:"working set"`
}

// PodUsage is the usage of one pod, the sum of its containers.
type PodUsage struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Usage
	Containers []ContainerUsage `json:"containers"`
}

// ContainerUsage is the usage of one container.
type ContainerUsage struct {
	Name string `json:"name"`
	Usage
}

// TopPodsOut is the structured result of pods_top.
type TopPodsOut struct {
	Pods    []PodUsage `json:"pods"`
	Total   Usage      `json:"total" jsonschema:"sum over every pod that matched"`
	Matched int        `json:"matched" jsonschema:"how many matched; the list holds those the text shows"`
}

func (p *Pods) podsTop() toolset.Tool {
	return toolset.FanOut(p.deps, mcp.Tool{
		Name:        "pods_top",
		Description: "Pods' CPU and memory use (metrics-server).",
		Annotations: toolset.ReadOnly("Pod resource usage"),
	}, p.topPods)
}

func (p *Pods) topPods(ctx context.Context, _ *mcp.CallToolRequest, in TopPodsIn) (string, TopPodsOut, error) {
	out := TopPodsOut{Pods: []PodUsage{}}
	kc, mc, err := p.topClients(ctx, in.Cluster, in.SortBy)
	if err != nil {
		return "", out, err
	}
	ns := in.Namespace
	if in.Name != "" {
		ns = cmp.Or(ns, kc.Namespace)
	}
	api := mc.MetricsV1beta1().PodMetricses(ns)
	items, err := oneOrList(ctx, in.Name, in.LabelSelector, api.Get, api.List,
		func(l *metricsv1beta1.PodMetricsList) []metricsv1beta1.PodMetrics { return l.Items })
	if err != nil {
		return "", out, metricsErr(ctx, kc, err, toolset.Op{Verb: "list", Resource: "pods.metrics.k8s.io", Namespace: ns, Name: in.Name})
	}
	for _, pm := range items {
		out.Pods = append(out.Pods, podUsage(pm))
	}
	if len(out.Pods) == 0 {
		return noMetrics("pods", ns, in.LabelSelector), out, nil
	}
	sortUsage(out.Pods, in.SortBy, func(u PodUsage) (string, Usage) { return u.Namespace + "/" + u.Name, u.Usage })
	for _, u := range out.Pods {
		out.Total.CPUMillicores += u.CPUMillicores
		out.Total.MemoryBytes += u.MemoryBytes
	}
	out.Matched = len(out.Pods)
	text, shown := podUsageTable(out.Pods, ns == "", in.Containers).Fit(p.deps.Budget(in.TextCap),
		"Narrow with namespace or label_selector, or use sort_by to see the heaviest first.")
	out.Pods = out.Pods[:shown]
	return text + fmt.Sprintf("Total over %d pods: CPU %s, memory %s.\n", out.Matched, cpu(out.Total.CPUMillicores), mem(out.Total.MemoryBytes)), out, nil
}

// oneOrList reads the object called name or, without a name, those the
// label selector matches.
func oneOrList[T, L any](ctx context.Context, name, selector string,
	get func(context.Context, string, metav1.GetOptions) (*T, error),
	list func(context.Context, metav1.ListOptions) (*L, error), items func(*L) []T) ([]T, error) {
	if name != "" {
		one, err := get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return []T{*one}, nil
	}
	l, err := list(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	return items(l), nil
}

func podUsage(pm metricsv1beta1.PodMetrics) PodUsage {
	u := PodUsage{Namespace: pm.Namespace, Name: pm.Name, Containers: []ContainerUsage{}}
	for _, c := range pm.Containers {
		cu := ContainerUsage{Name: c.Name, Usage: usageOf(c.Usage)}
		u.Containers = append(u.Containers, cu)
		u.CPUMillicores += cu.CPUMillicores
		u.MemoryBytes += cu.MemoryBytes
	}
	return u
}

func usageOf(l corev1.ResourceList) Usage {
	return Usage{CPUMillicores: l.Cpu().MilliValue(), MemoryBytes: l.Memory().Value()}
}

func podUsageTable(pods []PodUsage, withNamespace, containers bool) render.Table {
	t := render.Table{Header: []string{"NAME", "CPU", "MEMORY"}}
	if containers {
		t.Header = []string{"POD", "CONTAINER", "CPU", "MEMORY"}
	}
	if withNamespace {
		t.Header = append([]string{"NAMESPACE"}, t.Header...)
	}
	for _, u := range pods {
		var rows [][]string
		if containers {
			for _, c := range u.Containers {
				rows = append(rows, []string{u.Name, c.Name, cpu(c.CPUMillicores), mem(c.MemoryBytes)})
			}
		} else {
			rows = [][]string{{u.Name, cpu(u.CPUMillicores), mem(u.MemoryBytes)}}
		}
		for _, r := range rows {
			if withNamespace {
				r = append([]string{u.Namespace}, r...)
			}
			t.Rows = append(t.Rows, r)
		}
	}
	return t
}

func checkSort(by string) error {
	switch by {
	case "", "cpu", "memory":
		return nil
	}
	return fmt.Errorf("sort_by %q: want cpu or memory", by)
}

// sortUsage orders rows by name, or by the usage sort_by names, highest first.
func sortUsage[T any](rows []T, by string, key func(T) (string, Usage)) {
	slices.SortStableFunc(rows, func(a, b T) int {
		na, ua := key(a)
		nb, ub := key(b)
		switch by {
		case "cpu":
			return cmp.Or(cmp.Compare(ub.CPUMillicores, ua.CPUMillicores), cmp.Compare(na, nb))
		case "memory":
			return cmp.Or(cmp.Compare(ub.MemoryBytes, ua.MemoryBytes), cmp.Compare(na, nb))
		}
		return cmp.Compare(na, nb)
	})
}

// cpu and mem format usage the way kubectl top does.
func cpu(milli int64) string { return fmt.Sprintf("%dm", milli) }
func mem(bytes int64) string { return fmt.Sprintf("%dMi", bytes>>20) }

func noMetrics(what, ns, selector string) string {
	where := "in any namespace"
	switch {
	case what == "nodes":
		where = ""
	case ns != "":
		where = fmt.Sprintf("in namespace %q", ns)
	}
	if selector != "" {
		where += fmt.Sprintf(" matching %q", selector)
	}
	return strings.ReplaceAll(fmt.Sprintf("No usage reported for %s %s. metrics-server reports a pod or node about a minute after it starts, "+
		"and only while it runs; pods_list shows what exists.\n", what, where), "  ", " ")
}

// topClients checks sort_by and returns the clients pods_top and nodes_top
// read from: the cluster's, and a metrics client built from the same config,
// so the policy applies to it too. It is built per call (microseconds; the
// connections are client-go's shared ones): kept per cluster client, it would
// outlive the per-caller clients the cluster cache lets go, credentials and all.
func (p *Pods) topClients(ctx context.Context, cluster, sortBy string) (*kube.Client, metricsclient.Interface, error) {
	if err := checkSort(sortBy); err != nil {
		return nil, nil, err
	}
	kc, err := p.deps.Clusters.Get(ctx, cluster)
	if err != nil {
		return nil, nil, err
	}
	mc, err := metricsclient.NewForConfig(kc.Config)
	if err != nil {
		return nil, nil, fmt.Errorf("building the metrics client for %s: %w", kc.Config.Host, err)
	}
	return kc, mc, nil
}

// metricsErr explains a failed metrics request. A cluster without
// metrics-server answers 404 for the whole group, which is not about any
// one object: discovery tells that apart from a pod that has no metrics.
func metricsErr(ctx context.Context, kc *kube.Client, err error, op toolset.Op) error {
	switch {
	case apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err):
		return fmt.Errorf("the metrics API (%s) is registered but its backend did not answer (%s): metrics-server is installed but not running "+
			"or not ready. Check its pods: pods_list {\"namespace\":\"kube-system\",\"label_selector\":\"k8s-app=metrics-server\"}", metricsGroupVersion, toolset.APIMessage(err))
	case !apierrors.IsNotFound(err):
		return toolset.Explain(err, op)
	}
	if _, derr := kc.Typed.Discovery().ServerResourcesForGroupVersion(metricsGroupVersion); apierrors.IsNotFound(derr) {
		return fmt.Errorf("CPU and memory usage are not available: the cluster does not serve the metrics API (%s), so metrics-server is not installed. "+
			"A cluster admin can install it (https://github.com/kubernetes-sigs/metrics-server); meanwhile pods_get shows each container's requests and limits", metricsGroupVersion)
	}
	if op.Name != "" {
		return fmt.Errorf("no usage reported for %s %q%s: metrics-server reports it about a minute after it starts, and only while it runs",
			strings.TrimSuffix(op.Resource, ".metrics.k8s.io"), op.Name, inNamespace(op.Namespace))
	}
	return toolset.Explain(err, op)
}

func inNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return fmt.Sprintf(" in namespace %q", ns)
}
