package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

type podLog struct {
	Namespace, Pod, Container string
	Lines                     []struct {
		Time time.Time
		Text string
	}
	Dropped int
}

func (l podLog) texts() []string {
	var out []string
	for _, line := range l.Lines {
		out = append(out, line.Text)
	}
	return out
}

// TestPodLog: the seeded crash-looping pod's log, its lines stamped, cut to
// tail and narrowed by search; bad input names the field, and the tool's
// refusal says what to do.
func TestPodLog(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	path := "/api/clusters/live/pods/" + testenv.NamespacePayments + "/" + testenv.PodCrashLoop + "/log"
	var log podLog
	decodeOK(t, http.StatusOK, &log)(c.do(t, "GET", path, nil))
	text := strings.Join(log.texts(), "\n")
	if log.Container != "api" || len(log.Lines) != 15 || !strings.Contains(text, "panic: runtime error: invalid memory address") ||
		strings.Contains(text, "untrusted-data") || log.Lines[0].Time.IsZero() {
		t.Fatalf("log: %+v", log)
	}
	decodeOK(t, http.StatusOK, &log)(c.do(t, "GET", path+"?tail=3", nil))
	if got := log.texts(); len(got) != 3 || got[2] != "\t/src/cmd/api/main.go:57 +0x1c5" {
		t.Fatalf("tail=3: %q", got)
	}
	decodeOK(t, http.StatusOK, &log)(c.do(t, "GET", path+"?search=database", nil))
	if got := log.texts(); len(got) != 2 || !strings.Contains(got[0], "connecting to database") {
		t.Fatalf("search=database: %q", got)
	}
	decodeOK(t, http.StatusOK, &log)(c.do(t, "GET", path+"?search=nothing-like-this", nil))
	if len(log.Lines) != 0 {
		t.Fatalf("a search that matches nothing: %+v", log)
	}
	for _, tc := range []struct {
		path         string
		status       int
		code, phrase string
	}{
		{path + "?tail=0", http.StatusBadRequest, "invalid", "tail: "},
		{path + "?tail=lots", http.StatusBadRequest, "invalid", "tail: "},
		{path + "?follow=yes", http.StatusBadRequest, "invalid", "follow: "},
		{"/api/clusters/nope/pods/a/b/log", http.StatusNotFound, "not_found", `no cluster "nope"`},
		{path + "?container=sidecar", http.StatusUnprocessableEntity, "refused", `has no container "sidecar"`},
		{"/api/clusters/live/pods/" + testenv.NamespacePayments + "/gone/log", http.StatusUnprocessableEntity, "refused", "not found"},
	} {
		status, body := c.do(t, "GET", tc.path, nil)
		wantError(t, status, body, tc.status, tc.code, tc.phrase)
	}
}

// TestPodLogFollow: a followed log sends its tail, then the lines written
// after it, once each.
func TestPodLogFollow(t *testing.T) {
	ns := env.Namespace(t, "follow")
	runningPod(t, ns, "talker")
	env.Kubelet.SetLogs(ns, "talker", "main", []string{"first line"})
	c := startConsole(t)
	c.login(t)
	events := c.follow(t, "/api/clusters/live/pods/"+ns+"/talker/log?follow=1")
	if got := (<-events).texts(); len(got) != 1 || got[0] != "first line" {
		t.Fatalf("the tail: %q", got)
	}
	time.Sleep(10 * time.Millisecond) // the new line's time is after the first's
	env.Kubelet.SetLogs(ns, "talker", "main", []string{"second line"})
	select {
	case log := <-events:
		if got := log.texts(); len(got) != 1 || got[0] != "second line" {
			t.Fatalf("the new lines: %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the new line did not come")
	}
	select {
	case log := <-events:
		t.Fatalf("lines sent twice: %q", log.texts())
	case <-time.After(5 * time.Second): // two more polls
	}
}

// TestPodLogIsReadAsTheSignedInUser: someone whose RBAC lets them list pods
// but not read their logs is refused, in the apiserver's words.
func TestPodLogIsReadAsTheSignedInUser(t *testing.T) {
	listPods := rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	if err := env.Grant(t.Context(), testenv.NamespaceShop, "console-log-carol", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}, listPods); err != nil {
		t.Fatal(err)
	}
	gh := newGitHub(t, map[string]githubUser{"carol": {}})
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: agent\n  token: agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// --auth token makes the credentials impersonate, as in TestEachUserSeesWhatTheirRBACAllows.
	c := startConsole(t, append(gh.flags(), "--auth", "token", "--auth-token-file", tokens, "--identity-rule", "github-user:carol=user:carol")...)
	jar, _ := cookiejar.New(nil)
	c.client = &http.Client{Jar: jar}
	gh.signInAs("carol")
	c.signIn(t, "github")
	pods := env.Clientset("admin").CoreV1().Pods(testenv.NamespaceShop)
	list, err := pods.List(t.Context(), metav1.ListOptions{LabelSelector: "app=" + testenv.DeploymentCart})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("the cart's pods: %v", err)
	}
	status, body := c.do(t, "GET", "/api/clusters/live/pods/"+testenv.NamespaceShop+"/"+list.Items[0].Name+"/log", nil)
	wantError(t, status, body, http.StatusUnprocessableEntity, "refused", "forbidden")
}

// follow opens a followed log and sends each "lines" event on the channel
// until the test ends.
func (c *consoleServer) follow(t *testing.T, path string) <-chan podLog {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("follow: %d %v", resp.StatusCode, resp.Header)
	}
	out := make(chan podLog, 16)
	go func() {
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		event := ""
		for lines.Scan() {
			line := lines.Text()
			if name, ok := strings.CutPrefix(line, "event: "); ok {
				event = name
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok && event == "lines" {
				var log podLog
				if json.Unmarshal([]byte(data), &log) == nil {
					out <- log
				}
			}
		}
	}()
	return out
}

// runningPod makes a pod of one container, main, that the kubelet reports
// running.
func runningPod(t *testing.T, ns, name string) {
	t.Helper()
	pods := env.Clientset("admin").CoreV1().Pods(ns)
	pod, err := pods.Create(t.Context(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{NodeName: env.NodeName, Containers: []corev1.Container{{Name: "main", Image: "busybox"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodRunning
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}}
	if _, err := pods.UpdateStatus(t.Context(), pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
