package policy

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIiwic3ViIjoiYWRtaW4ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

func TestRedactText(t *testing.T) {
	tests := []struct {
		in, leak string
	}{
		{"Authorization: Bearer abcdef0123456789xyz", "abcdef0123456789xyz"},
		{"curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "dXNlcjpwYXNzd29yZA=="},
		{"token=" + jwt, jwt},
		{"saw " + jwt + " in request", jwt},
		{"users:\n- name: admin\n  user:\n    token: s3cr3t-t0ken-value\n", "s3cr3t-t0ken-value"},
		{"    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t\n", "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t"},
		{`{"password":"hunter22hunter"}`, "hunter22hunter"},
		{"DB_PASSWORD=correct-horse-battery", "correct-horse-battery"},
		{"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----", "MHcCAQEEIB"},
		{"api_key: AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"},
	}
	for _, tt := range tests {
		out := RedactText(tt.in)
		if strings.Contains(out, tt.leak) || !strings.Contains(out, "redacted") {
			t.Errorf("RedactText(%q) = %q", tt.in, out)
		}
	}
	for _, keep := range []string{"GET /healthz 200 12ms", "replicas: 3", "token bucket refilled", "secretName: db-credentials", "automountServiceAccountToken: false", "tokenTTL: 3600"} {
		if out := RedactText(keep); out != keep {
			t.Errorf("RedactText changed harmless %q to %q", keep, out)
		}
	}
}

func TestRedactObject(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c", "annotations": map[string]any{"sync/auth": "Bearer abcdefghijklmnop"}},
		"data":     map[string]any{"kubeconfig": "apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: abcdefgh12345678\n", "plain": "hello"},
	}}
	Redact(cm)
	out := cm.Object["data"].(map[string]any)
	ann := cm.GetAnnotations()["sync/auth"]
	if strings.Contains(out["kubeconfig"].(string), "abcdefgh12345678") || strings.Contains(ann, "abcdefghijklmnop") || out["plain"] != "hello" {
		t.Fatalf("got %v / %q", out, ann)
	}
}

func FuzzRedactText(f *testing.F) {
	f.Add("token: abcdefgh12345678")
	f.Add("Bearer " + jwt)
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactText(s)
		if strings.Contains(out, jwt) {
			t.Fatalf("a JWT survived: %q", out)
		}
		if RedactText(out) != out {
			t.Fatalf("redaction is not stable: %q -> %q", out, RedactText(out))
		}
	})
}

func TestRedactRevealing(t *testing.T) {
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "s", "annotations": map[string]any{"hook": "Bearer abcdefghijklmnop"}},
		"data":       map[string]any{"password": "c2VjcmV0LXZhbHVl"},
		"stringData": map[string]any{"token": "token: plain-value-123"},
	}}
	RedactRevealing(secret)
	if secret.Object["data"].(map[string]any)["password"] != "c2VjcmV0LXZhbHVl" || secret.Object["stringData"].(map[string]any)["token"] != "token: plain-value-123" {
		t.Fatalf("revealed values changed: %v", secret.Object)
	}
	if ann := secret.GetAnnotations()["hook"]; strings.Contains(ann, "abcdefghijklmnop") {
		t.Fatalf("a credential outside the Secret's values was revealed: %q", ann)
	}
}
