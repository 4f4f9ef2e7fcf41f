// Package helm is the opt-in helm toolset: Helm releases read and changed
// with the Helm SDK (helm.sh/helm/v3) as the caller, through the same guarded
// client as every other tool, so read-only, deny rules and the caller's RBAC
// hold for Helm's own requests, its release Secrets included. Charts come
// from a chart repository URL or an OCI reference, and from files on
// kubemcp's host only inside the directories its operator names.
package helm
