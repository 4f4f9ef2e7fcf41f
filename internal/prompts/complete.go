package prompts

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"

	"github.com/kubemcp/kubemcp/internal/kube"
)

const (
	// maxValues is the most values one completion carries, as the MCP
	// specification allows.
	maxValues = 100
	// completeTimeout bounds a completion's lookups: someone is typing, and a
	// cluster that does not answer should not hold them up.
	completeTimeout = 5 * time.Second
)

// source lists the values an argument may take that start with prefix, given
// the arguments already chosen (in); more says it stopped before the end.
type source func(ctx context.Context, p *Prompts, in map[string]string, prefix string) (values []string, more bool, err error)

// complete answers a completion for one of def's arguments. What cannot be
// looked up (forbidden, cluster down, unknown cluster) completes to nothing:
// the user can still type the value.
func (p *Prompts) complete(ctx context.Context, def *definition, params *mcp.CompleteParams) *mcp.CompleteResult {
	a := def.arg(params.Argument.Name)
	if a == nil || a.complete == nil {
		return empty()
	}
	var in map[string]string
	if params.Context != nil {
		in = params.Context.Arguments
	}
	ctx, cancel := context.WithTimeout(ctx, completeTimeout)
	defer cancel()
	values, more, err := a.complete(ctx, p, in, params.Argument.Value)
	if err != nil {
		p.logger.Debug("prompt argument completion failed", "prompt", def.name, "argument", a.name, "error", err)
		return empty()
	}
	return result(values, more)
}

// result is at most maxValues of values, sorted; Total counts them all
// unless the listing stopped early (more), when it is not known.
func result(values []string, more bool) *mcp.CompleteResult {
	values = slices.Compact(slices.Sorted(slices.Values(values)))
	r := &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{
		Values:  append([]string{}, values[:min(len(values), maxValues)]...),
		Total:   len(values),
		HasMore: more || len(values) > maxValues,
	}}
	if more {
		r.Completion.Total = 0
	}
	return r
}

// empty is a completion with no values; Values must be a list, not null.
func empty() *mcp.CompleteResult {
	return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{}}}
}

func completeClusters(_ context.Context, p *Prompts, _ map[string]string, prefix string) ([]string, bool, error) {
	var values []string
	for _, name := range p.clusterNames() {
		if strings.HasPrefix(name, prefix) {
			values = append(values, name)
		}
	}
	return values, false, nil
}

func completeNamespaces(ctx context.Context, p *Prompts, in map[string]string, prefix string) ([]string, bool, error) {
	return p.names(ctx, in["cluster"], core, "namespaces", "", prefix)
}

func completePods(ctx context.Context, p *Prompts, in map[string]string, prefix string) ([]string, bool, error) {
	ns, ok := namespaceOf(in)
	if !ok {
		return nil, false, nil
	}
	return p.names(ctx, in["cluster"], core, "pods", ns, prefix)
}

func completeDeployments(ctx context.Context, p *Prompts, in map[string]string, prefix string) ([]string, bool, error) {
	ns, ok := namespaceOf(in)
	if !ok {
		return nil, false, nil
	}
	return p.names(ctx, in["cluster"], apps, "deployments", ns, prefix)
}

// namespaceOf is the namespace chosen already ("" for all); not ok if it
// cannot be one.
func namespaceOf(in map[string]string) (string, bool) {
	ns := strings.TrimSpace(in["namespace"])
	return ns, ns == "" || len(validation.IsDNS1123Label(ns)) == 0
}

// The API groups completion lists from.
func core(kc *kube.Client) rest.Interface { return kc.Typed.CoreV1().RESTClient() }
func apps(kc *kube.Client) rest.Interface { return kc.Typed.AppsV1().RESTClient() }

// names lists the names of resource in ns on cluster as the caller.
func (p *Prompts) names(ctx context.Context, cluster string, group func(*kube.Client) rest.Interface, resource, ns, prefix string) ([]string, bool, error) {
	kc, err := p.clusters.Get(ctx, cluster)
	if err != nil {
		return nil, false, err
	}
	return p.scan.listNames(ctx, group(kc), resource, ns, prefix)
}
