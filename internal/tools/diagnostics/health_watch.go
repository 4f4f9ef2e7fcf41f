package diagnostics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

const (
	maxWatchSeconds = 60
	maxChanges      = 200 // a watch keeps the first this many
)

// Change is an object whose problems changed while cluster_health watched.
type Change struct {
	After     string `json:"after" jsonschema:"time into the watch, e.g. 3s"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	From      string `json:"from" jsonschema:"its findings' reasons before, ok, or new"`
	To        string `json:"to" jsonschema:"its findings' reasons after, ok, deleting or deleted"`
}

// watched are the kinds find_issues judges, which a watch follows.
var watched = []struct {
	gvr   schema.GroupVersionResource
	judge func(*unstructured.Unstructured, time.Time) ([]Finding, error)
}{
	{corev1.SchemeGroupVersion.WithResource("pods"), judgeAs(func(p *corev1.Pod, now time.Time) []Finding { return podFindings(p, now, warningIndex{}) })},
	{corev1.SchemeGroupVersion.WithResource("nodes"), judgeAs(nodeFindings)},
	{corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"), judgeAs(func(c *corev1.PersistentVolumeClaim, now time.Time) []Finding {
		return one(pvcFinding(c, now, warningIndex{}))
	})},
	{appsv1.SchemeGroupVersion.WithResource("deployments"), judgeAs(func(d *appsv1.Deployment, _ time.Time) []Finding { return one(deploymentFinding(d)) })},
	{appsv1.SchemeGroupVersion.WithResource("statefulsets"), judgeAs(func(s *appsv1.StatefulSet, _ time.Time) []Finding { return one(statefulSetFinding(s)) })},
	{appsv1.SchemeGroupVersion.WithResource("daemonsets"), judgeAs(func(d *appsv1.DaemonSet, _ time.Time) []Finding { return one(daemonSetFinding(d)) })},
	{batchv1.SchemeGroupVersion.WithResource("jobs"), judgeAs(func(j *batchv1.Job, _ time.Time) []Finding { return one(jobFinding(j)) })},
}

func one(f Finding, ok bool) []Finding {
	if !ok {
		return nil
	}
	return []Finding{f}
}

// judgeAs reads an object of the watch as its type and judges it.
func judgeAs[T any](judge func(*T, time.Time) []Finding) func(*unstructured.Unstructured, time.Time) ([]Finding, error) {
	return func(u *unstructured.Unstructured, now time.Time) ([]Finding, error) {
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &typed); err != nil {
			return nil, err
		}
		return judge(&typed, now), nil
	}
}

// changeLog collects the changes of a watch, in order, up to maxChanges.
type changeLog struct {
	start   time.Time
	mu      sync.Mutex
	changes []Change
	dropped int
	ended   []string // the kinds whose watch ended early, and why
}

// end notes a kind whose watch ended before the time was up.
func (l *changeLog) end(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended = append(l.ended, why)
}

func (l *changeLog) observe(judge func(*unstructured.Unstructured, time.Time) ([]Finding, error), e tracker.Event) {
	now := time.Now()
	from, to := "new", "deleted"
	if e.Old != nil {
		from = problems(judge, e.Old, now)
	}
	if e.New != nil {
		to = problems(judge, e.New, now)
	}
	if from == to || from == "new" && to == "ok" || from == "ok" && (to == "deleted" || to == "deleting") || from == "deleting" && to == "deleted" {
		return
	}
	o := e.Object()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.changes) >= maxChanges {
		l.dropped++
		return
	}
	l.changes = append(l.changes, Change{After: render.Age(l.start, now), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName(), From: from, To: to})
}

// problems is the reasons of an object's findings, or ok.
func problems(judge func(*unstructured.Unstructured, time.Time) ([]Finding, error), u *unstructured.Unstructured, now time.Time) string {
	if u.GetDeletionTimestamp() != nil {
		return "deleting"
	}
	fs, err := judge(u, now)
	if err != nil {
		return "unreadable"
	}
	var reasons []string
	for _, f := range fs {
		if !slices.Contains(reasons, f.Reason) {
			reasons = append(reasons, f.Reason)
		}
	}
	slices.Sort(reasons)
	return cmp.Or(strings.Join(reasons, "+"), "ok")
}

// watchChanges watches every kind find_issues judges for d, through the
// watches shared with other calls of the same caller, and returns the
// objects whose problems changed meanwhile, and what it could not watch, or
// not to the end (its cluster removed from the kubeconfig meanwhile).
func watchChanges(ctx context.Context, pool *tracker.Pool, cluster string, d time.Duration) ([]Change, int, []string) {
	log := &changeLog{start: time.Now()}
	var unwatched []string
	for _, w := range watched {
		judge := w.judge
		resource := w.gvr.Resource
		stop, err := pool.Watch(ctx, cluster, tracker.Target{Resource: w.gvr}, func(e tracker.Event) {
			switch e.Type {
			case tracker.Reopened: // a kubeconfig reload: it watches on with the new clients
			case tracker.Ended:
				log.end(fmt.Sprintf("%s (ended: %s)", resource, watchRefusal(e.Err)))
			default:
				log.observe(judge, e)
			}
		})
		if err != nil {
			unwatched = append(unwatched, fmt.Sprintf("%s (%s)", w.gvr.Resource, watchRefusal(err)))
			continue
		}
		defer stop()
	}
	if len(unwatched) < len(watched) {
		select {
		case <-ctx.Done():
		case <-time.After(d - time.Since(log.start)):
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	return slices.Clone(log.changes), log.dropped, append(unwatched, log.ended...)
}

func watchRefusal(err error) string {
	if isRefusal(err) {
		return refusal(err)
	}
	return toolset.APIMessage(err)
}

func changesText(out HealthOut, seconds, dropped int, unwatched []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nWatched %ds: %s in problems", seconds, plural(len(out.Changes), "change"))
	if len(out.Changes) == 0 {
		b.WriteString(".\n")
	} else {
		b.WriteString(" (ok: no findings; new: created meanwhile):\n")
		t := render.Table{Header: []string{"AFTER", "OBJECT", "FROM", "TO"}}
		for _, c := range out.Changes {
			obj := strings.ToLower(c.Kind) + "/" + c.Name
			if c.Namespace != "" {
				obj = c.Namespace + "/" + obj
			}
			t.Rows = append(t.Rows, []string{c.After, obj, c.From, c.To})
		}
		b.WriteString(t.Render(render.MaxBudget, ""))
	}
	if dropped > 0 {
		fmt.Fprintf(&b, "[%d later changes not kept; find_issues shows where things stand now.]\n", dropped)
	}
	if len(unwatched) > 0 {
		b.WriteString("Not watched: " + strings.Join(unwatched, ", ") + ".\n")
	}
	return b.String()
}
