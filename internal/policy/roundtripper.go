package policy

import (
	"net/http"
)

// KindFunc tells the kind of a resource and whether it is namespaced, from
// the cluster's cached RESTMapper; ok is false when the cluster serves no such
// resource.
type KindFunc func(group, version, resource string) (kind string, namespaced, ok bool)

// RoundTripper enforces c on every request before it leaves for the
// apiserver. It is the one place read-only mode and the rules hold: tools
// cannot bypass it, whatever they build. With nothing to enforce it is next
// itself, sparing every request the parse and the RESTMapper lookups.
func (c Config) RoundTripper(next http.RoundTripper, kinds KindFunc) http.RoundTripper {
	if !c.ReadOnly && len(c.Deny) == 0 && len(c.Allow) == 0 {
		return next
	}
	return &guard{cfg: c, next: next, kinds: kinds}
}

type guard struct {
	cfg   Config
	next  http.RoundTripper
	kinds KindFunc
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	r := ParseRequest(req.Method, req.URL)
	if !r.NonResource {
		r.Kind, r.Namespaced, _ = g.kinds(r.Group, r.Version, r.Resource)
	}
	if err := g.cfg.Decide(r); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}
