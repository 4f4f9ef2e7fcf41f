package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestSummaries: a user's latest summary of a scope replaces the one
// before, with who it was made as and the tools it read, and stays theirs
// alone; an attempt that made none keeps the summary's time and moves the
// attempt's.
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
	second := Summary{Scope: "dashboard", Identity: "abc", Text: "second", Tokens: 20, Read: []string{"events_list", "nodes_list"}}
	if _, err := s.SaveSummary(ctx, u.ID, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.LatestSummary(ctx, u.ID, "dashboard")
	if err != nil || got.Text != "second" || got.Tokens != 20 || !got.At.Equal(now) || !got.Tried.Equal(now) || got.Identity != "abc" ||
		len(got.Read) != 2 || got.Read[1] != "nodes_list" || got.Note != "" {
		t.Fatalf("latest: %+v %v", got, err)
	}
	made := now
	now = now.Add(time.Minute)
	failed := got
	failed.Note = "the model failed"
	if _, err := s.SaveSummary(ctx, u.ID, failed); err != nil {
		t.Fatal(err)
	}
	if got, err = s.LatestSummary(ctx, u.ID, "dashboard"); err != nil || got.Text != "second" || !got.At.Equal(made) || !got.Tried.Equal(now) || got.Note != "the model failed" {
		t.Fatalf("after a failed attempt: %+v %v", got, err)
	}
	if _, err := s.LatestSummary(ctx, other.ID, "dashboard"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another user's: %v", err)
	}
}
