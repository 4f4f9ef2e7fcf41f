package core

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/gateway"
	"github.com/kubemcp/kubemcp/internal/operator"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestCatalogServesAsInstalled runs the Argo CD MCP server from npm
// (argocd-mcp, the code the catalog's image ships) exactly as the install's
// manifest starts it: its arguments (but the port, which must be free here),
// its environment with the Secret's values, bound beyond loopback as in a
// pod. kubemcp's gateway, given the MCPServer's headers from that Secret,
// lists its tools; without them the server refuses the connection. The
// Argo CD API itself is never called: listing tools needs none.
func TestCatalogServesAsInstalled(t *testing.T) {
	in := MCPInstallIn{Server: "argocd", Namespace: "argocd", MCPToken: argoToken}
	entry := catalog[in.Server]
	text, err := entry.manifest(in)
	if err != nil {
		t.Fatal(err)
	}
	var (
		secrets   = map[string]corev1.Secret{}
		container corev1.Container
		spec      struct {
			Service struct{ Path string }
			Headers map[string]struct{ SecretKeyRef struct{ Name, Key string } }
		}
	)
	for doc := range strings.SplitSeq(text, "---\n") {
		var head struct{ Kind string }
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatal(err)
		}
		switch head.Kind {
		case "Secret":
			var s corev1.Secret
			mustUnmarshal(t, doc, &s)
			secrets[s.Name] = s
		case "Deployment":
			var d appsv1.Deployment
			mustUnmarshal(t, doc, &d)
			container = d.Spec.Template.Spec.Containers[0]
		case "MCPServer":
			var o struct{ Spec any }
			mustUnmarshal(t, doc, &o)
			b, _ := yaml.Marshal(o.Spec)
			mustUnmarshal(t, string(b), &spec)
		}
	}
	value := func(name, key string) string { return secrets[name].StringData[key] }
	for name, s := range secrets {
		marked := s.Annotations[operator.SecretAnnotation] == in.Server
		holdsToken := slices.Contains(slices.Collect(maps.Values(s.StringData)), argoToken)
		if marked == holdsToken {
			t.Errorf("Secret %s: marked for the MCPServer %v, holds the Argo CD token %v; want the one marked, the other not", name, marked, holdsToken)
		}
	}

	port := testenv.FreePort(t)
	args := slices.Clone(container.Args)
	at := slices.Index(args, "--port")
	if at < 0 || args[at+1] != strconv.Itoa(int(entry.Port)) {
		t.Fatalf("the container's arguments %v do not name its port %d", args, entry.Port)
	}
	args[at+1] = strconv.Itoa(port)
	env := os.Environ()
	for _, e := range container.Env {
		v := e.Value
		if e.ValueFrom != nil {
			v = value(e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
		}
		env = append(env, e.Name+"="+v)
	}
	node, script := testenv.NPMServer(t, "argocd-mcp")
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Env = env
	var out testenv.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("argocd-mcp's output:\n%s", out.String())
		}
	})
	testenv.Eventually(t, 20*time.Second, "argocd-mcp listening as installed", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, spec.Service.Path)
	headers := map[string]config.Secret{}
	for name, ref := range spec.Headers {
		headers[name] = config.Secret{Value: value(ref.SecretKeyRef.Name, ref.SecretKeyRef.Key)}
	}
	g := gateway.New(gateway.Options{Upstreams: []config.Upstream{
		{Name: "argocd", URL: url, Headers: headers},
		{Name: "nocredential", URL: url},
	}, MaxBackoff: time.Second})
	t.Cleanup(func() { g.Close() })
	if err := g.Start(context.Background(), mcp.NewServer(&mcp.Implementation{Name: "k"}, nil)); err != nil {
		t.Logf("start: %v", err) // nocredential fails; argocd is checked below
	}
	testenv.Eventually(t, 20*time.Second, "kubemcp connected to the installed server", func() bool {
		s, _ := g.State("argocd")
		return s.Connected
	})
	s, _ := g.State("argocd")
	if !slices.Contains(s.Tools, "argocd__list_applications") {
		t.Errorf("the installed server's tools through kubemcp: %v", s.Tools)
	}
	refused, _ := g.State("nocredential")
	if refused.Connected || !strings.Contains(refused.LastError, "Unauthorized") {
		t.Errorf("without the MCPServer's header the server let kubemcp in: %+v", refused)
	}
	if strings.Contains(out.String(), argoToken) || strings.Contains(out.String(), inbound(in)) {
		t.Errorf("the server logged a token:\n%s", out.String())
	}
}

func mustUnmarshal(t *testing.T, doc string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(doc), v); err != nil {
		t.Fatal(err)
	}
}
