package cache

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
)

// pulse is what a cluster's cache knows of its connection to the apiserver:
// when it last heard from it (a list or watch that worked, a watch event, an
// answered heartbeat) and whether its last heartbeat failed. A stopped
// apiserver ends the watches at once; a hung one says nothing, which only a
// heartbeat tells from a quiet cluster.
type pulse struct {
	bound time.Duration               // Options.StaleAfter
	beat  func(context.Context) error // the heartbeat request

	last    atomic.Int64 // UnixNano of the last sign of life
	sent    atomic.Int64 // UnixNano of the last heartbeat sent
	failed  atomic.Bool  // the last heartbeat failed, and nothing was heard since
	beating atomic.Bool  // a heartbeat is in flight
}

// heard notes a sign of life.
func (p *pulse) heard() {
	p.last.Store(time.Now().UnixNano())
	p.failed.Store(false)
}

// alive reports whether the cluster has been heard from within the bound and
// its last heartbeat did not fail. Past a third of the bound without a sign
// of life it sends a heartbeat (one at a time, at most one a third of the
// bound, in the background), so a cluster read often stays confirmed and
// one that stops answering is known within the bound: a hung apiserver,
// whose watches stay open, is found out only this way.
func (p *pulse) alive() bool {
	// The real clock, not Options.Now: this is the network's time.
	age := time.Since(time.Unix(0, p.last.Load()))
	due := age > p.bound/3 && time.Since(time.Unix(0, p.sent.Load())) > p.bound/3
	if due && p.beating.CompareAndSwap(false, true) {
		go p.heartbeat()
	}
	return !p.failed.Load() && age <= p.bound
}

func (p *pulse) heartbeat() {
	defer p.beating.Store(false)
	p.sent.Store(time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), max(p.bound/3, 100*time.Millisecond))
	defer cancel()
	if err := p.beat(ctx); err != nil {
		p.failed.Store(true)
		return
	}
	p.heard()
}

// readyz is the heartbeat of a cluster reached through rc, the cache's own
// client, so it travels the connection the watches use. An answer other than
// a server error is life: a credential refused /readyz has still reached a
// working apiserver; 5xx means the apiserver cannot vouch for its data.
func readyz(rc rest.Interface) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := rc.Get().AbsPath("/readyz").DoRaw(ctx)
		var answer apierrors.APIStatus
		if err == nil || errors.As(err, &answer) && answer.Status().Code < 500 {
			return nil
		}
		return fmt.Errorf("GET /readyz: %w", err)
	}
}
