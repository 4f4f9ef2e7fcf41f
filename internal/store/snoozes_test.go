package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSnoozesEnd: a snooze hides its recommendation until its time, then
// no more, in a real SQLite file; the next snooze forgets the ended ones,
// and a read writes nothing.
func TestSnoozesEnd(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	now := time.Unix(1_800_000_000, 0).UTC()
	s.now = func() time.Time { return now }
	u := signIn(t, s, "dev:dev")
	if err := s.Snooze(ctx, u.ID, "events", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Snoozed(ctx, u.ID); err != nil || !got["events"].Equal(now.Add(time.Hour)) {
		t.Fatalf("snoozed an hour: %v %v", got, err)
	}
	now = now.Add(2 * time.Hour)
	if got, err := s.Snoozed(ctx, u.ID); err != nil || len(got) != 0 {
		t.Fatalf("after its time a snooze still hides: %v %v", got, err)
	}
	count := func() (n int) {
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM recommendation_snoozes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d rows after a read, want the ended snooze still there (reads write nothing)", n)
	}
	if err := s.Snooze(ctx, u.ID, "issues", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d rows after a new snooze, want the ended one forgotten", n)
	}
}
