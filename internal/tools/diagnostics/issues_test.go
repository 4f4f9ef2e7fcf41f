package diagnostics

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// wantFinding is a finding a test expects: the object, its severity and
// reason, and what its evidence and next call must hold.
type wantFinding struct {
	kind, ns, name   string
	severity, reason string
	evidence, next   string
}

func (w wantFinding) check(t *testing.T, text string, out IssuesOut) {
	t.Helper()
	var got *Finding
	for i, f := range out.Findings {
		if f.Kind == w.kind && f.Namespace == w.ns && f.Name == w.name && f.Reason == w.reason {
			got = &out.Findings[i]
		}
	}
	if got == nil {
		t.Errorf("no %s finding for %s %s/%s in %+v", w.reason, w.kind, w.ns, w.name, out.Findings)
		return
	}
	if got.Severity != w.severity || !strings.Contains(got.Evidence, w.evidence) || !strings.Contains(got.Next, w.next) {
		t.Errorf("finding %+v: want severity %s, evidence with %q, next with %q", *got, w.severity, w.evidence, w.next)
	}
	wantLine(t, text, w.severity, strings.ToLower(w.kind)+"/"+w.name+" ", w.reason, w.evidence, w.next)
}

// TestFindIssuesSeeded finds the seeded world's broken pods and workloads.
func TestFindIssuesSeeded(t *testing.T) {
	cs := toolsettest.Serve(t, New)
	var out IssuesOut
	text := cs.OK(t, "find_issues", map[string]any{}, &out)
	for _, w := range []wantFinding{
		{"Pod", "payments", testenv.PodCrashLoop, Critical, "CrashLoopBackOff", "container api: restarts 7, last exit 1 (Error)",
			`pods_logs {"namespace":"payments","name":"` + testenv.PodCrashLoop + `","previous":true}`},
		{"Pod", "payments", testenv.PodImagePull, Critical, "ImagePullBackOff", "container ledger: image registry.invalid/payments/ledger:3.1.0",
			`events_list {"namespace":"payments","kind":"Pod","name":"` + testenv.PodImagePull + `"}`},
		{"Pod", "monitoring", testenv.PodUnschedulable, Critical, "Unschedulable", "requests cpu 8, memory 4Gi", `events_list {"namespace":"monitoring"`},
		{"Pod", "monitoring", testenv.PodOOMKilled, Warning, "OOMKilled", "restarts 4, last exit 137 (OOMKilled); memory limit 64Mi", `pods_get {"namespace":"monitoring"`},
		{"Deployment", "payments", testenv.DeploymentAPI, Critical, "ProgressDeadlineExceeded", "available 0/1",
			`rollout_status {"kind":"deployment","namespace":"payments","name":"api"}`},
		{"StatefulSet", "monitoring", testenv.StatefulSetPrometheus, Critical, "UnavailableReplicas", "ready 0/1", `rollout_status {"kind":"statefulset"`},
	} {
		w.check(t, text, out)
	}
	toolsettest.Want(t, text, "in the cluster: ", "critical", "Checked ", " pods, ", " node",
		`<untrusted-data source="messages the cluster recorded about these objects">`)
	fence := text[strings.Index(text, "<untrusted-data"):]
	toolsettest.Want(t, fence, "monitoring/pod/prometheus-0: 0/1 nodes are available: 1 Insufficient cpu", `Back-off pulling image "registry.invalid`)
	for _, f := range out.Findings {
		if f.Namespace == "shop" && f.Kind != "Node" {
			t.Errorf("healthy shop has a finding: %+v", f)
		}
	}
	if out.Matched != len(out.Findings) || out.Counts.Critical < 5 || len(out.Unchecked) != 0 {
		t.Errorf("matched %d of %d shown, counts %+v, unchecked %v", out.Matched, len(out.Findings), out.Counts, out.Unchecked)
	}
	for i := 1; i < len(out.Findings); i++ {
		if severityRank(out.Findings[i-1].Severity) > severityRank(out.Findings[i].Severity) {
			t.Errorf("not sorted by severity: %s before %s", out.Findings[i-1].Severity, out.Findings[i].Severity)
		}
	}
}

// TestFindIssuesStates puts an object in each state the seed lacks and
// finds each one, in a namespace of the test's own.
func TestFindIssuesStates(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	cs := toolsettest.Serve(t, New)

	createPod(t, podSpec(ns, "evicted"), corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted",
		Message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi."})
	probed := podSpec(ns, "unready", corev1.Container{Name: "web", Image: "nginx:1.27.3",
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}})
	createPod(t, probed, running(probed, false, 0))
	flappy := podSpec(ns, "flappy")
	st := running(flappy, true, 12)
	st.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error"}
	createPod(t, flappy, st)
	healthy := podSpec(ns, "healthy")
	createPod(t, healthy, running(healthy, true, 0))
	startup := podSpec(ns, "starting")
	st = running(startup, false, 0)
	st.Conditions[0].LastTransitionTime = metav1.Now()
	createPod(t, startup, st)

	failedJob(t, ns, "nightly")
	pendingClaim(t, ns, "data")
	deployment(t, ns, "stuck", 2, appsv1.DeploymentStatus{Replicas: 2, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, UnavailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
			Message: `ReplicaSet "stuck-abc" has timed out progressing.`, LastUpdateTime: ago(time.Minute), LastTransitionTime: ago(time.Minute)}}})
	deployment(t, ns, "degraded", 3, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 1, AvailableReplicas: 1, UnavailableReplicas: 2})
	deployment(t, ns, "fine", 2, appsv1.DeploymentStatus{Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2})

	var out IssuesOut
	text := cs.OK(t, "find_issues", map[string]any{"namespace": ns}, &out)
	for _, w := range []wantFinding{
		{"Pod", ns, "evicted", Warning, "Evicted", "the kubelet evicted it", `resources_describe {"resource":"pods","namespace":"` + ns + `","name":"evicted"}`},
		{"Pod", ns, "unready", Warning, "NotReady", "Running but not Ready for 10m; unready: web (readiness probe GET /healthz on port 8080)", `events_list {"namespace":"` + ns + `","kind":"Pod","name":"unready"}`},
		{"Pod", ns, "flappy", Warning, "HighRestarts", "container main: restarts 12, last exit 2 (Error)", `pods_logs {"namespace":"` + ns + `","name":"flappy","previous":true}`},
		{"Job", ns, "nightly", Warning, "BackoffLimitExceeded", "failed pods 3, succeeded 0, backoffLimit 2", `pods_logs {"namespace":"` + ns + `","label_selector":"job-name=nightly"}`},
		{"PersistentVolumeClaim", ns, "data", Warning, "Pending", "storageClass fast-ssd, requests 5Gi", `events_list {"namespace":"` + ns + `","kind":"PersistentVolumeClaim","name":"data"}`},
		{"Deployment", ns, "stuck", Critical, "ProgressDeadlineExceeded", "available 1/2, updated 1", `rollout_status {"kind":"deployment","namespace":"` + ns + `","name":"stuck"}`},
		{"Deployment", ns, "degraded", Warning, "UnavailableReplicas", "available 1/3", `rollout_status`},
	} {
		w.check(t, text, out)
	}
	if out.Matched != 7 || out.Counts != (Counts{Critical: 1, Warning: 6}) {
		t.Errorf("matched %d, counts %+v; want 7: 1 critical, 6 warning", out.Matched, out.Counts)
	}
	toolsettest.Want(t, text, "7 issues in namespace \""+ns+"\": 1 critical, 6 warning, 0 info. Checked 5 pods, 3 deployments",
		ns+"/pod/evicted: The node was low on resource: memory", ns+"/persistentvolumeclaim/data: ProvisioningFailed: storageclass.storage.k8s.io \"fast-ssd\" not found",
		ns+"/job/nightly: Job has reached the specified backoff limit")
	toolsettest.WantNone(t, text, "NAMESPACE", "pod/healthy", "pod/starting", "deployment/fine")
	if strings.Index(text, "deployment/stuck") > strings.Index(text, "pod/evicted") {
		t.Errorf("the critical finding is not first:\n%s", text)
	}
}

// failedJob creates a Job whose pods failed past its backoff limit.
func failedJob(t *testing.T, ns, name string) {
	t.Helper()
	api := admin().BatchV1().Jobs(ns)
	limit := int32(2)
	j, err := api.Create(t.Context(), &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: batchv1.JobSpec{BackoffLimit: &limit, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{Name: "backup", Image: "busybox:1.37"}}}}}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	now := metav1.Now()
	msg := "Job has reached the specified backoff limit"
	j.Status = batchv1.JobStatus{StartTime: ptrTime(ago(time.Hour)), Failed: 3, Conditions: []batchv1.JobCondition{
		{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: msg, LastTransitionTime: now, LastProbeTime: now},
		{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: msg, LastTransitionTime: now, LastProbeTime: now},
	}}
	_, err = api.UpdateStatus(t.Context(), j, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
}

// pendingClaim creates a claim that stays Pending (no such storage class)
// and the warning the provisioner would record.
func pendingClaim(t *testing.T, ns, name string) {
	t.Helper()
	class := "fast-ssd"
	c, err := admin().CoreV1().PersistentVolumeClaims(ns).Create(t.Context(), &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &class, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("5Gi")}}}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	warn(t, ns, corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: name, UID: c.UID}, "ProvisioningFailed", `storageclass.storage.k8s.io "fast-ssd" not found`)
}

// warn records a Warning event about obj, as its controller would.
func warn(t *testing.T, ns string, obj corev1.ObjectReference, reason, msg string) {
	t.Helper()
	_, err := admin().CoreV1().Events(ns).Create(t.Context(), &corev1.Event{ObjectMeta: metav1.ObjectMeta{GenerateName: obj.Name + ".", Namespace: ns},
		InvolvedObject: obj, Type: corev1.EventTypeWarning, Reason: reason, Message: msg, Count: 1,
		FirstTimestamp: ago(time.Minute), LastTimestamp: ago(time.Second), Source: corev1.EventSource{Component: "persistentvolume-controller"}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
}

// TestFindIssuesNodes finds a node that is NotReady and under memory
// pressure, and a cordoned one; nodes are looked at for the whole cluster only.
func TestFindIssuesNodes(t *testing.T) {
	sick, cordoned := toolsettest.Name(t, "sick-"), toolsettest.Name(t, "cordoned-")
	node(t, sick, false,
		nodeCondition(corev1.NodeReady, corev1.ConditionFalse, "KubeletNotReady", "container runtime network not ready: NetworkReady=false"),
		nodeCondition(corev1.NodeMemoryPressure, corev1.ConditionTrue, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"))
	node(t, cordoned, true, nodeCondition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"))
	cs := toolsettest.Serve(t, New)
	var out IssuesOut
	text := cs.OK(t, "find_issues", map[string]any{}, &out)
	describe := `resources_describe {"resource":"nodes","name":"`
	for _, w := range []wantFinding{
		{"Node", "", sick, Critical, "NotReady", "Ready=False for 20m (KubeletNotReady)", describe + sick + `"}`},
		{"Node", "", sick, Warning, "MemoryPressure", "MemoryPressure=True for 20m (KubeletHasInsufficientMemory)", describe + sick + `"}`},
		{"Node", "", cordoned, Info, "SchedulingDisabled", "cordoned", describe + cordoned + `"}`},
	} {
		w.check(t, text, out)
	}
	wantLine(t, text, "critical", "-", "node/"+sick)
	toolsettest.Want(t, text, "node/"+sick+": container runtime network not ready")
	for _, f := range out.Findings {
		if f.Kind == "Node" && f.Name == testenv.NodeName {
			t.Errorf("the healthy seeded node has a finding: %+v", f)
		}
	}
	cs.OK(t, "find_issues", map[string]any{"namespace": "payments"}, &out)
	for _, f := range out.Findings {
		if f.Kind == "Node" {
			t.Errorf("a namespace's issues hold a node: %+v", f)
		}
	}
}

// TestFindIssuesBoundedAndRefused: the structured findings are those the
// text shows; a caller without rights gets a sentence, and one with some
// rights gets what it may read and a list of what it may not.
func TestFindIssuesBoundedAndRefused(t *testing.T) {
	cs := toolsettest.Serve(t, New)
	var out IssuesOut
	text := cs.OK(t, "find_issues", map[string]any{"max_bytes": 1200}, &out)
	if out.Matched <= len(out.Findings) || len(out.Findings) == 0 || len(text) > 1200 {
		t.Errorf("matched %d, shown %d, %d bytes of text", out.Matched, len(out.Findings), len(text))
	}
	toolsettest.Want(t, text, "rows not shown", "Narrow with namespace")
	if got := strings.Count(text, "\ncritical ") + strings.Count(text, "\nwarning ") + strings.Count(text, "\ninfo "); got != len(out.Findings) {
		t.Errorf("text shows %d findings, structured %d:\n%s", got, len(out.Findings), text)
	}

	alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	alice.Call(t, "find_issues", map[string]any{"namespace": "payments"}).
		Expect(t, true, "forbidden", "Kubernetes RBAC does not allow", `namespace "payments"`)

	ns := toolsettest.Namespace(t, "")
	grant(t, ns, "alice", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}})
	evicted := podSpec(ns, "evicted")
	createPod(t, evicted, corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"})
	r := alice.Call(t, "find_issues", map[string]any{"namespace": ns})
	r.Expect(t, false, "1 issue in namespace", "pod/evicted", "Not checked, so not known to be healthy: daemonsets (forbidden by RBAC), deployments (forbidden by RBAC)")
	r.Decode(t, &out)
	if len(out.Unchecked) != 6 {
		t.Errorf("unchecked %v: want all but pods", out.Unchecked)
	}
}

func rbacRule(group, resource string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: verbs}
}

// grant gives user a Role in ns with rules, bound by a RoleBinding.
func grant(t *testing.T, ns, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	who := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}
	toolsettest.Must(t, env.Grant(context.Background(), ns, "grant-"+user, who, rules...))
}
