// Package resources serves Kubernetes objects as live MCP resources: the
// templates k8s://{cluster}/{namespace}/{resource}/{name} and
// k8s://{cluster}/{resource}/{name}, read as cleaned YAML as the caller
// (beneath RBAC and policy, Secret values redacted), and subscriptions that
// watch the object through the shared tracker.Pool, as the caller, and send
// notifications/resources/updated within a second of each change.
//
// Subscriptions reach both protocol eras through go-sdk: a 2025-era session
// subscribes with resources/subscribe, a 2026-07-28 client with
// subscriptions/listen, which go-sdk turns into calls of the same subscribe
// and unsubscribe handlers; Server.ResourceUpdated delivers to each the way
// its era expects. A session holds at most Options.MaxPerSession
// subscriptions, and a user at most Options.MaxPerUser across their
// sessions; they end on unsubscribe, when the listen ends, or when the
// session closes. A kubeconfig reload that changes the cluster's entry
// opens the watch again with the new clients and tells the subscribers to
// re-read (one resources/updated); one that removes the cluster, or whose
// new credential is refused, releases the subscription with one last
// resources/updated, so that the re-read says why.
package resources
