package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubemcp/kubemcp/internal/config"
)

const tokenAuth = "auth: {mode: token, token: {existingSecret: kubemcp-tokens}}\n"

// installs are the value sets a user would install with: each RBAC preset,
// each auth mode, and one with every optional object on.
var installs = []struct {
	name   string
	values string
	check  func(t *testing.T, r rendered, cfg config.Config)
}{
	{"readOnly", tokenAuth, func(t *testing.T, r rendered, cfg config.Config) {
		wantCredentials(t, cfg, config.CredentialsServer)
		if !cfg.ReadOnly {
			t.Error("the readOnly preset must make kubemcp serve read tools only")
		}
		rules := clusterRole(t, r).Rules
		wantVerbs(t, rules, "get", "list", "watch")
		wantNoResource(t, rules, "secrets")
		// Sessions of clients before MCP 2026-07-28 live in one pod.
		if a, _, _ := unstructured.NestedString(r.one(t, "Service").Object, "spec", "sessionAffinity"); a != "ClientIP" {
			t.Errorf("the Service's sessionAffinity is %q by default, want ClientIP", a)
		}
	}},
	{"readWrite", tokenAuth + "rbac: {preset: readWrite}", func(t *testing.T, r rendered, cfg config.Config) {
		wantCredentials(t, cfg, config.CredentialsServer)
		rules := clusterRole(t, r).Rules
		wantVerbs(t, rules, "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
		wantNoResource(t, rules, "secrets")
		wantResource(t, rules, "pods/exec")
	}},
	{"readWrite with Secrets", tokenAuth + "rbac: {preset: readWrite, secrets: true}", func(t *testing.T, r rendered, cfg config.Config) {
		wantResource(t, clusterRole(t, r).Rules, "*")
	}},
	{"impersonation", tokenAuth + "rbac: {preset: impersonation, impersonation: {extraKeys: [example.com/team]}}", func(t *testing.T, r rendered, cfg config.Config) {
		wantCredentials(t, cfg, config.CredentialsImpersonate)
		rules := clusterRole(t, r).Rules
		wantVerbs(t, rules, "create", "impersonate", "list", "watch") // list, watch and create: the watch cache's
		wantResource(t, rules, "users")
		wantResource(t, rules, "groups")
		wantResource(t, rules, "userextras/example.com/team")
		for _, rule := range rules {
			if slices.Contains(rule.Verbs, "impersonate") && slices.Contains(rule.Resources, "serviceaccounts") {
				t.Errorf("rule %+v impersonates service accounts", rule)
			}
		}
		wantResource(t, rules, "subjectaccessreviews") // the watch cache asks for each caller
		wantNoResource(t, rules, "secrets")
		if !cfg.Cache {
			t.Error("the cache is on by default")
		}
	}},
	{"impersonation without the cache", tokenAuth + "rbac: {preset: impersonation}\ncache: {enabled: false}", func(t *testing.T, r rendered, cfg config.Config) {
		wantNoResource(t, clusterRole(t, r).Rules, "subjectaccessreviews")
		if cfg.Cache {
			t.Error("cache.enabled false must turn kubemcp's cache off")
		}
	}},
	{"oidc", `
auth: {mode: oidc, oidc: {issuer: "https://issuer.example.com", caSecret: issuer-ca, scopes: [openid]}}
publicURL: https://kubemcp.example.com
rbac: {preset: impersonation}
config: {toolsets: [core, pods], disableDestructive: true}`, func(t *testing.T, r rendered, cfg config.Config) {
		wantCredentials(t, cfg, config.CredentialsImpersonate)
		if cfg.Audience() != "https://kubemcp.example.com/mcp" || cfg.OIDCIssuerCA == "" || !cfg.DisableDestructive {
			t.Errorf("config: audience %q, issuer CA %q, disableDestructive %v", cfg.Audience(), cfg.OIDCIssuerCA, cfg.DisableDestructive)
		}
	}},
	{"passthrough", "auth: {mode: passthrough}", func(t *testing.T, r rendered, cfg config.Config) {
		wantCredentials(t, cfg, config.CredentialsPassthrough)
		if slices.Contains(r.kinds(), "ClusterRole") {
			t.Error("with passthrough the ServiceAccount needs no ClusterRole")
		}
	}},
	{"mcpServers", tokenAuth + "mcpServers: {watch: true}", func(t *testing.T, r rendered, cfg config.Config) {
		if !cfg.WatchMCPServers || cfg.MCPServersNamespace == "" {
			t.Errorf("config: watchMCPServers %v, mcpServersNamespace %q; want on, in the release namespace", cfg.WatchMCPServers, cfg.MCPServersNamespace)
		}
		if cfg.AllowMCPServerForwardAuthorization {
			t.Error("MCPServers may forward callers' credentials though mcpServers.allowForwardAuthorization is off")
		}
		role := r.one(t, "Role")
		if role.GetNamespace() != cfg.MCPServersNamespace {
			t.Errorf("the MCPServers Role is in %q, not the release namespace %q", role.GetNamespace(), cfg.MCPServersNamespace)
		}
	}},
	{"mcpServers forwarding", tokenAuth + "mcpServers: {watch: true, allowForwardAuthorization: true}", func(t *testing.T, r rendered, cfg config.Config) {
		if !cfg.AllowMCPServerForwardAuthorization {
			t.Error("mcpServers.allowForwardAuthorization did not reach kubemcp's allowMCPServerForwardAuthorization")
		}
	}},
	{"tls", tokenAuth + `
tls: {enabled: true, secretName: kubemcp-tls}
serviceMonitor: {enabled: true}`, func(t *testing.T, r rendered, cfg config.Config) {
		wantTLS(t, r, cfg)
	}},
	{"everything on", tokenAuth + `
publicURL: https://kubemcp.example.com
ingress: {enabled: true, className: nginx, tls: [{secretName: kubemcp-tls, hosts: [kubemcp.example.com]}]}
httpRoute: {enabled: true, parentRefs: [{name: gateway, namespace: gateways}], hostnames: [kubemcp.example.com]}
serviceMonitor: {enabled: true, labels: {release: prometheus}}
prometheusRule: {enabled: true}
networkPolicy: {enabled: true, ingressFrom: [{namespaceSelector: {matchLabels: {team: ai}}}], egress: [{}]}
podDisruptionBudget: {enabled: true}
autoscaling: {enabled: true, maxReplicas: 4}
approvalKeys: {existingSecret: kubemcp-approval-keys}
service: {sessionAffinity: ClientIP}
extraVolumes: [{name: helm-repo, secret: {secretName: helm-repo}}]
extraVolumeMounts: [{name: helm-repo, mountPath: /etc/kubemcp/helm-repo, readOnly: true}]
config:
  helmRepositories:
  - {url: "https://charts.example.com/private", username: {value: ci}, password: {fromFile: /etc/kubemcp/helm-repo/password}, caFile: /etc/kubemcp/helm-repo/ca.crt}`, func(t *testing.T, r rendered, cfg config.Config) {
		wantApprovalKeys(t, r, cfg, "kubemcp-approval-keys")
		if len(cfg.HelmRepositories) != 1 || cfg.HelmRepositories[0].Password.FromFile != "/etc/kubemcp/helm-repo/password" {
			t.Errorf("the config file's helmRepositories: %+v", cfg.HelmRepositories)
		}
		pod := r.one(t, "Deployment").Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
		volumes, _ := json.Marshal(pod["volumes"])
		mounts, _ := json.Marshal(pod["containers"].([]any)[0].(map[string]any)["volumeMounts"])
		if !strings.Contains(string(volumes), `"secretName":"helm-repo"`) || !strings.Contains(string(mounts), `"mountPath":"/etc/kubemcp/helm-repo"`) {
			t.Errorf("extraVolumes and extraVolumeMounts not in the pod:\nvolumes %s\nmounts %s", volumes, mounts)
		}
		for _, kind := range []string{"Ingress", "HTTPRoute", "ServiceMonitor", "PrometheusRule", "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler"} {
			r.one(t, kind)
		}
		if _, found := r.one(t, "Deployment").Object["spec"].(map[string]any)["replicas"]; found {
			t.Error("with autoscaling the Deployment must leave replicas to the HPA")
		}
		if !strings.Contains(r.notes, "https://kubemcp.example.com/mcp") {
			t.Errorf("NOTES.txt does not name the public URL:\n%s", r.notes)
		}
	}},
}

// TestChartInstalls renders every install, checks what it promises, checks
// that kubemcp accepts the config file it writes, and has the apiserver
// accept every object in a server-side dry run.
func TestChartInstalls(t *testing.T) {
	installCRDs(t)
	apply := newApplier()
	ns := env.Namespace(t, "chart")
	for _, in := range installs {
		t.Run(in.name, func(t *testing.T) {
			r, err := render(t, ns, in.values)
			if err != nil {
				t.Fatalf("rendering: %v", err)
			}
			wantSecure(t, r.one(t, "Deployment"))
			in.check(t, r, loadConfig(t, r))
			for _, obj := range r.objects {
				apply.dryRun(t, ns, obj)
			}
		})
	}
}

// TestChartLint runs Helm's own lint (chart metadata, templates, schema) with
// each install's values.
func TestChartLint(t *testing.T) {
	dir := repoPath(t, "deploy", "helm", "kubemcp")
	for _, in := range installs {
		vals, err := chartutil.ReadValues([]byte(in.values))
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range lint.All(dir, vals, "kubemcp", false).Messages {
			if msg.Severity >= support.WarningSev {
				t.Errorf("%s: %v", in.name, msg)
			}
		}
	}
}

// TestChartRefuses checks that values kubemcp could not start with, or that
// would fight the chart, fail at template time and say what to set.
func TestChartRefuses(t *testing.T) {
	for _, c := range []struct{ name, values, want string }{
		{"no auth", "", "auth.mode is not set"},
		{"token without its Secret", "auth: {mode: token}", "auth.token.existingSecret"},
		{"oidc without issuer", "auth: {mode: oidc}\npublicURL: https://x.example.com", "auth.oidc.issuer"},
		{"oidc without audience", "auth: {mode: oidc, oidc: {issuer: https://i.example.com}}", "publicURL"},
		{"unknown preset", tokenAuth + "rbac: {preset: admin}", "/rbac/preset"},
		{"a key the chart sets", tokenAuth + "config: {listen: 0.0.0.0:9000}", "config"},
		{"a misspelt key", tokenAuth + "ingres: {enabled: true}", "ingres"},
		{"httpRoute without a Gateway", tokenAuth + "httpRoute: {enabled: true}", "httpRoute.parentRefs"},
		{"tls without its Secret", tokenAuth + "tls: {enabled: true}", "tls.secretName"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, "default", c.values)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error naming %q, got %v", c.want, err)
			}
		})
	}
}

// wantSecure checks the pod runs as the issue asks: non-root, read-only root
// file system, no capabilities, RuntimeDefault seccomp, no privilege
// escalation, probes on /healthz and /readyz, resources set.
func wantSecure(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	pod := deployment(t, obj).Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("pod securityContext: %+v", psc)
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext: %+v", sc)
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("probes: liveness %+v, readiness %+v", c.LivenessProbe, c.ReadinessProbe)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources: %+v", c.Resources)
	}
	if !slices.Equal(c.Args[:3], []string{"serve", "--config", "/etc/kubemcp/config.yaml"}) {
		t.Errorf("args: %q", c.Args)
	}
}

func deployment(t *testing.T, obj *unstructured.Unstructured) appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, &d, true); err != nil {
		t.Fatalf("the Deployment: %v", err)
	}
	return d
}

// wantTLS checks that with tls.enabled kubemcp is given the Secret's pair by
// flags it accepts, mounted whole (a subPath mount would never see a renewed
// certificate), probed over HTTPS and scraped over HTTPS.
func wantTLS(t *testing.T, r rendered, cfg config.Config) {
	t.Helper()
	pod := deployment(t, r.one(t, "Deployment")).Spec.Template.Spec
	c := pod.Containers[0]
	fs := pflag.NewFlagSet("kubemcp", pflag.ContinueOnError)
	flagged := config.Default()
	config.Bind(fs, &flagged)
	fs.String("config", "", "")
	if err := fs.Parse(c.Args[1:]); err != nil {
		t.Fatalf("kubemcp's flags %q: %v", c.Args, err)
	}
	if err := cfg.ApplyFlags(fs); err != nil || cfg.Validate() != nil || !cfg.TLS() {
		t.Fatalf("args %q: TLS %v, %v, %v", c.Args, cfg.TLS(), err, cfg.Validate())
	}
	if c.LivenessProbe.HTTPGet.Scheme != corev1.URISchemeHTTPS || c.ReadinessProbe.HTTPGet.Scheme != corev1.URISchemeHTTPS {
		t.Errorf("probes: %s, %s, want HTTPS", c.LivenessProbe.HTTPGet.Scheme, c.ReadinessProbe.HTTPGet.Scheme)
	}
	mounted := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.Name == "tls" && m.SubPath == "" && filepath.Dir(cfg.TLSCertFile) == m.MountPath && filepath.Dir(cfg.TLSKeyFile) == m.MountPath
	})
	secret := slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.Name == "tls" && v.Secret != nil && v.Secret.SecretName == "kubemcp-tls"
	})
	if !mounted || !secret {
		t.Errorf("the Secret kubemcp-tls is not mounted whole where the flags point: mounts %+v, volumes %+v", c.VolumeMounts, pod.Volumes)
	}
	endpoints, _, _ := unstructured.NestedSlice(r.one(t, "ServiceMonitor").Object, "spec", "endpoints")
	if len(endpoints) != 1 || endpoints[0].(map[string]any)["scheme"] != "https" {
		t.Errorf("ServiceMonitor endpoints %v, want scheme https", endpoints)
	}
}

// loadConfig reads the rendered config file as kubemcp does (defaults, the
// file strictly, Validate), so a key kubemcp does not know fails here and
// not in a crash-looping pod.
func loadConfig(t *testing.T, r rendered) config.Config {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, r.configFile(t), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	if err := cfg.LoadFile(file); err != nil {
		t.Fatalf("kubemcp would not load the chart's config: %v", err)
	}
	if cfg.Auth == config.AuthToken {
		// The file is the Secret's; kubemcp only reads it at start.
		cfg.AuthTokenFile = "/etc/kubemcp/auth/tokens.yaml"
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("kubemcp would refuse the chart's config: %v\n%s", err, r.configFile(t))
	}
	if cfg.LogFormat != config.LogJSON {
		t.Errorf("logFormat %q: in a cluster kubemcp's lines go to a log collector, json", cfg.LogFormat)
	}
	if cfg.Listen != "0.0.0.0:8080" || !cfg.Authenticated() {
		t.Errorf("listen %q, auth %q: the pod must listen on the pod network with authentication", cfg.Listen, cfg.Auth)
	}
	return cfg
}

func wantCredentials(t *testing.T, cfg config.Config, want string) {
	t.Helper()
	if got := cfg.CredentialsMode(); got != want {
		t.Errorf("credentials %q, want %q", got, want)
	}
}

func clusterRole(t *testing.T, r rendered) rbacv1.ClusterRole {
	t.Helper()
	var role rbacv1.ClusterRole
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(r.one(t, "ClusterRole").Object, &role, true); err != nil {
		t.Fatalf("the ClusterRole: %v", err)
	}
	return role
}

// wantVerbs checks that the rules grant exactly these verbs between them.
func wantVerbs(t *testing.T, rules []rbacv1.PolicyRule, want ...string) {
	t.Helper()
	var got []string
	for _, r := range rules {
		got = append(got, r.Verbs...)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("verbs %q, want %q", got, want)
	}
}

func wantResource(t *testing.T, rules []rbacv1.PolicyRule, res string) {
	t.Helper()
	if !granted(rules, res) {
		t.Errorf("no rule names %q", res)
	}
}

func wantNoResource(t *testing.T, rules []rbacv1.PolicyRule, res string) {
	t.Helper()
	for _, r := range rules {
		if slices.Contains(r.Resources, res) || (slices.Contains(r.Resources, "*") && slices.Contains(r.APIGroups, "")) ||
			(slices.Contains(r.Resources, "*") && slices.Contains(r.APIGroups, "*")) {
			t.Errorf("rule %+v grants %s", r, res)
		}
	}
}

func granted(rules []rbacv1.PolicyRule, res string) bool {
	for _, r := range rules {
		if slices.Contains(r.Resources, res) {
			return true
		}
	}
	return false
}

// wantApprovalKeys checks that kubemcp reads its approval keys from the
// Secret's mount, so that every replica signs and verifies with them.
func wantApprovalKeys(t *testing.T, r rendered, cfg config.Config, secret string) {
	t.Helper()
	var d appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(r.one(t, "Deployment").Object, &d); err != nil {
		t.Fatal(err)
	}
	pod := d.Spec.Template.Spec
	mounted := slices.ContainsFunc(pod.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.Name == "approval-keys" && filepath.Join(m.MountPath, "keys") == cfg.ApprovalKeyFile
	})
	fromSecret := slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.Name == "approval-keys" && v.Secret != nil && v.Secret.SecretName == secret &&
			len(v.Secret.Items) == 1 && v.Secret.Items[0].Path == filepath.Base(cfg.ApprovalKeyFile)
	})
	if cfg.ApprovalKeyFile == "" || !mounted || !fromSecret {
		t.Errorf("approval keys: the config names %q, mounted there %v, from Secret %s %v", cfg.ApprovalKeyFile, mounted, secret, fromSecret)
	}
}
