package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Options configure Start. The zero value starts an empty cluster.
type Options struct {
	Logger *slog.Logger // nil: discard. Process output goes to files in Env.Dir.
	Seed   bool         // create the sample world (seed.go) once ready
	BinDir string       // folder with etcd and kube-apiserver; empty: BinDir(ctx)
}

// User is a static-token user of the cluster.
type User struct {
	Name       string
	Token      string
	Groups     []string
	Kubeconfig string // path of a kubeconfig for this user alone
}

// Env is a running cluster. Stop it when done.
type Env struct {
	Dir        string          // temp work dir: certs, tokens.csv, kubeconfigs, process logs
	Server     string          // https://127.0.0.1:PORT
	Kubeconfig string          // admin kubeconfig path (context KubeContext)
	Users      map[string]User // "admin" (system:masters), "alice", "bob", "carol" (no RBAC of their own)
	Kubelet    *Kubelet        // fake kubelet serving logs, exec and port-forward for NodeName
	Metrics    *Metrics        // fake metrics-server behind metrics.k8s.io; nil until EnableMetrics
	NodeName   string
	Startup    time.Duration // from Start to a ready apiserver (excluding BinDir and seeding)

	log     *slog.Logger
	pki     *pki
	spawner *spawner
	procs   []*process
	// apiserver is how the kube-apiserver was started, to start it again.
	apiserver struct {
		bin  string
		args []string
	}
	stopOnce sync.Once
	stopErr  error
}

const (
	// KubeContext is the context (and cluster) name in every kubeconfig written.
	KubeContext = "kubemcp-test"
	// NodeName is the one Node the env registers, served by the fake kubelet.
	NodeName = "node-1"

	serviceCIDR = "10.0.0.0/24"
	serviceIP   = "10.0.0.1" // first address of serviceCIDR: the kubernetes Service
	readyWithin = 90 * time.Second
)

// Start starts etcd and kube-apiserver on free loopback ports, registers the
// fake kubelet's Node and, with opts.Seed, seeds the sample world.
func Start(ctx context.Context, opts Options) (*Env, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	bin := opts.BinDir
	if bin == "" {
		var err error
		if bin, err = BinDir(ctx); err != nil {
			return nil, err
		}
	}
	sweepStaleDirs()
	dir, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		return nil, fmt.Errorf("creating the work dir: %w", err)
	}
	if err := claimDir(dir); err != nil {
		return nil, errors.Join(fmt.Errorf("creating the work dir: %w", err), os.RemoveAll(dir))
	}
	e := &Env{Dir: dir, NodeName: NodeName, log: log, spawner: newSpawner()}
	if err := e.start(ctx, bin, opts.Seed); err != nil {
		if keepDir() {
			err = fmt.Errorf("starting the test cluster (process logs kept in %s): %w", dir, err)
		} else {
			err = fmt.Errorf("starting the test cluster: %w (set KUBEMCP_TESTENV_KEEP=1 to keep its work dir with the process logs)", err)
		}
		return nil, errors.Join(err, e.Stop())
	}
	return e, nil
}

func (e *Env) start(ctx context.Context, bin string, seed bool) error {
	begin := time.Now()
	var err error
	if e.pki, err = newPKI(e.Dir); err != nil {
		return err
	}
	if err := e.writeUsers(); err != nil {
		return err
	}
	if e.Kubelet, err = startKubelet(e.pki.serving); err != nil {
		return err
	}
	if err := e.launch(ctx, bin); err != nil {
		return err
	}
	e.Startup = time.Since(begin)
	e.log.Info("test cluster ready", "server", e.Server, "startup", e.Startup, "dir", e.Dir)
	if err := e.writeKubeconfigs(); err != nil {
		return err
	}
	if err := e.registerNode(ctx); err != nil {
		return err
	}
	if !seed {
		return nil
	}
	begin = time.Now()
	if err := Seed(ctx, e); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	e.log.Info("test cluster seeded", "took", time.Since(begin))
	return nil
}

// Stop kills the processes and removes Dir. It is idempotent and safe to call
// concurrently.
func (e *Env) Stop() error {
	e.stopOnce.Do(func() { e.stopErr = e.stop() })
	return e.stopErr
}

func (e *Env) stop() error {
	var errs []error
	if e.Kubelet != nil {
		errs = append(errs, e.Kubelet.close())
	}
	if e.Metrics != nil {
		errs = append(errs, e.Metrics.close())
	}
	for i := len(e.procs) - 1; i >= 0; i-- {
		errs = append(errs, e.procs[i].kill())
	}
	e.spawner.stop()
	if keepDir() {
		// Unclaimed, so that no later Start sweeps it away.
		_ = os.Remove(e.path(ownerFile))
		return errors.Join(errs...)
	}
	if err := os.RemoveAll(e.Dir); err != nil {
		errs = append(errs, fmt.Errorf("removing %s: %w", e.Dir, err))
	}
	return errors.Join(errs...)
}

// keepDir reports whether KUBEMCP_TESTENV_KEEP asks to keep Dir for debugging.
func keepDir() bool { return os.Getenv("KUBEMCP_TESTENV_KEEP") != "" }

// RESTConfig returns a client config for the named user ("admin" is the
// cluster admin). It panics for a user the env does not have. Client-side rate
// limiting is lifted (QPS 100, burst 200) so tests are not throttled.
func (e *Env) RESTConfig(user string) *rest.Config {
	u, ok := e.Users[user]
	if !ok {
		panic(fmt.Sprintf("testenv: no user %q (have admin, alice, bob, carol)", user))
	}
	return &rest.Config{
		Host:            e.Server,
		BearerToken:     u.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: e.pki.caPEM},
		QPS:             100,
		Burst:           200,
		UserAgent:       "kubemcp-testenv",
	}
}

// Clientset returns a typed client for the named user (see RESTConfig).
func (e *Env) Clientset(user string) kubernetes.Interface {
	return kubernetes.NewForConfigOrDie(e.RESTConfig(user))
}

// Namespace creates a namespace named prefix-<random suffix> for one test and
// deletes it when the test ends.
func (e *Env) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	api := e.Clientset("admin").CoreV1().Namespaces()
	ns, err := api.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating a namespace for the test: %v", err)
	}
	t.Cleanup(func() { _ = api.Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	return ns.Name
}

// CAData returns the PEM of the cluster CA, which signs the apiserver's cert.
func (e *Env) CAData() []byte { return e.pki.caPEM }

// PIDs returns the process ids of etcd and kube-apiserver (for tests that
// check nothing outlives the env).
func (e *Env) PIDs() []int {
	pids := make([]int, 0, len(e.procs))
	for _, p := range e.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

func (e *Env) path(name string) string { return filepath.Join(e.Dir, name) }
