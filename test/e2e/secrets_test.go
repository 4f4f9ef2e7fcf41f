package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// secretArgs are argument values aimed at the planted Secret. Each tool gets
// every combination its input schema accepts, so a tool added later is
// covered without touching this test.
var secretArgs = []map[string]any{
	{"resource": "secrets", "namespace": "shop", "name": testenv.SecretName},
	{"resource": "secret", "namespace": "shop", "name": testenv.SecretName, "output": "yaml"},
	{"resource": "secrets", "namespace": "shop", "name": testenv.SecretName, "output": "json"},
	{"api_version": "v1", "kind": "Secret", "namespace": "shop", "name": testenv.SecretName},
	{"resource": "secrets", "namespace": "shop", "output": "yaml"},
	{"resource": "secrets", "output": "json"},
	{"namespace": "shop"},
	{},
	{"manifest": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + testenv.SecretName + "\n  namespace: shop\nstringData:\n  password: rotated-value\n", "dry_run": true, "force": true},
	{"resource": "secrets", "namespace": "shop", "name": testenv.SecretName, "patch": `{"metadata":{"labels":{"x":"y"}}}`, "dry_run": true},
	{"args": []string{"get", "secrets", "-o", "yaml"}, "namespace": "shop"},
	{"args": []string{"get", "secret/" + testenv.SecretName, "-o", "jsonpath={.data}"}, "namespace": "shop"},
	{"args": []string{"get", "--raw", "/api/v1/namespaces/shop/secrets"}},
	{"args": []string{"describe", "pods"}, "namespace": "shop"},
}

// TestNoToolRevealsThePlantedSecret calls every tool of a server with every
// toolset (the CLI's kubectl included) with arguments aimed at the Secret,
// and checks text and structuredContent for its value, plain or base64.
func TestNoToolRevealsThePlantedSecret(t *testing.T) {
	t.Setenv("PATH", os.Getenv("KUBEMCP_BIN_DIR")+":"+os.Getenv("PATH")) // the module-proxy kubectl, not the machine's
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	cfg.CLI = true
	cs := connectConfig(t, cfg)
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	leaks := []string{testenv.PlantedSecret, base64.StdEncoding.EncodeToString([]byte(testenv.PlantedSecret))}
	calls := map[string]int{}
	for _, tool := range tools.Tools {
		props := schemaProperties(tool.InputSchema)
		writes := !tool.Annotations.ReadOnlyHint
		for _, args := range secretArgs {
			in, ok := fit(args, props, writes)
			if !ok {
				continue
			}
			calls[tool.Name]++
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool.Name, Arguments: in})
			if err != nil {
				t.Fatalf("%s %v: protocol error %v", tool.Name, in, err)
			}
			raw, _ := json.Marshal(res)
			for _, leak := range leaks {
				if strings.Contains(string(raw), leak) {
					t.Errorf("%s %v reveals the planted secret:\n%s", tool.Name, in, raw)
				}
			}
		}
	}
	// The tools that can show a Secret's content must have been aimed at it
	// several ways; if a rename makes the argument sets miss them, this fails.
	for name, least := range map[string]int{"resources_get": 4, "resources_list": 3, "resources_describe": 2, "resources_apply": 1, "resources_patch": 1, "kubectl": 4} {
		if calls[name] < least {
			t.Errorf("%s was called %d times with Secret-targeted arguments, want at least %d", name, calls[name], least)
		}
	}
	t.Logf("calls per tool: %v", calls)
}

// inputSchema is what a client sees of a tool's arguments.
type inputSchema struct {
	props    map[string]bool
	desc     map[string]string // each property's description
	required []string
}

func schemaProperties(schema any) inputSchema {
	m, _ := schema.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	out := inputSchema{props: map[string]bool{}, desc: map[string]string{}}
	for k, p := range props {
		out.props[k] = true
		out.desc[k], _ = p.(map[string]any)["description"].(string)
	}
	req, _ := m["required"].([]any)
	for _, r := range req {
		out.required = append(out.required, r.(string))
	}
	return out
}

// fit returns args if the tool accepts every one and gets all it requires; a
// write tool gets a set only if the set asks for a dry run the tool can do, or
// is the CLI's argv (whose commands here only read).
func fit(args map[string]any, s inputSchema, writes bool) (map[string]any, bool) {
	out := map[string]any{}
	for k, v := range args {
		if !s.props[k] {
			return nil, false
		}
		out[k] = v
	}
	for _, r := range s.required {
		if _, ok := out[r]; !ok {
			return nil, false
		}
	}
	if writes && out["dry_run"] != true && out["args"] == nil {
		return nil, false
	}
	return out, true
}
