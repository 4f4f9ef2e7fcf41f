package core

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

func TestResourcesDescribe(t *testing.T) {
	s := connect(t)
	tests := []struct {
		name   string
		args   map[string]any
		want   []string
		unwant []string
	}{
		{"crashlooping pod: owners, state, BackOff event fenced",
			map[string]any{"resource": "pod", "namespace": "payments", "name": testenv.PodCrashLoop},
			[]string{"Controlled by:  ReplicaSet/api-6c4b8d7f5 -> Deployment/api", "Waiting: CrashLoopBackOff", "restarts 7",
				"last terminated Error (exit code 1)", "ContainersNotReady", `<untrusted-data source="events of Pod ` + testenv.PodCrashLoop,
				"BackOff", "Back-off restarting failed container api"}, nil},
		{"OOMKilled pod", map[string]any{"resource": "pods", "namespace": "monitoring", "name": testenv.PodOOMKilled},
			[]string{"last terminated OOMKilled (exit code 137)", "Deployment/log-aggregator"}, nil},
		{"statefulset pod", map[string]any{"resource": "pods", "namespace": "monitoring", "name": testenv.PodUnschedulable},
			[]string{"Controlled by:  StatefulSet/prometheus", "FailedScheduling", "Insufficient cpu"}, nil},
		{"deployment", map[string]any{"api_version": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "frontend"},
			[]string{"3 desired | 3 updated | 3 total | 3 ready", "frontend=nginx:1.27.3", "MinimumReplicasAvailable"}, []string{"Controlled by"}},
		{"node", map[string]any{"resource": "nodes", "name": testenv.NodeName},
			[]string{"InternalIP=127.0.0.1", "KubeletReady", "Allocatable:", "cpu=4"}, []string{"Namespace:"}},
		{"secret shows key sizes only", map[string]any{"resource": "secret", "namespace": "shop", "name": testenv.SecretName},
			[]string{"password (27 bytes)", "username (4 bytes)"}, nil},
		{"custom resource", map[string]any{"resource": "widgets", "namespace": "shop", "name": testenv.WidgetName},
			[]string{"Kind:           Widget (example.kubemcp.io/v1)", "app=frontend"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out DescribeOut
			text := s.ok("resources_describe", tt.args, &out)
			wantAll(t, text, tt.want...)
			wantNone(t, text, tt.unwant...)
			if out.Owners == nil || out.Events == nil || out.Conditions == nil || out.Details == nil || out.Labels == nil {
				t.Errorf("null in structuredContent: %+v", out)
			}
		})
	}
}

func TestResourcesDescribeStructured(t *testing.T) {
	var out DescribeOut
	connect(t).ok("resources_describe", map[string]any{"resource": "pod", "namespace": "payments", "name": testenv.PodCrashLoop}, &out)
	if len(out.Owners) != 2 || out.Owners[0].Kind != "ReplicaSet" || out.Owners[1].Kind != "Deployment" || out.Owners[1].Name != "api" {
		t.Errorf("owners = %+v", out.Owners)
	}
	found := false
	for _, e := range out.Events {
		found = found || e.Reason == "BackOff" && e.Type == "Warning" && e.Count == 31
	}
	if !found || out.UID == "" {
		t.Errorf("no BackOff event (or uid) in %+v", out)
	}
}

func TestResourcesDescribeErrors(t *testing.T) {
	s := connect(t)
	wantAll(t, s.fails("resources_describe", map[string]any{"resource": "pods", "namespace": "shop", "name": "nope"}),
		`pods "nope" not found in namespace "shop"`, `resources_list {"namespace":"shop","resource":"pods"}`)
	wantAll(t, s.fails("resources_describe", map[string]any{"resource": "pods", "name": ""}), "name is required")
	alice := connectAs(t, env.Users["alice"].Kubeconfig, kube.Options{})
	wantAll(t, alice.fails("resources_describe", map[string]any{"resource": "pods", "namespace": "payments", "name": testenv.PodCrashLoop}),
		"forbidden", `"get"`)
}
