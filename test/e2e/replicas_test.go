package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestReplicasBehindHAProxy runs three kubemcp processes (the real binary,
// token auth, one approval key file) behind Debian's HAProxy, round robin on
// loopback, against the real cluster: stateless (2026-07-28) clients are
// answered by every replica; a 2025-11-25 session client works because the
// proxy sticks each Mcp-Session-Id to the replica that issued it; a plan
// made on one replica is approved on another and its replay refused; and
// killing a replica mid-run costs only the calls in flight on it.
func TestReplicasBehindHAProxy(t *testing.T) {
	configMap(t, "shop", "confirm-haproxy")
	dir := t.TempDir()
	cfgFile, keyFile := filepath.Join(dir, "kubemcp.yaml"), filepath.Join(dir, "approval-keys")
	writeFile(t, cfgFile, "policy:\n  confirm:\n  - namespaces: [shop]\n")
	writeFile(t, keyFile, rand.Text()+rand.Text()+"\n")
	tokens := tokenFile(t, "replica-user", "replica-token")
	var replicas []*served
	for range 3 {
		replicas = append(replicas, serveArgs(t, "--kubeconfig", env.Kubeconfig, "--config", cfgFile, "--approval-key-file", keyFile,
			"--auth", "token", "--auth-token-file", tokens, "--user-rate", "0", "--user-concurrency", "0"))
	}
	url := startHAProxy(t, replicas)
	hc := &http.Client{Transport: withBearer{"replica-token"}}
	stateless := func(t *testing.T) *mcp.ClientSession {
		return connect(t, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: statelessVersion})
	}

	t.Run("stateless clients reach every replica", func(t *testing.T) {
		cs := stateless(t)
		for range 9 {
			if got, _ := call(t, cs, "namespaces_list", nil); got.IsError || !strings.Contains(got.Text, "shop") {
				t.Fatalf("namespaces_list: %s", got.Text)
			}
		}
		testenv.Eventually(t, 5*time.Second, "every replica to log a call of 9 in round robin", func() bool {
			return !slices.ContainsFunc(replicas, func(r *served) bool { return !strings.Contains(r.Log(), "tool=namespaces_list") })
		})
	})

	t.Run("session clients stick to their replica", func(t *testing.T) {
		cs := connect(t, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
		for range 9 { // without affinity, two of three would reach a replica that never heard of the session
			if got, _ := call(t, cs, "namespaces_list", nil); got.IsError {
				t.Fatalf("namespaces_list: %s", got.Text)
			}
		}
	})

	t.Run("a plan made on one replica is approved on another", func(t *testing.T) {
		cs := stateless(t)
		patch := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-haproxy", "patch": `{"data":{"k":"approved"}}`}
		got, _ := call(t, cs, "resources_patch", patch)
		m := approvalRE.FindStringSubmatch(got.Text)
		if m == nil {
			t.Fatalf("no approval token:\n%s", got.Text)
		}
		planner := -1
		testenv.Eventually(t, 5*time.Second, "a replica to log the plan", func() bool { // its log is read as it comes
			planner = slices.IndexFunc(replicas, func(r *served) bool { return strings.Contains(r.Log(), "tool=resources_patch") })
			return planner >= 0
		})
		patch["approval_token"] = m[1]
		got, _ = call(t, cs, "resources_patch", patch)
		toolCase{tool: "resources_patch", want: []string{"confirm-haproxy"}}.check(t, got)
		if v := configMapData(t, "confirm-haproxy"); v != "approved" {
			t.Fatalf("the approved patch did not happen: k=%q", v)
		}
		if n := strings.Count(replicas[planner].Log(), "tool=resources_patch"); n != 1 {
			t.Errorf("the replica that planned also approved (round robin should have moved on)")
		}
		for range 3 { // whichever replica gets the replay
			got, _ = call(t, cs, "resources_patch", patch)
			toolCase{tool: "resources_patch", isError: true, want: []string{"approval"}}.check(t, got)
		}
	})

	t.Run("a replica killed mid-run", func(t *testing.T) {
		const workers = 8
		var calls atomic.Int64
		var mu sync.Mutex
		type lostCall struct {
			started time.Time
			what    string
		}
		var failures []lostCall
		var killedAt time.Time
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range workers {
			cs := stateless(t)
			wg.Go(func() {
				lost := 0
				for ctx.Err() == nil {
					calls.Add(1)
					started := time.Now()
					res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "pods_list", Arguments: map[string]any{"namespace": "shop"}})
					if err == nil && !res.IsError {
						continue
					}
					mu.Lock()
					lost++
					failures = append(failures, lostCall{started, fmt.Sprintf("%s after the kill, lost call %d of this client: %s",
						started.Sub(killedAt).Round(time.Millisecond), lost, errorText(err, res))})
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Second)
		mu.Lock()
		killedAt = time.Now()
		mu.Unlock()
		if err := replicas[1].Kill(); err != nil {
			t.Fatal(err)
		}
		// SIGKILL is not the end of the process: until the kernel has torn
		// it down, its socket still takes connections, and a call the proxy
		// sends it then dies with it. Gone is when it refuses them.
		addr := strings.TrimSuffix(strings.TrimPrefix(replicas[1].URL, "http://"), "/mcp")
		testenv.Eventually(t, 5*time.Second, "the killed replica to refuse connections", func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err != nil
		})
		gone := time.Now()
		time.Sleep(2 * time.Second)
		stop()
		wg.Wait()
		t.Logf("%d calls in 3s by %d clients, replica 1 of 3 killed after 1s, gone %s later; %d lost",
			calls.Load(), workers, gone.Sub(killedAt).Round(time.Millisecond), len(failures))
		for _, f := range failures {
			t.Log(f.what)
			// Sent to the killed replica before it was gone: the proxy
			// can only cut the connection (the request had been sent),
			// which the client sees as a transport error, not as a tool's
			// answer. Once it is gone, the proxy sends every call elsewhere.
			if !f.started.Before(gone) || !strings.Contains(f.what, "rejected by transport") {
				t.Errorf("a call lost after the replica was gone, or not a transport error: %s", f.what)
			}
		}
	})
}

// statelessVersion is the first protocol version without sessions.
const statelessVersion = "2026-07-28"

// startHAProxy runs Debian's HAProxy in front of replicas on a loopback port,
// round robin, and returns the URL of its /mcp. A response's Mcp-Session-Id
// sticks that session to the replica that answered, as an ingress's
// affinity would; requests without one (2026-07-28 clients) go round robin.
// A replica that refuses connections is out within 200 ms, and a request
// that could not reach one is sent to another: each request has a
// connection of its own to its replica (http-reuse never), so one sent to
// a dead replica fails to connect, which is safe to retry, rather than
// dying on a reused connection, which is not.
func startHAProxy(t *testing.T, replicas []*served) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/haproxy")
	}
	if err != nil {
		t.Fatal("haproxy is not installed: run scripts/install-haproxy.sh (make test does)")
	}
	port := freePort(t)
	var servers strings.Builder
	for i, r := range replicas {
		addr := strings.TrimSuffix(strings.TrimPrefix(r.URL, "http://"), "/mcp")
		fmt.Fprintf(&servers, "  server r%d %s check inter 200ms fall 1 rise 2\n", i, addr)
	}
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	writeFile(t, cfg, fmt.Sprintf(`defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch
frontend mcp
  bind 127.0.0.1:%d
  default_backend kubemcp
backend kubemcp
  balance roundrobin
  stick-table type string len 64 size 100k expire 30m
  stick match req.hdr(mcp-session-id)
  stick store-response res.hdr(mcp-session-id)
  http-reuse never
  option httpchk GET /healthz
%s`, port, servers.String()))
	if err := env.StartProcess(exec.Command(bin, "-db", "-f", cfg)); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	testenv.Eventually(t, 10*time.Second, "haproxy to listen on "+addr, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return "http://" + addr + "/mcp"
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
