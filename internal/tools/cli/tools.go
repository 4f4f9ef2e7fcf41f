package cli

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

func set[T comparable](xs ...T) map[T]bool {
	m := make(map[T]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// execRules say which programs kubectl exec may start in a container: the
// first word after "--", by base name. Shells and interpreters never: they
// would run whatever string follows.
type execRules struct{ allowed map[string]bool }

var defaultExec = execRules{allowed: set("ls", "cat", "head", "tail", "ps", "df", "du", "date", "hostname", "uname", "id", "whoami", "nslookup", "dig", "ping", "stat", "find")}

var kubectlRules = rules{
	spec: spec{
		valueLong: set("namespace", "output", "selector", "filename", "container", "context", "cluster", "user", "kubeconfig", "server", "token",
			"as", "as-group", "as-uid", "field-selector", "sort-by", "template", "since", "since-time", "tail", "request-timeout", "type", "patch",
			"replicas", "image", "timeout", "grace-period", "cascade", "password", "username", "client-key", "client-certificate",
			"certificate-authority", "tls-server-name", "chunk-size", "label-columns", "for", "subresource", "raw", "kustomize", "from-file",
			"from-env-file", "from-literal", "overrides", "port", "target-port", "name", "revision", "to-revision", "field-manager", "pod-running-timeout"),
		valueShort: set[byte]('n', 'o', 'l', 'f', 'c', 's', 'p', 'k', 'L'),
	},
	read: []string{"get", "describe", "logs", "top pod", "top pods", "top node", "top nodes", "explain", "api-resources", "api-versions", "version",
		"cluster-info", "events", "auth can-i", "auth whoami", "rollout status", "rollout history"},
	write: []string{"apply", "create", "replace", "patch", "label", "annotate", "scale", "autoscale", "set", "taint", "cordon", "uncordon",
		"drain", "delete", "expose", "run", "exec", "wait", "diff", "rollout restart", "rollout undo", "rollout pause", "rollout resume"},
	forbidden: withFlags(credentialFlags, map[string]string{
		"raw":           "raw API paths bypass resource rules; use resources_get",
		"kustomize":     "it reads directories on kubemcp's host",
		"k":             "it reads directories on kubemcp's host",
		"from-file":     "it reads files on kubemcp's host",
		"from-env-file": "it reads files on kubemcp's host",
		"watch":         "a watch never ends; ask again instead",
		"w":             "a watch never ends; ask again instead",
		"watch-only":    "a watch never ends; ask again instead",
		"stdin":         "there is no terminal",
		"tty":           "there is no terminal",
		"i":             "there is no terminal",
		"t":             "there is no terminal",
	}),
	check:      checkKubectl,
	namespaced: true,
}

func checkKubectl(c command) error {
	if err := refuseSecrets(c); err != nil {
		return err
	}
	if _, ok := c.has("follow", "f"); ok && c.sub == "logs" {
		return fmt.Errorf("--follow (-f) never ends; use --tail or --since")
	}
	if err := onlyStdinFiles(c, "filename", "f"); err != nil {
		return err
	}
	words := positionals(c.args)
	switch c.sub {
	case "cluster-info":
		if len(words) > 1 {
			return fmt.Errorf("cluster-info %s: only plain cluster-info is allowed (dump copies the whole cluster, logs included)", words[1])
		}
	case "exec":
		return checkExec(c)
	}
	return nil
}

// secretWords are the spellings kubectl accepts for Secrets: secret, secrets,
// secret/x, secrets.v1, secret.v1., and lists such as pods,secrets.
func namesSecrets(word string) bool {
	for _, part := range strings.Split(strings.ToLower(word), ",") {
		kind, _, _ := strings.Cut(part, "/")
		kind, _, _ = strings.Cut(kind, ".")
		if kind == "secret" || kind == "secrets" {
			return true
		}
	}
	return false
}

func refuseSecrets(c command) error {
	for _, w := range positionals(c.args) {
		if namesSecrets(w) {
			return fmt.Errorf("reading or changing Secrets through the CLI is refused (%q): CLI output cannot be redacted; resources_get shows Secrets with their values redacted", w)
		}
	}
	return nil
}

// onlyStdinFiles lets -f name only "-" (the call's stdin argument): any other
// value would read a file on kubemcp's host or fetch a URL from it.
func onlyStdinFiles(c command, flags ...string) error {
	for _, a := range c.args {
		if a.flag != "" && slices.Contains(flags, a.flag) && a.value != "-" {
			return fmt.Errorf("%s %q: only \"-\" (the stdin argument) is allowed; files and URLs would be read on kubemcp's host", spell(a.flag), a.value)
		}
	}
	return nil
}

func checkExec(c command) error {
	if len(c.rest) == 0 {
		return fmt.Errorf("exec needs the command after --, e.g. [\"exec\", \"web-1\", \"--\", \"ls\", \"/\"]")
	}
	prog := path.Base(c.rest[0])
	if !c.exec.allowed[prog] {
		return fmt.Errorf("exec of %q is not allowed (no shells or interpreters); allowed programs: %s", c.rest[0],
			strings.Join(slices.Sorted(maps.Keys(c.exec.allowed)), ", "))
	}
	return nil
}

var helmRules = rules{
	spec: spec{
		valueLong: set("namespace", "kube-context", "kubeconfig", "kube-token", "kube-apiserver", "kube-as-user", "kube-as-group", "kube-ca-file",
			"output", "values", "set", "set-string", "set-file", "set-json", "version", "repo", "post-renderer", "timeout", "max", "filter",
			"selector", "description", "username", "password", "ca-file", "cert-file", "key-file", "registry-config", "repository-config",
			"repository-cache", "revision"),
		valueShort: set[byte]('n', 'o', 'f', 'l', 'm'),
	},
	read: []string{"list", "ls", "status", "history", "get values", "get manifest", "get notes", "get hooks", "get metadata", "get all",
		"show chart", "show values", "show readme", "show all", "show crds", "search repo", "template", "version", "repo list"},
	write: []string{"install", "upgrade", "uninstall", "rollback", "repo add", "repo update", "repo remove", "dependency update", "dependency build", "test"},
	forbidden: withFlags(credentialFlags, map[string]string{
		"kube-context": "pass the context as the tool's context argument", "kube-token": "credentials come from kubemcp",
		"kube-apiserver": "the cluster comes from the call's context argument", "kube-as-user": "impersonation is not allowed",
		"kube-as-group": "impersonation is not allowed", "kube-ca-file": "the connection is kubemcp's",
		"post-renderer": "it runs a program on kubemcp's host", "set-file": "it reads files on kubemcp's host",
		"ca-file": "it reads files on kubemcp's host", "cert-file": "it reads files on kubemcp's host", "key-file": "it reads files on kubemcp's host",
		"registry-config": "it reads files on kubemcp's host", "repository-config": "it reads files on kubemcp's host",
		"repository-cache": "it reads files on kubemcp's host",
	}),
	check:      checkHelm,
	namespaced: true,
}

func checkHelm(c command) error {
	if err := onlyStdinFiles(c, "values", "f"); err != nil {
		return err
	}
	for _, w := range positionals(c.args) {
		if isLocalPath(w) {
			return fmt.Errorf("chart %q is a path on kubemcp's host; name a chart as repo/chart or oci://registry/chart", w)
		}
	}
	return nil
}

// isLocalPath reports a word that names a file or directory on this host.
func isLocalPath(w string) bool {
	for _, p := range []string{"/", "./", "../", "~", "file:"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return w == "." || w == ".."
}

var istioctlRules = rules{
	spec: spec{
		valueLong:  set("namespace", "kubeconfig", "context", "istionamespace", "output", "filename", "revision"),
		valueShort: set[byte]('n', 'c', 'i', 'o', 'f', 'r'),
	},
	read: []string{"version", "proxy-status", "ps", "proxy-config", "pc", "analyze", "x describe", "experimental describe", "validate"},
	forbidden: withFlags(credentialFlags, map[string]string{
		"c": "istioctl's -c is --kubeconfig; the cluster comes from the call's context argument",
	}),
	check:      func(c command) error { return onlyStdinFiles(c, "filename", "f") },
	namespaced: true,
}

var argocdRules = rules{
	spec: spec{
		valueLong:  set("server", "auth-token", "config", "output", "grpc-web-root-path", "argocd-context", "project", "revision", "selector"),
		valueShort: set[byte]('o', 'p', 'l'),
	},
	read: []string{"app list", "app get", "app diff", "app history", "app manifests", "app resources", "proj list", "proj get",
		"cluster list", "repo list", "version", "account get-user-info", "appset list", "appset get"},
	write: []string{"app sync", "app rollback", "app set", "app create", "app delete", "app terminate-op"},
	forbidden: withFlags(credentialFlags, map[string]string{
		"auth-token": "credentials come from the argocd login on kubemcp's host", "config": "it reads files on kubemcp's host",
		"argocd-context": "the Argo CD context is fixed by kubemcp's host",
		// These reach the cluster with a kubeconfig of the host's, around the
		// guarded proxy every cluster request must pass.
		"core": "--core talks to the cluster directly, around kubemcp's policy", "kube-context": "the cluster is kubemcp's to choose",
		"port-forward": "--port-forward reaches the cluster directly, around kubemcp's policy", "port-forward-namespace": "--port-forward reaches the cluster directly, around kubemcp's policy",
	}),
}
