package cache

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// Env is the seeded test cluster, for this package's tests inside and out.
var Env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { Env = e }))
}

// Stack is what kubemcp wires for one configuration: the clusters (the
// admin's kubeconfig is the server's credential) with the write recorder
// beneath their clients, and the cache.
type Stack struct {
	Clusters *clusters.Manager
	Cache    *Cache
}

// NewStack wires mode and pol as app does; now is the cache's clock (nil:
// time.Now).
func NewStack(t testing.TB, mode clusters.Credentials, pol policy.Config, now func() time.Time) Stack {
	t.Helper()
	w := NewWrites(now)
	mgr, err := clusters.New(clusters.Options{Kubeconfig: Env.Kubeconfig, Credentials: mode,
		Client: kube.Options{Policy: &pol, Wrap: w.Record}})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Clusters: mgr, Credentials: mode, Policy: pol, Writes: w, Now: now})
	t.Cleanup(c.Close)
	return Stack{Clusters: mgr, Cache: c}
}

// As is ctx carrying the seeded user as the caller, with the user's token
// for passthrough.
func As(ctx context.Context, user string) context.Context {
	u := Env.Users[user]
	return identity.NewContext(ctx, identity.WithBearer(identity.Identity{User: u.Name, Groups: u.Groups}, u.Token))
}
