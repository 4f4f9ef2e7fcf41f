package testenv

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Names of what Seed creates, for tests to assert on.
const (
	NamespaceShop       = "shop"
	NamespacePayments   = "payments"
	NamespaceMonitoring = "monitoring"

	// PlantedSecret is the value of Secret db-credentials' "password" key in
	// shop. No tool output should ever contain it.
	PlantedSecret = "kubemcp-planted-s3cr3t-7f3a"
	SecretName    = "db-credentials"
	ConfigMapName = "frontend-config"

	DeploymentFrontend      = "frontend"       // shop, 3 Running pods
	DeploymentCart          = "cart"           // shop, 2 Running pods
	DeploymentAPI           = "api"            // payments, CrashLoopBackOff
	DeploymentLedger        = "ledger"         // payments, ImagePullBackOff
	DeploymentLogAggregator = "log-aggregator" // monitoring, Running after OOMKills
	StatefulSetPrometheus   = "prometheus"     // monitoring, Pending

	PodCrashLoop     = "api-6c4b8d7f5-q7x2m"            // payments; restartCount 7, previous log ends in a panic
	PodImagePull     = "ledger-8f6d9b7c4-m3k9s"         // payments; image under registry.invalid/
	PodUnschedulable = "prometheus-0"                   // monitoring; Insufficient cpu
	PodOOMKilled     = "log-aggregator-5b7d6c8f9-t4n8w" // monitoring; lastState OOMKilled, exit 137

	CRDName    = "widgets.example.kubemcp.io"
	WidgetName = "demo-widget" // in shop
)

// FrontendPods are the Running pods of Deployment frontend in shop.
func FrontendPods() []string {
	return []string{"frontend-5d8f7c9b6-4xkzp", "frontend-5d8f7c9b6-9tqmw", "frontend-5d8f7c9b6-h2v7n"}
}

// CartPods are the Running pods of Deployment cart in shop.
func CartPods() []string {
	return []string{"cart-7b9c5d4f8-lx2rq", "cart-7b9c5d4f8-p8wzt"}
}

// Seed creates a small believable world: three namespaces with healthy and
// broken workloads, their status written as controllers and a kubelet would,
// container logs on the fake kubelet, Events, a ConfigMap, a Secret holding
// PlantedSecret and a CRD with one custom resource. It expects an empty cluster.
func Seed(ctx context.Context, e *Env) error {
	s := &seeder{env: e, cs: e.Clientset("admin"), nextIP: 10, pods: map[string]*corev1.Pod{}}
	steps := []func(context.Context) error{s.namespaces, s.config, s.workloads, s.services, s.events, s.widgets}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

type seeder struct {
	env    *Env
	cs     kubernetes.Interface
	nextIP int
	pods   map[string]*corev1.Pod // by name, as created, for Events and EndpointSlices
}

func (s *seeder) namespaces(ctx context.Context) error {
	for _, ns := range []string{NamespaceShop, NamespacePayments, NamespaceMonitoring} {
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": ns}}}
		if _, err := s.cs.CoreV1().Namespaces().Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	return nil
}

func (s *seeder) config(ctx context.Context) error {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, Namespace: NamespaceShop, Labels: map[string]string{"app": DeploymentFrontend}},
		Data: map[string]string{
			"CART_URL":      "http://cart.shop.svc.cluster.local:8080",
			"FEATURE_FLAGS": "new-checkout=true,recommendations=false",
			"nginx.conf":    "server {\n  listen 80;\n  location / { root /usr/share/nginx/html; }\n  location /api/cart { proxy_pass http://cart:8080; }\n}\n",
		},
	}
	if _, err := s.cs.CoreV1().ConfigMaps(NamespaceShop).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating configmap %s: %w", ConfigMapName, err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: SecretName, Namespace: NamespaceShop, Labels: map[string]string{"app": DeploymentCart}},
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			"username": []byte("shop"),
			"password": []byte(PlantedSecret),
			"url":      []byte("postgres://shop:" + PlantedSecret + "@postgres.shop.svc:5432/shop"),
		},
	}
	if _, err := s.cs.CoreV1().Secrets(NamespaceShop).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating secret %s: %w", SecretName, err)
	}
	return nil
}

// podIP hands out pod IPs from the node's pod CIDR.
func (s *seeder) podIP() string {
	s.nextIP++
	return fmt.Sprintf("10.244.0.%d", s.nextIP)
}

// resources is a list of cpu and memory; it panics on a quantity that does
// not parse.
func resources(cpu, mem string) corev1.ResourceList {
	return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
}
