package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// snapshot is what one scan read of a namespace, or of the whole cluster.
type snapshot struct {
	namespace    string // empty: all namespaces, and nodes
	pods         []corev1.Pod
	deployments  []appsv1.Deployment
	statefulSets []appsv1.StatefulSet
	daemonSets   []appsv1.DaemonSet
	jobs         []batchv1.Job
	pvcs         []corev1.PersistentVolumeClaim
	nodes        []corev1.Node
	warnings     warningIndex
	events       []corev1.Event // the Warning events read, newest first
	// unread says what could not be read and why (RBAC or kubemcp's
	// policy), so that an answer never passes off "not looked at" as healthy.
	unread  []string
	refused error // the first refusal, when every read was refused
}

// pageSize is how many objects one list request asks for.
const pageSize = 500

// readSnapshot lists what the findings are read from, in parallel with the
// more reads a tool asks for. What the caller may not read is noted in
// unread; when nothing could be read, refused says so.
func readSnapshot(ctx context.Context, kc *kube.Client, ns string, more map[string]func(context.Context) error) (*snapshot, error) {
	s := &snapshot{namespace: ns, warnings: warningIndex{}}
	core, apps, batch := kc.Typed.CoreV1(), kc.Typed.AppsV1(), kc.Typed.BatchV1()
	reads := map[string]func(context.Context) error{
		"pods":                   into(&s.pods, core.Pods(ns).List, func(l *corev1.PodList) []corev1.Pod { return l.Items }),
		"deployments":            into(&s.deployments, apps.Deployments(ns).List, func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items }),
		"statefulsets":           into(&s.statefulSets, apps.StatefulSets(ns).List, func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items }),
		"daemonsets":             into(&s.daemonSets, apps.DaemonSets(ns).List, func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items }),
		"jobs":                   into(&s.jobs, batch.Jobs(ns).List, func(l *batchv1.JobList) []batchv1.Job { return l.Items }),
		"persistentvolumeclaims": into(&s.pvcs, core.PersistentVolumeClaims(ns).List, func(l *corev1.PersistentVolumeClaimList) []corev1.PersistentVolumeClaim { return l.Items }),
		"events":                 s.readWarnings(kc, ns),
	}
	maps.Copy(reads, more)
	if ns == "" {
		reads["nodes"] = into(&s.nodes, core.Nodes().List, func(l *corev1.NodeList) []corev1.Node { return l.Items })
	}
	refused, err := runReads(ctx, reads)
	if err != nil {
		return nil, err
	}
	for _, r := range refused {
		s.unread = append(s.unread, fmt.Sprintf("%s (%s)", r.resource, refusal(r.err)))
	}
	if len(refused) == len(reads) {
		s.refused = toolset.Explain(refused[0].err, toolset.Op{Verb: "list", Resource: refused[0].resource, Namespace: ns})
	}
	return s, nil
}

// readAnything reads a snapshot and fails when the caller may read none of it.
func readAnything(ctx context.Context, kc *kube.Client, ns string, more map[string]func(context.Context) error) (*snapshot, error) {
	s, err := readSnapshot(ctx, kc, ns, more)
	if err != nil {
		return nil, err
	}
	return s, s.refused
}

type refusedRead struct {
	resource string
	err      error
}

// runReads runs the reads in parallel. A refused read is returned, sorted by
// resource; any other failure is the error.
func runReads(ctx context.Context, reads map[string]func(context.Context) error) ([]refusedRead, error) {
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		refused []refusedRead
		errs    []error
	)
	for resource, read := range reads {
		wg.Go(func() {
			err := read(ctx)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
			case isRefusal(err):
				refused = append(refused, refusedRead{resource, err})
			default:
				errs = append(errs, toolset.Explain(err, toolset.Op{Verb: "list", Resource: resource}))
			}
		})
	}
	wg.Wait()
	slices.SortFunc(refused, func(a, b refusedRead) int { return strings.Compare(a.resource, b.resource) })
	return refused, errors.Join(errs...)
}

// isRefusal is an error that says the caller may not: RBAC or kubemcp's policy.
func isRefusal(err error) bool {
	var denied *policy.DeniedError
	return apierrors.IsForbidden(err) || errors.As(err, &denied)
}

func refusal(err error) string {
	var denied *policy.DeniedError
	if errors.As(err, &denied) {
		return "refused by kubemcp's policy"
	}
	return "forbidden by RBAC"
}

// into reads every page of a list into *dst.
func into[T any, L interface{ GetContinue() string }](dst *[]T, list func(context.Context, metav1.ListOptions) (L, error), items func(L) []T) func(context.Context) error {
	return func(ctx context.Context) error {
		opts := metav1.ListOptions{Limit: pageSize}
		for {
			l, err := list(ctx, opts)
			if err != nil {
				return err
			}
			*dst = append(*dst, items(l)...)
			if l.GetContinue() == "" {
				return nil
			}
			opts.Continue = l.GetContinue()
		}
	}
}

// warningScanCap bounds how many Warning events a scan reads; they give
// findings their messages, not the findings themselves.
const warningScanCap = 2000

func (s *snapshot) readWarnings(kc *kube.Client, ns string) func(context.Context) error {
	return func(ctx context.Context) error {
		opts := metav1.ListOptions{FieldSelector: "type=" + corev1.EventTypeWarning, Limit: pageSize}
		for read := 0; read < warningScanCap; read += pageSize {
			l, err := kc.Typed.CoreV1().Events(ns).List(ctx, opts)
			if err != nil {
				return err
			}
			for _, e := range l.Items {
				s.warnings.add(e)
			}
			s.events = append(s.events, l.Items...)
			if l.Continue == "" {
				break
			}
			opts.Continue = l.Continue
		}
		slices.SortStableFunc(s.events, func(a, b corev1.Event) int { return eventTime(b).Compare(eventTime(a)) })
		return nil
	}
}

// findings are everything wrong in the snapshot, most urgent first.
func (s *snapshot) findings(now time.Time) []Finding {
	var out []Finding
	for i := range s.pods {
		out = append(out, podFindings(&s.pods[i], now, s.warnings)...)
	}
	out = appendEach(out, s.deployments, deploymentFinding)
	out = appendEach(out, s.statefulSets, statefulSetFinding)
	out = appendEach(out, s.daemonSets, daemonSetFinding)
	out = appendEach(out, s.jobs, jobFinding)
	out = appendEach(out, s.pvcs, func(c *corev1.PersistentVolumeClaim) (Finding, bool) { return pvcFinding(c, now, s.warnings) })
	for i := range s.nodes {
		out = append(out, nodeFindings(&s.nodes[i], now)...)
	}
	sortFindings(out)
	return out
}

func appendEach[T any](out []Finding, items []T, check func(*T) (Finding, bool)) []Finding {
	for i := range items {
		if f, ok := check(&items[i]); ok {
			out = append(out, f)
		}
	}
	return out
}

// checked says what a scan looked at, e.g. "12 pods, 3 deployments".
func (s *snapshot) checked() string {
	parts := []string{
		plural(len(s.pods), "pod"), plural(len(s.deployments), "deployment"), plural(len(s.statefulSets), "statefulset"),
		plural(len(s.daemonSets), "daemonset"), plural(len(s.jobs), "job"), plural(len(s.pvcs), "persistentvolumeclaim"),
	}
	if s.namespace == "" {
		parts = append(parts, plural(len(s.nodes), "node"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// warningIndex holds the newest Warning event about each object.
type warningIndex map[objectKey]corev1.Event

type objectKey struct{ kind, namespace, name string }

func (w warningIndex) add(e corev1.Event) {
	k := objectKey{e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name}
	if old, ok := w[k]; !ok || eventTime(e).After(eventTime(old)) {
		w[k] = e
	}
}

// message is the newest warning about an object, with its reason.
func (w warningIndex) message(kind, ns, name string) string {
	e, ok := w[objectKey{kind, ns, name}]
	if !ok {
		return ""
	}
	return e.Reason + ": " + e.Message
}

// eventTime is when an event last happened, whichever field its reporter set.
func eventTime(e corev1.Event) time.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}
