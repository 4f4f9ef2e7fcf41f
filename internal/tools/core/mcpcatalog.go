package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/operator"
)

// catalogServer is an MCP server mcp_install can run in a cluster: an image
// that serves streamable HTTP on port at path, configured by environment,
// with its credentials taken from a Secret. It listens beyond loopback, so
// it requires a bearer token of its own (inbound), which kubemcp sends.
type catalogServer struct {
	Image string
	Args  []string
	Port  int32
	Path  string
	// Env is its settings for an install; TokenEnv is the variable that
	// gets the token, InboundEnv the one that gets the bearer token callers
	// must present, both from the Secret.
	Env        func(in MCPInstallIn) []corev1.EnvVar
	TokenEnv   string
	InboundEnv string
}

// The keys of an install's Secrets: the server's own token in one, the
// bearer token it requires of callers and the Authorization header kubemcp
// sends it in the other, the only one the MCPServer may send. They are
// apart because the operator lets an MCPServer send any key of a Secret
// marked for it, to wherever its spec points.
const (
	keyToken         = "token"
	keyAuthorization = "authorization"
)

// catalog is what mcp_install installs, by name.
var catalog = map[string]catalogServer{
	// argoproj-labs/mcp-for-argocd (npm argocd-mcp 0.9.0, whose README names
	// the image): `http --port 3000` serves streamable HTTP at /mcp, reading
	// ARGOCD_BASE_URL and ARGOCD_API_TOKEN; bound beyond loopback
	// (MCP_BIND_ADDRESS) it refuses to start without MCP_AUTH_TOKEN.
	// TestCatalogServesAsInstalled runs that package as this entry says.
	"argocd": {
		Image: "argoprojlabs/mcp-for-argocd:v0.9.0",
		Args:  []string{"http", "--port", "3000"},
		Port:  3000,
		Path:  "/mcp",
		Env: func(in MCPInstallIn) []corev1.EnvVar {
			url := in.ArgoCDURL
			if url == "" {
				url = "https://argocd-server." + in.Namespace + ".svc"
			}
			return []corev1.EnvVar{{Name: "ARGOCD_BASE_URL", Value: url}, {Name: "MCP_BIND_ADDRESS", Value: "0.0.0.0"}}
		},
		TokenEnv:   "ARGOCD_API_TOKEN",
		InboundEnv: "MCP_AUTH_TOKEN",
	},
}

func catalogNames() string {
	names := make([]string, 0, len(catalog))
	for n := range catalog {
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// kubemcpPods are the pods of kubemcp's chart: the only ones the installed
// server's NetworkPolicy lets in, whatever their namespace.
var kubemcpPods = map[string]string{"app.kubernetes.io/name": "kubemcp"}

// inbound is the bearer token the installed server requires of callers:
// derived from its own token, so that installing again changes nothing, and
// telling nothing of it.
func inbound(in MCPInstallIn) string {
	h := hmac.New(sha256.New, []byte(in.MCPToken))
	h.Write([]byte("kubemcp mcp_install inbound token\x00" + in.Namespace + "\x00" + in.Server))
	return hex.EncodeToString(h.Sum(nil))
}

// manifest is every object an install applies, as one YAML stream: the
// namespace, the server's token's Secret, the inbound token's Secret
// (marked for the MCPServer to send as its Authorization header), a
// ServiceAccount whose token is not
// mounted (the server talks to its own API with the Secret's token, not to
// Kubernetes) and a Role that lets it read its own Secret and nothing else,
// the Deployment, its Service and NetworkPolicy, and the MCPServer object
// that has kubemcp serve its tools.
func (s catalogServer) manifest(in MCPInstallIn) (string, error) {
	name, ns := in.Server+"-mcp", in.Namespace
	meta := func() metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "kubemcp"}}
	}
	inb := inbound(in)
	sent := meta()
	sent.Name += "-inbound"
	sent.Annotations = map[string]string{operator.SecretAnnotation: in.Server}
	objects := []any{
		typed("v1", "Namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}),
		typed("v1", "Secret", &corev1.Secret{ObjectMeta: meta(), Type: corev1.SecretTypeOpaque, StringData: map[string]string{keyToken: in.MCPToken}}),
		typed("v1", "Secret", &corev1.Secret{ObjectMeta: sent, Type: corev1.SecretTypeOpaque, StringData: map[string]string{keyToken: inb, keyAuthorization: "Bearer " + inb}}),
		typed("v1", "ServiceAccount", &corev1.ServiceAccount{ObjectMeta: meta(), AutomountServiceAccountToken: new(false)}),
		typed("rbac.authorization.k8s.io/v1", "Role", &rbacv1.Role{ObjectMeta: meta(), Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{name}, Verbs: []string{"get"}}}}),
		typed("rbac.authorization.k8s.io/v1", "RoleBinding", &rbacv1.RoleBinding{ObjectMeta: meta(),
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}}}),
		typed("apps/v1", "Deployment", s.deployment(meta(), in, sent.Name, inb)),
		typed("v1", "Service", &corev1.Service{ObjectMeta: meta(), Spec: corev1.ServiceSpec{Selector: meta().Labels,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}),
		typed("networking.k8s.io/v1", "NetworkPolicy", s.networkPolicy(meta())),
		map[string]any{"apiVersion": "kubemcp.io/v1alpha1", "kind": "MCPServer", "metadata": map[string]any{"name": in.Server, "namespace": ns},
			"spec": map[string]any{"transport": "http", "service": map[string]any{"name": name, "port": 80, "path": s.Path},
				"headers": map[string]any{"Authorization": map[string]any{"secretKeyRef": map[string]any{"name": sent.Name, "key": keyAuthorization}}}}},
	}
	var docs []string
	for _, o := range objects {
		b, err := yaml.Marshal(o)
		if err != nil {
			return "", fmt.Errorf("rendering the %s install: %w", in.Server, err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "---\n"), nil
}

// typed is obj with its apiVersion and kind set, as a manifest document needs.
func typed[T any](apiVersion, kind string, obj *T) any {
	b, _ := yaml.Marshal(obj)
	var m map[string]any
	_ = yaml.Unmarshal(b, &m)
	m["apiVersion"], m["kind"] = apiVersion, kind
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return m
}

// deployment runs one non-root replica with no privileges, a read-only root
// file system (a scratch /tmp for npm), probes on its port, and limits,
// given its token from its Secret and the inbound one, inb, from the Secret
// called inbound. Its pods carry a digest of the tokens, so a new token
// rolls them (the variables are read at start).
func (s catalogServer) deployment(meta metav1.ObjectMeta, in MCPInstallIn, inbound, inb string) *appsv1.Deployment {
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}},
		PeriodSeconds: 10, FailureThreshold: 3}
	fromSecret := func(env, secret string) corev1.EnvVar {
		return corev1.EnvVar{Name: env, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: keyToken}}}
	}
	env := append(s.Env(in), corev1.EnvVar{Name: "HOME", Value: "/tmp"}, fromSecret(s.TokenEnv, meta.Name), fromSecret(s.InboundEnv, inbound))
	digest := sha256.Sum256([]byte(inb))
	return &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
		Replicas: new(int32(1)),
		Selector: &metav1.LabelSelector{MatchLabels: meta.Labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: meta.Labels,
			Annotations: map[string]string{"kubemcp.io/tokens-digest": hex.EncodeToString(digest[:8])}}, Spec: corev1.PodSpec{
			ServiceAccountName:           meta.Name,
			AutomountServiceAccountToken: new(false),
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: new(true), RunAsUser: new(int64(1000)), RunAsGroup: new(int64(1000)),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "server", Image: s.Image, Args: s.Args, Env: env,
				Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: s.Port}},
				ReadinessProbe: probe, LivenessProbe: probe,
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}},
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false), ReadOnlyRootFilesystem: new(true),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
				VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
			}},
			Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		}},
	}}
}

// networkPolicy lets only kubemcp's pods, in any namespace, reach the server.
func (s catalogServer) networkPolicy(meta metav1.ObjectMeta) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: meta, Spec: networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: meta.Labels},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		Ingress: []networkingv1.NetworkPolicyIngressRule{{
			From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{MatchLabels: kubemcpPods}}},
			Ports: []networkingv1.NetworkPolicyPort{{Port: new(intstr.FromString("http"))}},
		}},
	}}
}
