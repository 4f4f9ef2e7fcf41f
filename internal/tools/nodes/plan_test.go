package nodes

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestPlanPod covers kubectl drain's rules pod by pod; TestDrain checks the
// same against a real apiserver.
func TestPlanPod(t *testing.T) {
	owned := func(kind string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{Kind: kind, Name: "x", Controller: ptr.To(true)}}
	}
	emptyDir := []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	now := metav1.Now()
	tests := []struct {
		name string
		pod  corev1.Pod
		opts drainOptions
		want action
		why  string
	}{
		{"replicaset", corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: owned("ReplicaSet")}}, drainOptions{}, evict, "managed by ReplicaSet x"},
		{"daemonset ignored", corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: owned("DaemonSet")}}, drainOptions{ignoreDaemonSets: true}, skip, "DaemonSet"},
		{"daemonset not ignored", corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: owned("DaemonSet")}}, drainOptions{}, refuse, "ignore_daemonsets"},
		{"mirror", corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{corev1.MirrorPodAnnotationKey: "h"}}}, drainOptions{}, skip, "mirror pod"},
		{"terminating", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}}, drainOptions{}, skip, "already terminating"},
		{"finished unmanaged", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded}, Spec: corev1.PodSpec{Volumes: emptyDir}}, drainOptions{}, evict, "finished (Succeeded)"},
		{"unmanaged", corev1.Pod{}, drainOptions{}, refuse, "set force"},
		{"unmanaged forced", corev1.Pod{}, drainOptions{force: true}, evict, "nothing recreates it (force)"},
		{"emptydir", corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: owned("ReplicaSet")}, Spec: corev1.PodSpec{Volumes: emptyDir}}, drainOptions{}, refuse, "emptyDir volume(s) tmp"},
		{"emptydir allowed", corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: owned("ReplicaSet")}, Spec: corev1.PodSpec{Volumes: emptyDir}}, drainOptions{deleteEmptyDirData: true}, evict, "emptyDir data is lost"},
		{"unmanaged with emptydir", corev1.Pod{Spec: corev1.PodSpec{Volumes: emptyDir}}, drainOptions{}, refuse, "set force to delete it anyway; uses emptyDir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := planPod(&tt.pod, tt.opts)
			if s.action != tt.want || !strings.Contains(s.reason, tt.why) {
				t.Errorf("got action %d %q, want %d containing %q", s.action, s.reason, tt.want, tt.why)
			}
		})
	}
}
