package pods

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ListIn selects pods.
type ListIn struct {
	toolset.Target
	toolset.TextCap
	Namespace     string `json:"namespace,omitempty"`
	LabelSelector string `json:"label_selector,omitempty"`
	Limit         int64  `json:"limit,omitempty"`
	Continue      string `json:"continue,omitempty"`
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
	Pods     []Pod  `json:"pods" jsonschema:"the pods the text shows"`
	Matched  int    `json:"matched" jsonschema:"pods that matched on this page, shown or not"`
	Continue string `json:"continue,omitempty" jsonschema:"token for the pods after those shown; empty when none are left"`
	Partial  string `json:"partial,omitempty" jsonschema:"set when the list covers only the namespaces the caller may list pods in, saying which"`
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
	if in.Limit < 0 {
		return "", out, fmt.Errorf("limit %d: want a positive number of pods, or none for all", in.Limit)
	}
	api := kc.Typed.CoreV1().Pods(in.Namespace)
	opts := metav1.ListOptions{LabelSelector: in.LabelSelector, Limit: in.Limit, Continue: in.Continue}
	pods, err := p.read(ctx, api, in, opts, &out)
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: in.Namespace})
	}
	for _, pod := range pods {
		out.Pods = append(out.Pods, summarizePod(pod))
	}
	out.Matched = len(out.Pods)
	if len(out.Pods) == 0 {
		return partialNote(out.Partial) + noPods(in.Namespace, in.LabelSelector), out, nil
	}
	table, budget := podTable(out.Pods, in.Namespace == ""), p.deps.Budget(in.TextCap)
	note := partialNote(out.Partial)
	budget -= len(note)
	text, shown := table.Fit(budget, "")
	if shown < len(out.Pods) {
		text, shown, out.Continue = cutPage(ctx, api, opts, in, table, budget)
		out.Pods = out.Pods[:shown]
	} else if out.Continue != "" {
		text += "More pods: " + nextPage(in, out.Continue) + "\n"
	}
	return note + text, out, nil
}

// read lists the pods opts selects: from the shared watch cache when it can
// answer exactly as the apiserver would, else from the apiserver. It sets
// out's continue token, and its partial note when the cache could answer
// only for the namespaces the caller may list.
func (p *Pods) read(ctx context.Context, api corev1client.PodInterface, in ListIn, opts metav1.ListOptions, out *ListOut) ([]*corev1.Pod, error) {
	if p.deps.Cache != nil {
		q := cache.PodQuery{Namespace: in.Namespace, LabelSelector: opts.LabelSelector, Limit: opts.Limit, Continue: opts.Continue}
		l, err := p.deps.Cache.ListPods(ctx, in.Cluster, q)
		if err == nil {
			out.Partial = l.Partial
			return l.Items, nil
		}
		if !errors.Is(err, cache.ErrDirect) {
			return nil, err
		}
	}
	list, err := api.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out.Continue = list.Continue
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	return pods, nil
}

// partialNote tells the reader that a list covers only some namespaces.
func partialNote(partial string) string {
	if partial == "" {
		return ""
	}
	return "Partial: " + partial + "\n"
}

// tokenRoom is what a note naming the next page's call usually needs beyond
// the room render leaves for a note: the call's arguments and its token.
const tokenRoom = 160

// cutPage renders the rows that fit in budget with a note naming the call for
// the rest. The page ends where the text does: the token of a list of exactly
// the shown pods continues after them. Room for the note comes off the rows,
// and the rows are fitted again should the note need more.
func cutPage(ctx context.Context, api corev1client.PodInterface, opts metav1.ListOptions, in ListIn, table render.Table, budget int) (text string, shown int, token string) {
	room, listed := tokenRoom, int64(0)
	for range 3 {
		_, shown = table.Fit(budget-room, "")
		// A refit that shows as many rows needs no new token.
		if limit := int64(max(shown, 1)); limit != listed {
			opts.Limit, listed, token = limit, limit, ""
			if page, err := api.List(ctx, opts); err == nil {
				token = page.Continue
			}
		}
		text, _ = table.Fit(budget-room, "Narrow the list with namespace or label_selector, or get the rest with "+nextPage(in, token))
		if len(text) <= budget {
			break
		}
		room += len(text) - budget
	}
	return text, shown, token
}

// nextPage is the pods_list call for the page after token.
func nextPage(in ListIn, token string) string {
	if token == "" {
		return "a smaller limit"
	}
	next := in
	next.Continue = token
	b, _ := json.Marshal(next)
	return "pods_list " + string(b)
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
