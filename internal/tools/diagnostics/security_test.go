package diagnostics

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// safePod is a pod that passes every check; each case spoils one thing.
func safePod(ns, name string) *corev1.Pod {
	p := podSpec(ns, name, corev1.Container{Name: "app", Image: "nginx:1.27.3",
		SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To(int64(10001))},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}})
	p.Spec.AutomountServiceAccountToken = ptr.To(false)
	return p
}

// TestSecurityScan creates a pod for each unsafe setting, otherwise safe,
// and a safe one, and checks that each pod has exactly its findings.
func TestSecurityScan(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	app := func(p *corev1.Pod) *corev1.Container { return &p.Spec.Containers[0] }
	tests := []struct {
		pod    string
		spoil  func(p *corev1.Pod)
		sev    string
		check  string
		detail string
		fix    string
	}{
		{"privileged", func(p *corev1.Pod) { app(p).SecurityContext.Privileged = ptr.To(true) }, Critical, "Privileged", "privileged: true", "privileged: false"},
		{"hostpath", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "docker", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/docker.sock"}}}}
		}, Critical, "HostPath", "volume docker mounts host path /var/run/docker.sock", "PersistentVolumeClaim"},
		{"hostnetwork", func(p *corev1.Pod) { p.Spec.HostNetwork = true }, Critical, "HostNetwork", "hostNetwork: true", "Service"},
		{"hostpid", func(p *corev1.Pod) { p.Spec.HostPID = true }, Critical, "HostPID", "hostPID: true", "remove hostPID"},
		{"uid0", func(p *corev1.Pod) { app(p).SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To(int64(0))} }, Warning, "RunAsRoot", "runAsUser: 0", "runAsNonRoot: true"},
		{"no-context", func(p *corev1.Pod) { app(p).SecurityContext = nil }, Warning, "RunAsRoot", "no runAsNonRoot or runAsUser", "runAsNonRoot: true"},
		{"pod-context", func(p *corev1.Pod) {
			app(p).SecurityContext = nil
			p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true)}
		}, "", "", "", ""},
		{"no-limits", func(p *corev1.Pod) { app(p).Resources = corev1.ResourceRequirements{} }, Warning, "NoLimits", "no cpu or memory limit", "resources.limits"},
		{"no-cpu-limit", func(p *corev1.Pod) { delete(app(p).Resources.Limits, corev1.ResourceCPU) }, Info, "NoLimits", "no cpu limit", "resources.limits"},
		{"latest", func(p *corev1.Pod) { app(p).Image = "nginx:latest" }, Warning, "LatestTag", "image nginx:latest uses :latest", "digest"},
		{"untagged", func(p *corev1.Pod) { app(p).Image = "registry.local:5000/team/app" }, Warning, "LatestTag", "image registry.local:5000/team/app has no tag", "pin a version"},
		{"port-and-tag", func(p *corev1.Pod) { app(p).Image = "registry.local:5000/team/app:1.2.0" }, "", "", "", ""},
		{"digest", func(p *corev1.Pod) { app(p).Image = "nginx@sha256:" + strings.Repeat("a", 64) }, "", "", "", ""},
		{"token", func(p *corev1.Pod) { p.Spec.AutomountServiceAccountToken = nil }, Warning, "DefaultTokenMounted", "default ServiceAccount", "automountServiceAccountToken: false"},
		{"own-account", func(p *corev1.Pod) { p.Spec.AutomountServiceAccountToken, p.Spec.ServiceAccountName = nil, "app" }, "", "", "", ""},
		{"secret-env", func(p *corev1.Pod) {
			app(p).Env = []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: testenv.SecretName}, Key: "password"}}}}
		}, Warning, "SecretInEnv", "env DB_PASSWORD from Secret db-credentials key password", "mount the Secret as a volume"},
		{"secret-envfrom", func(p *corev1.Pod) {
			app(p).EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: testenv.SecretName}}}}
		}, Warning, "SecretInEnv", "envFrom Secret db-credentials (every key)", "volume"},
		{"clean", func(*corev1.Pod) {}, "", "", "", ""},
	}
	for _, tt := range tests {
		p := safePod(ns, tt.pod)
		tt.spoil(p)
		_, err := admin().CoreV1().Pods(ns).Create(t.Context(), p, metav1.CreateOptions{})
		toolsettest.Must(t, err)
	}
	// Two pods of one Deployment are one workload, checked once.
	for _, name := range []string{"web-7d9f8c6b5-aaaaa", "web-7d9f8c6b5-bbbbb"} {
		_, err := admin().CoreV1().Pods(ns).Create(t.Context(), ofDeployment(podSpec(ns, name), "web", "7d9f8c6b5"), metav1.CreateOptions{})
		toolsettest.Must(t, err)
	}

	cs := toolsettest.Serve(t, New)
	var out SecurityOut
	text := cs.OK(t, "security_scan", map[string]any{"namespace": ns}, &out)
	for _, tt := range tests {
		t.Run(tt.pod, func(t *testing.T) {
			var got []SecurityFinding
			for _, f := range out.Findings {
				if f.Object == "pod/"+tt.pod {
					got = append(got, f)
				}
			}
			if tt.check == "" {
				if len(got) > 0 {
					t.Errorf("want no findings, got %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Check != tt.check || got[0].Severity != tt.sev || !strings.Contains(got[0].Detail, tt.detail) || !strings.Contains(got[0].Fix, tt.fix) {
				t.Fatalf("want one %s %s finding with %q and fix %q, got %+v", tt.sev, tt.check, tt.detail, tt.fix, got)
			}
			want := "app"
			if slices.Contains([]string{"HostPath", "HostNetwork", "HostPID", "DefaultTokenMounted"}, tt.check) {
				want = "(pod)"
			}
			wantLine(t, text, tt.sev, "pod/"+tt.pod+" ", want, tt.check, tt.detail, tt.fix)
		})
	}
	var web []string
	for _, f := range out.Findings {
		if f.Object == "deployment/web" {
			web = append(web, f.Check)
		}
	}
	slices.Sort(web)
	if !slices.Equal(web, []string{"DefaultTokenMounted", "NoLimits", "RunAsRoot"}) {
		t.Errorf("deployment/web checks %v", web)
	}
	if out.Workloads != len(tests)+1 || out.Pods != len(tests)+2 || out.Matched != len(out.Findings) {
		t.Errorf("workloads %d, pods %d, matched %d of %d shown", out.Workloads, out.Pods, out.Matched, len(out.Findings))
	}
	toolsettest.Want(t, text, "findings in namespace", "over 19 workloads (20 pods)", "deployment/web")
	toolsettest.WantNone(t, text, "NAMESPACE", "pod/clean", "web-7d9f8c6b5-aaaaa")
	if strings.Index(text, "Privileged") > strings.Index(text, "NoLimits") {
		t.Errorf("critical findings do not come first:\n%s", text)
	}
}

func TestSecurityScanCleanAndRefused(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	_, err := admin().CoreV1().Pods(ns).Create(t.Context(), safePod(ns, "clean"), metav1.CreateOptions{})
	toolsettest.Must(t, err)
	cs := toolsettest.Serve(t, New)
	cs.Call(t, "security_scan", map[string]any{"namespace": ns}).Expect(t, false, `No findings in namespace "`+ns+`": 1 workload (1 pod) pass every check`)

	alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	alice.Call(t, "security_scan", map[string]any{"namespace": ns}).Expect(t, true, "forbidden", `"list" on pods in namespace "`+ns+`"`)
	grant(t, ns, "alice", rbacRule("", "pods", "list"))
	alice.Call(t, "security_scan", map[string]any{"namespace": ns}).
		Expect(t, false, "No findings", "Not checked, so not known to be healthy: serviceaccounts (forbidden by RBAC): token automounting judged from the pods alone")
}

func TestAutomountFollowsTheAccount(t *testing.T) {
	spec := &corev1.PodSpec{}
	off := &corev1.ServiceAccount{AutomountServiceAccountToken: ptr.To(false)}
	if automounts(spec, off) || !automounts(spec, nil) {
		t.Error("the default account's automount setting is not followed")
	}
	spec.AutomountServiceAccountToken = ptr.To(true)
	if !automounts(spec, off) {
		t.Error("the pod's own setting does not win over the account's")
	}
}
