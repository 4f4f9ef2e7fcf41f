// Package pods is the toolset for pods and their resource usage: list, get
// with a summary a person reads first, logs (one pod, or many by label),
// delete, a command run in a container, port-forward sessions the toolset
// owns (Close ends them), and CPU and memory usage of pods and nodes from
// metrics.k8s.io.
package pods
