package testenv

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/kubelet/pkg/cri/streaming/portforward"
	remotecommandserver "k8s.io/kubelet/pkg/cri/streaming/remotecommand"
)

// Exec and port-forward on the fake kubelet. The apiserver proxies
// pods/exec and pods/portforward here as it does to a real kubelet, and the
// kubelet's own streaming code (k8s.io/kubelet/pkg/cri/streaming) speaks SPDY
// or WebSocket with it. Only what runs behind the streams is fake, because no
// container runtime can run here: fakeRuntime plays a few commands against
// the pod's spec, and a port-forward dials the address a test set with
// SetPortTarget.

// streamIdleTimeout is the kubelet's default for an idle stream connection.
const streamIdleTimeout = 4 * time.Hour

// streams is the fake kubelet's state for exec and port-forward.
type streams struct {
	mu      sync.Mutex
	pods    corev1client.PodsGetter // set once the apiserver serves
	targets map[portKey]string
	running atomic.Int32 // execs under way, for tests that check an exec ends
}

type portKey struct {
	ns, pod string
	port    int32
}

// routeStreams serves the paths the apiserver calls for exec and
// port-forward, with and without the pod's uid, as the kubelet does.
func (k *Kubelet) routeStreams(mux *http.ServeMux) {
	mux.HandleFunc("/exec/{ns}/{pod}/{container}", k.serveExec)
	mux.HandleFunc("/exec/{ns}/{pod}/{uid}/{container}", k.serveExec)
	mux.HandleFunc("/portForward/{ns}/{pod}", k.servePortForward)
	mux.HandleFunc("/portForward/{ns}/{pod}/{uid}", k.servePortForward)
}

// SetPortTarget makes port-forwards to port of pod ns/pod reach addr, a
// server the test runs (an httptest server, say), as if it listened in the
// pod. A port without a target refuses connections.
func (k *Kubelet) SetPortTarget(ns, pod string, port int32, addr string) {
	k.streams.mu.Lock()
	defer k.streams.mu.Unlock()
	if k.streams.targets == nil {
		k.streams.targets = map[portKey]string{}
	}
	k.streams.targets[portKey{ns, pod, port}] = addr
}

// RunningExecs is how many execs the fake kubelet is running.
func (k *Kubelet) RunningExecs() int { return int(k.streams.running.Load()) }

func (s *streams) setPods(pods corev1client.PodsGetter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pods = pods
}

func (k *Kubelet) target(ns, pod string, port int32) (string, bool) {
	k.streams.mu.Lock()
	defer k.streams.mu.Unlock()
	addr, ok := k.streams.targets[portKey{ns, pod, port}]
	return addr, ok
}

func (k *Kubelet) pod(ctx context.Context, ns, name string) (*corev1.Pod, error) {
	k.streams.mu.Lock()
	pods := k.streams.pods
	k.streams.mu.Unlock()
	if pods == nil {
		return nil, fmt.Errorf("the fake kubelet has no apiserver yet")
	}
	return pods.Pods(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	opts, err := remotecommandserver.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, err := k.pod(r.Context(), r.PathValue("ns"), r.PathValue("pod"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	k.streams.running.Add(1)
	defer k.streams.running.Add(-1)
	remotecommandserver.ServeExec(hangup{w, cancel}, r.WithContext(ctx), fakeRuntime{pod: pod}, pod.Name, pod.UID,
		r.PathValue("container"), r.URL.Query()["command"], opts,
		streamIdleTimeout, remotecommandconsts.DefaultStreamCreationTimeout, remotecommandconsts.SupportedStreamingProtocols)
}

func (k *Kubelet) servePortForward(w http.ResponseWriter, r *http.Request) {
	opts, err := portforward.NewV4Options(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, err := k.pod(r.Context(), r.PathValue("ns"), r.PathValue("pod"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	portforward.ServePortForward(w, r, forwarder{k: k, ns: pod.Namespace}, pod.Name, pod.UID, opts,
		streamIdleTimeout, remotecommandconsts.DefaultStreamCreationTimeout, portforward.SupportedProtocols)
}

// forwarder connects a port-forward stream to the port's target.
type forwarder struct {
	k  *Kubelet
	ns string
}

// PortForward copies both ways until the target closes; when the client
// stops sending, the target's side is half-closed so it can still answer.
func (f forwarder) PortForward(ctx context.Context, pod string, _ types.UID, port int32, stream io.ReadWriteCloser) error {
	addr, ok := f.k.target(f.ns, pod, port)
	if !ok {
		return fmt.Errorf("failed to connect to localhost:%d inside pod %s/%s: connection refused", port, f.ns, pod)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("failed to connect to localhost:%d inside pod %s/%s: %w", port, f.ns, pod, err)
	}
	defer conn.Close()
	go func() {
		_, _ = io.Copy(conn, stream)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	if _, err := io.Copy(stream, conn); err != nil {
		return fmt.Errorf("copying from localhost:%d of pod %s/%s: %w", port, f.ns, pod, err)
	}
	return nil
}

// hangup is a ResponseWriter whose hijacked connection cancels the exec when
// the apiserver closes it: once hijacked, the request's context no longer
// follows the connection. (The apiserver closes it when a client that left is
// written to, or when its own side ends; a silent command outlives its
// client, as it does on a real node.)
type hangup struct {
	http.ResponseWriter
	cancel context.CancelFunc
}

func (h hangup) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	rw.Reader = bufio.NewReader(cancelOnError{rw.Reader, h.cancel})
	return conn, rw, nil
}

// cancelOnError reads r and cancels once reading fails (the peer closed).
type cancelOnError struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c cancelOnError) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.cancel()
	}
	return n, err
}
