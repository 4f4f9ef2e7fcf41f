package testenv

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kubelet is a fake kubelet: an HTTPS endpoint that answers the apiserver's
// pods/log proxy requests for NodeName from lines set by tests, and its exec
// and port-forward requests (kubelet_stream.go). It is a fake
// because no real kubelet can run here (no container runtime); the apiserver
// in front of it is real.
type Kubelet struct {
	Port int

	srv  *http.Server
	mu   sync.Mutex
	logs map[logKey][]logLine // current container
	prev map[logKey][]logLine // previous (terminated) container

	streams streams // exec and port-forward
}

type logKey struct{ ns, pod, container string }

type logLine struct {
	at   time.Time
	text string
}

func startKubelet(cert tls.Certificate) (*Kubelet, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the fake kubelet: %w", err)
	}
	k := &Kubelet{
		Port: ln.Addr().(*net.TCPAddr).Port,
		logs: map[logKey][]logLine{},
		prev: map[logKey][]logLine{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", k.serveLogs)
	k.routeStreams(mux)
	k.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = k.srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	return k, nil
}

func (k *Kubelet) close() error {
	if err := k.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the fake kubelet: %w", err)
	}
	return nil
}

// SetLogs sets the log of a container, replacing what was there. Lines get
// timestamps one second apart, the last one now, so sinceSeconds selects the
// last lines.
func (k *Kubelet) SetLogs(ns, pod, container string, lines []string) {
	k.set(k.logs, logKey{ns, pod, container}, lines, time.Now())
}

// SetPreviousLogs sets the log of the container's previous (terminated)
// instance, served for ?previous=true. Its last line is a minute old.
func (k *Kubelet) SetPreviousLogs(ns, pod, container string, lines []string) {
	k.set(k.prev, logKey{ns, pod, container}, lines, time.Now().Add(-time.Minute))
}

func (k *Kubelet) set(m map[logKey][]logLine, key logKey, lines []string, end time.Time) {
	out := make([]logLine, len(lines))
	for i, l := range lines {
		out[i] = logLine{at: end.Add(-time.Duration(len(lines)-1-i) * time.Second), text: l}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	m[key] = out
}

// serveLogs answers like the kubelet: the whole log, filtered by sinceSeconds
// or sinceTime, then tailLines, then limitBytes. follow returns what there is.
func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	key := logKey{r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")}
	q := r.URL.Query()
	lines, ok := k.lines(key, q.Get("previous") == "true")
	if !ok {
		http.Error(w, fmt.Sprintf("previous terminated container %q in pod %q not found", key.container, key.pod), http.StatusBadRequest)
		return
	}
	opts, err := parseLogQuery(q.Get)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(opts.render(lines))
}

// lines returns a copy of the log; ok is false only for a missing previous log
// (a container without a log set has an empty one).
func (k *Kubelet) lines(key logKey, previous bool) ([]logLine, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if previous {
		l, ok := k.prev[key]
		return append([]logLine(nil), l...), ok
	}
	return append([]logLine(nil), k.logs[key]...), true
}

type logQuery struct {
	since      time.Time
	tailLines  int // -1: all
	limitBytes int // 0: no limit
	timestamps bool
}

func parseLogQuery(get func(string) string) (logQuery, error) {
	q := logQuery{tailLines: -1, timestamps: get("timestamps") == "true"}
	var errs []error
	atoi := func(name string) int {
		v := get(name)
		if v == "" {
			return -1
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return n
	}
	q.tailLines = atoi("tailLines")
	q.limitBytes = max(atoi("limitBytes"), 0)
	if s := atoi("sinceSeconds"); s > 0 {
		q.since = time.Now().Add(-time.Duration(s) * time.Second)
	}
	if v := get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("sinceTime: %w", err))
		}
		q.since = t
	}
	return q, errors.Join(errs...)
}

func (q logQuery) render(lines []logLine) []byte {
	start := 0
	for start < len(lines) && lines[start].at.Before(q.since) {
		start++
	}
	lines = lines[start:]
	if q.tailLines >= 0 && q.tailLines < len(lines) {
		lines = lines[len(lines)-q.tailLines:]
	}
	var b strings.Builder
	for _, l := range lines {
		if q.timestamps {
			b.WriteString(l.at.UTC().Format(time.RFC3339Nano) + " ")
		}
		b.WriteString(l.text + "\n")
	}
	out := []byte(b.String())
	if q.limitBytes > 0 && q.limitBytes < len(out) {
		out = out[:q.limitBytes]
	}
	return out
}

// registerNode creates NodeName, pointing at the fake kubelet, and writes a
// Ready status as a kubelet would.
func (e *Env) registerNode(ctx context.Context) error {
	e.Kubelet.streams.setPods(e.Clientset("admin").CoreV1())
	nodes := e.Clientset("admin").CoreV1().Nodes()
	node, err := nodes.Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: e.NodeName, Labels: map[string]string{
			"kubernetes.io/hostname":      e.NodeName,
			"kubernetes.io/os":            "linux",
			"kubernetes.io/arch":          "amd64",
			"topology.kubernetes.io/zone": "local-a",
		}},
		Spec: corev1.NodeSpec{PodCIDR: "10.244.0.0/24", PodCIDRs: []string{"10.244.0.0/24"}},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating node %s: %w", e.NodeName, err)
	}
	node.Status = nodeStatus(e.NodeName, e.Kubelet.Port)
	if _, err := nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("writing the status of node %s: %w", e.NodeName, err)
	}
	return nil
}

func nodeStatus(name string, port int) corev1.NodeStatus {
	now := metav1.Now()
	resources := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("4"),
		corev1.ResourceMemory:           resource.MustParse("16Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	cond := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	return corev1.NodeStatus{
		Capacity:    resources,
		Allocatable: resources,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
			{Type: corev1.NodeHostName, Address: name},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(port)}},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               "6f2d1c0e9b8a4f3e8d7c6b5a49382716",
			SystemUUID:              "4c4c4544-0042-3510-8052-b4c04f4d3232",
			BootID:                  "b1e7f0a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
			KernelVersion:           "6.8.0-49-generic",
			OSImage:                 "Ubuntu 24.04.1 LTS",
			ContainerRuntimeVersion: "containerd://1.7.24",
			KubeletVersion:          "v1.34.4",
			OperatingSystem:         "linux",
			Architecture:            "amd64",
		},
	}
}
