package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestUpstreamsDecodeAndInfer(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, `
upstreams:
- name: everything
  command: [node, dist/index.js]
  args: [stdio]
  env: {TOKEN: {fromEnv: EVERYTHING_TOKEN}}
- name: argo
  url: http://argo-mcp:8080/mcp
  headers: {Authorization: {fromFile: /var/run/argo/token}}
  tools: {allow: ["list_*"], deny: [delete_app], readOnly: [get_*]}
  timeout: 5s
- name: legacy
  url: https://old.example.com/sse
  forwardAuthorization: true
- name: socket
  url: wss://hub.example.com/ws
  headers: {Authorization: {fromEnv: HUB_TOKEN}}
  tls: {caFile: /etc/hub/ca.crt, certFile: /etc/hub/tls.crt, keyFile: /etc/hub/tls.key}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []string{TransportStdio, TransportHTTP, TransportSSE, TransportWebSocket}
	for i, u := range cfg.Upstreams {
		if got := u.TransportKind(); got != want[i] {
			t.Errorf("%s: transport %s, want %s", u.Name, got, want[i])
		}
	}
	if !cfg.Upstreams[2].ForwardAuthorization {
		t.Error("legacy: forwardAuthorization not decoded")
	}
	if tls := cfg.Upstreams[3].TLS; tls.CAFile != "/etc/hub/ca.crt" || tls.KeyFile != "/etc/hub/tls.key" {
		t.Errorf("socket: tls decoded as %+v", tls)
	}
	if a := cfg.Upstreams[1]; a.Timeout.Duration != 5*time.Second || a.Tools.Deny[0] != "delete_app" || a.Headers["Authorization"].FromFile == "" {
		t.Errorf("argo decoded as %+v", a)
	}
}

// TestUpstreamsStrict: a typo inside an upstream is named, as at the top level.
func TestUpstreamsStrict(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, "upstreams:\n- name: x\n  comand: [node]\n"))
	if err == nil || !strings.Contains(err.Error(), "comand") {
		t.Fatalf("want an error naming comand, got %v", err)
	}
}

func TestUpstreamsValidateNamesBadEntries(t *testing.T) {
	cfg := Default()
	cfg.Upstreams = []Upstream{
		{Name: "a__b", Command: []string{"x"}},
		{Name: "dup", URL: "http://h/mcp"},
		{Name: "dup", URL: "http://h/mcp"},
		{Name: "both", Command: []string{"x"}, URL: "http://h/mcp"},
		{Name: "nourl", Transport: "http"},
		{Name: "ws", Transport: "websocket", URL: "http://h/"},
		{Name: "wsh", Transport: "http", URL: "ws://h/"},
		{Name: "telnet", Transport: "telnet", URL: "telnet://h/"},
		{Name: "fwdws", URL: "wss://h/ws", ForwardAuthorization: true},
		{Name: "fwdplain", URL: "http://h/mcp?token=s3cret", ForwardAuthorization: true},
		{Name: "fwdlocal", URL: "http://127.0.0.1:8080/mcp", ForwardAuthorization: true},
		{Name: "fwdtwice", URL: "https://h/mcp", ForwardAuthorization: true, Headers: map[string]Secret{"authorization": {Value: "v"}}},
		{Name: "hdr", URL: "http://h/mcp", Headers: map[string]Secret{"Authorization": {Value: "v", FromEnv: "E"}}},
		{Name: "pat", Command: []string{"x"}, Tools: UpstreamTools{Deny: []string{"[a"}}},
		{Command: []string{"x"}},
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	if strings.Contains(err.Error(), "fwdlocal") {
		t.Errorf("forwardAuthorization to a loopback host over http refused: %v", err)
	}
	for _, want := range []string{`upstream "a__b": name`, `upstream "dup": named twice`, `upstream "both": transport stdio`,
		`upstream "nourl": url "": transport http wants scheme http or https`, `upstream "ws": url "http://h/": transport websocket wants scheme ws or wss`,
		`upstream "wsh": url "ws://h/": transport http wants scheme http or https`, `upstream "telnet": transport "telnet": want stdio, http, sse or websocket`,
		`upstream "fwdws": forwardAuthorization: only for transport http or sse, not websocket`,
		`upstream "fwdplain": forwardAuthorization: only over https (or to a loopback host), not http://h/mcp:`, `upstream "fwdtwice": forwardAuthorization: headers set Authorization too`, `upstream "hdr": Authorization: give exactly one`,
		`upstream "pat": tools: pattern "[a"`, `upstreams[14]: name`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestUpstreamsValidateTLS: TLS settings only where there is TLS, and each
// whole.
func TestUpstreamsValidateTLS(t *testing.T) {
	for _, tt := range []struct {
		name string
		u    Upstream
		want string // "" when valid
	}{
		{"https with CA file", Upstream{URL: "https://h/mcp", TLS: UpstreamTLS{CAFile: "/ca.crt"}}, ""},
		{"wss with client certificate", Upstream{URL: "wss://h/ws", TLS: UpstreamTLS{CertFile: "/c", KeyFile: "/k"}}, ""},
		{"plain http", Upstream{URL: "http://h/mcp", TLS: UpstreamTLS{CAFile: "/ca.crt"}}, `tls: only for an https or wss url, not "http://h/mcp"`},
		{"stdio", Upstream{Command: []string{"x"}, TLS: UpstreamTLS{CAFile: "/ca.crt"}}, "tls: only for an https or wss url"},
		{"both CAs", Upstream{URL: "https://h/mcp", TLS: UpstreamTLS{CAFile: "/ca.crt", CAData: "x"}}, "give caFile or caData, not both"},
		{"CA data not PEM", Upstream{URL: "https://h/mcp", TLS: UpstreamTLS{CAData: "not a certificate"}}, "tls.caData: no PEM certificate"},
		{"user info and query not shown", Upstream{URL: "http://u:hunter2@h/mcp?token=s3cret", TLS: UpstreamTLS{CAFile: "/ca.crt"}}, `tls: only for an https or wss url, not "http://h/mcp"`},
		{"certificate without key", Upstream{URL: "https://h/mcp", TLS: UpstreamTLS{CertFile: "/c"}}, "give certFile and keyFile together"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.u.Name = "u"
			err := tt.u.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestUpstreamFlags: --upstream adds one-off upstreams to the file's, URL or
// command, validated as the file's are.
func TestUpstreamFlags(t *testing.T) {
	flags := func(t *testing.T, args ...string) (Config, error) {
		t.Helper()
		cfg := Default()
		if err := cfg.LoadFile(writeFile(t, "upstreams:\n- name: argo\n  url: http://argo-mcp:8080/mcp\n")); err != nil {
			t.Fatal(err)
		}
		var scratch Config
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		Bind(fs, &scratch)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := cfg.ApplyFlags(fs); err != nil {
			return cfg, err
		}
		return cfg, cfg.Validate()
	}
	cfg, err := flags(t, "--upstream", "everything=npx -y @modelcontextprotocol/server-everything",
		"--upstream", "hub=wss://hub.example.com/ws", "--upstream", "legacy=http://old:8080/sse")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range cfg.Upstreams {
		got = append(got, u.Name+":"+u.TransportKind())
	}
	if want := []string{"argo:http", "everything:stdio", "hub:websocket", "legacy:sse"}; !slices.Equal(got, want) {
		t.Errorf("upstreams %v, want %v", got, want)
	}
	if e := cfg.Upstreams[1]; !slices.Equal(e.Command, []string{"npx", "-y", "@modelcontextprotocol/server-everything"}) {
		t.Errorf("everything's command: %q", e.Command)
	}

	for args, want := range map[string]string{
		"noequals":          `flag --upstream "noequals": want name=URL or name=command arg...`,
		"=http://h/mcp":     `flag --upstream "=http://h/mcp": want name=URL`,
		"argo=http://h/mcp": `upstream "argo": named twice`,
		"Bad=http://h/mcp":  `upstream "Bad": name: want 1 to 32 lowercase letters`,
		// A credential in a value kubemcp cannot read stays out of the error.
		"https://u:hunter2@h/mcp?token=s3cret":  `flag --upstream "https://h/mcp": want name=URL`,
		"=https://u:hunter2@h/mcp?token=s3cret": `flag --upstream "=https://h/mcp": want name=URL`,
	} {
		_, err := flags(t, "--upstream", args)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--upstream %s: got %v, want an error with %q", args, err, want)
		}
	}
}

// TestUpstreamURLErrorsHideCredentials: a bad url's error, which reaches
// logs and an MCPServer's status, shows neither its user info nor its query.
func TestUpstreamURLErrorsHideCredentials(t *testing.T) {
	u := Upstream{Name: "u", Transport: TransportWebSocket, URL: "http://u:hunter2@h/mcp?token=s3cret#frag"}
	err := u.Validate()
	if err == nil || !strings.Contains(err.Error(), `url "http://h/mcp": transport websocket wants scheme ws or wss`) {
		t.Fatalf("got %v", err)
	}
	for _, secret := range []string{"hunter2", "s3cret", "frag"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows %q: %v", secret, err)
		}
	}
}
