package pods

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// fenced returns the lines between the untrusted-data markers.
func fenced(t *testing.T, text string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(text, "<untrusted-data source=")
	if !ok {
		t.Fatalf("no log fence:\n%s", text)
	}
	_, body, _ := strings.Cut(rest, "\n")
	body, _, ok = strings.Cut(body, "</untrusted-data>")
	if !ok {
		t.Fatalf("fence not closed:\n%s", text)
	}
	return strings.Split(strings.TrimSuffix(body, "\n"), "\n")
}

func numbered(prefix string, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("%s %04d", prefix, i+1)
	}
	return lines
}

// TestPodsLogs reads logs set on the fake kubelet through the real apiserver:
// tail, filters, since, the previous instance, and the byte cap.
func TestPodsLogs(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	runningPod(t, ns, "talker", nil, nil, "main")
	var lines []string
	for i := range 200 {
		level := "info"
		if i%10 == 9 {
			level = "error"
		}
		lines = append(lines, fmt.Sprintf("%s line %03d request_id=r%d", level, i+1, i))
	}
	env.Kubelet.SetLogs(ns, "talker", "main", lines)
	cs := toolsettest.Serve(t, newPods)
	src := fmt.Sprintf(`<untrusted-data source="log of container main in pod %s/talker">`, ns)
	tests := []struct {
		name  string
		args  map[string]any
		want  []string // in the text
		lines []string // exactly these lines in the fence; nil: don't check
		check func(t *testing.T, got []string)
	}{
		{name: "default tail is 100", args: map[string]any{}, want: []string{src, "100 lines of the log of container main in pod " + ns + "/talker:"},
			check: func(t *testing.T, got []string) {
				if len(got) != 100 || got[99] != lines[199] || got[0] != lines[100] {
					t.Errorf("got %d lines, %q..%q", len(got), got[0], got[len(got)-1])
				}
			}},
		{name: "tail", args: map[string]any{"tail_lines": 3}, lines: lines[197:]},
		{name: "grep keeps the newest matches", args: map[string]any{"grep": "error", "tail_lines": 2}, want: []string{`matching grep "error"`},
			lines: []string{lines[189], lines[199]}},
		{name: "regex", args: map[string]any{"regex": `line 0(0[5-7])\b`}, want: []string{`matching regex`}, lines: lines[4:7]},
		{name: "grep and regex", args: map[string]any{"grep": "error", "regex": `line 0[0-3]`}, lines: []string{lines[9], lines[19], lines[29]}},
		{name: "no match", args: map[string]any{"grep": "panic"}, want: []string{`No line of the log of container main in pod ` + ns + `/talker matches grep "panic" (searched the newest 200 lines)`}},
		{name: "since", args: map[string]any{"since": "3s"}, want: []string{"in the last 3s"}, check: func(t *testing.T, got []string) {
			// Lines are a second apart, the last one when SetLogs ran.
			if len(got) > 4 || got[len(got)-1] != lines[199] {
				t.Errorf("since 3s gave %d lines: %q", len(got), got)
			}
		}},
		{name: "since_time", args: map[string]any{"since_time": time.Now().Add(-5 * time.Second).UTC().Format(time.RFC3339)}, check: func(t *testing.T, got []string) {
			if len(got) > 8 || got[len(got)-1] != lines[199] {
				t.Errorf("since_time gave %d lines: %q", len(got), got)
			}
		}},
		{name: "timestamps", args: map[string]any{"tail_lines": 1, "timestamps": true}, check: func(t *testing.T, got []string) {
			stamp, text, _ := strings.Cut(got[0], " ")
			if _, err := time.Parse(time.RFC3339Nano, stamp); err != nil || text != lines[199] {
				t.Errorf("timestamped line %q", got[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"namespace": ns, "name": "talker"}
			for k, v := range tt.args {
				args[k] = v
			}
			r := cs.Call(t, "pods_logs", args)
			r.Expect(t, false, tt.want...)
			var out LogsOut
			r.Decode(t, &out)
			if len(out.Pods) != 1 || out.Pods[0].Container != "main" {
				t.Errorf("structured pods %+v", out.Pods)
			}
			if !strings.Contains(r.Text, "<untrusted-data") {
				return // an answer without lines
			}
			got := fenced(t, r.Text)
			if out.Lines != len(got) {
				t.Errorf("structured lines %d, fence has %d", out.Lines, len(got))
			}
			if tt.lines != nil && !slices.Equal(got, tt.lines) {
				t.Errorf("got lines\n%q\nwant\n%q", got, tt.lines)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// TestPodsLogsByteCap checks that a log larger than max_bytes keeps its newest
// lines and says how many older ones it left out and how to narrow.
func TestPodsLogsByteCap(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	runningPod(t, ns, "chatty", nil, nil, "main")
	lines := numbered(strings.Repeat("x", 80)+" line", 2000)
	env.Kubelet.SetLogs(ns, "chatty", "main", lines)
	r := toolsettest.Serve(t, newPods).Call(t, "pods_logs", map[string]any{"namespace": ns, "name": "chatty", "tail_lines": 2000, "max_bytes": 4096})
	r.Expect(t, false, "older lines not shown", "capped at 4096 bytes", "tail_lines, since or grep")
	if len(r.Text) > 4096 {
		t.Errorf("answer is %d bytes, cap 4096", len(r.Text))
	}
	got := fenced(t, r.Text)
	if got[len(got)-1] != lines[1999] || len(got) < 20 {
		t.Errorf("kept %d lines ending %q; want the newest", len(got), got[len(got)-1])
	}
	var out LogsOut
	r.Decode(t, &out)
	if out.Dropped != 2000-len(got) || out.Lines != len(got) {
		t.Errorf("structured lines %d dropped %d; fence has %d", out.Lines, out.Dropped, len(got))
	}
	if !strings.Contains(r.Text, fmt.Sprintf("[%d older lines not shown", out.Dropped)) {
		t.Errorf("note does not say how many lines were dropped:\n%s", r.Text[:300])
	}
}

// TestPodsLogsSeeded reads the seeded problem pods: the crash-looping pod's
// previous log ends in its panic; pods that never ran say why they have no log.
func TestPodsLogsSeeded(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
	tests := []struct {
		name    string
		args    map[string]any
		isError bool
		want    []string
	}{
		{"previous ends in a panic", map[string]any{"namespace": "payments", "name": testenv.PodCrashLoop, "previous": true}, false,
			[]string{"(previous instance)", "panic: runtime error: invalid memory address or nil pointer dereference", "goroutine 1 [running]"}},
		{"previous grep", map[string]any{"namespace": "payments", "name": testenv.PodCrashLoop, "previous": true, "grep": "panic:"}, false,
			[]string{"1 lines of the log", "panic: runtime error"}},
		{"image pull", map[string]any{"namespace": "payments", "name": testenv.PodImagePull}, true,
			[]string{"waiting to start (ImagePullBackOff)", "never run", "pods_get"}},
		{"unschedulable", map[string]any{"namespace": "monitoring", "name": testenv.PodUnschedulable}, true,
			[]string{"not scheduled to a node", "Unschedulable"}},
		{"no previous", map[string]any{"namespace": "shop", "name": testenv.FrontendPods()[0], "previous": true}, true,
			[]string{"no previous instance", "Omit previous"}},
		{"unknown container", map[string]any{"namespace": "shop", "name": testenv.FrontendPods()[0], "container": "nginx"}, true,
			[]string{`has no container "nginx"; its containers: frontend`}},
		{"not found", map[string]any{"namespace": "shop", "name": "nope"}, true, []string{`pods "nope" not found`}},
		{"neither name nor selector", map[string]any{"namespace": "shop"}, true, []string{"name or label_selector is required"}},
		{"both", map[string]any{"namespace": "shop", "name": "x", "label_selector": "app=x"}, true, []string{"not both"}},
		{"bad input", map[string]any{"namespace": "shop", "name": "x", "tail_lines": -1, "regex": "(", "since": "soon"}, true,
			[]string{"tail_lines -1", `regex "(" does not compile`, `since "soon"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs.Call(t, "pods_logs", tt.args).Expect(t, tt.isError, tt.want...)
		})
	}
	t.Run("alice forbidden", func(t *testing.T) {
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_logs", map[string]any{"namespace": "shop", "name": testenv.FrontendPods()[0]}).
			Expect(t, true, "forbidden", "pods", `namespace "shop"`)
	})
}

// TestPodsLogsContainers uses a pod of two containers: one must be named.
func TestPodsLogsContainers(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	runningPod(t, ns, "duo", nil, nil, "app", "proxy")
	env.Kubelet.SetLogs(ns, "duo", "app", []string{"app says hi"})
	env.Kubelet.SetLogs(ns, "duo", "proxy", []string{"proxy says hi"})
	cs := toolsettest.Serve(t, newPods)
	cs.Call(t, "pods_logs", map[string]any{"namespace": ns, "name": "duo"}).
		Expect(t, true, "has 2 containers; name one with container: app, proxy")
	r := cs.Call(t, "pods_logs", map[string]any{"namespace": ns, "name": "duo", "container": "proxy"})
	r.Expect(t, false, "proxy says hi", "container proxy in pod "+ns+"/duo")
	r.Lacks(t, "app says hi")
}

// TestPodsLogsBySelector reads several pods by label: lines merged by time,
// each prefixed with its pod; pods that cannot be read are named, not dropped.
func TestPodsLogsBySelector(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	labels := map[string]string{"app": "multi"}
	for _, name := range []string{"multi-a", "multi-b"} {
		runningPod(t, ns, name, labels, nil, "app")
	}
	runningPod(t, ns, "multi-c", labels, nil, "app", "sidecar")
	env.Kubelet.SetLogs(ns, "multi-a", "app", []string{"a1", "a2", "a3"})
	env.Kubelet.SetLogs(ns, "multi-b", "app", []string{"b1", "b2", "b3"})
	env.Kubelet.SetLogs(ns, "multi-c", "app", []string{"c1"})
	cs := toolsettest.Serve(t, newPods)

	r := cs.Call(t, "pods_logs", map[string]any{"namespace": ns, "label_selector": "app=multi"})
	r.Expect(t, false, "Not read: pod "+ns+"/multi-c has 2 containers", `of 3 pods in namespace `+ns+` matching "app=multi"`)
	want := []string{"[multi-a] a1", "[multi-b] b1", "[multi-a] a2", "[multi-b] b2", "[multi-a] a3", "[multi-b] b3"}
	if got := fenced(t, r.Text); !slices.Equal(got, want) {
		t.Errorf("merged lines\n%q\nwant\n%q", got, want)
	}
	var out LogsOut
	r.Decode(t, &out)
	if len(out.Pods) != 3 || out.Pods[2].Error == "" || out.Pods[0].Lines != 3 || out.Lines != 6 {
		t.Errorf("structured %+v", out)
	}

	r = cs.Call(t, "pods_logs", map[string]any{"namespace": ns, "label_selector": "app=multi", "container": "app", "max_pods": 2, "grep": "3"})
	r.Expect(t, false, "1 more pods match; only the first 2 by name were read", "raise max_pods")
	if got := fenced(t, r.Text); !slices.Equal(got, []string{"[multi-a] a3", "[multi-b] b3"}) {
		t.Errorf("grep over pods: %q", got)
	}
	cs.Call(t, "pods_logs", map[string]any{"namespace": ns, "label_selector": "app=none"}).Expect(t, false, "No pods in namespace")
}
