package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestSummaries: a user's latest summary of a scope replaces the one
// before and stays theirs alone.
func TestSummaries(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	now := time.Unix(1_800_000_000, 0).UTC()
	s.now = func() time.Time { return now }
	u, other := signIn(t, s, "dev:dev"), signIn(t, s, "github:1")
	if _, err := s.LatestSummary(ctx, u.ID, "dashboard"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any: %v", err)
	}
	if _, err := s.SaveSummary(ctx, u.ID, Summary{Scope: "dashboard", Text: "first", Tokens: 10}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if _, err := s.SaveSummary(ctx, u.ID, Summary{Scope: "dashboard", Text: "second", Tokens: 20}); err != nil {
		t.Fatal(err)
	}
	got, err := s.LatestSummary(ctx, u.ID, "dashboard")
	if err != nil || got.Text != "second" || got.Tokens != 20 || !got.At.Equal(now) {
		t.Fatalf("latest: %+v %v", got, err)
	}
	if _, err := s.LatestSummary(ctx, other.ID, "dashboard"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another user's: %v", err)
	}
}
