package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestEscapesRefused is the table of ways a determined model might try to get
// past the CLI rules. Every one must be refused, with a reason that says why.
func TestEscapesRefused(t *testing.T) {
	tests := []struct {
		name     string
		tool     rules
		readOnly bool
		argv     []string
		reason   string
	}{
		{"semicolon", kubectlRules, false, []string{"get", "pods;", "rm", "-rf", "/"}, "command separator"},
		{"and chain", kubectlRules, false, []string{"get", "pods", "&&", "curl", "evil"}, "command chain"},
		{"or chain", kubectlRules, false, []string{"get", "pods||id"}, "command chain"},
		{"pipe in argv", kubectlRules, false, []string{"get", "pods", "|", "sh"}, "pipe"},
		{"command substitution", kubectlRules, false, []string{"get", "pods", "$(id)"}, "command substitution"},
		{"backticks", kubectlRules, false, []string{"get", "pods", "`id`"}, "backticks"},
		{"redirect out", kubectlRules, false, []string{"get", "pods", ">", "/etc/passwd"}, "redirection"},
		{"redirect in", kubectlRules, false, []string{"apply", "-f", "<", "/etc/passwd"}, "redirection"},
		{"newline", kubectlRules, false, []string{"get", "pods\nrm -rf /"}, "newline"},
		{"background", kubectlRules, false, []string{"get", "pods", "&"}, "background"},
		{"-An group", kubectlRules, true, []string{"get", "pods", "-An", "kube-system"}, "write -n on its own"},
		{"two namespaces", kubectlRules, true, []string{"get", "pods", "-n", "a", "--namespace=b"}, `-n "a" and -n "b" conflict`},
		{"-n without a value", kubectlRules, true, []string{"get", "pods", "-n"}, "-n needs a namespace"},
		{"--namespace= empty", kubectlRules, true, []string{"get", "pods", "--namespace="}, "--namespace needs a namespace"},
		{"secret/x", kubectlRules, true, []string{"get", "secret/db-credentials", "-o", "yaml"}, "Secrets"},
		{"secrets x", kubectlRules, true, []string{"get", "secrets", "db-credentials"}, "Secrets"},
		{"secret.v1.", kubectlRules, true, []string{"get", "secret.v1.", "-A"}, "Secrets"},
		{"pods,secrets", kubectlRules, true, []string{"get", "pods,secrets"}, "Secrets"},
		{"describe secret", kubectlRules, true, []string{"describe", "Secret", "x"}, "Secrets"},
		{"delete secret", kubectlRules, false, []string{"delete", "secrets", "x"}, "Secrets"},
		{"proxy", kubectlRules, false, []string{"proxy", "--port=8001"}, "not allowed"},
		{"port-forward", kubectlRules, false, []string{"port-forward", "pod/x", "8080:80"}, "not allowed"},
		{"config view --raw", kubectlRules, false, []string{"config", "view", "--raw"}, "not allowed"},
		{"kubeconfig flag", kubectlRules, true, []string{"get", "pods", "--kubeconfig=/root/.kube/config"}, "context argument"},
		{"kubeconfig flag split", kubectlRules, true, []string{"get", "pods", "--kubeconfig", "/root/.kube/config"}, "context argument"},
		{"token", kubectlRules, true, []string{"get", "pods", "--token=abc"}, "credentials"},
		{"server", kubectlRules, true, []string{"get", "pods", "--server", "https://evil"}, "cluster comes from"},
		{"-s", kubectlRules, true, []string{"get", "pods", "-s", "https://evil"}, "cluster comes from"},
		{"as admin", kubectlRules, true, []string{"get", "pods", "--as=system:admin"}, "impersonation"},
		{"as group", kubectlRules, true, []string{"get", "pods", "--as-group", "system:masters"}, "impersonation"},
		{"context flag", kubectlRules, true, []string{"get", "pods", "--context=prod"}, "context argument"},
		{"exec sh -c", kubectlRules, false, []string{"exec", "web-1", "--", "sh", "-c", "cat /etc/shadow"}, "no shells"},
		{"exec bash path", kubectlRules, false, []string{"exec", "web-1", "--", "/bin/bash"}, "no shells"},
		{"exec python", kubectlRules, false, []string{"exec", "web-1", "--", "python3", "-c", "print(1)"}, "no shells"},
		{"exec interactive", kubectlRules, false, []string{"exec", "-it", "web-1", "--", "ls"}, "terminal"},
		{"exec in read-only", kubectlRules, true, []string{"exec", "web-1", "--", "ls"}, "not allowed in read-only mode"},
		{"cp", kubectlRules, false, []string{"cp", "web-1:/etc/passwd", "/tmp/x"}, "not allowed"},
		{"attach", kubectlRules, false, []string{"attach", "web-1"}, "not allowed"},
		{"debug", kubectlRules, false, []string{"debug", "node/n1", "--image=busybox"}, "not allowed"},
		{"get --raw", kubectlRules, true, []string{"get", "--raw", "/api/v1/secrets"}, "raw API paths"},
		{"get --raw=", kubectlRules, true, []string{"get", "--raw=/api/v1/namespaces/kube-system/secrets"}, "raw API paths"},
		{"auth reconcile", kubectlRules, false, []string{"auth", "reconcile", "-f", "-"}, "not allowed"},
		{"certificate approve", kubectlRules, false, []string{"certificate", "approve", "csr-1"}, "not allowed"},
		{"apply local file", kubectlRules, false, []string{"apply", "-f", "/etc/kubernetes/admin.conf"}, "kubemcp's host"},
		{"apply url", kubectlRules, false, []string{"apply", "--filename=https://evil/x.yaml"}, "kubemcp's host"},
		{"kustomize dir", kubectlRules, false, []string{"apply", "-k", "/"}, "directories"},
		{"create from file", kubectlRules, false, []string{"create", "configmap", "x", "--from-file=/etc/passwd"}, "files"},
		{"watch", kubectlRules, true, []string{"get", "pods", "-w"}, "never ends"},
		{"logs follow", kubectlRules, true, []string{"logs", "-f", "web-1"}, "never ends"},
		{"cluster-info dump", kubectlRules, true, []string{"cluster-info", "dump"}, "dump"},
		{"delete in read-only", kubectlRules, true, []string{"delete", "pod", "x"}, "not allowed in read-only mode"},
		{"scale in read-only", kubectlRules, true, []string{"scale", "deploy/x", "--replicas=0"}, "not allowed in read-only mode"},
		{"rollout undo in read-only", kubectlRules, true, []string{"rollout", "undo", "deploy/x"}, "not allowed in read-only mode"},
		{"flag first", kubectlRules, true, []string{"--kubeconfig=/x", "get", "pods"}, "subcommand first"},
		{"nothing", kubectlRules, true, nil, "no subcommand"},
		{"after -- not exec", kubectlRules, true, []string{"get", "pods", "--", "extra"}, "only for exec"},
		{"helm post-renderer", helmRules, false, []string{"install", "x", "chart", "--post-renderer", "/bin/sh"}, "runs a program"},
		{"helm kube-token", helmRules, true, []string{"list", "--kube-token=abc"}, "credentials"},
		{"helm values file", helmRules, false, []string{"install", "x", "chart", "-f", "/etc/passwd"}, "kubemcp's host"},
		{"helm plugin", helmRules, false, []string{"plugin", "install", "https://evil"}, "not allowed"},
		{"helm local chart", helmRules, false, []string{"install", "x", "./chart"}, "path on kubemcp's host"},
		{"helm template /etc", helmRules, true, []string{"template", "x", "/etc"}, "path on kubemcp's host"},
		{"helm show home", helmRules, true, []string{"show", "values", "~/charts/x"}, "path on kubemcp's host"},
		{"helm lint", helmRules, true, []string{"lint", "."}, "not allowed"},
		{"helm install read-only", helmRules, true, []string{"install", "x", "chart"}, "read-only"},
		{"istioctl -c kubeconfig", istioctlRules, true, []string{"proxy-status", "-c", "/root/.kube/config"}, "kubeconfig"},
		{"argocd login", argocdRules, false, []string{"login", "cd.example.com"}, "not allowed"},
		{"argocd auth token", argocdRules, true, []string{"app", "list", "--auth-token", "x"}, "credentials"},
		{"argocd --core", argocdRules, true, []string{"app", "list", "--core"}, "around kubemcp's policy"},
		{"argocd --kube-context", argocdRules, true, []string{"app", "list", "--kube-context", "prod"}, "kubemcp's to choose"},
		{"argocd --port-forward", argocdRules, true, []string{"app", "list", "--port-forward"}, "around kubemcp's policy"},
		{"value flag last", kubectlRules, false, []string{"create", "deployment", "web", "--image"}, "flag --image needs a value"},
		{"short value flag last", kubectlRules, true, []string{"get", "pods", "-l"}, "flag -l needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tool.validate(tt.argv, tt.readOnly, defaultExec)
			if err == nil {
				t.Fatalf("%q was allowed", tt.argv)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("reason %q does not say %q", err, tt.reason)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		tool     rules
		readOnly bool
		argv     []string
	}{
		{kubectlRules, true, []string{"get", "pods", "-o", "wide", "-l", "app=web"}},
		{kubectlRules, true, []string{"get", "pods", "-A"}},
		{kubectlRules, true, []string{"get", "deploy,svc", "--sort-by=.metadata.name"}},
		{kubectlRules, true, []string{"logs", "web-1", "-c", "app", "--tail=50", "--previous"}},
		{kubectlRules, true, []string{"top", "pods"}},
		{kubectlRules, true, []string{"auth", "can-i", "list", "pods"}},
		{kubectlRules, true, []string{"rollout", "status", "deploy/web"}},
		{kubectlRules, true, []string{"get", "secretstores.external-secrets.io"}},
		{kubectlRules, false, []string{"apply", "-f", "-"}},
		{kubectlRules, false, []string{"exec", "web-1", "-c", "app", "--", "ls", "-la", "/"}},
		{kubectlRules, false, []string{"scale", "deploy/web", "--replicas=3"}},
		{helmRules, true, []string{"list", "-A"}},
		{helmRules, false, []string{"upgrade", "--install", "web", "oci://r/c", "-f", "-"}},
		{istioctlRules, true, []string{"proxy-status"}},
		{argocdRules, true, []string{"app", "get", "guestbook", "-o", "json"}},
	}
	for _, tt := range tests {
		if _, err := tt.tool.validate(tt.argv, tt.readOnly, defaultExec); err != nil {
			t.Errorf("%q refused: %v", tt.argv, err)
		}
	}
}

// TestNamespaceFlags: every spelling of -n is taken out of what runs and
// becomes the call's namespace, held to the rules of the namespace argument.
func TestNamespaceFlags(t *testing.T) {
	tests := []struct {
		name      string
		tool      rules
		argv      []string
		argument  string // the tool's namespace argument
		runs      []string
		namespace string
		reason    string // of a refusal; empty: allowed
	}{
		{name: "-n x", tool: kubectlRules, argv: []string{"get", "pods", "-n", "team-3"}, runs: []string{"get", "pods"}, namespace: "team-3"},
		{name: "-nx", tool: kubectlRules, argv: []string{"get", "pods", "-nteam-3"}, runs: []string{"get", "pods"}, namespace: "team-3"},
		{name: "-n=x", tool: kubectlRules, argv: []string{"get", "-n=team-3", "pods"}, runs: []string{"get", "pods"}, namespace: "team-3"},
		{name: "--namespace x", tool: kubectlRules, argv: []string{"get", "--namespace", "team-3", "pods", "-o", "wide"},
			runs: []string{"get", "pods", "-o", "wide"}, namespace: "team-3"},
		{name: "--NAMESPACE=x", tool: kubectlRules, argv: []string{"get", "pods", "--NAMESPACE=team-3"}, runs: []string{"get", "pods"}, namespace: "team-3"},
		{name: "auth can-i", tool: kubectlRules, argv: []string{"auth", "can-i", "list", "pods", "-n", "team-3"},
			runs: []string{"auth", "can-i", "list", "pods"}, namespace: "team-3"},
		{name: "exec keeps what follows --", tool: kubectlRules, argv: []string{"exec", "web-1", "-n", "shop", "--", "ls", "-n", "x"},
			runs: []string{"exec", "web-1", "--", "ls", "-n", "x"}, namespace: "shop"},
		{name: "same as the argument", tool: kubectlRules, argv: []string{"get", "pods", "-n", "shop"}, argument: "shop", runs: []string{"get", "pods"}, namespace: "shop"},
		{name: "the argument alone", tool: kubectlRules, argv: []string{"get", "pods"}, argument: "shop", runs: []string{"get", "pods"}, namespace: "shop"},
		{name: "-A stays", tool: kubectlRules, argv: []string{"get", "pods", "-A"}, runs: []string{"get", "pods", "-A"}},
		{name: "--all-namespaces stays", tool: kubectlRules, argv: []string{"get", "pods", "--all-namespaces"}, runs: []string{"get", "pods", "--all-namespaces"}},
		{name: "helm -n", tool: helmRules, argv: []string{"list", "-n", "kube-system"}, runs: []string{"list"}, namespace: "kube-system"},
		{name: "helm --namespace=", tool: helmRules, argv: []string{"status", "web", "--namespace=shop"}, runs: []string{"status", "web"}, namespace: "shop"},
		{name: "istioctl -n", tool: istioctlRules, argv: []string{"proxy-status", "-n", "shop"}, runs: []string{"proxy-status"}, namespace: "shop"},
		{name: "another argument", tool: kubectlRules, argv: []string{"get", "pods", "-n", "team-3"}, argument: "shop",
			reason: `-n "team-3" and the namespace argument "shop" conflict`},
		{name: "-A with -n", tool: kubectlRules, argv: []string{"get", "pods", "-A", "-n", "team-3"}, reason: `-A (every namespace) and namespace "team-3" conflict`},
		{name: "-A with the argument", tool: helmRules, argv: []string{"list", "-A"}, argument: "shop", reason: `-A (every namespace) and namespace "shop" conflict`},
		{name: "not a DNS label", tool: kubectlRules, argv: []string{"get", "pods", "-n", "Team_3"}, reason: `namespace "Team_3" is not a namespace name`},
		{name: "argument not a DNS label", tool: kubectlRules, argv: []string{"get", "pods"}, argument: "../x", reason: `namespace "../x" is not a namespace name`},
		{name: "a flag as the value", tool: kubectlRules, argv: []string{"get", "pods", "-n", "--kubeconfig=/x"}, reason: "is not a namespace name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.tool.validate(tt.argv, false, defaultExec)
			var ns string
			if err == nil {
				ns, err = c.namespaceFor(tt.argument)
			}
			if tt.reason != "" {
				if err == nil || !strings.Contains(err.Error(), tt.reason) {
					t.Fatalf("got %v, want a refusal saying %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ns != tt.namespace || !slices.Equal(c.argv, tt.runs) {
				t.Fatalf("runs %q in %q, want %q in %q", c.argv, ns, tt.runs, tt.namespace)
			}
		})
	}
}

func TestPipeRules(t *testing.T) {
	refused := []struct {
		stages []Stage
		reason string
	}{
		{[]Stage{{Command: "sh", Args: []string{"-c", "id"}}}, "Tool not found. Available tools: cut, grep, head, jq, sort, tail, uniq, wc"},
		{[]Stage{{Command: "grep", Args: []string{"-r", "password", "/etc"}}}, "flag -r"},
		{[]Stage{{Command: "grep", Args: []string{"root", "/etc/passwd"}}}, "never files"},
		{[]Stage{{Command: "grep", Args: []string{"-f", "/etc/shadow"}}}, "flag -f"},
		{[]Stage{{Command: "sort", Args: []string{"-o", "/tmp/x"}}}, "flag -o"},
		{[]Stage{{Command: "sort", Args: []string{"--compress-program=sh"}}}, "compress-program"},
		{[]Stage{{Command: "head", Args: []string{"/etc/passwd"}}}, "never files"},
		{[]Stage{{Command: "tail", Args: []string{"-f"}}}, "flag -f"},
		{[]Stage{{Command: "jq", Args: []string{"$ENV"}}}, "environment"},
		{[]Stage{{Command: "jq", Args: []string{"env.HOME"}}}, "environment"},
		{[]Stage{{Command: "jq", Args: []string{"--rawfile", "x", "/etc/passwd", "."}}}, "rawfile"},
		{[]Stage{{Command: "jq", Args: []string{".", "/etc/passwd"}}}, "never files"},
		{[]Stage{{Command: "cut", Args: []string{"-f1", "/etc/passwd"}}}, "never files"},
	}
	for _, tt := range refused {
		err := validatePipe(tt.stages)
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%+v: got %v, want %q", tt.stages, err, tt.reason)
		}
	}
	allowed := [][]Stage{
		{{Command: "grep", Args: []string{"-i", "-E", "error|warn"}}, {Command: "head", Args: []string{"-n", "20"}}},
		{{Command: "grep", Args: []string{"-e", "x", "-e", "y"}}},
		{{Command: "jq", Args: []string{"-r", ".items[].metadata.name"}}, {Command: "sort"}, {Command: "uniq", Args: []string{"-c"}}},
		{{Command: "cut", Args: []string{"-d", " ", "-f", "1"}}, {Command: "wc", Args: []string{"-l"}}},
	}
	for _, st := range allowed {
		if err := validatePipe(st); err != nil {
			t.Errorf("%+v refused: %v", st, err)
		}
	}
}

// FuzzValidate: nothing panics, and whatever passes carries no flag that
// would change where or as whom the command runs, however it was spelled: the
// namespace flags are taken out of what runs, into the call's namespace.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"get pods -n x", "get pods --namespace=x", "exec p -- ls", "get -nfoo pods", "apply -f -"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, line string, readOnly bool) {
		argv := strings.Fields(line)
		c, err := kubectlRules.validate(argv, readOnly, defaultExec)
		if err != nil {
			return
		}
		for _, a := range c.args {
			if _, bad := credentialFlags[a.flag]; bad && a.flag != "" {
				t.Fatalf("%q passed with flag %q", argv, a.flag)
			}
		}
		runs, _ := kubectlRules.spec.normalise(c.argv)
		for _, a := range runs {
			if a.flag == "n" || a.flag == "namespace" {
				t.Fatalf("%q runs as %q, with -n", argv, c.argv)
			}
		}
		for _, w := range argv {
			for _, bad := range []string{"--kubeconfig", "--token", "--as", "--server", "--raw"} {
				if strings.EqualFold(w, bad) || strings.HasPrefix(strings.ToLower(w), bad+"=") {
					t.Fatalf("%q passed with %s", argv, w)
				}
			}
		}
		if readOnly && !slices.Contains(kubectlRules.read, c.sub) {
			t.Fatalf("%q passed in read-only mode as %q", argv, c.sub)
		}
	})
}
