package clusters

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// Two users of one server: alice's calls must not get a cluster skipped for
// bob, and a cluster that is really down is skipped for both.
var (
	alice = &identity.Identity{User: "alice", Groups: []string{"system:masters"}}
	bob   = &identity.Identity{User: "bob"}
)

func asUser(t *testing.T, id *identity.Identity) context.Context {
	return identity.NewContext(t.Context(), id)
}

// outageManager serves the shared test cluster as "live" and other as
// "other", reached as each caller, each asked for at most timeout.
func outageManager(t *testing.T, other *testenv.Env, timeout time.Duration) *Manager {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := testenv.WriteKubeconfig(path, "admin", "live", map[string]*testenv.Env{"live": env, "other": other}); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Kubeconfig: path, Credentials: Impersonate, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// versionOf is a quick call: the cluster's version, as the caller.
func versionOf(m *Manager) func(ctx context.Context, name string) (string, error) {
	return func(ctx context.Context, name string) (string, error) {
		kc, err := m.Get(ctx, name)
		if err != nil {
			return "", err
		}
		body, err := kc.Typed.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(ctx)
		return string(body), err
	}
}

// TestSlowCallIsNotAnOutage: alice's calls that time out or fail on their
// own account leave the live cluster to bob's fan-out right after.
func TestSlowCallIsNotAnOutage(t *testing.T) {
	bobFans := func(t *testing.T, m *Manager) {
		t.Helper()
		var asked atomic.Int32
		_, o := Fan(asUser(t, bob), m, []string{"live"}, func(ctx context.Context, name string) (string, error) {
			asked.Add(1)
			return versionOf(m)(ctx, name)
		}, nil)
		if o[0].Err != nil || asked.Load() != 1 {
			t.Errorf("bob's fan-out right after: %+v, asked %d times; want the live cluster asked", o[0], asked.Load())
		}
	}
	tests := []struct {
		name    string
		call    func(m *Manager) func(ctx context.Context, name string) (int, error)
		cancel  bool // alice gives up meanwhile
		timeout bool
	}{
		{name: "a watch cut by the timeout", call: watchNamespaces, timeout: true},
		{name: "a call that dials elsewhere", call: func(*Manager) func(ctx context.Context, name string) (int, error) {
			return func(ctx context.Context, _ string) (int, error) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+closedAddr(t), nil)
				_, err := http.DefaultClient.Do(req) // like a chart repository that is down
				return 0, err
			}
		}},
		{name: "a caller who gives up", call: watchNamespaces, cancel: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := outageManager(t, env, time.Second)
			ctx, cancel := context.WithCancel(asUser(t, alice))
			defer cancel()
			if tt.cancel {
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			_, o := Fan(ctx, m, []string{"live"}, tt.call(m), nil)
			if o[0].Err == nil || errors.Is(o[0].Err, ErrTimeout) != tt.timeout {
				t.Errorf("alice's call: %+v, want it to fail (timed out: %v)", o[0], tt.timeout)
			}
			bobFans(t, m)
		})
	}
}

// watchNamespaces is a call long by design: it watches until cut off.
func watchNamespaces(m *Manager) func(ctx context.Context, name string) (int, error) {
	return func(ctx context.Context, name string) (int, error) {
		kc, err := m.Get(ctx, name)
		if err != nil {
			return 0, err
		}
		w, err := kc.Typed.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, err
		}
		defer w.Stop()
		n := 0
		for range w.ResultChan() {
			n++
		}
		return n, ctx.Err()
	}
}

// TestOutageMarksCluster: a cluster whose apiserver is hung or stopped is
// put in backoff by alice's call, and bob's fan-out right after skips it,
// saying why, while the live one answers.
func TestOutageMarksCluster(t *testing.T) {
	other, err := testenv.Start(context.Background(), testenv.Options{})
	if other != nil {
		t.Cleanup(func() { other.Stop() })
	}
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		outage  func() error
		restore func() error
		want    string
	}{
		{"hung", other.PauseAPIServer, other.ResumeAPIServer, "did not answer GET /version"},
		{"stopped", other.StopAPIServer, nil, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := outageManager(t, other, time.Second)
			if err := tt.outage(); err != nil {
				t.Fatal(err)
			}
			if tt.restore != nil {
				defer tt.restore()
			}
			// A stopped process may still finish what it was doing.
			testenv.Eventually(t, 10*time.Second, "the apiserver to stop answering", func() bool {
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				_, err := versionOf(m)(identity.NewContext(ctx, bob), "other")
				return err != nil
			})
			both := []string{"live", "other"}
			if _, o := Fan(asUser(t, alice), m, both, versionOf(m), nil); o[0].Err != nil || o[1].Err == nil || o[1].Skipped() {
				t.Errorf("alice's fan-out: %+v, want other to fail", o)
			}
			_, o := Fan(asUser(t, bob), m, both, versionOf(m), nil)
			if o[0].Err != nil || !o[1].Skipped() || !strings.Contains(o[1].Err.Error(), tt.want) {
				t.Errorf("bob's fan-out right after: %+v, want other skipped: %s", o, tt.want)
			}
		})
	}
}

// TestExtend: a call that extends its per-cluster timeout by what it waits
// by design is not cut short, and the timeout it reports counts the
// extension; outside a fan-out Extend does nothing.
func TestExtend(t *testing.T) {
	m := fleetManager(t, Options{Timeout: 200 * time.Millisecond}, "a", "b")
	_, o := Fan(t.Context(), m, []string{"a", "b"}, func(ctx context.Context, name string) (string, error) {
		Extend(ctx, 300*time.Millisecond)
		wait := map[string]time.Duration{"a": 400 * time.Millisecond, "b": time.Hour}[name]
		select {
		case <-time.After(wait):
			return "watched", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}, nil)
	if o[0].Err != nil {
		t.Errorf("a call within its extended time: %+v", o[0])
	}
	if !errors.Is(o[1].Err, ErrTimeout) || !strings.Contains(o[1].Err.Error(), "no answer within 500ms") {
		t.Errorf("a call beyond its extended time: %+v", o[1])
	}
	Extend(t.Context(), time.Second)
}
