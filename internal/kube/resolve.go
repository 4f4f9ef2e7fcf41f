package kube

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/restmapper"
)

// Ref names a kind of resource the way a person or model might: an apiVersion
// and Kind ("apps/v1", "Deployment"), or a resource name in any kubectl
// spelling ("deploy", "deployments", "deployments.apps", "Widget").
type Ref struct {
	APIVersion string
	Kind       string
	Resource   string
}

func (r Ref) String() string {
	if r.Kind != "" {
		return strings.TrimPrefix(r.APIVersion+" "+r.Kind, " ")
	}
	return r.Resource
}

// Resolved is a Ref made exact.
type Resolved struct {
	GVR        schema.GroupVersionResource
	GVK        schema.GroupVersionKind
	Namespaced bool
}

// UnknownKindError says a Ref matched nothing the cluster serves and offers the
// closest names it does serve.
type UnknownKindError struct {
	Ref         Ref
	Suggestions []string
}

func (e *UnknownKindError) Error() string {
	msg := fmt.Sprintf("the cluster serves no resource called %q", e.Ref)
	if len(e.Suggestions) > 0 {
		msg += "; closest matches: " + strings.Join(e.Suggestions, ", ")
	}
	return msg
}

// ErrNoKind means a Ref named neither a kind nor a resource.
var ErrNoKind = errors.New("name a resource (e.g. \"pods\", \"deploy\") or a kind with its apiVersion (e.g. \"apps/v1\" \"Deployment\")")

// refreshEvery bounds how often a miss may refetch discovery: often enough to see
// a CRD created a moment ago, rarely enough that typos cannot hammer the apiserver.
const refreshEvery = 10 * time.Second

type mapperRefresh struct {
	mu   sync.Mutex
	last time.Time
}

// Resolve maps ref to the exact resource the cluster serves. Once discovery is
// cached this makes no request; a miss refetches discovery at most every
// refreshEvery, so CRDs installed after start are found.
func (c *Client) Resolve(ref Ref) (Resolved, error) {
	res, err := c.resolveCached(ref)
	if err == nil || !meta.IsNoMatchError(err) || !c.refresh.due() {
		return res, c.explainResolve(ref, err)
	}
	c.Mapper.Reset()
	res, err = c.resolveCached(ref)
	return res, c.explainResolve(ref, err)
}

func (r *mapperRefresh) due() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.last) < refreshEvery {
		return false
	}
	r.last = time.Now()
	return true
}

func (c *Client) resolveCached(ref Ref) (Resolved, error) {
	input, err := ref.gvr()
	if err != nil {
		return Resolved{}, err
	}
	// Only the spelling a model used needs expanding: each expansion scans
	// all of discovery, so the exact resource it yields goes to the mapper.
	gvr, err := restmapper.NewShortcutExpander(c.Mapper, c.Discovery, nil).ResourceFor(input)
	if err != nil {
		return Resolved{}, err
	}
	gvk, namespaced, err := c.mapping(gvr)
	if err != nil {
		return Resolved{}, err
	}
	return Resolved{GVR: gvr, GVK: gvk, Namespaced: namespaced}, nil
}

// gvr turns the Ref into the partial GroupVersionResource a RESTMapper expects.
// A Kind is looked up by its lower-case singular, which discovery registers.
func (r Ref) gvr() (schema.GroupVersionResource, error) {
	switch {
	case r.Kind != "":
		gv, err := schema.ParseGroupVersion(r.APIVersion)
		if err != nil {
			return schema.GroupVersionResource{}, fmt.Errorf("apiVersion %q: %w", r.APIVersion, err)
		}
		return gv.WithResource(strings.ToLower(r.Kind)), nil
	case r.Resource != "":
		full, gr := schema.ParseResourceArg(strings.ToLower(r.Resource))
		if full != nil {
			return *full, nil
		}
		return gr.WithVersion(""), nil
	default:
		return schema.GroupVersionResource{}, ErrNoKind
	}
}

func (c *Client) explainResolve(ref Ref, err error) error {
	if err == nil || !meta.IsNoMatchError(err) {
		return err
	}
	return &UnknownKindError{Ref: ref, Suggestions: c.suggest(ref)}
}

// suggest returns up to five served resources whose names are closest to ref.
func (c *Client) suggest(ref Ref) []string {
	want := strings.ToLower(ref.Kind)
	if want == "" {
		want, _, _ = strings.Cut(strings.ToLower(ref.Resource), ".")
	}
	lists, _ := c.Discovery.ServerPreferredResources() // partial results are still useful
	type scored struct {
		name  string
		score int
	}
	var all []scored
	for _, list := range lists {
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			names := append([]string{r.Name, r.SingularName, strings.ToLower(r.Kind)}, r.ShortNames...)
			best := -1
			for _, n := range names {
				if d := distance(want, n); n != "" && (best < 0 || d < best) {
					best = d
				}
			}
			if best <= max(2, len(want)/3) {
				all = append(all, scored{fmt.Sprintf("%s (%s %s)", r.Name, list.GroupVersion, r.Kind), best})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return a.score - b.score })
	out := make([]string, 0, 5)
	for _, s := range all[:min(5, len(all))] {
		out = append(out, s.name)
	}
	return out
}

// distance is the Levenshtein edit distance, with a prefix counting as a near miss.
func distance(a, b string) int {
	if a == "" || b == "" {
		return max(len(a), len(b))
	}
	if strings.HasPrefix(b, a) || strings.HasPrefix(a, b) {
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
