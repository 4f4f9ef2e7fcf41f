package diagnostics

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// SecurityFinding is one unsafe setting of one workload, and its fix.
type SecurityFinding struct {
	Severity  string `json:"severity" jsonschema:"critical, warning or info"`
	Namespace string `json:"namespace"`
	Object    string `json:"object" jsonschema:"the workload, e.g. deployment/web, or pod/name when nothing owns it"`
	Container string `json:"container,omitempty" jsonschema:"empty for a setting of the whole pod"`
	Check     string `json:"check" jsonschema:"e.g. Privileged, HostPath, RunAsRoot, NoLimits, LatestTag"`
	Detail    string `json:"detail"`
	Fix       string `json:"fix"`
}

// The fixes, one sentence each, said where the setting lives.
const (
	fixPrivileged  = "set securityContext.privileged: false; add only the capabilities it needs"
	fixHostPath    = "use a PersistentVolumeClaim, ConfigMap or emptyDir instead of the node's files"
	fixHostNS      = "remove it from the pod spec; expose ports with a Service instead"
	fixRoot        = "set securityContext.runAsNonRoot: true and a non-zero runAsUser"
	fixLimits      = "set resources.limits (memory at least) so it cannot starve the node"
	fixTag         = "pin a version tag or a digest (image@sha256:...)"
	fixAutomount   = "set automountServiceAccountToken: false, or give it a ServiceAccount of its own"
	fixSecretInEnv = "mount the Secret as a volume; env values leak into logs, dumps and child processes"
)

// podSecurity checks one pod's spec: its own settings, then each container's.
// account is the ServiceAccount the pod runs as, nil if unknown.
func podSecurity(w workload, spec *corev1.PodSpec, account *corev1.ServiceAccount) []SecurityFinding {
	base := SecurityFinding{Namespace: w.Namespace, Object: w.object()}
	add := func(out []SecurityFinding, container, sev, check, detail, fix string) []SecurityFinding {
		f := base
		f.Container, f.Severity, f.Check, f.Detail, f.Fix = container, sev, check, detail, fix
		return append(out, f)
	}
	var out []SecurityFinding
	if spec.HostNetwork {
		out = add(out, "", Critical, "HostNetwork", "hostNetwork: true: shares the node's network stack", fixHostNS)
	}
	if spec.HostPID {
		out = add(out, "", Critical, "HostPID", "hostPID: true: sees and can signal every process on the node", "remove hostPID from the pod spec")
	}
	if spec.HostIPC {
		out = add(out, "", Warning, "HostIPC", "hostIPC: true: shares the node's IPC namespace", "remove hostIPC from the pod spec")
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			out = add(out, "", Critical, "HostPath", fmt.Sprintf("volume %s mounts host path %s", token(v.Name, 64), token(v.HostPath.Path, 200)), fixHostPath)
		}
	}
	if automounts(spec, account) {
		out = add(out, "", Warning, "DefaultTokenMounted", "runs as the default ServiceAccount with its API token mounted", fixAutomount)
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, f := range containerSecurity(spec, c) {
			out = add(out, c.Name, f.Severity, f.Check, f.Detail, f.Fix)
		}
	}
	return out
}

// containerSecurity checks one container's settings.
func containerSecurity(spec *corev1.PodSpec, c corev1.Container) []SecurityFinding {
	var out []SecurityFinding
	add := func(sev, check, detail, fix string) {
		out = append(out, SecurityFinding{Severity: sev, Check: check, Detail: detail, Fix: fix})
	}
	if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
		add(Critical, "Privileged", "privileged: true: root on the node in all but name", fixPrivileged)
	}
	if detail, sev := rootUser(spec, c); detail != "" {
		add(sev, "RunAsRoot", detail, fixRoot)
	}
	if missing := missingLimits(c); len(missing) > 0 {
		sev := Info
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			sev = Warning
		}
		add(sev, "NoLimits", "no "+strings.Join(missing, " or ")+" limit", fixLimits)
	}
	if detail := floatingTag(c.Image); detail != "" {
		add(Warning, "LatestTag", detail, fixTag)
	}
	for _, s := range secretsInEnv(c) {
		add(Warning, "SecretInEnv", s, fixSecretInEnv)
	}
	return out
}

// rootUser says whether the container runs, or may run, as root: the
// container's securityContext overrides the pod's.
func rootUser(spec *corev1.PodSpec, c corev1.Container) (string, string) {
	var user *int64
	var nonRoot *bool
	if psc := spec.SecurityContext; psc != nil {
		user, nonRoot = psc.RunAsUser, psc.RunAsNonRoot
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			user = sc.RunAsUser
		}
		if sc.RunAsNonRoot != nil {
			nonRoot = sc.RunAsNonRoot
		}
	}
	switch {
	case user != nil && *user == 0:
		return "runAsUser: 0", Warning
	case user == nil && (nonRoot == nil || !*nonRoot):
		return "no runAsNonRoot or runAsUser: runs as the image's user, root unless the image says otherwise", Warning
	}
	return "", ""
}

func missingLimits(c corev1.Container) []string {
	var missing []string
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Limits[r]; !ok {
			missing = append(missing, string(r))
		}
	}
	return missing
}

// floatingTag says what is wrong with an image reference that does not pin
// a version: no tag (so :latest) or :latest itself. A digest pins it.
func floatingTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	last := image[strings.LastIndexByte(image, '/')+1:] // a registry's :port is before the last slash
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok:
		return "image " + token(image, 200) + " has no tag, so it is :latest"
	case tag == "latest":
		return "image " + token(image, 200) + " uses :latest"
	}
	return ""
}

// secretsInEnv names the Secrets a container takes into its environment.
// Only names: the values are never read.
func secretsInEnv(c corev1.Container) []string {
	var out []string
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			r := e.ValueFrom.SecretKeyRef
			out = append(out, fmt.Sprintf("env %s from Secret %s key %s", token(e.Name, 64), token(r.Name, 64), token(r.Key, 64)))
		}
	}
	for _, e := range c.EnvFrom {
		if e.SecretRef != nil {
			out = append(out, fmt.Sprintf("envFrom Secret %s (every key)", token(e.SecretRef.Name, 64)))
		}
	}
	return out
}

// automounts says whether a pod of the default ServiceAccount gets its token:
// the pod's setting wins over the account's, and both default to yes.
func automounts(spec *corev1.PodSpec, account *corev1.ServiceAccount) bool {
	if spec.ServiceAccountName != "" && spec.ServiceAccountName != "default" {
		return false
	}
	if spec.AutomountServiceAccountToken != nil {
		return *spec.AutomountServiceAccountToken
	}
	if account != nil && account.AutomountServiceAccountToken != nil {
		return *account.AutomountServiceAccountToken
	}
	return true
}
