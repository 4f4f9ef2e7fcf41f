package clusters

import (
	"context"
	"sync"
	"time"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// acceptedFor is how long a caller counts as accepted by a cluster after it
// last let the caller read its API discovery: short, so that a revoked token
// or a withdrawn grant stops working within seconds, and long enough that a
// burst of calls costs one request.
const acceptedFor = 10 * time.Second

// accepted remembers when each cluster last accepted each caller. A caller's
// client answers some calls from what the server's own credential read
// (discovery, the RESTMapper, OpenAPI); it may do so only for a caller the
// cluster itself would let read them now.
type accepted struct {
	now   func() time.Time
	check func(context.Context, *kube.Client) error // asks the cluster as the client's caller

	mu    sync.Mutex
	at    map[string]time.Time // by cache key: cluster and identity
	swept time.Time
}

func newAccepted() *accepted {
	check := func(ctx context.Context, kc *kube.Client) error { return kc.ReadDiscovery(ctx) }
	return &accepted{now: time.Now, check: check, at: map[string]time.Time{}}
}

// ensure returns nil if the cluster accepted the caller of kc (whose cache key
// is key) within acceptedFor, else asks the cluster as that caller.
func (a *accepted) ensure(ctx context.Context, key string, kc *kube.Client) error {
	now := a.now()
	if a.recent(key, now) {
		return nil
	}
	if err := a.check(ctx, kc); err != nil {
		return err
	}
	a.record(key, now)
	return nil
}

func (a *accepted) recent(key string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.at[key]
	return ok && now.Sub(at) < acceptedFor
}

// record notes an acceptance, and drops the expired ones once per
// acceptedFor, so the map holds only callers seen lately.
func (a *accepted) record(key string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at[key] = now
	if now.Sub(a.swept) < acceptedFor {
		return
	}
	for k, at := range a.at {
		if now.Sub(at) >= acceptedFor {
			delete(a.at, k)
		}
	}
	a.swept = now
}
