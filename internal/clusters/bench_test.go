package clusters

import (
	"context"
	"fmt"
	"testing"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
)

// BenchmarkGet measures what Get costs a call as 50 rotating callers, with
// the per-caller cache and without it (a client built for every call). It
// builds clients only; no request reaches the cluster (the callers count as
// accepted, as they do for acceptedFor after the cluster let them in).
func BenchmarkGet(b *testing.B) {
	ids := make([]*identity.Identity, 50)
	for i := range ids {
		id := identity.Identity{User: fmt.Sprintf("u%02d", i), Groups: []string{"bench-users"}}
		ids[i] = identity.WithBearer(id, fmt.Sprintf("token-%02d", i))
	}
	for _, creds := range []Credentials{Impersonate, Passthrough} {
		for _, c := range []struct {
			name string
			size int
		}{{"cache", 0}, {"nocache", -1}} {
			b.Run(string(creds)+"/"+c.name, func(b *testing.B) {
				m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: creds, CacheSize: c.size})
				if err != nil {
					b.Fatal(err)
				}
				m.accepted.check = func(context.Context, *kube.Client) error { return nil }
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := m.Get(as(ids[i%len(ids)]), ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
