package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// fleet starts n more real clusters (etcd + kube-apiserver each) in
// parallel, stopped at cleanup.
func fleet(t testing.TB, n int) []*testenv.Env {
	t.Helper()
	envs := make([]*testenv.Env, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { envs[i], errs[i] = testenv.Start(context.Background(), testenv.Options{}) })
	}
	wg.Wait()
	for _, e := range envs {
		if e != nil {
			t.Cleanup(func() { e.Stop() })
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return envs
}

// markClusters gives each cluster a namespace "where" holding one pod named
// after the context, so an answer shows which cluster it came from.
func markClusters(t testing.TB, envs map[string]*testenv.Env) {
	t.Helper()
	ctx := context.Background()
	for name, e := range envs {
		c := e.Clientset("admin")
		_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "where"}}, metav1.CreateOptions{})
		if err == nil || apierrors.IsAlreadyExists(err) { // the shared cluster keeps it from an earlier -count
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod-" + name},
				Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
			_, err = c.CoreV1().Pods("where").Create(ctx, pod, metav1.CreateOptions{})
		}
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("marking cluster %s: %v", name, err)
		}
	}
}

// fannedPods is pods_list's structuredContent for a call across clusters.
type fannedPods struct {
	Clusters []struct {
		Cluster  string `json:"cluster"`
		Error    string `json:"error"`
		Skipped  bool   `json:"skipped"`
		TimedOut bool   `json:"timed_out"`
		Result   struct {
			Pods []struct {
				Name string `json:"name"`
			} `json:"pods"`
		} `json:"result"`
	} `json:"clusters"`
}

func podsEverywhere(t *testing.T, cs *mcp.ClientSession, progress string) (fannedPods, *mcp.CallToolResult) {
	t.Helper()
	params := &mcp.CallToolParams{Name: "pods_list", Arguments: map[string]any{"cluster": "*", "namespace": "where"}}
	if progress != "" {
		params.SetProgressToken(progress)
	}
	res, err := cs.CallTool(testContext(t), params)
	if err != nil {
		t.Fatalf("pods_list across clusters: %v", err)
	}
	var got fannedPods
	raw, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("structuredContent %s: %v", raw, err)
	}
	return got, res
}

// wantAnswers checks that each named cluster answered with its own pod, and
// every other cluster failed.
func wantAnswers(t *testing.T, got fannedPods, answered ...string) {
	t.Helper()
	for _, c := range got.Clusters {
		if !slices.Contains(answered, c.Cluster) {
			if c.Error == "" {
				t.Errorf("cluster %s answered, want an error", c.Cluster)
			}
			continue
		}
		if c.Error != "" || len(c.Result.Pods) != 1 || c.Result.Pods[0].Name != "pod-"+c.Cluster {
			t.Errorf("cluster %s: error %q, pods %+v; want its own pod pod-%s", c.Cluster, c.Error, c.Result.Pods, c.Cluster)
		}
	}
}

// staleAfter is TestMultiCluster's --cache-stale-after: the watch cache
// answers a cluster for at most this long after it last heard from it.
const staleAfter = time.Second

// untilStale waits out staleAfter: past it, a cluster that stopped or hung
// since is no longer answered from the cache (a stopped one usually far
// sooner, its watches ending at once; a hung one only when its heartbeat
// fails), and its calls fail as they would without one. A deliberate wait,
// not a poll: the bound runs on the binary's real clock, and the only way
// to see it pass from here is a call to the cluster, which would itself mark
// the cluster unreachable, what the calls after it are there to check.
func untilStale() { time.Sleep(staleAfter + 200*time.Millisecond) }

// TestMultiCluster serves three real clusters from a watched kubeconfig
// directory through the real binary over HTTP: a fan-out answers per
// cluster; with one apiserver stopped the other two still answer, within the
// timeout, and the third is reported and then skipped; a hung apiserver
// times out (both past the watch cache's bound); started again, they are used again; a fourth context added to the directory is served without a
// restart.
func TestMultiCluster(t *testing.T) {
	more := fleet(t, 2)
	envs := map[string]*testenv.Env{"alpha": env, "beta": more[0], "gamma": more[1]}
	markClusters(t, envs)
	dir := t.TempDir()
	if err := testenv.WriteKubeconfig(filepath.Join(dir, "fleet"), "admin", "alpha", envs); err != nil {
		t.Fatal(err)
	}
	url := startHTTPWith(t, dir, "--cluster-timeout", "3s", "--kubeconfig-poll", "200ms", "--cache-stale-after", staleAfter.String())
	var progressMu sync.Mutex
	var progress []string
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			progressMu.Lock()
			defer progressMu.Unlock()
			progress = append(progress, r.Params.Message)
		}})
	cs := connectWith(t, client, &mcp.StreamableClientTransport{Endpoint: url}, nil)

	t.Run("fan-out", func(t *testing.T) {
		got, res := podsEverywhere(t, cs, "p1")
		if len(got.Clusters) != 3 || res.IsError {
			t.Fatalf("got %+v", got)
		}
		wantAnswers(t, got, "alpha", "beta", "gamma")
		text := res.Content[0].(*mcp.TextContent).Text
		for _, want := range []string{"3 clusters: 3 answered", "== cluster beta (", "pod-gamma"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
		testenv.Eventually(t, 30*time.Second, "3 progress notifications", func() bool {
			progressMu.Lock()
			defer progressMu.Unlock()
			return len(progress) == 3
		})
	})

	t.Run("one cluster down", func(t *testing.T) {
		if err := envs["gamma"].StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		untilStale()
		start := time.Now()
		got, res := podsEverywhere(t, cs, "")
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("the fan-out took %s with a 3s per-cluster timeout", took)
		}
		if res.IsError {
			t.Error("a partial answer is marked isError")
		}
		wantAnswers(t, got, "alpha", "beta")
		if g := got.Clusters[2]; g.Cluster != "gamma" || g.Skipped || !strings.Contains(g.Error, "connection refused") {
			t.Errorf("gamma: %+v, want a refused connection", g)
		}
		got, _ = podsEverywhere(t, cs, "")
		wantAnswers(t, got, "alpha", "beta")
		if g := got.Clusters[2]; !g.Skipped || !strings.Contains(g.Error, "unreachable") {
			t.Errorf("gamma right after: %+v, want it skipped as unreachable", g)
		}
		code, body := httpGet(t, strings.TrimSuffix(url, "/mcp")+"/readyz")
		if code != http.StatusOK || !strings.Contains(body, "cluster gamma: not ready") || !strings.Contains(body, "cluster alpha: ok") {
			t.Errorf("/readyz: %d\n%s", code, body)
		}
	})

	t.Run("cluster hung", func(t *testing.T) {
		if err := envs["beta"].PauseAPIServer(); err != nil {
			t.Fatal(err)
		}
		defer envs["beta"].ResumeAPIServer()
		untilStale()
		start := time.Now()
		got, res := podsEverywhere(t, cs, "")
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("the fan-out took %s with a 3s per-cluster timeout", took)
		}
		wantAnswers(t, got, "alpha")
		if b := got.Clusters[1]; !b.TimedOut || !strings.Contains(b.Error, "no answer within 3s") {
			t.Errorf("beta: %+v, want a timeout", b)
		}
		if text := res.Content[0].(*mcp.TextContent).Text; !strings.Contains(text, "3 clusters: 1 answered, 2 did not.") {
			t.Errorf("text:\n%s", text)
		}
	})

	t.Run("cluster back", func(t *testing.T) {
		if err := envs["gamma"].StartAPIServer(context.Background()); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 30*time.Second, "beta and gamma to answer again", func() bool {
			got, _ := podsEverywhere(t, cs, "")
			return got.Clusters[1].Error == "" && got.Clusters[2].Error == ""
		})
		got, _ := podsEverywhere(t, cs, "")
		wantAnswers(t, got, "alpha", "beta", "gamma")
	})

	t.Run("context added", func(t *testing.T) {
		// delta is a fourth context, for beta's apiserver.
		if err := testenv.WriteKubeconfig(filepath.Join(dir, "more"), "admin", "", map[string]*testenv.Env{"delta": more[0]}); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 30*time.Second, "delta to be served", func() bool {
			r, _ := call(t, cs, "pods_list", map[string]any{"cluster": "delta", "namespace": "where"})
			return !r.IsError && strings.Contains(r.Text, "pod-beta")
		})
		r, _ := call(t, cs, "clusters_list", nil)
		for _, name := range []string{"alpha", "beta", "gamma", "delta"} {
			if !strings.Contains(r.Text, name) {
				t.Errorf("clusters_list lacks %s:\n%s", name, r.Text)
			}
		}
	})
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestClusterArgumentAppears: with one cluster no tool advertises a cluster
// argument; when the kubeconfig gains a second context the tools are
// reinstalled with it and the client hears that the tool list changed.
func TestClusterArgumentAppears(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, "admin", "one", map[string]*testenv.Env{"one": env}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Kubeconfig = path
	srv := newServer(t, cfg)
	changed := make(chan struct{}, 100)
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, &mcp.ClientOptions{
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} }})
	cs := connectServer(t, srv, client, nil)
	if hasClusterArg(t, cs) {
		t.Fatal("pods_list advertises cluster with one cluster configured")
	}
	if err := testenv.WriteKubeconfig(path, "admin", "one", map[string]*testenv.Env{"one": env, "two": env}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Clusters.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no tools/list_changed notification after a second cluster appeared")
	}
	if !hasClusterArg(t, cs) {
		t.Fatal("pods_list does not advertise cluster with two clusters configured")
	}
	r, _ := call(t, cs, "pods_list", map[string]any{"cluster": "two", "namespace": "shop"})
	if r.IsError || !strings.Contains(r.Text, "frontend-") {
		t.Errorf("pods_list on the new cluster: %+v", r)
	}
}

func hasClusterArg(t *testing.T, cs *mcp.ClientSession) bool {
	t.Helper()
	for tool, err := range cs.Tools(testContext(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.Name == "pods_list" {
			raw, _ := json.Marshal(tool.InputSchema)
			return strings.Contains(string(raw), `"cluster"`)
		}
	}
	t.Fatal("no pods_list tool")
	return false
}

// TestLongCallIsNotAnOutage: cluster health is shared by every user. admin
// watches every cluster's health for longer than the per-cluster timeout,
// which works; bob's fan-out right after asks every cluster rather than
// skipping them as unreachable (issue 18: one user's long call made every
// cluster look down to everyone).
func TestLongCallIsNotAnOutage(t *testing.T) {
	dir := t.TempDir()
	if err := testenv.WriteKubeconfig(filepath.Join(dir, "fleet"), "admin", "one", map[string]*testenv.Env{"one": env, "two": env}); err != nil {
		t.Fatal(err)
	}
	tokenFile, tokens := writeTokenFile(t, []string{"admin", "bob"})
	url := startHTTPWith(t, dir, "--auth", "token", "--auth-token-file", tokenFile, "--cluster-timeout", "2s")
	admin, bob := connectAs(t, url, tokens["admin"], "streamable"), connectAs(t, url, tokens["bob"], "streamable")

	start := time.Now()
	r, _ := call(t, admin, "cluster_health", map[string]any{"cluster": "*", "watch_seconds": 3})
	if took := time.Since(start); r.IsError || !strings.Contains(r.Text, "2 clusters: 2 answered") || strings.Count(r.Text, "Watched 3s:") != 2 || took < 3*time.Second {
		t.Errorf("admin's 3 s watch with a 2 s cluster timeout, in %s:\n%s", took, r.Text)
	}
	r, _ = call(t, bob, "cluster_health", map[string]any{"cluster": "*"})
	if r.IsError || !strings.Contains(r.Text, "2 clusters: 2 answered") || strings.Contains(r.Text, "unreachable") {
		t.Errorf("bob's fan-out right after:\n%s", r.Text)
	}
}
