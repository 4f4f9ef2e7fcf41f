// Package diagnostics is the toolset that works out what is wrong in a
// cluster server-side, so a model learns it in one call instead of twenty:
// find_issues (failing pods, stuck rollouts, failed Jobs, sick nodes, pending
// claims, each with its evidence and the next call that helps),
// namespace_overview, cluster_health, security_scan, resource_usage (requests
// and limits against metrics.k8s.io, with a cost estimate) and the RBAC
// questions rbac_can_i, rbac_who_can and rbac_subject_permissions. Every tool
// only reads.
package diagnostics
