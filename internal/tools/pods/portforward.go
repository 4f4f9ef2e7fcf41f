package pods

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ForwardIn says which port-forward action to take, and its arguments.
type ForwardIn struct {
	toolset.Target
	toolset.Approval
	Action      string   `json:"action" jsonschema:"start, list or stop"`
	Namespace   string   `json:"namespace,omitempty"`
	Name        string   `json:"name,omitempty" jsonschema:"start: pod, service/NAME or deployment/NAME"`
	Ports       []string `json:"ports,omitempty" jsonschema:"start: LOCAL:REMOTE, or REMOTE for a free local port"`
	IdleTimeout string   `json:"idle_timeout,omitempty" jsonschema:"start: default 10m, max 24h"`
	ID          string   `json:"id,omitempty" jsonschema:"stop: the session's"`
}

// ActsOn implements toolset.Acting, for confirmation rules: start forwards
// to a Pod; list and stop touch only kubemcp's own sessions, no kind in any
// namespace, so only a rule that names no kind or namespace covers them.
func (in ForwardIn) ActsOn() (kind, namespace string) {
	if strings.EqualFold(strings.TrimSpace(in.Action), "start") {
		return "Pod", in.Namespace
	}
	return "", ""
}

// Session is a port-forward session.
type Session struct {
	ID            string    `json:"id"`
	Namespace     string    `json:"namespace"`
	Pod           string    `json:"pod"`
	Ports         []Port    `json:"ports"`
	Started       time.Time `json:"started"`
	LastUsed      time.Time `json:"last_used"`
	IdleTimeout   string    `json:"idle_timeout"`
	BytesSent     int64     `json:"bytes_sent" jsonschema:"to the pod"`
	BytesReceived int64     `json:"bytes_received"`
	Ended         string    `json:"ended,omitempty" jsonschema:"why it ended; empty while it runs"`
}

// Port is a local address on kubemcp's host forwarded to a port of the pod.
type Port struct {
	Local  string `json:"local"`
	Remote int    `json:"remote"`
}

// ForwardOut is the session started or stopped, or (list) every session of
// the caller's.
type ForwardOut struct {
	Sessions []Session `json:"sessions"`
}

// portForward is kubectl port-forward as sessions kubemcp keeps. Starting
// one adds listeners and changes nothing in the cluster; stopping one ends
// only a session of the caller's own; so the tool is not destructive. A
// start opens another session each time: not idempotent.
func (p *Pods) portForward() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "port_forward",
		Description: "Forward ports on kubemcp's host to a pod, service or deployment until stopped or idle; list or stop sessions.",
		Annotations: toolset.Writes("Port-forward", false, false),
	}, p.forward)
}

func (p *Pods) forward(ctx context.Context, _ *mcp.CallToolRequest, in ForwardIn) (string, ForwardOut, error) {
	out := ForwardOut{Sessions: []Session{}}
	action := strings.ToLower(strings.TrimSpace(in.Action))
	if err := in.fits(action); err != nil {
		return "", out, err
	}
	var text string
	var err error
	switch action {
	case "start":
		var s Session
		text, s, err = p.forwardStart(ctx, in)
		out.Sessions = append(out.Sessions, s)
	case "list":
		return p.forwardList(ctx)
	case "stop":
		var s Session
		text, s, err = p.forwardStop(ctx, in.ID)
		out.Sessions = append(out.Sessions, s)
	}
	return text, out, err
}

// fits refuses an unknown action and arguments only another action takes,
// which the call would otherwise silently ignore (list and stop ignore the
// namespace and cluster, as they do any of the caller's sessions).
func (in ForwardIn) fits(action string) error {
	var stray []string
	for _, a := range []struct {
		name, action string
		set          bool
	}{
		{"name", "start", in.Name != ""}, {"ports", "start", len(in.Ports) > 0}, {"idle_timeout", "start", in.IdleTimeout != ""},
		{"id", "stop", in.ID != ""},
	} {
		if a.set && a.action != action {
			stray = append(stray, a.name+" (for "+a.action+")")
		}
	}
	switch {
	case action != "start" && action != "list" && action != "stop":
		return fmt.Errorf("action %q: want start, list or stop", in.Action)
	case len(stray) > 0:
		return fmt.Errorf("action %s takes no %s", action, strings.Join(stray, ", "))
	case action == "stop" && in.ID == "":
		return errors.New(`action stop needs the id of a session; port_forward {"action":"list"} shows them`)
	}
	return nil
}

// Close ends every port-forward session; the server calls it when it stops.
func (p *Pods) Close() error {
	p.forwards.closeAll()
	return nil
}

func (p *Pods) forwardStart(ctx context.Context, in ForwardIn) (string, Session, error) {
	out := Session{Ports: []Port{}}
	specs, idle, err := in.check()
	if err != nil {
		return "", out, err
	}
	owner := identity.Caller(ctx)
	if err := p.forwards.room(owner); err != nil {
		return "", out, err
	}
	kc, err := p.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	t, err := resolveTarget(ctx, kc, cmp.Or(in.Namespace, kc.Namespace), in.Name, specs)
	if err != nil {
		return "", out, err
	}
	// The cluster decides before kubemcp looks at a local port, so that a
	// caller it refuses learns nothing about kubemcp's host.
	if err := mayForward(ctx, kc, t.pod); err != nil {
		return "", out, err
	}
	if err := localFree(specs); err != nil {
		return "", out, err
	}
	f := newForward(owner, t.pod, idle)
	warnings, err := startForward(ctx, kc, f, specs)
	if err != nil {
		return "", out, err
	}
	if err := p.forwards.add(f); err != nil {
		f.end("refused")
		<-f.done
		return "", out, err
	}
	go f.watchIdle()
	out = f.session()
	return startText(out, t, warnings), out, nil
}

func (in ForwardIn) check() ([]portSpec, time.Duration, error) {
	var errs []error
	if in.Name == "" {
		errs = append(errs, errors.New("name is required: a pod, service/NAME or deployment/NAME; pods_list shows the pods"))
	}
	specs, err := parsePorts(in.Ports)
	errs = append(errs, err)
	idle := defaultForwardIdle
	if in.IdleTimeout != "" {
		d, err := parseDuration(in.IdleTimeout)
		if err != nil || d <= 0 || d > maxForwardIdle {
			errs = append(errs, fmt.Errorf("idle_timeout %q: want a duration from 1s to 24h, such as 30s or 10m", in.IdleTimeout))
		}
		idle = d
	}
	return specs, idle, errors.Join(errs...)
}

// localFree checks that the local ports asked for by number can be listened
// on, so that the refusal is clear rather than a port silently left out. It
// says only that a port asked for is taken, nothing else about the host.
func localFree(specs []portSpec) error {
	var errs []error
	for _, s := range specs {
		if s.local == 0 {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.local)))
		if err != nil {
			errs = append(errs, fmt.Errorf("local port %d is not available; pick another, or give only the remote port for a free one", s.local))
			continue
		}
		errs = append(errs, ln.Close())
	}
	return errors.Join(errs...)
}

// startForward dials the pod through the apiserver and listens on the local
// ports; it returns once they listen, or why they could not.
func startForward(ctx context.Context, kc *kube.Client, f *forward, specs []portSpec) (string, error) {
	u := kc.Typed.CoreV1().RESTClient().Post().Resource("pods").Namespace(f.namespace).Name(f.pod).SubResource("portforward").URL()
	dialer, err := newDialer(kc, u)
	if err != nil {
		return "", err
	}
	cd := &countingDialer{Dialer: dialer, f: f}
	ports := make([]string, len(specs))
	for i, s := range specs {
		ports[i] = fmt.Sprintf("%d:%d", s.local, s.remote)
	}
	var errOut syncBuffer
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddresses(cd, []string{"127.0.0.1"}, ports, f.stop, ready, io.Discard, &errOut)
	if err != nil {
		return "", err
	}
	go f.run(pf)
	select {
	case <-ready:
	case <-f.done:
		if cd.dialErr != nil {
			return "", toolset.Explain(cd.dialErr, toolset.Op{Verb: "create", Resource: "pods/portforward", Namespace: f.namespace, Name: f.pod})
		}
		return "", fmt.Errorf("port-forward to pod %s/%s: %s", f.namespace, f.pod, f.endReason())
	case <-ctx.Done():
		f.end("the call was cancelled")
		<-f.done
		return "", ctx.Err()
	}
	got, err := pf.GetPorts()
	if err != nil {
		return "", err
	}
	for _, g := range got {
		f.ports = append(f.ports, Port{Local: net.JoinHostPort("127.0.0.1", strconv.Itoa(int(g.Local))), Remote: int(g.Remote)})
	}
	return errOut.String(), nil
}

// newDialer tunnels SPDY over WebSocket or, when something on the way cannot
// upgrade to it, speaks SPDY, as kubectl does.
func newDialer(kc *kube.Client, u *url.URL) (httpstream.Dialer, error) {
	ws, err := portforward.NewSPDYOverWebsocketDialer(u, kc.Config)
	if err != nil {
		return nil, fmt.Errorf("building the WebSocket dialer: %w", err)
	}
	rt, upgrader, err := spdy.RoundTripperFor(kc.Config)
	if err != nil {
		return nil, fmt.Errorf("building the SPDY dialer: %w", err)
	}
	return portforward.NewFallbackDialer(ws, spdy.NewDialer(upgrader, &http.Client{Transport: rt}, "POST", u), func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	}), nil
}

func startText(s Session, t *target, warnings string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Session %s forwards to pod %s/%s", s.ID, s.Namespace, s.Pod)
	if t.via != "" {
		fmt.Fprintf(&b, " (of %s)", t.via)
	}
	b.WriteString(":\n")
	for _, p := range s.Ports {
		fmt.Fprintf(&b, "  %s -> port %d\n", p.Local, p.Remote)
	}
	for _, n := range t.note {
		b.WriteString("Note: " + n + ".\n")
	}
	if warnings != "" {
		b.WriteString(render.Fence("port-forward warnings", warnings))
	}
	fmt.Fprintf(&b, "The addresses are on kubemcp's host. The session ends after %s without traffic, on port_forward {\"action\":\"stop\",\"id\":%q}, or when kubemcp stops.\n",
		s.IdleTimeout, s.ID)
	return b.String()
}

func (p *Pods) forwardList(ctx context.Context) (string, ForwardOut, error) {
	out := ForwardOut{Sessions: []Session{}}
	for _, f := range p.forwards.list(identity.Caller(ctx)) {
		out.Sessions = append(out.Sessions, f.session())
	}
	if len(out.Sessions) == 0 {
		return "No port-forward sessions; action start starts one.\n", out, nil
	}
	now := time.Now()
	t := render.Table{Header: []string{"ID", "POD", "PORTS", "STARTED", "LAST USED", "SENT", "RECEIVED", "STATE"}}
	for _, s := range out.Sessions {
		var ports []string
		for _, p := range s.Ports {
			ports = append(ports, fmt.Sprintf("%s->%d", p.Local, p.Remote))
		}
		state := "running, idle timeout " + s.IdleTimeout
		if s.Ended != "" {
			state = "ended: " + s.Ended
		}
		t.Rows = append(t.Rows, []string{s.ID, s.Namespace + "/" + s.Pod, strings.Join(ports, ","), render.Age(s.Started, now) + " ago",
			render.Age(s.LastUsed, now) + " ago", strconv.FormatInt(s.BytesSent, 10), strconv.FormatInt(s.BytesReceived, 10), state})
	}
	return t.Render(render.MaxBudget, ""), out, nil
}

func (p *Pods) forwardStop(ctx context.Context, id string) (string, Session, error) {
	f, ok := p.forwards.get(identity.Caller(ctx), id)
	if !ok {
		return "", Session{Ports: []Port{}}, fmt.Errorf(`no port-forward session %q of yours; port_forward {"action":"list"} shows them`, id)
	}
	already := f.endReason()
	f.end("stopped")
	<-f.done
	s := f.session()
	if already != "" {
		return fmt.Sprintf("Session %s had already ended: %s. Its ports are closed.\n", s.ID, already), s, nil
	}
	return fmt.Sprintf("Stopped session %s to pod %s/%s; its local ports are closed. It carried %d bytes to the pod and %d back.\n",
		s.ID, s.Namespace, s.Pod, s.BytesSent, s.BytesReceived), s, nil
}

func (f *forward) session() Session {
	ports := append([]Port{}, f.ports...)
	return Session{ID: f.id, Namespace: f.namespace, Pod: f.pod, Ports: ports, Started: f.started, LastUsed: f.lastUse(),
		IdleTimeout: f.idle.String(), BytesSent: f.sent.Load(), BytesReceived: f.received.Load(), Ended: f.endReason()}
}

// syncBuffer is a bytes.Buffer safe for the forwarder's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
