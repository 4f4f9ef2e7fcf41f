package cli

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// serveShell serves the shell toolset, running kubectl and helm built with
// the cluster, with the given programs allowed ("" for the default).
func serveShell(t *testing.T, readOnly bool, programs ...string) *toolsettest.Session {
	t.Helper()
	paths := map[string]string{}
	for _, name := range built {
		paths[name] = binPath(t, name)
	}
	return toolsettest.ServeWith(t, toolsettest.Options{Policy: &policy.Config{}}, func(deps toolset.Deps) *Shell {
		s, err := NewShell(deps, Options{ReadOnly: readOnly, LookPath: func(name string) (string, error) {
			if p, ok := paths[name]; ok {
				return p, nil
			}
			return "", exec.ErrNotFound
		}}, programs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestParseLineWords(t *testing.T) {
	tests := []struct {
		line string
		want [][]string
	}{
		{`kubectl get pods -n web`, [][]string{{"kubectl", "get", "pods", "-n", "web"}}},
		{`kubectl get pods -o 'jsonpath={.items[*].metadata.name}'`, [][]string{{"kubectl", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"}}},
		{`kubectl get pods -A | grep -v "Running now" | wc -l`, [][]string{{"kubectl", "get", "pods", "-A"}, {"grep", "-v", "Running now"}, {"wc", "-l"}}},
		{`kubectl logs web-1 | grep "a \"quoted\" word"`, [][]string{{"kubectl", "logs", "web-1"}, {"grep", `a "quoted" word`}}},
		{`kubectl get cm --selector=app=web`, [][]string{{"kubectl", "get", "cm", "--selector=app=web"}}},
		{`kubectl get ns # a comment`, [][]string{{"kubectl", "get", "ns"}}},
	}
	for _, tt := range tests {
		got, err := parseLine(tt.line)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%s: %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestParseLineRefusesByName: every construct that would make a shell do
// more than run programs with literal words is refused, and the refusal
// names it.
func TestParseLineRefusesByName(t *testing.T) {
	tests := map[string]string{
		`kubectl get pods > /tmp/out`:                  "redirection (>)",
		`kubectl apply -f - < /etc/passwd`:             "redirection (<)",
		`kubectl get pods; rm -rf /`:                   "command lists",
		"kubectl get pods\nrm -rf /":                   "command lists",
		`kubectl get pods && rm -rf /`:                 `"&&" is refused`,
		`kubectl get pods || true`:                     `"||" is refused`,
		`kubectl get pods |& grep x`:                   `"|&" is refused`,
		`kubectl get pods &`:                           "background jobs",
		`! kubectl get pods`:                           "negation",
		`KUBECONFIG=/root/.kube/config kubectl get ns`: "variable assignments (KUBECONFIG=...)",
		`kubectl get pods -n $NS`:                      "parameter expansion",
		`kubectl get pods -n "$NS"`:                    "parameter expansion ($NAME) inside double quotes",
		`kubectl get pods -n $(cat /etc/ns)`:           "command substitution",
		"kubectl get pods -n `whoami`":                 "command substitution",
		`kubectl get pods -n $((1+1))`:                 "arithmetic expansion",
		`grep x <(kubectl get pods)`:                   "process substitution",
		`kubectl get pods *`:                           "globbing",
		`kubectl get pods -l app=web?`:                 "globbing",
		`kubectl get ~/x`:                              "tilde expansion",
		`kubectl get pods,{secrets,cm}`:                "brace expansion",
		`(kubectl get pods)`:                           "a subshell",
		`{ kubectl get pods; }`:                        "a block",
		`for i in a b; do kubectl get $i; done`:        "for is refused",
		`if true; then kubectl get ns; fi`:             "if is refused",
		`f() { kubectl get ns; }`:                      "a function definition",
		`/usr/bin/kubectl get ns`:                      "is a path",
		`kubectl get 'ns`:                              "does not parse",
		``:                                             "empty",
	}
	for line, want := range tests {
		_, err := parseLine(line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", line, err, want)
		}
	}
}

func TestNewShellRefusesProgramsWithoutRules(t *testing.T) {
	_, err := NewShell(toolset.Deps{}, Options{}, []string{"kubectl", "python3"})
	if err == nil || !strings.Contains(err.Error(), `"python3": kubemcp has no rules for it`) {
		t.Fatalf("error %v, want python3 refused by name", err)
	}
}

// TestBashAgainstRealCluster runs command lines through bash against the
// real cluster: they run as the CLI tools do, with their rules.
func TestBashAgainstRealCluster(t *testing.T) {
	cs := serveShell(t, true)
	tests := []struct {
		name, line string
		isError    bool
		want       []string
		notWant    []string
	}{
		{name: "plain", line: "kubectl get pods -n " + testenv.NamespacePayments,
			want: []string{testenv.PodCrashLoop, "CrashLoopBackOff"}},
		{name: "pipeline", line: "kubectl get pods -A --no-headers | grep " + testenv.PodCrashLoop + " | cut -c1-200 | wc -l",
			want: []string{"1"}, notWant: []string{"Running"}},
		{name: "sort", line: `kubectl get ns -o name | sort -r | head -n 50`, want: []string{testenv.NamespacePayments, "shop"}},
		{name: "a write in read-only mode", line: "kubectl delete pod " + testenv.PodCrashLoop + " -n " + testenv.NamespacePayments,
			isError: true, want: []string{"VALIDATION_ERROR", "delete"}},
		{name: "secrets", line: "kubectl get secrets -n shop", isError: true, want: []string{"Secrets through the CLI is refused"}},
		{name: "a program not allowed", line: "cat /etc/passwd", isError: true, want: []string{`"cat" is not an allowed program`}},
		{name: "a text tool first", line: "grep root", isError: true, want: []string{"starts with a cluster CLI"}},
		{name: "a cluster CLI after a pipe", line: "kubectl get ns | kubectl apply -f -", isError: true, want: []string{"after | come text tools only"}},
		{name: "a text tool's flags", line: "kubectl get ns | sort -o /tmp/x", isError: true, want: []string{"flag -o is not allowed"}},
		{name: "a redirect", line: "kubectl get ns > /tmp/x", isError: true, want: []string{"redirection (>) is refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, isError, text := runTool(t, cs, "bash", map[string]any{"command": tt.line})
			if isError != tt.isError {
				t.Fatalf("isError %v, want %v: %s", isError, tt.isError, text)
			}
			if tt.isError && (out.Error == nil || out.Status != "error") {
				t.Fatalf("structured error %+v, want one", out.Error)
			}
			toolsettest.Want(t, text, tt.want...)
			toolsettest.WantNone(t, text, tt.notWant...)
		})
	}
}

// TestBashProgramsAreConfigurable: a program left out of the list is refused.
func TestBashProgramsAreConfigurable(t *testing.T) {
	cs := serveShell(t, true, "kubectl")
	_, isError, text := runTool(t, cs, "bash", map[string]any{"command": "kubectl get ns | grep shop"})
	if !isError || !strings.Contains(text, `"grep" is not an allowed program (allowed: kubectl)`) {
		t.Fatalf("grep ran though only kubectl is allowed: %s", text)
	}
}
