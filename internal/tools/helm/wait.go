package helm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/kube"
)

// maxWaitSeconds bounds wait_seconds; the call's own timeout bounds it
// further.
const maxWaitSeconds = 300

// waitReport is what a wait leaves of the call's time to say what happened,
// before the call's timeout would cut the answer.
const waitReport = 2 * time.Second

// waiting is how long a write waits for its release's objects to be ready,
// and what Helm found not ready meanwhile.
type waiting struct {
	timeout time.Duration // 0: it does not wait
	gone    bool          // it waits for the objects to be deleted (an uninstall)

	mu       sync.Mutex
	notReady []string // Helm's latest "is not ready" lines, one per object
}

// checkWait refuses wait_seconds out of its range, naming the range.
func checkWait(seconds int) error {
	if seconds < 0 || seconds > maxWaitSeconds {
		return fmt.Errorf("wait_seconds %d: want 0 (do not wait) to %d", seconds, maxWaitSeconds)
	}
	return nil
}

// waitFor makes cfg wait up to seconds (checked), and no later than the
// call's own deadline allows, for a write's objects (none for a dry run),
// noting what Helm finds not ready.
func waitFor(ctx context.Context, cfg *action.Configuration, seconds int, dryRun bool) *waiting {
	w := &waiting{}
	if seconds == 0 || dryRun {
		return w
	}
	w.timeout = time.Duration(seconds) * time.Second
	if deadline, ok := ctx.Deadline(); ok {
		w.timeout = max(time.Second, min(w.timeout, time.Until(deadline)-waitReport))
	}
	if kc, ok := cfg.KubeClient.(*kube.Client); ok {
		kc.Log = w.log
	}
	return w
}

func (w *waiting) on() bool { return w.timeout > 0 }

// log keeps Helm's "X is not ready: ns/name. why" lines, the latest for
// each object, and drops the rest (its debug lines print manifests).
func (w *waiting) log(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	kind, rest, ok := strings.Cut(line, " is not ready: ")
	if !ok {
		return
	}
	object, _, _ := strings.Cut(rest, ". ")
	w.mu.Lock()
	defer w.mu.Unlock()
	key := kind + " " + object
	for i, l := range w.notReady {
		if strings.HasPrefix(l, key+".") || l == key {
			w.notReady = append(w.notReady[:i], w.notReady[i+1:]...)
			break
		}
	}
	w.notReady = append(w.notReady, key+". "+strings.TrimPrefix(rest, object+". "))
	if len(w.notReady) > 10 {
		w.notReady = w.notReady[1:]
	}
}

// explain says what a write that waited and failed for it means; other
// failures pass as they are. Its sentence does not wrap the deadline, which
// the gate would tell as a read that timed out.
func (w *waiting) explain(err error) error {
	if !w.on() || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if w.gone {
		return fmt.Errorf("%v\nThe release's objects were not all deleted within %s; helm_list says whether the release remains, resources_list whether its objects do (a finalizer may hold one)", err, w.timeout)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := "Helm named no object"
	if len(w.notReady) > 0 {
		seen = "not ready: " + strings.Join(w.notReady, "; ")
	}
	return fmt.Errorf("%v\nThe release's objects were not ready within %s (%s), so Helm marked the release failed; its objects stay as they are. "+
		"helm_status lists them, pods_list and events_list say why; fix it with helm_upgrade, or undo it with helm_rollback or helm_uninstall", err, w.timeout, seen)
}

// text is what a write that waited adds to its answer.
func (w *waiting) text() string {
	switch {
	case !w.on():
		return ""
	case w.gone:
		return "Its objects are gone.\n"
	}
	return "Its objects were ready.\n"
}
