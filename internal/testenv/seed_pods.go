package testenv

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func (s *seeder) pod(ctx context.Context, w workload, name string, owner metav1.OwnerReference) error {
	tmpl := w.template()
	labels := w.labels()
	if w.kind == "StatefulSet" {
		labels["statefulset.kubernetes.io/pod-name"] = name
		labels["controller-revision-hash"] = w.hash
	} else {
		labels["pod-template-hash"] = w.hash
	}
	spec := tmpl.Spec
	if w.state != stateUnschedulable {
		spec.NodeName = s.env.NodeName // bound, as the scheduler would have done
	}
	api := s.cs.CoreV1().Pods(w.ns)
	pod, err := api.Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: w.ns, Labels: labels, OwnerReferences: []metav1.OwnerReference{owner}},
		Spec:       spec,
	}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	s.setPodStatus(pod, w)
	if pod, err = api.UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("writing status: %w", err)
	}
	s.pods[name] = pod
	s.setLogs(w, name)
	return nil
}

// setPodStatus fills in what a kubelet (or, for a Pending pod, the scheduler)
// would report. It keeps fields the apiserver set, such as qosClass.
func (s *seeder) setPodStatus(pod *corev1.Pod, w workload) {
	now := metav1.Now()
	st := &pod.Status
	if w.state == stateUnschedulable {
		st.Phase = corev1.PodPending
		st.Conditions = []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, LastTransitionTime: now,
			Message: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
		}}
		return
	}
	ip := s.podIP()
	st.Phase = corev1.PodRunning
	st.HostIP, st.HostIPs = "127.0.0.1", []corev1.HostIP{{IP: "127.0.0.1"}}
	st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	st.StartTime = &now
	cs := containerStatus(pod, w)
	st.ContainerStatuses = []corev1.ContainerStatus{cs}
	st.Conditions = podConditions(cs, now)
	if w.state == stateImagePull {
		st.Phase = corev1.PodPending
	}
}

func podConditions(cs corev1.ContainerStatus, now metav1.Time) []corev1.PodCondition {
	ready, reason, msg := corev1.ConditionTrue, "", ""
	if !cs.Ready {
		ready, reason, msg = corev1.ConditionFalse, "ContainersNotReady", fmt.Sprintf("containers with unready status: [%s]", cs.Name)
	}
	cond := func(t corev1.PodConditionType, s corev1.ConditionStatus, reason, msg string) corev1.PodCondition {
		return corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: msg, LastTransitionTime: now}
	}
	return []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, corev1.ConditionTrue, "", ""),
		cond(corev1.PodInitialized, corev1.ConditionTrue, "", ""),
		cond(corev1.PodReady, ready, reason, msg),
		cond(corev1.ContainersReady, ready, reason, msg),
		cond(corev1.PodScheduled, corev1.ConditionTrue, "", ""),
	}
}

func containerStatus(pod *corev1.Pod, w workload) corev1.ContainerStatus {
	now := time.Now()
	image := w.image
	if !strings.Contains(strings.Split(image, "/")[0], ".") {
		image = "docker.io/library/" + image // how containerd reports a Docker Hub image
	}
	cs := corev1.ContainerStatus{
		Name:        w.name,
		Image:       image,
		ImageID:     strings.Split(image, ":")[0] + "@sha256:" + fakeDigest(w.image),
		ContainerID: "containerd://" + fakeDigest(pod.Name+"/"+w.name),
		Ready:       true,
		Started:     ptr.To(true),
		State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-5 * time.Second))}},
	}
	switch w.state {
	case stateCrashLoop:
		cs.Ready, cs.Started, cs.RestartCount = false, ptr.To(false), 7
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off 5m0s restarting failed container=%s pod=%s_%s(%s)", w.name, pod.Name, pod.Namespace, pod.UID)}}
		cs.LastTerminationState = terminated(now, 1, "Error")
	case stateImagePull:
		cs.Ready, cs.Started, cs.ImageID, cs.ContainerID = false, ptr.To(false), "", ""
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff",
			Message: fmt.Sprintf("Back-off pulling image %q: %s", w.image, pullError(w.image))}}
	case stateOOMKilled:
		cs.RestartCount = 4
		cs.LastTerminationState = terminated(now, 137, "OOMKilled")
	}
	return cs
}

func terminated(now time.Time, code int32, reason string) corev1.ContainerState {
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: code, Reason: reason,
		StartedAt:   metav1.NewTime(now.Add(-40 * time.Second)),
		FinishedAt:  metav1.NewTime(now.Add(-30 * time.Second)),
		ContainerID: "containerd://" + fakeDigest(now.String()),
	}}
}

func pullError(image string) string {
	ref := strings.SplitN(image, "/", 2)
	repo, tag, _ := strings.Cut(ref[1], ":")
	return fmt.Sprintf("ErrImagePull: failed to pull and unpack image %q: failed to resolve reference %q: "+
		"failed to do request: Head \"https://%s/v2/%s/manifests/%s\": dial tcp: lookup %s: no such host",
		image, image, ref[0], repo, tag, ref[0])
}
