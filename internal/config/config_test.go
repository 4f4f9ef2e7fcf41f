package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubemcp.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPrecedence checks defaults < file < env < flags, and that an unset flag
// does not overwrite what the file or environment said.
func TestPrecedence(t *testing.T) {
	path := writeFile(t, "listen: 127.0.0.1:1\ncontext: from-file\nlogLevel: warn\nclientQPS: 7\n")
	env := map[string]string{"KUBEMCP_CONTEXT": "from-env", "KUBEMCP_LOG_LEVEL": "debug", "KUBEMCP_SHUTDOWN_GRACE": "3s",
		"KUBEMCP_DISABLED_TOOLS": "a,b", "KUBEMCP_TOOLSETS": "core,x"}
	flagged := Default()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	Bind(fs, &flagged)
	if err := fs.Parse([]string{"--log-level=error", "--toolsets", "core", "--read-only"}); err != nil {
		t.Fatal(err)
	}

	cfg := Default()
	if err := cfg.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyFlags(fs); err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Listen, want.Context, want.LogLevel, want.ShutdownGrace, want.ClientQPS = "127.0.0.1:1", "from-env", "error", 3*time.Second, 7
	want.DisabledTools, want.Toolsets, want.ReadOnly = []string{"a", "b"}, []string{"core"}, true
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got %+v\nwant %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownKeyNamed(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, "listen: 127.0.0.1:1\nlistne: oops\n"))
	if err == nil || !strings.Contains(err.Error(), "listne") {
		t.Fatalf("want an error naming the unknown key, got %v", err)
	}
}

func TestPolicyRulesFromFile(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, `
policy:
  deny:
  - name: no-secrets
    kinds: [Secret]
  - verbs: [write]
    namespaces: [kube-system]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Policy.Deny) != 2 || cfg.Policy.Deny[0].Name != "no-secrets" || cfg.Policy.Deny[1].Namespaces[0] != "kube-system" {
		t.Fatalf("rules: %+v", cfg.Policy.Deny)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Policy.Deny[1].Verbs = []string{"destroy"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "policy.deny[1]: verb \"destroy\"") {
		t.Fatalf("want the bad verb named, got %v", err)
	}
	if err := cfg.LoadFile(writeFile(t, "policy:\n  deny:\n  - kind: [Secret]\n")); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("want the unknown rule key named, got %v", err)
	}
}

func TestBadEnvNamed(t *testing.T) {
	cfg := Default()
	err := cfg.ApplyEnv(func(k string) (string, bool) {
		if k == "KUBEMCP_SHUTDOWN_GRACE" {
			return "soon", true
		}
		return "", false
	})
	if err == nil || !strings.Contains(err.Error(), "KUBEMCP_SHUTDOWN_GRACE") {
		t.Fatalf("want an error naming the variable, got %v", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Config{Listen: "8080", LogLevel: "loud", LogFormat: "xml", OTLPEndpoint: "otel-collector:4318", ShutdownGrace: -1, SkipClusters: []string{"prod-["}}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"listen", "logLevel", `logFormat "xml"`, `otlpEndpoint "otel-collector:4318"`, "shutdownGrace", "sessionIdle", "callTimeout", "clientQPS", `skipClusters: pattern "prod-["`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestNames(t *testing.T) {
	got := map[string]string{}
	for _, f := range fields() {
		got[f.flag] = f.env
	}
	for flag, env := range map[string]string{"listen": "KUBEMCP_LISTEN", "log-level": "KUBEMCP_LOG_LEVEL", "client-qps": "KUBEMCP_CLIENT_QPS",
		"tls-cert-file": "KUBEMCP_TLS_CERT_FILE", "tls-key-file": "KUBEMCP_TLS_KEY_FILE"} {
		if got[flag] != env {
			t.Errorf("flag --%s: env %q, want %q", flag, got[flag], env)
		}
	}
}

func TestValidateTLS(t *testing.T) {
	for _, tt := range []struct {
		name              string
		listen, cert, key string
		want              string
	}{
		{"both", "127.0.0.1:0", "tls.crt", "tls.key", ""},
		{"neither", "127.0.0.1:0", "", "", ""},
		{"certificate alone", "127.0.0.1:0", "tls.crt", "", "give both"},
		{"key alone", "127.0.0.1:0", "", "tls.key", "give both"},
		{"over stdio", "", "tls.crt", "tls.key", "TLS is for HTTP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			cfg.Listen, cfg.TLSCertFile, cfg.TLSKeyFile = tt.listen, tt.cert, tt.key
			err := cfg.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if cfg.TLS() != (tt.cert != "" && tt.key != "") {
				t.Errorf("TLS() = %v", cfg.TLS())
			}
		})
	}
}

// Durations in the file are written as people write them, as the README
// shows; a number of nanoseconds still works.
func TestDurationsFromFile(t *testing.T) {
	cfg := Default()
	if err := cfg.LoadFile(writeFile(t, "shutdownGrace: 3s\nclusterTimeout: 1m30s\nsessionIdle: 1000000000\n")); err != nil {
		t.Fatal(err)
	}
	if cfg.ShutdownGrace != 3*time.Second || cfg.ClusterTimeout != 90*time.Second || cfg.SessionIdle != time.Second {
		t.Fatalf("got %v %v %v", cfg.ShutdownGrace, cfg.ClusterTimeout, cfg.SessionIdle)
	}
	err := cfg.LoadFile(writeFile(t, "shutdownGrace: soon\n"))
	if err == nil || !strings.Contains(err.Error(), `shutdownGrace "soon": want a duration`) {
		t.Fatalf("want the bad duration named, got %v", err)
	}
}

// TestCacheOffEachWay: the watch cache is on by default, and each source
// can turn it off.
func TestCacheOffEachWay(t *testing.T) {
	if !Default().Cache {
		t.Fatal("the watch cache is off by default")
	}
	off := map[string]func(*Config) error{
		"file": func(c *Config) error { return c.LoadFile(writeFile(t, "cache: false\n")) },
		"env": func(c *Config) error {
			return c.ApplyEnv(func(k string) (string, bool) { return "false", k == "KUBEMCP_CACHE" })
		},
		"flag": func(c *Config) error {
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			Bind(fs, c)
			if err := fs.Parse([]string{"--cache=false"}); err != nil {
				return err
			}
			return c.ApplyFlags(fs)
		},
	}
	for name, apply := range off {
		cfg := Default()
		if err := apply(&cfg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.Cache {
			t.Errorf("cache false by %s: still on", name)
		}
	}
}
