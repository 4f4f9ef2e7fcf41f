package testenv

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// seedEvent is a core/v1 Event about a seeded pod, as its reporter would
// have recorded it.
type seedEvent struct {
	pod, typ, reason, message string
	count                     int32
	component                 string // kubelet or default-scheduler
}

func seedEvents() []seedEvent {
	return []seedEvent{
		{FrontendPods()[0], corev1.EventTypeNormal, "Pulled", `Container image "nginx:1.27.3" already present on machine`, 1, "kubelet"},
		{FrontendPods()[0], corev1.EventTypeNormal, "Started", "Started container frontend", 1, "kubelet"},
		{PodCrashLoop, corev1.EventTypeNormal, "Pulled", `Container image "ghcr.io/kubemcp-demo/payments-api:2.7.0" already present on machine`, 8, "kubelet"},
		{PodCrashLoop, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container api in pod " + PodCrashLoop + "_payments", 31, "kubelet"},
		{PodImagePull, corev1.EventTypeNormal, "Pulling", `Pulling image "registry.invalid/payments/ledger:3.1.0"`, 5, "kubelet"},
		{PodImagePull, corev1.EventTypeWarning, "Failed", "Failed to pull image \"registry.invalid/payments/ledger:3.1.0\": " + pullError("registry.invalid/payments/ledger:3.1.0"), 5, "kubelet"},
		{PodImagePull, corev1.EventTypeWarning, "Failed", "Error: ImagePullBackOff", 19, "kubelet"},
		{PodUnschedulable, corev1.EventTypeWarning, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", 4, "default-scheduler"},
		{PodOOMKilled, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container log-aggregator in pod " + PodOOMKilled + "_monitoring", 6, "kubelet"},
	}
}

func (s *seeder) events(ctx context.Context) error {
	for i, ev := range seedEvents() {
		pod := s.pods[ev.pod]
		obj := eventFor(pod, ev, time.Now())
		obj.Name = fmt.Sprintf("%s.%x", pod.Name, 0x187a0000+i)
		if _, err := s.cs.CoreV1().Events(pod.Namespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating event %s for %s/%s: %w", ev.reason, pod.Namespace, pod.Name, err)
		}
	}
	return nil
}

func eventFor(pod *corev1.Pod, ev seedEvent, now time.Time) *corev1.Event {
	ref := corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID, ResourceVersion: pod.ResourceVersion}
	source := corev1.EventSource{Component: ev.component}
	if ev.component == "kubelet" {
		ref.FieldPath = fmt.Sprintf("spec.containers{%s}", pod.Spec.Containers[0].Name)
		source.Host = pod.Spec.NodeName
	}
	return &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Namespace: pod.Namespace},
		InvolvedObject:      ref,
		Reason:              ev.reason,
		Message:             ev.message,
		Type:                ev.typ,
		Count:               ev.count,
		Source:              source,
		FirstTimestamp:      metav1.NewTime(now.Add(-time.Duration(ev.count) * 30 * time.Second)),
		LastTimestamp:       metav1.NewTime(now),
		ReportingController: ev.component,
		ReportingInstance:   source.Host,
	}
}
