package pods

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

const (
	defaultMaxPods = 10
	maxPods        = 50
	// logReaders bounds the logs read at once, so that a wide selector does
	// not open dozens of streams through the apiserver to the kubelets.
	logReaders = 4
)

// podResult is what reading one pod's log gave.
type podResult struct {
	lines []logLine
	read  int
	log   PodLog
}

// logsBySelector reads the logs of the pods a label selector matches and
// merges them by the kubelet's timestamps, so the newest lines across all
// pods come last and survive the byte cap.
func (p *Pods) logsBySelector(ctx context.Context, in LogsIn, q logQuery) (string, LogsOut, error) {
	out := LogsOut{Pods: []PodLog{}}
	kc, err := p.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	ns := cmp.Or(in.Namespace, kc.Namespace)
	out.Namespace = ns
	list, err := kc.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: in.LabelSelector})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: ns})
	}
	if len(list.Items) == 0 {
		return noPods(ns, in.LabelSelector), out, nil
	}
	pods := list.Items
	slices.SortFunc(pods, func(a, b corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	limit := cmp.Or(in.MaxPods, defaultMaxPods)
	h := logHeader{what: fmt.Sprintf("%d pods in namespace %s matching %q", min(len(pods), limit), ns, in.LabelSelector)}
	if len(pods) > limit {
		h.skipped = append(h.skipped, fmt.Sprintf("%d more pods match; only the first %d by name were read. Narrow label_selector or raise max_pods (at most %d).",
			len(pods)-limit, limit, maxPods))
		pods = pods[:limit]
	}
	results := readAll(ctx, kc, pods, in.Container, q)
	var lines []logLine
	for _, r := range results {
		out.Pods = append(out.Pods, r.log)
		lines = append(lines, r.lines...)
		h.read = max(h.read, r.read)
		if r.log.Error != "" {
			h.skipped = append(h.skipped, r.log.Error)
		}
	}
	slices.SortStableFunc(lines, func(a, b logLine) int { return a.at.Compare(b.at) })
	return p.logText(in, q, h, lines, &out), out, nil
}

// readAll reads each pod's log, at most logReaders at a time; results keep
// the order of pods.
func readAll(ctx context.Context, kc *kube.Client, pods []corev1.Pod, container string, q logQuery) []podResult {
	results := make([]podResult, len(pods))
	sem := make(chan struct{}, logReaders)
	var wg sync.WaitGroup
	for i := range pods {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = readOne(ctx, kc, &pods[i], container, q)
		})
	}
	wg.Wait()
	return results
}

func readOne(ctx context.Context, kc *kube.Client, pod *corev1.Pod, container string, q logQuery) podResult {
	r := podResult{log: PodLog{Pod: pod.Name}}
	c, err := pickContainer(pod, container)
	if err == nil {
		r.log.Container = c
		err = hasLog(pod, c, q.previous)
	}
	if err == nil {
		r.lines, r.read, err = readLog(ctx, kc, pod, c, q, true)
	}
	if err != nil {
		r.log.Error = err.Error()
	}
	r.log.Lines = len(r.lines)
	return r
}
