package e2e

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kubemcp/kubemcp/internal/kube"
)

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestResolveWarmMakesNoRequests: once discovery is cached, resolving any
// spelling of a kind costs no apiserver round trip; an unknown kind refreshes
// discovery at most once per interval, and says what is close.
func TestResolveWarmMakesNoRequests(t *testing.T) {
	var n atomic.Int64
	cfg := env.RESTConfig("admin")
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, &n} })
	kc, err := kube.New(cfg, kube.Options{})
	if err != nil {
		t.Fatal(err)
	}
	refs := []kube.Ref{
		{Resource: "po"}, {Resource: "deploy"}, {Resource: "deployments.apps"}, {Resource: "deployments.v1.apps"},
		{APIVersion: "apps/v1", Kind: "Deployment"}, {Kind: "Pod"}, {Resource: "widgets"},
		{APIVersion: "example.kubemcp.io/v1", Kind: "Widget"}, {Resource: "nodes"},
	}
	for _, r := range refs {
		if _, err := kc.Resolve(r); err != nil {
			t.Fatalf("Resolve(%v): %v", r, err)
		}
	}
	cold := n.Load()
	for _, r := range refs {
		res, err := kc.Resolve(r)
		if err != nil {
			t.Fatal(err)
		}
		if r.Resource == "nodes" && res.Namespaced {
			t.Error("nodes resolved as namespaced")
		}
	}
	if warm := n.Load() - cold; warm != 0 {
		t.Fatalf("warm resolves made %d requests, want 0", warm)
	}
	_, err = kc.Resolve(kube.Ref{Resource: "deploymnet"})
	var unknown *kube.UnknownKindError
	if !errors.As(err, &unknown) || len(unknown.Suggestions) == 0 || !strings.HasPrefix(unknown.Suggestions[0], "deployments") {
		t.Fatalf("want suggestions led by deployments, got %v", err)
	}
	before := n.Load()
	_, _ = kc.Resolve(kube.Ref{Resource: "deploymnet"})
	if again := n.Load() - before; again > 0 {
		// The first miss refreshed discovery; a second within the interval must not.
		t.Fatalf("a repeated miss made %d requests", again)
	}
	t.Logf("cold resolve of %d refs: %d requests; warm: 0", len(refs), cold)
}
