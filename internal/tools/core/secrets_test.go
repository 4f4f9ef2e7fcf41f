package core

import (
	"fmt"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestSecretValuesNeverShown points every tool that can reach the planted
// Secret at it. toolsettest fails the test if any answer, text or
// structuredContent, holds the value plain or base64-encoded.
func TestSecretValuesNeverShown(t *testing.T) {
	s := toolsettest.Serve(t, New)
	secret := map[string]any{"resource": "secrets", "namespace": "shop", "name": testenv.SecretName}
	with := func(extra map[string]any) map[string]any {
		args := map[string]any{}
		for _, m := range []map[string]any{secret, extra} {
			for k, v := range m {
				args[k] = v
			}
		}
		return args
	}
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: shop\n  labels: {audited: \"yes\"}\n", testenv.SecretName)
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"resources_get", with(nil)},
		{"resources_get", with(map[string]any{"output": "json"})},
		{"resources_describe", with(nil)},
		{"resources_list", map[string]any{"resource": "secrets", "namespace": "shop"}},
		{"resources_list", map[string]any{"resource": "secrets", "output": "json"}},
		{"resources_list", map[string]any{"resource": "secrets", "output": "yaml"}},
		{"resources_patch", with(map[string]any{"patch": `{"metadata":{"labels":{"audited":"yes"}}}`, "dry_run": true})},
		{"resources_patch", with(map[string]any{"patch": `{"data":{"password":"bmV3"}}`, "dry_run": true})},
		{"resources_apply", map[string]any{"manifest": manifest, "dry_run": true}},
		{"resources_delete", with(map[string]any{"dry_run": true})},
		{"events_list", map[string]any{"namespace": "shop"}},
	}
	for _, c := range calls {
		t.Run(c.tool, func(t *testing.T) {
			s.OK(t, c.tool, c.args, nil)
		})
	}
}
