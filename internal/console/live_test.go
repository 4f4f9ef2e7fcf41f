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

// liveStream is an open /api/live stream, its events arriving on events
// (closed when it ends).
type liveStream struct {
	events chan event
}

func (c *consoleServer) live(t *testing.T, path string) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live answer: %d %v", resp.StatusCode, resp.Header)
	}
	ls := &liveStream{events: make(chan event, 100)}
	go func() {
		defer resp.Body.Close()
		defer close(ls.events)
		var name string
		for lines := bufio.NewScanner(resp.Body); lines.Scan(); {
			line := lines.Text()
			if n, ok := strings.CutPrefix(line, "event: "); ok {
				name = n
			} else if d, ok := strings.CutPrefix(line, "data: "); ok {
				e := event{name: name}
				json.Unmarshal([]byte(d), &e.data)
				ls.events <- e
			}
		}
	}()
	return ls
}

// next is the stream's next event, or "" once it ended; it fails the test
// after within.
func (ls *liveStream) next(t *testing.T, within time.Duration) event {
	t.Helper()
	select {
	case e := <-ls.events:
		return e
	case <-time.After(within):
		t.Fatalf("no live event within %s", within)
	}
	return event{}
}

// untilReady reads the events up to ready, indexed by name.
func (ls *liveStream) untilReady(t *testing.T) map[string][]event {
	t.Helper()
	got := map[string][]event{}
	for {
		e := ls.next(t, 15*time.Second)
		if e.name == "" {
			t.Fatalf("the stream ended before ready: %v", got)
		}
		got[e.name] = append(got[e.name], e)
		if e.name == "ready" {
			return got
		}
	}
}

// TestLiveUpdatesAsEachUser: with impersonation, alice may watch the pods of
// a namespace and hears of a new pod within 2 s; bob may not and is told
// so, his stream ending with nothing watched; and alice's second stream is
// refused past her watcher bound.
func TestLiveUpdatesAsEachUser(t *testing.T) {
	ctx := t.Context()
	ns := env.Namespace(t, "live")
	watchPods := rbacv1.PolicyRule{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	if err := env.Grant(ctx, ns, "live-alice", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}, watchPods); err != nil {
		t.Fatal(err)
	}
	gh := newGitHub(t, map[string]githubUser{"alice": {}, "bob": {}})
	dir := t.TempDir()
	tokens, cfg := filepath.Join(dir, "tokens.yaml"), filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: agent\n  token: agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("userWatchers: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, append(gh.flags(), "--auth", "token", "--auth-token-file", tokens, "--config", cfg,
		"--identity-rule", "github-user:alice=user:alice", "--identity-rule", "github-user:bob=user:bob")...)
	alice, bob := c.as(t, gh, "alice"), c.as(t, gh, "bob")
	path := "/api/live?kinds=pods&cluster=live&namespace=" + ns

	a := alice.live(t, path)
	if got := a.untilReady(t); len(got["watching"]) != 1 || got["ready"][0].data["watching"] != 1.0 {
		t.Fatalf("alice: %v", got)
	}
	b := bob.live(t, path)
	got := b.untilReady(t)
	if len(got["watch_error"]) != 1 || !strings.Contains(got["watch_error"][0].data["error"].(string), "forbidden") || got["ready"][0].data["watching"] != 0.0 {
		t.Fatalf("bob: %v", got)
	}
	if e := b.next(t, 5*time.Second); e.name != "" {
		t.Fatalf("bob's stream went on after nothing could be watched: %v", e)
	}

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	start := time.Now()
	if _, err := env.Clientset("admin").CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e := a.next(t, 2*time.Second)
	t.Logf("the change reached the stream %s after the create was sent", time.Since(start))
	if e.name != "change" || e.data["type"] != "added" || e.data["name"] != "web" || e.data["namespace"] != ns || e.data["cluster"] != "live" || e.data["ready"] != "0/1" {
		t.Fatalf("alice's change: %v", e)
	}

	// userWatchers: 1 — alice's open stream holds her one watcher.
	got = alice.live(t, path).untilReady(t)
	if len(got["watch_error"]) != 1 || !strings.Contains(got["watch_error"][0].data["error"].(string), "the most for one user") {
		t.Fatalf("alice's second stream: %v", got)
	}
}

// as is c with a browser of its own, signed in through gh as user.
func (c *consoleServer) as(t *testing.T, gh *githubStandIn, user string) *consoleServer {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &consoleServer{base: c.base, client: &http.Client{Jar: jar}, bodies: c.bodies}
	gh.signInAs(user)
	u.signIn(t, "github")
	return u
}

func TestLiveRefusesUnknownKinds(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	status, body := c.do(t, "GET", "/api/live?kinds=pods,secrets", nil)
	wantError(t, status, body, http.StatusBadRequest, "invalid", `kinds: "secrets" cannot be watched`)
	status, body = c.do(t, "GET", "/api/live", nil)
	wantError(t, status, body, http.StatusBadRequest, "invalid", "kinds: name what to watch")
}
