// Package cache serves reads from one shared watch cache per cluster, filled
// with the server's own credential, and answers each read exactly as RBAC and
// kubemcp's policy would answer the caller: a read is served only after the
// policy (policy.Config.Decide, the function beneath every client) and the
// cluster (a SubjectAccessReview for the caller, or the caller's own
// SelfSubjectAccessReview in passthrough; decisions kept for a short TTL)
// allow it. A caller refused a cluster-wide list gets the namespaces it may
// list, and the answer says so.
//
// It never answers stale in silence: a kind whose informer has not synced,
// whose watch is broken, that holds more objects than the cap, or that the
// caller wrote to and the informer has not yet seen, is read directly
// (ErrDirect); so is a whole cluster not heard from within a bound (by a
// watch event or an answered heartbeat: a stopped apiserver ends the
// watches, a hung one fails the heartbeat), so that it fails as a direct
// read would; so are field selectors it cannot answer exactly as the
// apiserver would, and any page that needs a continue token (the token
// promises the apiserver's snapshot). Secrets are never cached.
//
// Pods have a typed informer, so pods_list converts nothing; every other
// kind, custom resources included, a dynamic one. An informer starts on the
// first read of its kind and stops after it has been idle.
//
// Watch serves the live watches (tracker.Shared) from the same informers,
// under the same decisions, asked again as events come once past their TTL;
// a watched kind is not idle.
package cache
