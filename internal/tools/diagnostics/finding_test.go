package diagnostics

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The cases here need no cluster: how a reading turns into a finding.

func TestCallSpellsJSON(t *testing.T) {
	got := call("pods_logs", "namespace", `we"ird`, "previous", true)
	if want := `pods_logs {"namespace":"we\"ird","previous":true}`; got != want {
		t.Errorf("call = %s, want %s", got, want)
	}
}

func TestWordKeepsStatusToOneToken(t *testing.T) {
	if got := word("Bad\nReason  here " + strings.Repeat("x", 100)); strings.ContainsAny(got, " \n") || len(got) > 64+len("…") {
		t.Errorf("word = %q", got)
	}
	if got := clip("ééé", 3); got != "é…" {
		t.Errorf("clip cut a rune: %q", got)
	}
}

func TestPendingClaimWithoutWarningIsInfo(t *testing.T) {
	c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "a"}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}}
	f, ok := pvcFinding(c, time.Now(), warningIndex{})
	if !ok || f.Severity != Info || !strings.Contains(f.Evidence, "storageClass <default>") {
		t.Errorf("finding %+v, %v: want info, default class", f, ok)
	}
	c.Status.Phase = corev1.ClaimBound
	if _, ok := pvcFinding(c, time.Now(), warningIndex{}); ok {
		t.Error("a bound claim is a finding")
	}
}

func TestNodeThatNeverReported(t *testing.T) {
	fs := nodeFindings(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}}, time.Now())
	if len(fs) != 1 || fs[0].Reason != "NotReady" || !strings.Contains(fs[0].Evidence, "never reported") {
		t.Errorf("findings %+v", fs)
	}
}

func TestFailedJobPodIsTheJobsFinding(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "j"}}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed}}
	if fs := podFindings(p, time.Now(), warningIndex{}); len(fs) != 0 {
		t.Errorf("a failed Job's pod has findings: %+v", fs)
	}
	p.OwnerReferences = nil
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3}}}}
	if fs := podFindings(p, time.Now(), warningIndex{}); len(fs) != 1 || fs[0].Evidence != "phase Failed; container c exit 3 (Error)" {
		t.Errorf("findings %+v", fs)
	}
}
