// Package testenv starts a real, local Kubernetes control plane (etcd and
// kube-apiserver built by test/cluster/build.sh) for tests and the demo.
//
// There is no kubelet, controller-manager or scheduler: a small fake kubelet
// (kubelet.go) serves container logs, exec and port-forward for one Node, a
// stand-in for metrics-server (metrics.go) serves metrics.k8s.io once
// EnableMetrics is called, and Seed writes objects and their status directly,
// so the cluster looks lived-in without anything running.
//
// A package's tests share one cluster through Main in TestMain:
//
//	var env *testenv.Env
//
//	func TestMain(m *testing.M) {
//		os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
//	}
//
// Every process started here dies with the test binary (see spawner.go).
package testenv
