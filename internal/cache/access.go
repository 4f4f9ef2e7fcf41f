package cache

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
)

// maxDecisions bounds the decisions kept; past it the expired ones go, and
// if that is not enough, all of them.
const maxDecisions = 50_000

// access is one question to the cluster's authorizer.
type access struct {
	verb, group, resource, namespace string
}

func (a access) String() string {
	return a.verb + " " + a.resource + "." + a.group + " in " + a.namespace
}

// may reports whether the caller in ctx may do a in cl, as the cluster's
// authorizer says, from a decision at most AccessTTL old. Without a caller
// (credentials server) the server's own access is the caller's, and the
// informer's cluster-wide list has shown it: no review is needed.
func (c *Cache) may(ctx context.Context, cl *cluster, a access) (bool, error) {
	mode := c.opts.Credentials
	if mode == "" || mode == clusters.Server {
		return true, nil
	}
	id := identity.FromContext(ctx)
	if id == nil {
		return false, ErrDirect // the direct path refuses it, saying why
	}
	key := cl.name + "\x00" + id.Key() + "\x00" + a.String()
	if allowed, ok := c.access.get(key); ok {
		return allowed, nil
	}
	allowed, err := c.review(ctx, cl, id, a)
	if err != nil {
		return false, err
	}
	c.access.put(key, allowed)
	return allowed, nil
}

// review asks the cluster: a SubjectAccessReview for the impersonated
// caller, with the server's credential; in passthrough, the caller's own
// SelfSubjectAccessReview, with the caller's token.
func (c *Cache) review(ctx context.Context, cl *cluster, id *identity.Identity, a access) (bool, error) {
	attrs := &authzv1.ResourceAttributes{Verb: a.verb, Group: a.group, Resource: a.resource, Namespace: a.namespace}
	if c.opts.Credentials == clusters.Passthrough {
		kc, err := c.opts.Clusters.Get(ctx, cl.name)
		if err != nil {
			return false, err
		}
		r, err := kc.Typed.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx,
			&authzv1.SelfSubjectAccessReview{Spec: authzv1.SelfSubjectAccessReviewSpec{ResourceAttributes: attrs}}, metav1.CreateOptions{})
		if err != nil {
			return false, fmt.Errorf("asking cluster %q whether %s may %s: %w", cl.name, id, a, err)
		}
		return r.Status.Allowed, nil
	}
	spec := authzv1.SubjectAccessReviewSpec{ResourceAttributes: attrs, User: id.User, Groups: id.Groups}
	if len(id.Extra) > 0 {
		spec.Extra = map[string]authzv1.ExtraValue{}
		for k, v := range id.Extra {
			spec.Extra[k] = v
		}
	}
	r, err := cl.client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: spec}, metav1.CreateOptions{})
	if err != nil {
		return false, fmt.Errorf("asking cluster %q whether %s may %s: %w", cl.name, id, a, err)
	}
	return r.Status.Allowed, nil
}

// decisions keeps access decisions, allow and deny alike, for ttl.
type decisions struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]decision
}

type decision struct {
	allowed bool
	expires time.Time
}

func newDecisions(ttl time.Duration, now func() time.Time) *decisions {
	return &decisions{ttl: ttl, now: now, m: map[string]decision{}}
}

func (d *decisions) get(key string) (allowed, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.m[key]
	if !ok || !d.now().Before(e.expires) {
		return false, false
	}
	return e.allowed, true
}

func (d *decisions) put(key string, allowed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if len(d.m) >= maxDecisions {
		for k, e := range d.m {
			if !now.Before(e.expires) {
				delete(d.m, k)
			}
		}
		if len(d.m) >= maxDecisions {
			clear(d.m)
		}
	}
	d.m[key] = decision{allowed: allowed, expires: now.Add(d.ttl)}
}

// forget drops the decisions made by the named cluster, whose server or
// credential a reload changed: the next read asks it again.
func (d *decisions) forget(cluster string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.m {
		if strings.HasPrefix(k, cluster+"\x00") {
			delete(d.m, k)
		}
	}
}

// idKey is the key of the caller in ctx; "" without one.
func idKey(ctx context.Context) string { return identity.FromContext(ctx).Key() }
