package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	utilexec "k8s.io/utils/exec"
)

// streamPod creates a Running pod with one container whose env takes a value
// from the planted Secret, in a namespace of its own.
func streamPod(t *testing.T, prefix string) *corev1.Pod {
	t.Helper()
	cs := env.Clientset("admin")
	ns := env.Namespace(t, prefix)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "shell", Namespace: ns},
		Spec: corev1.PodSpec{NodeName: NodeName, Containers: []corev1.Container{{Name: "main", Image: "busybox", Env: []corev1.EnvVar{
			{Name: "MODE", Value: "test"},
			{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: SecretName}, Key: "password"}}},
		}}}},
	}
	created, err := cs.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status.Phase = corev1.PodRunning
	if created, err = cs.CoreV1().Pods(ns).UpdateStatus(t.Context(), created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return created
}

// executors are the ways client-go execs: SPDY, WebSocket (which the
// apiserver translates to SPDY for the kubelet) and kubectl's fallback.
func executors(t *testing.T, u *url.URL) map[string]remotecommand.Executor {
	cfg := env.RESTConfig("admin")
	spdyExec, err := remotecommand.NewSPDYExecutor(cfg, "POST", u)
	if err != nil {
		t.Fatal(err)
	}
	wsExec, err := remotecommand.NewWebSocketExecutor(cfg, "GET", u.String())
	if err != nil {
		t.Fatal(err)
	}
	fallback, err := remotecommand.NewFallbackExecutor(wsExec, spdyExec, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]remotecommand.Executor{"spdy": spdyExec, "websocket": wsExec, "fallback": fallback}
}

func execURL(pod *corev1.Pod, container string, cmd []string, stdin bool) *url.URL {
	return env.Clientset("admin").CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).
		SubResource("exec").VersionedParams(&corev1.PodExecOptions{Container: container, Command: cmd, Stdin: stdin, Stdout: true, Stderr: true},
		scheme.ParameterCodec).URL()
}

// TestExecThroughAPIServer runs the fake runtime's commands through the
// real apiserver's pods/exec proxy, over each protocol client-go speaks.
func TestExecThroughAPIServer(t *testing.T) {
	pod := streamPod(t, "exec-test")
	tests := []struct {
		name       string
		cmd        []string
		stdin      string
		out, errs  string
		code       int
		wantErr    string
		cancelFrom time.Duration // cancel the exec this long after it starts
		ends       bool          // the command ends on the kubelet once the client left
	}{
		{name: "echo", cmd: []string{"echo", "hello", "world"}, out: "hello world\n"},
		{name: "hostname", cmd: []string{"hostname"}, out: "shell\n"},
		{name: "cat hostname", cmd: []string{"cat", "/etc/hostname"}, out: "shell\n"},
		{name: "env", cmd: []string{"env"}, out: "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=shell\nMODE=test\nDB_PASSWORD=<secretKeyRef db-credentials/password>\n"},
		{name: "stdin", cmd: []string{"cat"}, stdin: "line one\nline two\n", out: "line one\nline two\n"},
		{name: "exit code", cmd: []string{"exit", "3"}, code: 3},
		{name: "not found", cmd: []string{"nosuch", "x"}, errs: "nosuch: command not found\n", code: 127},
		{name: "no file", cmd: []string{"cat", "/etc/passwd"}, errs: "cat: /etc/passwd: No such file or directory\n", code: 1},
		{name: "sleep", cmd: []string{"sleep", "0.2"}},
		{name: "sleep cancelled", cmd: []string{"sleep", "2"}, cancelFrom: 300 * time.Millisecond, wantErr: "context canceled"},
		{name: "yes cancelled", cmd: []string{"yes"}, cancelFrom: 300 * time.Millisecond, wantErr: "context canceled", ends: true},
	}
	for _, proto := range []string{"spdy", "websocket", "fallback"} {
		for _, tt := range tests {
			t.Run(proto+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				if tt.cancelFrom > 0 {
					time.AfterFunc(tt.cancelFrom, cancel)
				}
				var out, errs bytes.Buffer
				opts := remotecommand.StreamOptions{Stdout: &out, Stderr: &errs}
				if tt.stdin != "" {
					opts.Stdin = strings.NewReader(tt.stdin)
				}
				start := time.Now()
				err := executors(t, execURL(pod, "main", tt.cmd, tt.stdin != ""))[proto].StreamWithContext(ctx, opts)
				checkExec(t, err, tt.code, tt.wantErr)
				if tt.wantErr != "" {
					if took := time.Since(start); took > 10*time.Second {
						t.Errorf("cancelled exec took %v", took)
					}
					if tt.ends {
						waitNoExecs(t)
					}
					return
				}
				if out.String() != tt.out || errs.String() != tt.errs {
					t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errs.String(), tt.out, tt.errs)
				}
			})
		}
	}
	t.Run("no such container", func(t *testing.T) {
		err := executors(t, execURL(pod, "nope", []string{"echo"}, false))["spdy"].StreamWithContext(t.Context(), remotecommand.StreamOptions{Stdout: io.Discard})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("err = %v, want the apiserver to name the missing container", err)
		}
	})
}

// waitNoExecs waits for the fake kubelet to end every exec: a command that
// writes to a client that left fails, and the apiserver closes its stream.
func waitNoExecs(t *testing.T) {
	t.Helper()
	Eventually(t, 10*time.Second, "the kubelet's execs ending after the client left", func() bool { return env.Kubelet.RunningExecs() == 0 })
}

// TestFakeRuntimeCancel: a command ends when its exec is cancelled, which
// happens when the apiserver closes the stream.
func TestFakeRuntimeCancel(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}}}}
	for _, cmd := range [][]string{{"sleep", "60"}, {"yes"}} {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := fakeRuntime{pod: pod}.ExecInContainer(ctx, "", "", "main", cmd, nil, nopCloser{io.Discard}, nil, false, nil, 0)
		if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
			t.Errorf("%v: err %v after %v, want context.Canceled at once", cmd, err, time.Since(start))
		}
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func checkExec(t *testing.T, err error, code int, wantErr string) {
	t.Helper()
	var exitErr utilexec.ExitError
	switch {
	case wantErr != "":
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("err = %v, want %q", err, wantErr)
		}
	case code != 0:
		if !errors.As(err, &exitErr) || exitErr.ExitStatus() != code {
			t.Errorf("err = %v, want exit code %d", err, code)
		}
	case err != nil:
		t.Errorf("err = %v", err)
	}
}

// TestPortForwardThroughAPIServer forwards a local port through the real
// apiserver's pods/portforward proxy to a server the test runs as the pod's
// port 8080, over SPDY and over WebSocket.
func TestPortForwardThroughAPIServer(t *testing.T) {
	pod := streamPod(t, "portforward-test")
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	defer target.Close()
	env.Kubelet.SetPortTarget(pod.Namespace, pod.Name, 8080, target.Listener.Addr().String())

	cfg := env.RESTConfig("admin")
	u := env.Clientset("admin").CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	wsDialer, err := portforward.NewSPDYOverWebsocketDialer(u, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, dialer := range map[string]httpstream.Dialer{"spdy": spdyDialer, "websocket": wsDialer} {
		t.Run(name, func(t *testing.T) {
			local := forward(t, dialer, "0:8080")
			for _, path := range []string{"/one", "/two"} {
				if got := get(t, fmt.Sprintf("http://127.0.0.1:%d%s", local, path)); got != "hello from "+path {
					t.Errorf("GET %s = %q", path, got)
				}
			}
		})
	}
	t.Run("no listener", func(t *testing.T) {
		local := forward(t, spdyDialer, "0:9999")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d/", local))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET through a port nothing listens on: %s, want an error", resp.Status)
		}
	})
}

// forward starts a port-forward on 127.0.0.1 and returns its local port.
func forward(t *testing.T, dialer httpstream.Dialer, ports string) uint16 {
	t.Helper()
	stop, ready := make(chan struct{}), make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{ports}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pf.ForwardPorts() }()
	t.Cleanup(func() { close(stop); <-done })
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("port-forward: %v", err)
	}
	got, err := pf.GetPorts()
	if err != nil {
		t.Fatal(err)
	}
	return got[0].Local
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
