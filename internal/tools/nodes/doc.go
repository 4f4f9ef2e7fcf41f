// Package nodes is the toolset for a cluster's nodes: a compact list with what
// is wrong with each, cordon and uncordon (one tool), and a drain that evicts
// through the Eviction API (so PodDisruptionBudgets hold) and reports pod by
// pod what it evicted, skipped or could not evict, and why.
package nodes
