package tracker

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{}, func(e *testenv.Env) { env = e }))
}

var pods = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

func newTracker(t *testing.T, user string, opts Options) *Tracker {
	t.Helper()
	dyn, err := dynamic.NewForConfig(env.RESTConfig(user))
	if err != nil {
		t.Fatal(err)
	}
	tr := New(dyn, opts)
	t.Cleanup(tr.Close)
	return tr
}

func namespace(t *testing.T, name string) string {
	t.Helper()
	api := env.Clientset("admin").CoreV1().Namespaces()
	if _, err := api.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

func createPod(t *testing.T, ns, name string) *corev1.Pod {
	t.Helper()
	p, err := env.Clientset("admin").CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "busybox:1.37"}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recorder queues events for a test to take one by one.
type recorder struct{ events chan Event }

func newRecorder() *recorder { return &recorder{events: make(chan Event, 100)} }

func (r *recorder) add(e Event) { r.events <- e }

// next waits at most 2 s for the next event, the bound a subscriber is promised.
func (r *recorder) next(t *testing.T) Event {
	t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(2 * time.Second):
		t.Fatal("no event within 2 s")
	}
	return Event{}
}

func (r *recorder) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case e := <-r.events:
		t.Fatalf("unexpected event %s %s", e.Type, e.Object().GetName())
	case <-time.After(wait):
	}
}

func TestWatchSeesEachChangeWithinTwoSeconds(t *testing.T) {
	ns := namespace(t, "tracker-changes")
	createPod(t, ns, "before") // exists before the watch: not replayed
	tr := newTracker(t, "admin", Options{})
	rec := newRecorder()
	stop, err := tr.Watch(t.Context(), Target{Resource: pods, Namespace: ns}, rec.add)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rec.none(t, 300*time.Millisecond)

	p := createPod(t, ns, "web")
	if e := rec.next(t); e.Type != Added || e.New.GetName() != "web" || e.Old != nil {
		t.Fatalf("got %s %v", e.Type, e.Object().GetName())
	}
	p.Status.Phase = corev1.PodRunning
	if _, err := env.Clientset("admin").CoreV1().Pods(ns).UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if e := rec.next(t); e.Type != Updated || e.Old == nil || e.New.Object["status"].(map[string]any)["phase"] != "Running" {
		t.Fatalf("got %s %+v", e.Type, e.New)
	}
	if err := env.Clientset("admin").CoreV1().Pods(ns).Delete(context.Background(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e := rec.next(t)
	if e.Type == Updated && e.New.GetDeletionTimestamp() != nil { // a graceful delete marks the pod first
		e = rec.next(t)
	}
	if e.Type != Deleted || e.Old.GetName() != "web" || e.New != nil {
		t.Fatalf("got %s %+v", e.Type, e.Object())
	}
}

func TestWatchesAreSharedAndStopWithTheLast(t *testing.T) {
	ns := namespace(t, "tracker-shared")
	tr := newTracker(t, "admin", Options{})
	a, all := newRecorder(), newRecorder()
	stopA, err := tr.Watch(t.Context(), Target{Resource: pods, Namespace: ns, Name: "a"}, a.add)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := tr.Watch(ctx, Target{Resource: pods, Namespace: ns}, all.add); err != nil {
		t.Fatal(err)
	}
	if n := tr.Watching(); n != 1 {
		t.Fatalf("two watchers of one namespace's pods hold %d watches, want 1", n)
	}
	createPod(t, ns, "b")
	if e := all.next(t); e.New.GetName() != "b" {
		t.Fatalf("all got %s", e.New.GetName())
	}
	createPod(t, ns, "a")
	if e := a.next(t); e.New.GetName() != "a" {
		t.Fatalf("a got %s", e.New.GetName())
	}
	all.next(t)
	a.none(t, 200*time.Millisecond) // b was not a's

	stopA()
	stopA() // stopping twice is harmless
	if n := tr.Watching(); n != 1 {
		t.Fatalf("%d watches with one watcher left, want 1", n)
	}
	cancel() // the context ends the last watcher, and with it the watch
	testenv.Eventually(t, 2*time.Second, "every watch stopped", func() bool { return tr.Watching() == 0 })
}

func TestWatchRefusedAndBounded(t *testing.T) {
	ns := namespace(t, "tracker-bounds")
	alice := newTracker(t, "alice", Options{SyncTimeout: 5 * time.Second})
	_, err := alice.Watch(t.Context(), Target{Resource: pods, Namespace: ns}, func(Event) {})
	if !apierrors.IsForbidden(err) || alice.Watching() != 0 {
		t.Fatalf("alice: err %v (want forbidden), %d watches", err, alice.Watching())
	}

	tr := newTracker(t, "admin", Options{MaxWatches: 1})
	if _, err := tr.Watch(t.Context(), Target{Resource: pods, Namespace: ns}, func(Event) {}); err != nil {
		t.Fatal(err)
	}
	_, err = tr.Watch(t.Context(), Target{Resource: configmaps, Namespace: ns}, func(Event) {})
	if !errors.Is(err, ErrTooManyWatches) {
		t.Fatalf("a second watch over the limit: %v", err)
	}
	if _, err := tr.Watch(t.Context(), Target{Resource: pods, Namespace: ns, Name: "x"}, func(Event) {}); err != nil {
		t.Fatalf("sharing a watch counts against no limit: %v", err)
	}
	tr.Close()
	if _, err := tr.Watch(t.Context(), Target{Resource: pods, Namespace: ns}, func(Event) {}); !errors.Is(err, ErrClosed) || tr.Watching() != 0 {
		t.Fatalf("after Close: %v, %d watches", err, tr.Watching())
	}
}
