package pods

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// servePods serves the toolset with port_forward, as for one local user, as
// o says, and closes it (ending its port-forwards) when the test ends, as
// the server does when it stops.
func servePods(t *testing.T, o toolsettest.Options) (*toolsettest.Session, *Pods) {
	t.Helper()
	var set *Pods
	cs := toolsettest.ServeWith(t, o, func(d toolset.Deps) *Pods { set = New(d, Options{PortForward: true}); return set })
	t.Cleanup(func() { _ = set.Close() })
	return cs, set
}

// webPod creates a Running, Ready pod labelled app=web whose container
// names port 8080 "http", and makes the fake kubelet forward its port 8080
// to a test server answering "hello from PATH".
func webPod(t *testing.T, ns, name string, phase corev1.PodPhase) {
	t.Helper()
	api := env.Clientset("admin").CoreV1().Pods(ns)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}}
	created, err := api.Create(t.Context(), pod, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	created.Status.Phase = phase
	created.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	_, err = api.UpdateStatus(t.Context(), created, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	t.Cleanup(target.Close)
	env.Kubelet.SetPortTarget(ns, name, 8080, target.Listener.Addr().String())
}

func httpGet(t *testing.T, addr, path string) string {
	t.Helper()
	// A new connection each time: a kept-alive one would outlive the session.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + path)
	toolsettest.Must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	toolsettest.Must(t, err)
	return string(body)
}

func closed(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		conn.Close()
	}
	return err != nil
}

// started starts a port-forward as args say and returns the answer and the
// session.
func started(t *testing.T, cs *toolsettest.Session, args map[string]any) (string, Session) {
	t.Helper()
	args["action"] = "start"
	var out ForwardOut
	text := cs.OK(t, "port_forward", args, &out)
	if len(out.Sessions) != 1 {
		t.Fatalf("start answered sessions %+v, want the one started", out.Sessions)
	}
	return text, out.Sessions[0]
}

func TestPortForward(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	cs, _ := servePods(t, toolsettest.Options{})

	text, s := started(t, cs, map[string]any{"namespace": ns, "name": "web-1", "ports": []string{"8080"}})
	toolsettest.Want(t, text, "Session pf-", "forwards to pod "+ns+"/web-1", "-> port 8080", "after 10m0s without traffic", `port_forward {"action":"stop","id":"`+s.ID)
	if len(s.Ports) != 1 || !strings.HasPrefix(s.Ports[0].Local, "127.0.0.1:") || s.Ports[0].Remote != 8080 || s.Ended != "" {
		t.Fatalf("session %+v", s)
	}
	local := s.Ports[0].Local
	for _, path := range []string{"/one", "/two"} {
		if got := httpGet(t, local, path); got != "hello from "+path {
			t.Errorf("GET %s through the forward = %q", path, got)
		}
	}

	var list ForwardOut
	text = cs.OK(t, "port_forward", map[string]any{"action": "list"}, &list)
	toolsettest.Want(t, text, s.ID, ns+"/web-1", local+"->8080", "running")
	if len(list.Sessions) != 1 || list.Sessions[0].BytesSent == 0 || list.Sessions[0].BytesReceived == 0 || list.Sessions[0].LastUsed.Before(s.Started) {
		t.Errorf("list %+v", list)
	}

	cs.Call(t, "port_forward", map[string]any{"action": "stop", "id": s.ID}).Expect(t, false, "Stopped session "+s.ID, "local ports are closed", "bytes to the pod")
	if !closed(local) {
		t.Errorf("%s still accepts connections after the stop", local)
	}
	cs.Call(t, "port_forward", map[string]any{"action": "stop", "id": s.ID}).Expect(t, false, "had already ended: stopped")
	cs.Call(t, "port_forward", map[string]any{"action": "list"}).Expect(t, false, s.ID, "ended: stopped")
	cs.Call(t, "port_forward", map[string]any{"action": "stop", "id": "pf-nosuch"}).Expect(t, true, `no port-forward session "pf-nosuch"`, `port_forward {"action":"list"}`)
}

// TestPortForwardArguments: an unknown action, a stop without id and
// arguments of another action are refused, naming what is wrong.
func TestPortForwardArguments(t *testing.T) {
	cs, _ := servePods(t, toolsettest.Options{})
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"action": "open"}, `action "open": want start, list or stop`},
		{map[string]any{"action": "stop"}, "action stop needs the id"},
		{map[string]any{"action": "list", "id": "pf-1", "ports": []string{"80"}}, "action list takes no ports (for start), id (for stop)"},
		{map[string]any{"action": "start", "name": "web-1", "ports": []string{"80"}, "id": "pf-1"}, "action start takes no id (for stop)"},
	} {
		cs.Call(t, "port_forward", tt.args).Expect(t, true, tt.want)
	}
}

func TestPortForwardServiceAndDeployment(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	_, err := env.Clientset("admin").CoreV1().Services(ns).Create(t.Context(), &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}}}},
		metav1.CreateOptions{})
	toolsettest.Must(t, err)
	labels := map[string]string{"app": "web"}
	_, err = env.Clientset("admin").AppsV1().Deployments(ns).Create(t.Context(), &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}}}}},
		metav1.CreateOptions{})
	toolsettest.Must(t, err)
	cs, _ := servePods(t, toolsettest.Options{})

	for _, tt := range []struct{ name, port, want string }{
		{"service/web", "80", "service port 80 is pod port 8080 (http)"},
		{"deploy/web", "0:8080", "(of deployment " + ns + "/web)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, s := started(t, cs, map[string]any{"namespace": ns, "name": tt.name, "ports": []string{tt.port}})
			toolsettest.Want(t, text, "pod "+ns+"/web-1", tt.want)
			if got := httpGet(t, s.Ports[0].Local, "/svc"); got != "hello from /svc" {
				t.Errorf("GET through %s = %q", tt.name, got)
			}
		})
	}
}

func TestPortForwardIdle(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	cs, _ := servePods(t, toolsettest.Options{})
	_, s := started(t, cs, map[string]any{"namespace": ns, "name": "web-1", "ports": []string{"8080"}, "idle_timeout": "1s"})
	httpGet(t, s.Ports[0].Local, "/") // traffic: the idle time starts again
	// Watch through the list, not by connecting: a connection is traffic.
	var list ForwardOut
	testenv.Eventually(t, 10*time.Second, "the idle session ending", func() bool {
		cs.OK(t, "port_forward", map[string]any{"action": "list"}, &list)
		return list.Sessions[0].Ended != ""
	})
	if got := list.Sessions[0]; got.Ended != "idle for 1s" || got.LastUsed.Sub(got.Started) <= 0 {
		t.Fatalf("session %+v, want it ended idle after its traffic", got)
	}
	if !closed(s.Ports[0].Local) {
		t.Error("an idle session still listens")
	}
	cs.Call(t, "port_forward", map[string]any{"action": "list"}).Expect(t, false, s.ID, "ended: idle for 1s")
}

func TestPortForwardRefusals(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	webPod(t, ns, "pending", corev1.PodPending)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	toolsettest.Must(t, err)
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	cs, _ := servePods(t, toolsettest.Options{})
	for _, tt := range []struct {
		name string
		args map[string]any
		want []string
	}{
		{"bad ports", map[string]any{"name": "web-1", "ports": []string{"http", "1:2:3", "0"}}, []string{`port "http"`, `port "1:2:3"`, `port "0"`}},
		{"no ports", map[string]any{"name": "web-1", "ports": []string{}}, []string{"ports is required"}},
		{"bad idle", map[string]any{"name": "web-1", "ports": []string{"80"}, "idle_timeout": "forever"}, []string{`idle_timeout "forever"`}},
		{"local port busy", map[string]any{"name": "web-1", "ports": []string{busyPort + ":8080"}}, []string{"local port " + busyPort + " is not available"}},
		{"port too long", map[string]any{"name": "web-1", "ports": []string{strings.Repeat("9", 10000)}}, []string{`port "99999999999999999999": want`}},
		{"not found", map[string]any{"name": "ghost", "ports": []string{"80"}}, []string{`pods "ghost" not found`, "pods_list"}},
		{"not running", map[string]any{"name": "pending", "ports": []string{"80"}}, []string{"not Running"}},
		{"bad kind", map[string]any{"name": "job/x", "ports": []string{"80"}}, []string{"service/NAME or deployment/NAME"}},
		{"service port", map[string]any{"name": "svc/ghost", "ports": []string{"80"}}, []string{`services "ghost" not found`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.args["action"], tt.args["namespace"] = "start", ns
			cs.Call(t, "port_forward", tt.args).Expect(t, true, tt.want...)
		})
	}
}

// TestPortForwardRBACFirst: a caller the cluster does not let forward is
// refused before kubemcp looks at a local port, so the answer says nothing
// about kubemcp's host; and no one can make kubemcp check a long list of
// ports, which once let a caller with no access scan the host's loopback.
func TestPortForwardRBACFirst(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	toolsettest.Must(t, err)
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	start := map[string]any{"action": "start", "namespace": ns, "name": "web-1", "ports": []string{busyPort + ":8080", "8081"}}
	alice, _ := servePods(t, toolsettest.Options{User: "alice"})

	for _, n := range []int{maxForwardPorts + 1, 1000} {
		ports := make([]string, n)
		for i := range ports {
			ports[i] = strconv.Itoa(20000+i) + ":80"
		}
		r := alice.Call(t, "port_forward", map[string]any{"action": "start", "namespace": ns, "name": "web-1", "ports": ports})
		r.Expect(t, true, "ports: at most 10 in one session, not "+strconv.Itoa(n))
		if strings.Contains(r.Text, "20000") || strings.Contains(r.Text, "local port") {
			t.Errorf("%d ports: the refusal names ports: %s", n, r.Text)
		}
	}
	t.Run("no access", func(t *testing.T) {
		r := alice.Call(t, "port_forward", start)
		r.Expect(t, true, "forbidden")
		if strings.Contains(r.Text, busyPort) || strings.Contains(r.Text, "local port") {
			t.Errorf("a caller with no access learned about local ports: %s", r.Text)
		}
	})
	t.Run("may read, not forward", func(t *testing.T) {
		grantGetPods(t, ns, "alice")
		r := alice.Call(t, "port_forward", start)
		r.Expect(t, true, "forbidden", `"create" on pods/portforward for pod `+ns+"/web-1")
		if strings.Contains(r.Text, busyPort) || strings.Contains(r.Text, "local port") {
			t.Errorf("a caller who may not forward learned about local ports: %s", r.Text)
		}
	})
}

// TestPortForwardPerCaller: a caller at their limit of sessions stops no
// one else. port_forward is offered only to one local user, so the served
// toolset has one caller; two are made by calling the handler with the
// identities the server would bind into each call's context, because whose
// sessions count is decided by identity.Caller(ctx) whoever the callers are.
func TestPortForwardPerCaller(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	_, set := servePods(t, toolsettest.Options{})
	start := func(user string) error {
		ctx := identity.NewContext(t.Context(), &identity.Identity{User: user})
		_, _, err := set.forward(ctx, nil, ForwardIn{Action: "start", Namespace: ns, Name: "web-1", Ports: []string{"8080"}})
		return err
	}
	for range maxForwardsPerCaller {
		toolsettest.Must(t, start("ann"))
	}
	if err := start("ann"); err == nil || !strings.Contains(err.Error(), "you already have 20 port-forward sessions") || !strings.Contains(err.Error(), "action stop") {
		t.Fatalf("ann's session beyond her limit: %v", err)
	}
	if err := start("ben"); err != nil {
		t.Fatalf("ben, with ann at her limit: %v", err)
	}
}

// TestPortForwardReadOnly: the policy beneath the clients refuses the
// forward, and nothing listens.
func TestPortForwardReadOnly(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	cs, _ := servePods(t, toolsettest.Options{ReadOnly: true})
	cs.Call(t, "port_forward", map[string]any{"action": "start", "namespace": ns, "name": "web-1", "ports": []string{"8080"}}).
		Expect(t, true, "read-only", "kubemcp's own policy")
	cs.Call(t, "port_forward", map[string]any{"action": "list"}).Expect(t, false, "No port-forward sessions")
}

// TestPortForwardClose: closing the toolset, as the server does when it
// stops, ends the sessions and refuses new ones.
func TestPortForwardClose(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	webPod(t, ns, "web-1", corev1.PodRunning)
	cs, set := servePods(t, toolsettest.Options{})
	_, s := started(t, cs, map[string]any{"namespace": ns, "name": "web-1", "ports": []string{"8080"}})
	toolsettest.Must(t, set.Close())
	if !closed(s.Ports[0].Local) {
		t.Error("a session still listens after Close")
	}
	cs.Call(t, "port_forward", map[string]any{"action": "list"}).Expect(t, false, "ended: the server stopped")
	cs.Call(t, "port_forward", map[string]any{"action": "start", "namespace": ns, "name": "web-1", "ports": []string{"8080"}}).Expect(t, true, "shutting down")
}

// TestForwardsOwners: a caller sees and stops only their own sessions.
func TestForwardsOwners(t *testing.T) {
	fs := newForwards()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}}
	mine := newForward("alice", pod, time.Minute)
	toolsettest.Must(t, fs.add(mine))
	if _, ok := fs.get("bob", mine.id); ok {
		t.Error("bob got alice's session")
	}
	if _, ok := fs.get("alice", mine.id); !ok {
		t.Error("alice did not get her session")
	}
	if got := fs.list("bob"); len(got) != 0 {
		t.Errorf("bob lists %d sessions", len(got))
	}
}

// TestToolAnnotations: every write of this toolset but port_forward may
// replace what is there; port_forward only adds sessions and ends the
// caller's own, but each start adds another.
func TestToolAnnotations(t *testing.T) {
	cs, _ := servePods(t, toolsettest.Options{})
	cs.WantAnnotations(t, map[string]toolsettest.Hints{ // readOnly, destructive, idempotent
		"pods_list": {true, false, true}, "pods_get": {true, false, true}, "pods_logs": {true, false, true},
		"pods_top": {true, false, true}, "nodes_top": {true, false, true},
		"pods_delete": {false, true, true}, "pods_exec": {false, true, false},
		"port_forward": {false, false, false},
	})
}

// TestForwardActsOn: confirmation rules see a start as acting on a Pod in
// its namespace, and list and stop as acting on nothing in the cluster.
func TestForwardActsOn(t *testing.T) {
	for _, tt := range []struct {
		in              ForwardIn
		kind, namespace string
	}{
		{ForwardIn{Action: "start", Namespace: "shop", Name: "web-1"}, "Pod", "shop"},
		{ForwardIn{Action: " Start "}, "Pod", ""},
		{ForwardIn{Action: "list"}, "", ""},
		{ForwardIn{Action: "stop", ID: "pf-1"}, "", ""},
	} {
		if kind, ns := tt.in.ActsOn(); kind != tt.kind || ns != tt.namespace {
			t.Errorf("%+v acts on %q in %q, want %q in %q", tt.in, kind, ns, tt.kind, tt.namespace)
		}
	}
}
