package pods

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func texts(lines []logLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.text
	}
	return out
}

func TestReadLines(t *testing.T) {
	long := strings.Repeat("y", 3*maxLineBytes)
	stamp := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	tests := []struct {
		name    string
		in      string
		keep    int
		grep    string
		stamped bool
		want    []string
		read    int
	}{
		{"last n", "a\nb\nc\nd\n", 2, "", false, []string{"c", "d"}, 4},
		{"no final newline, CRLF", "a\r\nb", 5, "", false, []string{"a", "b"}, 2},
		{"filter keeps newest matches", "x1\ny\nx2\nx3\n", 2, "x", false, []string{"x2", "x3"}, 4},
		{"long line cut", long + "\nshort\n", 5, "", false,
			[]string{long[:maxLineBytes] + fmt.Sprintf(" [line cut: %d bytes, %d shown]", 3*maxLineBytes, maxLineBytes), "short"}, 2},
		{"stamped", stamp.Format(time.RFC3339Nano) + " hello world\nnot stamped\n", 5, "", true, []string{"hello world", "not stamped"}, 2},
		{"empty", "", 5, "", false, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, read, err := readLines(strings.NewReader(tt.in), tt.keep, lineFilter{grep: tt.grep}, tt.stamped)
			if err != nil || read != tt.read || !slices.Equal(texts(got), tt.want) {
				t.Errorf("got %q read %d err %v; want %q read %d", texts(got), read, err, tt.want, tt.read)
			}
			if tt.stamped && !got[0].at.Equal(stamp) {
				t.Errorf("stamp %v, want %v", got[0].at, stamp)
			}
		})
	}
}

func TestReadLinesMemoryStaysNearKeep(t *testing.T) {
	var b strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	got, read, err := readLines(strings.NewReader(b.String()), 3, lineFilter{}, false)
	if err != nil || read != 100000 || !slices.Equal(texts(got), []string{"line 99997", "line 99998", "line 99999"}) {
		t.Fatalf("got %q read %d err %v", texts(got), read, err)
	}
	if cap(got) > 2*3+64+1 {
		t.Errorf("kept a buffer of %d lines for 3", cap(got))
	}
}

func TestNewest(t *testing.T) {
	lines := []string{"aaaa", "bbbb", "cccc"} // 5 bytes each with the newline
	for budget, want := range map[int]int{15: 3, 14: 2, 10: 2, 9: 1, 4: 0} {
		got, dropped := newest(lines, budget)
		if len(got) != want || dropped != 3-want || (want > 0 && got[len(got)-1] != "cccc") {
			t.Errorf("budget %d: got %q dropped %d, want the last %d", budget, got, dropped, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "1h30m": 90 * time.Minute, "2d": 48 * time.Hour} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseDuration("xd"); err == nil {
		t.Error("parseDuration(xd) did not fail")
	}
}

func TestReplacement(t *testing.T) {
	ctl := func(kind string) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{{Kind: kind, Name: "x", Controller: ptr.To(true)}}}}
	}
	mirror := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{corev1.MirrorPodAnnotationKey: "abc"}}, Spec: corev1.PodSpec{NodeName: "n1"}}
	notController := corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "x"}}}}
	tests := []struct {
		name      string
		pod       corev1.Pod
		recreated bool
		want      string
	}{
		{"replicaset", ctl("ReplicaSet"), true, "new name"},
		{"statefulset", ctl("StatefulSet"), true, "same name"},
		{"daemonset", ctl("DaemonSet"), true, "same node"},
		{"job", ctl("Job"), true, "backoffLimit"},
		{"custom", ctl("Rollout"), true, "Rollout x controls it"},
		{"mirror", mirror, true, "static pod"},
		{"owner but no controller", notController, false, "No controller"},
		{"bare", corev1.Pod{}, false, "No controller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recreated, text := replacement(&tt.pod)
			if recreated != tt.recreated || !strings.Contains(text, tt.want) {
				t.Errorf("got %v %q, want %v and %q", recreated, text, tt.recreated, tt.want)
			}
		})
	}
}
