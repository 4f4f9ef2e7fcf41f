package testenv

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// Metrics is a stand-in for metrics-server: an HTTPS endpoint that the real
// apiserver's aggregator proxies metrics.k8s.io/v1beta1 to, answering with
// usage that tests set. It is a fake because metrics-server needs kubelets
// that measure real containers; the aggregation in front of it is real. Pods
// and nodes are read from the apiserver at request time, so label and field
// selectors work as they do with metrics-server, and only objects that exist
// and have usage set are reported.
type Metrics struct {
	Port int

	srv   *http.Server
	cs    kubernetes.Interface
	mu    sync.Mutex
	pods  map[logKey]corev1.ResourceList // by namespace, pod, container
	nodes map[string]corev1.ResourceList
}

// Names of what EnableMetrics registers.
const (
	MetricsAPIService = "v1beta1.metrics.k8s.io"
	MetricsService    = "metrics-server" // in kube-system, type ExternalName
	metricsGroup      = "metrics.k8s.io"
	metricsVersion    = "v1beta1"
	metricsWindow     = 15 * time.Second
)

var apiServiceGVR = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// EnableMetrics starts the metrics endpoint (as e.Metrics), registers it as
// the APIService v1beta1.metrics.k8s.io behind an ExternalName Service and
// waits until the apiserver serves the group. Until it is called the cluster
// has no metrics API, as a cluster without metrics-server has none. The
// aggregator needs no front-proxy flags for this: it sends no client
// certificate without them, and this endpoint asks for none.
func (e *Env) EnableMetrics(ctx context.Context) error {
	if e.Metrics != nil {
		return errors.New("metrics are already enabled")
	}
	m, err := startMetrics(e.pki.serving, e.Clientset("admin"))
	if err != nil {
		return err
	}
	e.Metrics = m
	if err := e.registerMetrics(ctx, m.Port); err != nil {
		return fmt.Errorf("registering the metrics API: %w", err)
	}
	return e.waitMetrics(ctx)
}

func startMetrics(cert tls.Certificate, cs kubernetes.Interface) (*Metrics, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the metrics endpoint: %w", err)
	}
	m := &Metrics{
		Port:  ln.Addr().(*net.TCPAddr).Port,
		cs:    cs,
		pods:  map[logKey]corev1.ResourceList{},
		nodes: map[string]corev1.ResourceList{},
	}
	m.srv = &http.Server{Handler: m.mux(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = m.srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	return m, nil
}

func (m *Metrics) close() error {
	if err := m.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the metrics endpoint: %w", err)
	}
	return nil
}

// SetPodUsage sets the usage of one container, e.g. ("shop", "web-1", "web",
// "250m", "96Mi"); the pod's usage is the sum of its containers. It panics on
// a quantity that does not parse.
func (m *Metrics) SetPodUsage(ns, pod, container, cpu, mem string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pods[logKey{ns, pod, container}] = resources(cpu, mem)
}

// SetNodeUsage sets the usage of a node. It panics on a quantity that does
// not parse.
func (m *Metrics) SetNodeUsage(node, cpu, mem string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes[node] = resources(cpu, mem)
}

// registerMetrics creates the ExternalName Service and the APIService that
// send metrics.k8s.io to port on this host. Endpoints on 127.x are refused by
// the apiserver; an ExternalName of localhost is not.
func (e *Env) registerMetrics(ctx context.Context, port int) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: MetricsService, Namespace: metav1.NamespaceSystem, Labels: map[string]string{"k8s-app": MetricsService}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost",
			Ports: []corev1.ServicePort{{Name: "https", Port: int32(port), Protocol: corev1.ProtocolTCP}}},
	}
	if _, err := e.Clientset("admin").CoreV1().Services(svc.Namespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating service %s: %w", svc.Name, err)
	}
	api := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": MetricsAPIService, "labels": map[string]any{"k8s-app": MetricsService}},
		"spec": map[string]any{
			"group": metricsGroup, "version": metricsVersion,
			"service":               map[string]any{"namespace": metav1.NamespaceSystem, "name": MetricsService, "port": int64(port)},
			"insecureSkipTLSVerify": true,
			"groupPriorityMinimum":  int64(100),
			"versionPriority":       int64(100),
		},
	}}
	dyn, err := dynamic.NewForConfig(e.RESTConfig("admin"))
	if err != nil {
		return err
	}
	if _, err := dyn.Resource(apiServiceGVR).Create(ctx, api, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating apiservice %s: %w", MetricsAPIService, err)
	}
	return nil
}

// waitMetrics waits until a metrics list goes through the aggregator: the
// APIService must be marked Available and the proxy must have seen it.
func (e *Env) waitMetrics(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rc := e.Clientset("admin").Discovery().RESTClient()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := rc.Get().AbsPath("/apis", metricsGroup, metricsVersion, "nodes").DoRaw(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the metrics API did not become available: %w (last answer: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

func (m *Metrics) mux() *http.ServeMux {
	mux := http.NewServeMux()
	base := "GET /apis/" + metricsGroup + "/" + metricsVersion
	mux.HandleFunc(base, m.serveDiscovery)
	mux.HandleFunc(base+"/{$}", m.serveDiscovery)
	mux.HandleFunc(base+"/pods", m.servePods)
	mux.HandleFunc(base+"/namespaces/{ns}/pods", m.servePods)
	mux.HandleFunc(base+"/namespaces/{ns}/pods/{name}", m.servePods)
	mux.HandleFunc(base+"/nodes", m.serveNodes)
	mux.HandleFunc(base+"/nodes/{name}", m.serveNodes)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{}, r.URL.Path))
	})
	return mux
}

// serveDiscovery answers the legacy discovery of the group version, which the
// aggregator falls back to and its availability check asks for.
func (m *Metrics) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	verbs := metav1.Verbs{"get", "list"}
	writeJSON(w, http.StatusOK, &metav1.APIResourceList{
		TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: metricsGroup + "/" + metricsVersion,
		APIResources: []metav1.APIResource{
			{Name: "nodes", SingularName: "", Namespaced: false, Kind: "NodeMetrics", Verbs: verbs},
			{Name: "pods", SingularName: "", Namespaced: true, Kind: "PodMetrics", Verbs: verbs},
		},
	})
}

func (m *Metrics) servePods(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("ns"), r.PathValue("name")
	opts := listOptions(r, name)
	pods, err := m.cs.CoreV1().Pods(ns).List(r.Context(), opts)
	if err != nil {
		writeStatus(w, err)
		return
	}
	list := &metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: metricsGroup + "/" + metricsVersion}}
	list.Items = []metricsv1beta1.PodMetrics{}
	for i := range pods.Items {
		if pm, ok := m.podMetrics(&pods.Items[i]); ok {
			list.Items = append(list.Items, pm)
		}
	}
	switch {
	case name == "":
		writeJSON(w, http.StatusOK, list)
	case len(list.Items) == 0:
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{Group: metricsGroup, Resource: "pods"}, name))
	default:
		list.Items[0].TypeMeta = metav1.TypeMeta{Kind: "PodMetrics", APIVersion: list.APIVersion}
		writeJSON(w, http.StatusOK, &list.Items[0])
	}
}

func (m *Metrics) podMetrics(pod *corev1.Pod) (metricsv1beta1.PodMetrics, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pm := metricsv1beta1.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, Labels: pod.Labels, CreationTimestamp: metav1.Now()},
		Timestamp:  metav1.Now(),
		Window:     metav1.Duration{Duration: metricsWindow},
		Containers: []metricsv1beta1.ContainerMetrics{},
	}
	for _, c := range pod.Spec.Containers {
		if u, ok := m.pods[logKey{pod.Namespace, pod.Name, c.Name}]; ok {
			pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: c.Name, Usage: u.DeepCopy()})
		}
	}
	return pm, len(pm.Containers) > 0
}

func (m *Metrics) serveNodes(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	nodes, err := m.cs.CoreV1().Nodes().List(r.Context(), listOptions(r, name))
	if err != nil {
		writeStatus(w, err)
		return
	}
	list := &metricsv1beta1.NodeMetricsList{TypeMeta: metav1.TypeMeta{Kind: "NodeMetricsList", APIVersion: metricsGroup + "/" + metricsVersion}}
	list.Items = []metricsv1beta1.NodeMetrics{}
	m.mu.Lock()
	for _, n := range nodes.Items {
		if u, ok := m.nodes[n.Name]; ok {
			list.Items = append(list.Items, metricsv1beta1.NodeMetrics{
				ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, CreationTimestamp: metav1.Now()},
				Timestamp:  metav1.Now(), Window: metav1.Duration{Duration: metricsWindow}, Usage: u.DeepCopy(),
			})
		}
	}
	m.mu.Unlock()
	switch {
	case name == "":
		writeJSON(w, http.StatusOK, list)
	case len(list.Items) == 0:
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{Group: metricsGroup, Resource: "nodes"}, name))
	default:
		list.Items[0].TypeMeta = metav1.TypeMeta{Kind: "NodeMetrics", APIVersion: list.APIVersion}
		writeJSON(w, http.StatusOK, &list.Items[0])
	}
}

// listOptions carries the request's selectors to the pods or nodes list; a
// get by name becomes a list by metadata.name.
func listOptions(r *http.Request, name string) metav1.ListOptions {
	q := r.URL.Query()
	opts := metav1.ListOptions{LabelSelector: q.Get("labelSelector"), FieldSelector: q.Get("fieldSelector")}
	if name != "" {
		opts = metav1.ListOptions{FieldSelector: "metadata.name=" + name}
	}
	return opts
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeStatus answers with the metav1.Status of err, as an apiserver does.
func writeStatus(w http.ResponseWriter, err error) {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		status = apierrors.NewInternalError(err)
	}
	st := status.Status()
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	if st.Message == "" {
		st.Message = strings.ToLower(http.StatusText(int(st.Code)))
	}
	writeJSON(w, int(st.Code), &st)
}
