package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
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

// TestUnavailable: a write that waits out the busy timeout behind another
// process's lock, and one that finds the database full, are reported as
// Unavailable with what happened; what was committed before is still there.
func TestUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	s := open(t, path)
	ctx := context.Background()
	before := signIn(t, s, "dev:before")

	t.Run("locked", func(t *testing.T) {
		other := open(t, path)                // as another process would be
		tx, err := other.db.BeginTx(ctx, nil) // _txlock=immediate: it takes the write lock
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = s.CreateDashboard(ctx, before.ID, "blocked")
		if reason, ok := Unavailable(err); !ok || !strings.Contains(reason, "locked by another process") {
			t.Fatalf("a write behind a lock: %v (unavailable %v: %s)", err, ok, reason)
		}
	})

	t.Run("full", func(t *testing.T) {
		// SQLite's own limit on the file's pages fails a write exactly as a
		// full disk does (SQLITE_FULL), without filling this machine's disk.
		full := open(t, path)
		full.db.SetMaxOpenConns(1)
		var pages int
		if err := full.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := full.db.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
			t.Fatal(err)
		}
		var err error
		for i := 0; err == nil && i < 1000; i++ {
			_, err = full.CreateDashboard(ctx, before.ID, strings.Repeat("x", 1000))
		}
		if reason, ok := Unavailable(err); !ok || !strings.Contains(reason, "out of disk space") {
			t.Fatalf("a write to a full database: %v (unavailable %v: %s)", err, ok, reason)
		}
	})

	if u, err := s.User(ctx, "dev:before"); err != nil || u.ID != before.ID {
		t.Errorf("the user committed before: %+v %v", u, err)
	}
	if _, ok := Unavailable(ErrNotFound); ok {
		t.Error("ErrNotFound reads as unavailable")
	}
}
