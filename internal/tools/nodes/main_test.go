package nodes

import (
	"context"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

func admins() kubernetes.Interface { return env.Clientset("admin") }

// node registers a Node of the test's own and writes its status as a
// kubelet would: Ready unless conditions say otherwise.
func node(t *testing.T, name string, labels map[string]string, taints []corev1.Taint, conditions ...corev1.NodeCondition) *corev1.Node {
	t.Helper()
	ctx := context.Background()
	n, err := admins().CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	t.Cleanup(func() { _ = admins().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if len(conditions) == 0 {
		conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}}
	}
	res := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
	n.Status = corev1.NodeStatus{Capacity: res, Allocatable: res, Conditions: conditions,
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.1.2.3"}},
		NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.34.4"}}
	n, err = admins().CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return n
}

func getNode(t *testing.T, name string) *corev1.Node {
	t.Helper()
	n, err := admins().CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	toolsettest.Must(t, err)
	return n
}
