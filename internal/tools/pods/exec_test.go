package pods

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// execPod creates a Running pod with the given containers; the first takes
// DB_PASSWORD from the planted Secret.
func execPod(t *testing.T, ns, name string, containers ...string) {
	t.Helper()
	api := env.Clientset("admin").CoreV1().Pods(ns)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: corev1.PodSpec{NodeName: testenv.NodeName}}
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c, Image: "busybox:1.37"})
	}
	pod.Spec.Containers[0].Env = []corev1.EnvVar{
		{Name: "MODE", Value: "test"},
		{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: testenv.SecretName}, Key: "password"}}},
	}
	created, err := api.Create(t.Context(), pod, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	created.Status.Phase = corev1.PodRunning
	_, err = api.UpdateStatus(t.Context(), created, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
}

// grantGetPods lets user get pods in ns, and nothing more.
func grantGetPods(t *testing.T, ns, user string) {
	t.Helper()
	rule := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}
	toolsettest.Must(t, env.Grant(t.Context(), ns, user+"-gets-pods", rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, rule))
}

func TestPodsExec(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	execPod(t, ns, "box", "main")
	execPod(t, ns, "duo", "app", "sidecar")
	cs := toolsettest.Serve(t, newPods)
	call := func(args map[string]any) map[string]any {
		args["namespace"] = ns
		if args["name"] == nil {
			args["name"] = "box"
		}
		return args
	}

	tests := []struct {
		name    string
		args    map[string]any
		want    []string
		code    int
		timeout bool
	}{
		{"echo", map[string]any{"command": []string{"echo", "hello", "world"}}, []string{"exited with code 0", "container main of pod " + ns + "/box", "hello world\n", "untrusted-data"}, 0, false},
		{"hostname", map[string]any{"command": []string{"hostname"}}, []string{"box\n"}, 0, false},
		{"env, secret refs unresolved", map[string]any{"command": []string{"env"}}, []string{"MODE=test", "DB_PASSWORD="}, 0, false},
		{"exit code", map[string]any{"command": []string{"exit", "3"}}, []string{"exited with code 3", "No output on stdout"}, 3, false},
		{"not found", map[string]any{"command": []string{"nosuch"}}, []string{"exited with code 127", "nosuch: command not found", "stderr of the command"}, 127, false},
		{"stdin", map[string]any{"command": []string{"cat"}, "stdin": "one\ntwo\n"}, []string{"one\ntwo\n"}, 0, false},
		{"named container", map[string]any{"name": "duo", "container": "sidecar", "command": []string{"hostname"}}, []string{"container sidecar of pod " + ns + "/duo", "duo\n"}, 0, false},
		{"timeout", map[string]any{"command": []string{"sleep", "30"}, "timeout_seconds": 1}, []string{"did not finish within 1s", "timeout_seconds"}, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := cs.Call(t, "pods_exec", call(tt.args))
			r.Expect(t, false, tt.want...)
			var out ExecOut
			r.Decode(t, &out)
			if out.ExitCode != tt.code || (out.Ended == endedTimeout) != tt.timeout || out.Namespace != ns {
				t.Errorf("structured %+v", out)
			}
			if tt.timeout && time.Since(start) > 10*time.Second {
				t.Errorf("a 1s timeout took %v", time.Since(start))
			}
		})
	}
	t.Run("output cap keeps the head", func(t *testing.T) {
		r := cs.Call(t, "pods_exec", call(map[string]any{"command": []string{"yes"}, "max_bytes": 2000}))
		r.Expect(t, false, "stopped it", "y\ny\ny\n", "stdout: the first", "more left out", "capped at 2000 bytes")
		var out ExecOut
		r.Decode(t, &out)
		if out.Ended != endedLimit || out.StdoutBytes <= execReadLimit || out.DroppedBytes < execReadLimit || len(r.Text) > 2000 {
			t.Errorf("structured %+v, text %d bytes", out, len(r.Text))
		}
	})

	for _, tt := range []struct {
		name string
		args map[string]any
		want []string
	}{
		{"container required", map[string]any{"name": "duo", "command": []string{"hostname"}}, []string{"has 2 containers", "app, sidecar"}},
		{"no such container", map[string]any{"name": "duo", "container": "nope", "command": []string{"hostname"}}, []string{`no container "nope"`, "app, sidecar"}},
		{"empty command", map[string]any{"command": []string{}}, []string{"command is required"}},
		{"timeout too long", map[string]any{"command": []string{"hostname"}, "timeout_seconds": 301}, []string{"timeout_seconds 301: want 1 to 300"}},
		{"pod not found", map[string]any{"name": "ghost", "command": []string{"hostname"}}, []string{`pods "ghost" not found`, "pods_list"}},
	} {
		t.Run(tt.name, func(t *testing.T) { cs.Call(t, "pods_exec", call(tt.args)).Expect(t, true, tt.want...) })
	}
	t.Run("alice forbidden", func(t *testing.T) {
		grantGetPods(t, ns, "alice") // she may read the pod, not exec into it
		r := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_exec", call(map[string]any{"command": []string{"hostname"}}))
		r.Expect(t, true, "forbidden", "pods/exec")
	})
}

// TestPodsExecReadOnly: the policy beneath the clients refuses the exec
// before it reaches the cluster.
func TestPodsExecReadOnly(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	execPod(t, ns, "box", "main")
	cs := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, newPods)
	before := env.Kubelet.RunningExecs()
	r := cs.Call(t, "pods_exec", map[string]any{"namespace": ns, "name": "box", "command": []string{"sleep", "5"}})
	r.Expect(t, true, "read-only", "kubemcp's own policy")
	if strings.Contains(r.Text, "exited") || env.Kubelet.RunningExecs() != before {
		t.Errorf("the exec ran: %s", r.Text)
	}
}
