package clusters

import (
	"cmp"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// writeContexts writes a kubeconfig at path whose contexts all reach the test
// cluster as admin, the first one current.
func writeContexts(t *testing.T, path string, names ...string) {
	t.Helper()
	envs := map[string]*testenv.Env{}
	for _, n := range names {
		envs[n] = env
	}
	if err := testenv.WriteKubeconfig(path, "admin", cmp.Or(names...), envs); err != nil {
		t.Fatal(err)
	}
}

func names(m *Manager) []string {
	var n []string
	for _, c := range m.List() {
		n = append(n, c.Name)
	}
	return n
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	writeContexts(t, filepath.Join(dir, "fleet", "a"), "x", "y")
	writeContexts(t, filepath.Join(dir, "fleet", "b"), "z")
	writeContexts(t, filepath.Join(dir, "fleet", ".swap"), "hidden")
	fleet := filepath.Join(dir, "fleet")
	// A mounted Secret: its files are links into a hidden directory.
	mounted := filepath.Join(dir, "mounted")
	writeContexts(t, filepath.Join(mounted, "..data", "config"), "s")
	if err := os.Symlink(filepath.Join("..data", "config"), filepath.Join(mounted, "config")); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	inCluster := func() (*rest.Config, error) { return &rest.Config{Host: "https://10.0.0.1"}, nil }
	tests := []struct {
		name    string
		opts    Options
		env     string // $KUBECONFIG
		want    []string
		def     string
		wantErr string
	}{
		{name: "a directory", opts: Options{Kubeconfig: fleet}, want: []string{"x", "y", "z"}, def: "x"},
		{name: "a list", opts: Options{Kubeconfig: filepath.Join(fleet, "b") + ":" + filepath.Join(fleet, "a")}, want: []string{"x", "y", "z"}, def: "z"},
		{name: "a mounted Secret", opts: Options{Kubeconfig: mounted}, want: []string{"s"}, def: "s"},
		{name: "KUBECONFIG skips missing entries", env: missing + ":" + filepath.Join(fleet, "b"), want: []string{"z"}, def: "z"},
		{name: "an explicit missing entry", opts: Options{Kubeconfig: missing}, wantErr: "missing"},
		{name: "include and exclude", opts: Options{Kubeconfig: fleet, Include: []string{"x", "z*"}, Exclude: []string{"z"}}, want: []string{"x"}, def: "x"},
		{name: "the default excluded", opts: Options{Kubeconfig: fleet, Exclude: []string{"x"}}, wantErr: "excluded"},
		{name: "context flag", opts: Options{Kubeconfig: fleet, Context: "y"}, want: []string{"x", "y", "z"}, def: "y"},
		{name: "unknown context", opts: Options{Kubeconfig: fleet, Context: "nope"}, wantErr: `context "nope": unknown cluster; the kubeconfig has: x, y, z`},
		{name: "in a pod too", opts: Options{Kubeconfig: fleet, InCluster: inCluster}, want: []string{"in-cluster", "x", "y", "z"}, def: "x"},
		{name: "in a pod only", opts: Options{Kubeconfig: filepath.Join(dir, "empty"), InCluster: inCluster}, want: []string{"in-cluster"}, def: "in-cluster"},
		{name: "nothing", opts: Options{Kubeconfig: filepath.Join(dir, "empty")}, wantErr: "no cluster configured"},
		{name: "a bad pattern", opts: Options{Kubeconfig: fleet, Include: []string{"["}}, wantErr: `pattern "["`},
	}
	writeContexts(t, filepath.Join(dir, "empty"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			if tt.opts.InCluster == nil {
				tt.opts.InCluster = func() (*rest.Config, error) { return nil, rest.ErrNotInCluster }
			}
			m, err := New(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(m); !slices.Equal(got, tt.want) || m.DefaultName() != tt.def {
				t.Errorf("clusters %v default %q, want %v default %q", got, m.DefaultName(), tt.want, tt.def)
			}
		})
	}
}

// TestRelativePaths: a file a kubeconfig names relative to itself is found
// there, as kubectl finds it.
func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), env.CAData(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: env.Server, CertificateAuthority: "ca.crt"}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: env.Users["admin"].Token}
	cfg.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "c"
	if err := clientcmd.WriteToFile(*cfg, filepath.Join(dir, "config")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // elsewhere, so that only the kubeconfig's directory has ca.crt
	m, err := New(Options{Kubeconfig: filepath.Join(dir, "config")})
	if err != nil {
		t.Fatal(err)
	}
	if report, err := m.Ready(t.Context()); err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
}

func TestSelect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	writeContexts(t, path, "prod-eu", "prod-us", "staging")
	m, err := New(Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec    string
		want    []string
		wantErr string
	}{
		{"", []string{"prod-eu"}, ""},
		{"*", []string{"prod-eu", "prod-us", "staging"}, ""},
		{"staging, prod-eu", []string{"staging", "prod-eu"}, ""},
		{"prod-*", []string{"prod-eu", "prod-us"}, ""},
		{"prod-*,prod-eu", []string{"prod-eu", "prod-us"}, ""},
		{"staging,nope", nil, "no cluster matches nope; configured clusters: prod-eu, prod-us, staging"},
	}
	for _, tt := range tests {
		got, err := m.Select(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrUnknownCluster) {
				t.Errorf("Select(%q): %v, want %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Select(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
		}
	}
	if _, err := m.Get(t.Context(), "*"); err == nil || !strings.Contains(err.Error(), "one cluster at a time") {
		t.Errorf("Get(*): %v", err)
	}
}

func TestReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	// a goes through a proxy, which clientcmd makes a func of: an unchanged
	// proxy-url must not count as a change.
	const proxy = "http://127.0.0.1:3128"
	writeContexts(t, path, "a", "b")
	cfg, _ := clientcmd.LoadFromFile(path)
	cfg.Clusters["a"].ProxyURL = proxy
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	var heard []Change
	m.OnChange(func(c Change) { heard = append(heard, c) })
	a1, _ := m.Get(t.Context(), "a")
	b1, _ := m.Get(t.Context(), "b")
	if c, err := m.Reload(); err != nil || !c.empty(m.DefaultName()) {
		t.Fatalf("reload of an unchanged file: %+v, %v", c, err)
	}

	// b's server moves, c comes, a stays.
	writeContexts(t, path, "a", "b", "c")
	cfg, _ = clientcmd.LoadFromFile(path)
	cfg.Clusters["a"].ProxyURL = proxy
	cfg.Clusters["b"].Server = strings.Replace(env.Server, "127.0.0.1", "localhost", 1)
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	c, err := m.Reload()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Added, []string{"c"}) || !slices.Equal(c.Changed, []string{"b"}) || len(c.Removed) != 0 || len(heard) != 1 {
		t.Errorf("change %+v, heard %d", c, len(heard))
	}
	if a2, _ := m.Get(t.Context(), "a"); a2 != a1 {
		t.Error("an unchanged cluster got a new client")
	}
	if b2, _ := m.Get(t.Context(), "b"); b2 == b1 || b2.Config.Host == b1.Config.Host {
		t.Error("a changed cluster kept its old client")
	}

	// A half-written file changes nothing.
	if err := os.WriteFile(path, []byte("clusters: ["), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Reload(); err == nil {
		t.Error("a broken kubeconfig reloaded without error")
	}
	if got := names(m); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("after a failed reload: %v", got)
	}

	// c goes.
	writeContexts(t, path, "a", "b")
	if c, err := m.Reload(); err != nil || !slices.Equal(c.Removed, []string{"c"}) {
		t.Errorf("change %+v, %v", c, err)
	}
	if _, err := m.Get(t.Context(), "c"); !errors.Is(err, ErrUnknownCluster) {
		t.Errorf("a removed cluster: %v", err)
	}
}

func TestWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	writeContexts(t, path, "a")
	m, err := New(Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	changed := make(chan Change, 1)
	m.OnChange(func(c Change) { changed <- c })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go m.Watch(ctx, 20*time.Millisecond)
	writeContexts(t, path, "a", "b")
	select {
	case c := <-changed:
		if !slices.Equal(c.Added, []string{"b"}) {
			t.Errorf("change %+v", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not see the new context")
	}
}

func fleetManager(t *testing.T, opts Options, n ...string) *Manager {
	t.Helper()
	opts.Kubeconfig = filepath.Join(t.TempDir(), "config")
	writeContexts(t, opts.Kubeconfig, n...)
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFan(t *testing.T) {
	m := fleetManager(t, Options{Timeout: 200 * time.Millisecond, Concurrency: 2}, "a", "b", "c", "d", "e")
	var running, most atomic.Int32
	var mu sync.Mutex
	var done []string
	values, outcomes := Fan(t.Context(), m, []string{"a", "b", "c", "d", "e"}, func(ctx context.Context, name string) (string, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for old := most.Load(); n > old && !most.CompareAndSwap(old, n); old = most.Load() {
		}
		switch name {
		case "c":
			<-ctx.Done() // hangs until the timeout
			return "", ctx.Err()
		case "d":
			return "", errors.New("forbidden")
		}
		time.Sleep(10 * time.Millisecond) // busy a while, so that clusters are asked at once if they can be
		return "from " + name, nil
	}, func(o Outcome) {
		mu.Lock()
		defer mu.Unlock()
		done = append(done, o.Cluster)
	})
	if got := most.Load(); got > 2 {
		t.Errorf("%d clusters asked at once, want at most 2", got)
	}
	if len(done) != 5 {
		t.Errorf("done heard %v", done)
	}
	for i, want := range []string{"from a", "from b", "", "", "from e"} {
		if values[i] != want {
			t.Errorf("value %d = %q, want %q", i, values[i], want)
		}
	}
	if !errors.Is(outcomes[2].Err, ErrTimeout) || outcomes[3].Err == nil || errors.Is(outcomes[3].Err, ErrTimeout) {
		t.Errorf("outcomes: %+v", outcomes)
	}
}

// TestBackoff: a cluster that cannot be reached is skipped until its backoff
// ends, then asked again; a refusal from a live cluster is not held against it.
func TestBackoff(t *testing.T) {
	m := fleetManager(t, Options{}, "up", "down")
	moveServer(t, m, "down", "https://"+closedAddr(t))
	clock := testenv.NewClock()
	m.health.now = clock.Now
	var asked atomic.Int32
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	down := true
	fn := func(_ context.Context, name string) (int, error) {
		if name == "down" {
			asked.Add(1)
			if down {
				return 0, refused
			}
		}
		if name == "up" {
			return 0, errors.New("forbidden") // an answer, not an outage
		}
		return 1, nil
	}
	fan := func() []Outcome {
		_, o := Fan(t.Context(), m, []string{"up", "down"}, fn, nil)
		return o
	}
	fan()
	o := fan()
	if !o[1].Skipped() || asked.Load() != 1 || !strings.Contains(o[1].Err.Error(), "connection refused") {
		t.Errorf("right after a refused connection: %+v, asked %d times", o[1], asked.Load())
	}
	if o[0].Skipped() {
		t.Error("a cluster that answered with an error is skipped")
	}
	clock.Add(firstBackoff - time.Millisecond)
	if o := fan(); !o[1].Skipped() || asked.Load() != 1 {
		t.Errorf("just before the backoff ends: %+v, asked %d times", o[1], asked.Load())
	}
	clock.Add(time.Millisecond)
	down = false
	if o := fan(); o[1].Err != nil || asked.Load() != 2 {
		t.Errorf("after the backoff: %+v, asked %d times", o[1], asked.Load())
	}
	if o := fan(); o[1].Skipped() || asked.Load() != 3 {
		t.Errorf("once back: %+v", o[1])
	}
}

func TestProbe(t *testing.T) {
	m := fleetManager(t, Options{}, "a", "b")
	for _, st := range m.Probe(t.Context(), nil) {
		if !st.Reachable || st.Version == "" || st.Nodes != 1 || st.Error != "" || st.Server != env.Server {
			t.Errorf("%+v", st)
		}
	}
}

// closedAddr is a local address nothing listens on: connections to it are
// refused.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// moveServer points cluster name of m's kubeconfig at server, and reloads.
func moveServer(t *testing.T, m *Manager, name, server string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(m.opts.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clusters[name].Server = server
	if err := clientcmd.WriteToFile(*cfg, m.opts.Kubeconfig); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Reload(); err != nil {
		t.Fatal(err)
	}
}
