package testenv

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// services creates a ClusterIP Service for each workload that serves traffic,
// and the EndpointSlice the endpointslice controller would have made.
func (s *seeder) services(ctx context.Context) error {
	for _, w := range seedWorkloads() {
		if w.kind != "Deployment" || w.name == DeploymentLogAggregator {
			continue
		}
		if err := s.service(ctx, w); err != nil {
			return fmt.Errorf("seeding service %s/%s: %w", w.ns, w.name, err)
		}
	}
	return nil
}

func (s *seeder) service(ctx context.Context, w workload) error {
	port := corev1.ServicePort{Name: "http", Port: w.port, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}
	if w.name == DeploymentFrontend {
		port.Port = 80
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.ns, Labels: w.labels()},
		Spec:       corev1.ServiceSpec{Selector: w.labels(), Ports: []corev1.ServicePort{port}},
	}
	svc, err := s.cs.CoreV1().Services(w.ns).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	_, err = s.cs.DiscoveryV1().EndpointSlices(w.ns).Create(ctx, s.endpointSlice(svc, w), metav1.CreateOptions{})
	return err
}

func (s *seeder) endpointSlice(svc *corev1.Service, w workload) *discoveryv1.EndpointSlice {
	var endpoints []discoveryv1.Endpoint
	for _, name := range w.pods {
		pod := s.pods[name]
		if pod.Status.PodIP == "" {
			continue
		}
		ready := w.ready() > 0
		endpoints = append(endpoints, discoveryv1.Endpoint{
			Addresses:  []string{pod.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready, Serving: &ready, Terminating: ptr.To(false)},
			NodeName:   &s.env.NodeName,
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		})
	}
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			Name: svc.Name + "-" + fakeDigest(svc.Name)[:5], Namespace: svc.Namespace,
			Labels: map[string]string{
				discoveryv1.LabelServiceName: svc.Name,
				discoveryv1.LabelManagedBy:   "endpointslice-controller.k8s.io",
			},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}},
		},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   endpoints,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To(w.port), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
}
