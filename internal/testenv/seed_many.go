package testenv

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SeedManyPods creates namespace ns with n pods as a Deployment's would
// look (labels, an owner, one container with ports, env and resources), 20
// at a time: the worlds of the memory benchmarks and the larger goldens.
func (e *Env) SeedManyPods(ctx context.Context, ns string, n int) error {
	c := e.Clientset("admin")
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	const workers = 20
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				if _, err := c.CoreV1().Pods(ns).Create(ctx, ManyPod(i), metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			return fmt.Errorf("seeding %d pods in %s: %w", n, ns, err)
		}
	}
	return nil
}

// ManyPod is the i-th pod SeedManyPods makes, of one of 50 apps.
func ManyPod(i int) *corev1.Pod {
	app := fmt.Sprintf("app-%d", i%50)
	yes := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-7d9f8c6b5-%05d", app, i),
			Labels:          map[string]string{"app": app, "pod-template-hash": "7d9f8c6b5", "tier": "web"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-7d9f8c6b5", UID: "0b5e1c4c-7d5e-4f6a-9d1e-2f3a4b5c6d7e", Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: NodeName, Containers: []corev1.Container{{
			Name: "web", Image: "registry.example.com/team/" + app + ":1.27.3",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			Env:   []corev1.EnvVar{{Name: "APP", Value: app}, {Name: "LOG_LEVEL", Value: "info"}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}},
		}}},
	}
}
