package policy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// req parses a request and fills in kind and scope the way the RoundTripper
// does from the cluster's RESTMapper.
func req(method, path string) Request {
	u, _ := url.Parse(path)
	r := ParseRequest(method, u)
	kinds := map[string]string{"pods": "Pod", "secrets": "Secret", "deployments": "Deployment", "nodes": "Node", "namespaces": "Namespace", "configmaps": "ConfigMap", "selfsubjectaccessreviews": "SelfSubjectAccessReview"}
	r.Kind = kinds[r.Resource]
	r.Namespaced = r.Resource != "nodes" && r.Resource != "namespaces" && !strings.HasPrefix(r.Resource, "self")
	return r
}

func TestDecide(t *testing.T) {
	denySecrets := Rule{Name: "no-secrets", Kinds: []string{"secret"}}
	noWritesKubeSystem := Rule{Name: "kube-system-read-only", Verbs: []string{"write"}, Namespaces: []string{"kube-*"}}
	tests := []struct {
		name    string
		cfg     Config
		req     Request
		refused string // substring of the reason; empty means allowed
	}{
		{"read-only allows list", Config{ReadOnly: true}, req("GET", "/api/v1/pods"), ""},
		{"read-only allows watch", Config{ReadOnly: true}, req("GET", "/api/v1/pods?watch=1"), ""},
		{"read-only allows logs", Config{ReadOnly: true}, req("GET", "/api/v1/namespaces/a/pods/p/log"), ""},
		{"read-only allows self review", Config{ReadOnly: true}, req("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), ""},
		{"read-only allows discovery", Config{ReadOnly: true}, req("GET", "/apis/apps/v1"), ""},
		{"read-only refuses delete", Config{ReadOnly: true}, req("DELETE", "/api/v1/namespaces/a/pods/p"), "read-only"},
		{"read-only refuses dry-run create", Config{ReadOnly: true}, req("POST", "/api/v1/namespaces/a/configmaps?dryRun=All"), "read-only"},
		{"read-only refuses exec over GET", Config{ReadOnly: true}, req("GET", "/api/v1/namespaces/a/pods/p/exec?command=id"), "read-only"},
		{"read-only refuses proxy", Config{ReadOnly: true}, req("GET", "/api/v1/namespaces/a/services/s/proxy/x"), "read-only"},
		{"read-only refuses non-resource post", Config{ReadOnly: true}, req("POST", "/api/v1"), "read-only"},
		{"deny secret get", Config{Deny: []Rule{denySecrets}}, req("GET", "/api/v1/namespaces/a/secrets/s"), `"no-secrets"`},
		{"deny secret list everywhere", Config{Deny: []Rule{denySecrets}}, req("GET", "/api/v1/secrets"), `"no-secrets"`},
		{"deny secret watch", Config{Deny: []Rule{denySecrets}}, req("GET", "/api/v1/watch/namespaces/a/secrets"), `"no-secrets"`},
		{"deny secret leaves configmaps", Config{Deny: []Rule{denySecrets}}, req("GET", "/api/v1/namespaces/a/configmaps"), ""},
		{"deny writes in kube-system", Config{Deny: []Rule{noWritesKubeSystem}}, req("DELETE", "/api/v1/namespaces/kube-system/pods/p"), `"kube-system-read-only"`},
		{"deny covers the namespace object", Config{Deny: []Rule{noWritesKubeSystem}}, req("DELETE", "/api/v1/namespaces/kube-system"), `"kube-system-read-only"`},
		{"deny covers all-namespace deletecollection", Config{Deny: []Rule{noWritesKubeSystem}}, req("DELETE", "/api/v1/pods"), `"kube-system-read-only"`},
		{"deny leaves reads in kube-system", Config{Deny: []Rule{noWritesKubeSystem}}, req("GET", "/api/v1/namespaces/kube-system/pods"), ""},
		{"deny leaves writes elsewhere", Config{Deny: []Rule{noWritesKubeSystem}}, req("DELETE", "/api/v1/namespaces/shop/pods/p"), ""},
		{"deny leaves cluster-scoped writes", Config{Deny: []Rule{noWritesKubeSystem}}, req("PUT", "/api/v1/nodes/n"), ""},
		{"deny by resource and subresource", Config{Deny: []Rule{{Resources: []string{"pods/exec"}}}}, req("POST", "/api/v1/namespaces/a/pods/p/exec"), "resources=pods/exec"},
		{"deny by resource covers subresources", Config{Deny: []Rule{{Resources: []string{"secrets"}}}}, req("GET", "/api/v1/namespaces/a/secrets/s/anything"), "resources=secrets"},
		{"deny by group", Config{Deny: []Rule{{APIGroups: []string{"core"}, Verbs: []string{"delete"}}}}, req("DELETE", "/api/v1/namespaces/a/pods/p"), "apiGroups=core"},
		{"deny unknown kind fails closed", Config{Deny: []Rule{denySecrets}}, func() Request { r := req("GET", "/apis/x.io/v1/namespaces/a/things"); r.Kind = ""; return r }(), `"no-secrets"`},
		{"allow inside", Config{Allow: []Rule{{Namespaces: []string{"shop"}}}}, req("GET", "/api/v1/namespaces/shop/pods"), ""},
		{"allow outside", Config{Allow: []Rule{{Namespaces: []string{"shop"}}}}, req("GET", "/api/v1/namespaces/payments/pods"), "no allow rule"},
		{"allow refuses all-namespace list", Config{Allow: []Rule{{Namespaces: []string{"shop"}}}}, req("GET", "/api/v1/pods"), "no allow rule"},
		{"allow keeps discovery", Config{Allow: []Rule{{Namespaces: []string{"shop"}}}}, req("GET", "/api"), ""},
		{"deny beats allow", Config{Allow: []Rule{{}}, Deny: []Rule{denySecrets}}, req("GET", "/api/v1/namespaces/a/secrets"), `"no-secrets"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Decide(tt.req)
			var denied *DeniedError
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && !errors.As(err, &denied):
				t.Fatalf("allowed %s, want refused (%s)", tt.req, tt.refused)
			case tt.refused != "" && !strings.Contains(err.Error(), tt.refused):
				t.Fatalf("reason %q lacks %q", err, tt.refused)
			}
		})
	}
}

func TestValidateNamesBadPatterns(t *testing.T) {
	c := Config{Deny: []Rule{{Namespaces: []string{"kube-["}}}, Confirm: []ConfirmRule{{}, {Tools: []string{"[resources_delete"}}}}
	err := c.Validate()
	for _, want := range []string{`policy.deny[0]: pattern "kube-["`, `policy.confirm[1]: pattern "[resources_delete"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

func TestNoGuardWithoutRules(t *testing.T) {
	next := http.DefaultTransport
	if (Config{Confirm: []ConfirmRule{{}}}).RoundTripper(next, nil) != next {
		t.Error("a policy with nothing to enforce still wraps the transport")
	}
	if (Config{ReadOnly: true}).RoundTripper(next, nil) == next {
		t.Error("read-only mode is not enforced")
	}
}
