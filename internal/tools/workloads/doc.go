// Package workloads is the toolset that scales and rolls out Deployments,
// StatefulSets and DaemonSets the way kubectl scale and kubectl rollout do:
// scale, rollout_status and rollout_history, and rollout (restart, undo, pause
// and resume), each answering in one call what the rollout looks like and why
// it is stuck.
package workloads
