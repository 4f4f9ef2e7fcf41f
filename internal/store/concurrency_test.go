package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentWritersLoseNothing has writers on two handles of one file
// (as two processes would be) add cards to one dashboard, each reading it,
// editing at the version read and, on ErrConflict, reading again: every card
// must be there, and conflicts must have happened (else the test proved
// nothing).
func TestConcurrentWritersLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	stores := []*Store{open(t, path), open(t, path)}
	ctx := context.Background()
	u := signIn(t, stores[0], "dev:dev")
	d, err := stores[0].CreateDashboard(ctx, u.ID, "home")
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 15
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for i := range writers {
		s := stores[i%2]
		wg.Go(func() {
			for range each {
				for {
					cur, err := s.Dashboard(ctx, u.ID, d.ID)
					if err != nil {
						t.Error(err)
						return
					}
					_, err = s.AddCard(ctx, u.ID, d.ID, cur.Version, Card{Type: "pods", X: i, Y: len(cur.Cards), W: 1, H: 1})
					if errors.Is(err, ErrConflict) {
						conflicts.Add(1)
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	got, err := stores[1].Dashboard(ctx, u.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cards) != writers*each || got.Version != 1+writers*each {
		t.Fatalf("%d cards at version %d, want %d at %d", len(got.Cards), got.Version, writers*each, 1+writers*each)
	}
	if conflicts.Load() == 0 {
		t.Fatal("no edit conflicted: the writers did not overlap")
	}
	t.Logf("%d conflicts retried", conflicts.Load())
}
