package testenv

import (
	"os"
	"slices"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// env is the seeded cluster shared by this package's tests.
var env *Env

const childEnv = "KUBEMCP_TESTENV_CHILD" // set: act as the child of TestProcessesDieWithParent

func TestMain(m *testing.M) {
	if out := os.Getenv(childEnv); out != "" {
		os.Exit(runChild(out))
	}
	os.Exit(Main(m, Options{Seed: true}, func(e *Env) { env = e }))
}

func TestReady(t *testing.T) {
	t.Logf("start to ready: %v", env.Startup)
	body, err := env.Clientset("admin").Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(t.Context())
	if err != nil || string(body) != "ok" {
		t.Fatalf("/readyz = %q, %v; want ok", body, err)
	}
}

func TestUsersAuthenticate(t *testing.T) {
	for name, u := range env.Users {
		t.Run(name, func(t *testing.T) {
			cfg, err := clientcmd.BuildConfigFromFlags("", u.Kubeconfig)
			if err != nil {
				t.Fatal(err)
			}
			review, err := kubernetes.NewForConfigOrDie(cfg).AuthenticationV1().SelfSubjectReviews().
				Create(t.Context(), &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("whoami as %s: %v", name, err)
			}
			if got := review.Status.UserInfo.Username; got != name {
				t.Errorf("username = %q, want %q", got, name)
			}
			if groups := strings.Join(review.Status.UserInfo.Groups, ","); !strings.Contains(groups, u.Groups[0]) {
				t.Errorf("groups = %s, want %s among them", groups, u.Groups[0])
			}
		})
	}
}

func TestRBAC(t *testing.T) {
	nodes, err := env.Clientset("admin").CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) != 1 || nodes.Items[0].Name != NodeName {
		t.Fatalf("admin listing nodes: %v, %v; want just %s", nodes, err, NodeName)
	}
	for _, user := range []string{"alice", "bob", "carol"} {
		_, err := env.Clientset(user).CoreV1().Secrets(NamespaceShop).List(t.Context(), metav1.ListOptions{})
		if !apierrors.IsForbidden(err) {
			t.Errorf("%s listing secrets: err = %v, want Forbidden", user, err)
		}
	}
}

func TestNodeReady(t *testing.T) {
	node, err := env.Clientset("admin").CoreV1().Nodes().Get(t.Context(), NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(node.Spec.Taints) != 0 {
		t.Errorf("taints = %v, want none", node.Spec.Taints)
	}
	if port := node.Status.DaemonEndpoints.KubeletEndpoint.Port; int(port) != env.Kubelet.Port {
		t.Errorf("kubelet port = %d, want %d", port, env.Kubelet.Port)
	}
	if got := node.Status.NodeInfo.KubeletVersion; got != "v1.34.4" {
		t.Errorf("kubeletVersion = %q", got)
	}
	ready := slices.IndexFunc(node.Status.Conditions, func(c corev1.NodeCondition) bool { return c.Type == corev1.NodeReady })
	if ready < 0 || node.Status.Conditions[ready].Status != corev1.ConditionTrue {
		t.Errorf("conditions = %+v, want Ready True", node.Status.Conditions)
	}
}
