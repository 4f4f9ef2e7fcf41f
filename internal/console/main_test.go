package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// twoClusters writes a kubeconfig of two contexts: "live", the test
// cluster, and "down", an address where nothing listens.
func twoClusters(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	live := cfg.Contexts[testenv.KubeContext].DeepCopy()
	cfg.Contexts = map[string]*clientcmdapi.Context{"live": live}
	down := live.DeepCopy()
	down.Cluster = "down"
	cfg.Clusters["down"] = cfg.Clusters[live.Cluster].DeepCopy()
	cfg.Clusters["down"].Server = "https://127.0.0.1:1"
	cfg.Contexts["down"] = down
	cfg.CurrentContext = "live"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// consoleServer is a running `kubemcp console` and a browser for it.
type consoleServer struct {
	base   string // http://127.0.0.1:PORT
	client *http.Client
	bodies *bytes.Buffer // every response body read, to look for credentials in
}

// startConsole runs `kubemcp console` over two clusters (one down) with a
// fresh database, until the test ends.
func startConsole(t *testing.T, extra ...string) *consoleServer {
	t.Helper()
	args := append([]string{"console", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "data", "console.db"),
		"--kubeconfig", twoClusters(t), "--cluster-timeout", "3s"}, extra...)
	base := strings.TrimSuffix(runKubemcp(t, "serving the console at ", args), "/")
	jar, _ := cookiejar.New(nil)
	return &consoleServer{base: base, client: &http.Client{Jar: jar}, bodies: &bytes.Buffer{}}
}

// runKubemcp runs kubemcp with args until the test ends, and returns the
// word after marker in the line it announces itself with (its URL).
func runKubemcp(t *testing.T, marker string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, args, app.Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: pw})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("kubemcp %s: %v", args[0], err)
		}
	})
	started := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			if _, rest, ok := strings.Cut(lines.Text(), marker); ok {
				started <- strings.TrimSuffix(strings.Fields(rest)[0], ",")
			}
		}
	}()
	select {
	case url := <-started:
		return url
	case err := <-done:
		t.Fatalf("kubemcp %s exited: %v", args[0], err)
	case <-time.After(30 * time.Second):
		t.Fatalf("kubemcp %s did not start", args[0])
	}
	return ""
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// do sends a request from the console's own page (its Origin) unless
// header overrides it, and returns the status and body.
func (c *consoleServer) do(t *testing.T, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", c.base)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	c.bodies.Write(data)
	return resp.StatusCode, data
}

// login signs in the dev user.
func (c *consoleServer) login(t *testing.T) {
	t.Helper()
	if status, body := c.do(t, "POST", "/api/login", nil); status != http.StatusOK {
		t.Fatalf("login: %d %s", status, body)
	}
}

// wantError checks an error answer: its status and {"error": {"code", "message"}}
// with the code and a message that contains msg.
func wantError(t *testing.T, status int, body []byte, wantStatus int, code, msg string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil || status != wantStatus || e.Error.Code != code || !strings.Contains(e.Error.Message, msg) {
		t.Fatalf("got %d %s, want %d with code %q and a message containing %q", status, body, wantStatus, code, msg)
	}
}
