package pods

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ListIn selects pods.
type ListIn struct {
	toolset.Target
	toolset.TextCap
	Namespace     string `json:"namespace,omitempty"`
	LabelSelector string `json:"label_selector,omitempty"`
}

// Pod is one row of pods_list: what a person reads first.
type Pod struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	Ready     string    `json:"ready" jsonschema:"ready containers over all containers, e.g. 1/2"`
	Status    string    `json:"status" jsonschema:"phase, or the reason a container is waiting or terminated (CrashLoopBackOff, OOMKilled, ...)"`
	Restarts  int32     `json:"restarts"`
	Created   time.Time `json:"created"`
	Node      string    `json:"node,omitempty"`
	IP        string    `json:"ip,omitempty"`
}

// ListOut is the structured result of pods_list.
type ListOut struct {
	Pods    []Pod `json:"pods" jsonschema:"the pods the text shows"`
	Matched int   `json:"matched" jsonschema:"pods that matched, shown or not"`
}

func (p *Pods) podsList() toolset.Tool {
	return toolset.FanOut(p.deps, mcp.Tool{
		Name:        "pods_list",
		Description: "List pods: ready, status (why a container waits or fails), restarts, age, node, IP.",
		Annotations: toolset.ReadOnly("List pods"),
	}, p.list)
}

func (p *Pods) list(ctx context.Context, _ *mcp.CallToolRequest, in ListIn) (string, ListOut, error) {
	out := ListOut{Pods: []Pod{}}
	kc, err := p.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	list, err := kc.Typed.CoreV1().Pods(in.Namespace).List(ctx, metav1.ListOptions{LabelSelector: in.LabelSelector})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: in.Namespace})
	}
	for i := range list.Items {
		out.Pods = append(out.Pods, summarizePod(&list.Items[i]))
	}
	out.Matched = len(out.Pods)
	if len(out.Pods) == 0 {
		return noPods(in.Namespace, in.LabelSelector), out, nil
	}
	text, shown := podTable(out.Pods, in.Namespace == "").Fit(p.deps.Budget(in.TextCap),
		"Narrow the list with namespace or label_selector.")
	out.Pods = out.Pods[:shown]
	return text, out, nil
}

func noPods(ns, selector string) string {
	where := "in any namespace"
	if ns != "" {
		where = fmt.Sprintf("in namespace %q", ns)
	}
	if selector != "" {
		where += fmt.Sprintf(" matching %q", selector)
	}
	return fmt.Sprintf("No pods %s. namespaces_list shows which namespaces exist.\n", where)
}

func podTable(pods []Pod, withNamespace bool) render.Table {
	t := render.Table{Header: []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "IP"}}
	if withNamespace {
		t.Header = append([]string{"NAMESPACE"}, t.Header...)
	}
	now := time.Now()
	for _, p := range pods {
		row := []string{p.Name, p.Ready, p.Status, strconv.Itoa(int(p.Restarts)), render.Age(p.Created, now), cmp.Or(p.Node, "<none>"), cmp.Or(p.IP, "<none>")}
		if withNamespace {
			row = append([]string{p.Namespace}, row...)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
