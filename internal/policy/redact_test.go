package policy

import (
	"encoding/json"
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
		{"cut short: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7", "MIIEowIBAAKCAQEA7"},
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

func TestRedactTextKeepsYAMLBlocks(t *testing.T) {
	// A key that opens a block has no value on its line: the next line's key
	// is not its value.
	in := "sources:\n- serviceAccountToken:\n    audience: vault\n    path: token\n"
	if out := RedactText(in); out != in {
		t.Errorf("RedactText changed a YAML block:\n%s", out)
	}
}

func TestRedactURLPassword(t *testing.T) {
	out := RedactText("cloning https://deploy:gh0-s3cret-pw@git.example.com/repo.git failed")
	if strings.Contains(out, "gh0-s3cret-pw") || !strings.Contains(out, "https://deploy:<redacted>@git.example.com/repo.git") {
		t.Errorf("got %q", out)
	}
}

func TestRedactJSON(t *testing.T) {
	tests := []struct {
		name, in, leak string
	}{
		{"message", `{"items":[{"message":"pull failed: Authorization: Bearer abcdef0123456789xyz"}]}`, "abcdef0123456789xyz"},
		{"escaped", `{"m":"line one\nsaw ` + jwt + ` \"quoted\""}`, jwt},
		{"member named like a credential", `{"env":{"DB_PASSWORD":"hunter22hunter"}}`, "hunter22hunter"},
		{"short member value", `{"token":"abcd1234"}`, "abcd1234"},
		{"member name", `{"` + jwt + `":1}`, jwt},
		{"url", `["https://u:pa55word-x@h/"]`, "pa55word-x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := RedactJSON([]byte(tt.in))
			if !json.Valid(out) || strings.Contains(string(out), tt.leak) || !strings.Contains(string(out), "redacted") {
				t.Errorf("RedactJSON(%s) = %s", tt.in, out)
			}
		})
	}
	for _, keep := range []string{`{"name":"web","replicas":3,"tokenTTL":3600}`, `{"automountServiceAccountToken":false}`, `{"secret":"<redacted>"}`, `[]`, `""`} {
		if out := RedactJSON([]byte(keep)); string(out) != keep {
			t.Errorf("RedactJSON changed harmless %s to %s", keep, out)
		}
	}
}

func FuzzRedactJSON(f *testing.F) {
	f.Add("password", "Bearer "+jwt)
	f.Add("m", "a \"quoted\" \\ line\n"+jwt)
	f.Add("url", "https://user:pw-pw-pw@host/")
	f.Fuzz(func(t *testing.T, name, value string) {
		doc, err := json.Marshal(map[string]any{"a": []any{map[string]string{name: value}, value, 1.5, nil}})
		if err != nil {
			t.Skip()
		}
		out := RedactJSON(doc)
		if !json.Valid(out) {
			t.Fatalf("RedactJSON(%s) is not JSON: %s", doc, out)
		}
		if strings.Contains(string(out), jwt) {
			t.Fatalf("a JWT survived: %s", out)
		}
		if again := RedactJSON(out); string(again) != string(out) {
			t.Fatalf("redaction is not stable: %s -> %s", out, again)
		}
	})
}

// BenchmarkRedactText: a page of pods_list rows ending in the next page's
// call, whose continue token begins like a JWT.
func BenchmarkRedactText(b *testing.B) {
	row := "shop        frontend-5d8f7c9b6-4xkzp   1/1    Running   0    3d    node-1   10.244.0.12\n"
	text := strings.Repeat(row, 180) + `get the rest with pods_list {"continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDUsInN0YXJ0Ijoic2hvcC9mcm9udGVuZFx1MDAwMCJ9"}` + "\n"
	for b.Loop() {
		if RedactText(text) != text {
			b.Fatal("a page without credentials was changed")
		}
	}
}
