package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
)

func TestSettings(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	u := signIn(t, s, "dev:dev")
	if st, err := s.Settings(ctx, u.ID); err != nil || st != DefaultSettings() {
		t.Fatalf("before any change: %+v %v", st, err)
	}
	want := Settings{AIMode: "high", TokenLimit: 5000, Theme: "dark"}
	var wg sync.WaitGroup // changes to different settings at once: both stay
	wg.Go(func() {
		if _, err := s.UpdateSettings(ctx, u.ID, func(st *Settings) { st.AIMode, st.TokenLimit = "high", 5000 }); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if _, err := s.UpdateSettings(ctx, u.ID, func(st *Settings) { st.Theme = "dark" }); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	other := signIn(t, s, "github:other")
	if st, err := s.Settings(ctx, u.ID); err != nil || st != want {
		t.Fatalf("after the change: %+v %v", st, err)
	}
	if st, err := s.Settings(ctx, other.ID); err != nil || st != DefaultSettings() {
		t.Fatalf("another user's: %+v %v", st, err)
	}
}

// TestOnboardMakesOneDashboard: answers from two tabs at once store both and
// make one dashboard; answering again later makes none.
func TestOnboardMakesOneDashboard(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	u := signIn(t, s, "dev:dev")
	cards := []Card{{Type: "pods", X: 0, Y: 0, W: 6, H: 4}, {Type: "events", X: 6, Y: 0, W: 6, H: 4}}
	var wg sync.WaitGroup
	made := make([]*Dashboard, 4)
	for i := range made {
		wg.Go(func() {
			d, err := s.Onboard(ctx, u.ID, map[string]string{"role": "sre"}, "Home", cards)
			if err != nil {
				t.Error(err)
			}
			made[i] = d
		})
	}
	wg.Wait()
	n := 0
	for _, d := range made {
		if d != nil {
			n++
			if len(d.Cards) != 2 || d.Name != "Home" {
				t.Fatalf("dashboard made: %+v", d)
			}
		}
	}
	ds, err := s.Dashboards(ctx, u.ID)
	if n != 1 || err != nil || len(ds) != 1 {
		t.Fatalf("%d dashboards made, %d stored (%v)", n, len(ds), err)
	}
	if d, err := s.Onboard(ctx, u.ID, map[string]string{"role": "developer"}, "Home", cards); d != nil || err != nil {
		t.Fatalf("answering again: %+v %v", d, err)
	}
	if a, err := s.Onboarding(ctx, u.ID); err != nil || a["role"] != "developer" {
		t.Fatalf("answers: %v %v", a, err)
	}
}

func TestSwapCardKeepsItsPlace(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	u := signIn(t, s, "dev:dev")
	d, err := s.CreateDashboard(ctx, u.ID, "home")
	if err == nil {
		d, err = s.AddCard(ctx, u.ID, d.ID, d.Version, Card{Type: "pods", X: 3, Y: 2, W: 4, H: 5, Config: json.RawMessage(`{"namespace":"shop"}`)})
	}
	if err != nil {
		t.Fatal(err)
	}
	old := d.Cards[0]
	d, err = s.SwapCard(ctx, u.ID, d.ID, d.Version, old.ID, "events", nil)
	if c := d.Cards[0]; err != nil || c.Type != "events" || c.X != 3 || c.Y != 2 || c.W != 4 || c.H != 5 || string(c.Config) != "{}" || c.ID != old.ID {
		t.Fatalf("swapped: %+v %v", d.Cards, err)
	}
	if _, err := s.SwapCard(ctx, u.ID, d.ID, d.Version-1, old.ID, "nodes", nil); err == nil {
		t.Fatal("a swap from a stale version was taken")
	}
}
