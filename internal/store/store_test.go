package store

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func signIn(t *testing.T, s *Store, subject string) User {
	t.Helper()
	u, err := s.SignIn(context.Background(), User{Subject: subject, Name: subject})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOpenCreatesOwnerOnlyFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "console.db")
	s := open(t, path)
	signIn(t, s, "dev:dev") // writes, so the WAL exists
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600, path + "-wal": 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v, want wal", mode, err)
	}
}

func TestReopenKeepsDataAndSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	s := open(t, path)
	u := signIn(t, s, "dev:dev")
	if _, err := s.CreateDashboard(context.Background(), u.ID, "home"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path) // migrations already applied: none runs twice
	var version int
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	latest, _ := strconv.Atoi(strings.SplitN(filepath.Base(slices.Max(files)), "_", 2)[0])
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != latest {
		t.Fatalf("user_version %d %v, want %d, the last migration's", version, err, latest)
	}
	ds, err := s.Dashboards(context.Background(), u.ID)
	if err != nil || len(ds) != 1 || ds[0].Name != "home" {
		t.Fatalf("dashboards after reopening: %+v %v", ds, err)
	}
}

func TestSignInUpdatesProfile(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	a, err := s.SignIn(ctx, User{Subject: "github:octo", Name: "Octo"})
	if err != nil {
		t.Fatal(err)
	}
	if a.KubeGroups == nil || len(a.KubeGroups) != 0 {
		t.Fatalf("no groups: %#v", a.KubeGroups)
	}
	b, err := s.SignIn(ctx, User{Subject: "github:octo", Name: "Octo Cat", Email: "o@example.com",
		KubeUser: "octo", KubeGroups: []string{"github:acme", "sre"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || b.Name != "Octo Cat" || b.Email != "o@example.com" || !b.CreatedAt.Equal(a.CreatedAt) ||
		b.KubeUser != "octo" || !slices.Equal(b.KubeGroups, []string{"github:acme", "sre"}) {
		t.Fatalf("second sign-in: %+v, first %+v", b, a)
	}
}

func TestCards(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	u := signIn(t, s, "dev:dev")
	d, err := s.CreateDashboard(ctx, u.ID, "home")
	if err != nil {
		t.Fatal(err)
	}
	d, err = s.AddCard(ctx, u.ID, d.ID, d.Version, Card{Type: "pods", X: 0, Y: 0, W: 4, H: 2})
	if err != nil {
		t.Fatal(err)
	}
	card := d.Cards[0].ID
	x, w := 3, 6
	d, err = s.ChangeCard(ctx, u.ID, d.ID, d.Version, card, CardChange{X: &x, W: &w, Config: json.RawMessage(`{"namespace":"shop"}`)})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Cards[0]
	if c.X != 3 || c.Y != 0 || c.W != 6 || c.H != 2 || string(c.Config) != `{"namespace":"shop"}` || d.Version != 3 {
		t.Fatalf("after the change: %+v (version %d)", c, d.Version)
	}
	if _, err := s.ChangeCard(ctx, u.ID, d.ID, d.Version, card+99, CardChange{X: &x}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("changing a missing card: %v", err)
	}
	d, err = s.Dashboard(ctx, u.ID, d.ID) // the failed change was rolled back, version too
	if err != nil || d.Version != 3 {
		t.Fatalf("version after a failed change: %d %v", d.Version, err)
	}
	if d, err = s.RemoveCard(ctx, u.ID, d.ID, d.Version, card); err != nil || len(d.Cards) != 0 {
		t.Fatalf("after removing: %+v %v", d, err)
	}
	other := signIn(t, s, "dev:other")
	if _, err := s.Dashboard(ctx, other.ID, d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another user's dashboard: %v", err)
	}
	if err := s.DeleteDashboard(ctx, u.ID, d.ID, d.Version-1); !errors.Is(err, ErrConflict) {
		t.Fatalf("deleting at a stale version: %v", err)
	}
	if err := s.DeleteDashboard(ctx, u.ID, d.ID, d.Version); err != nil {
		t.Fatal(err)
	}
}

func TestStaleEditConflicts(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "console.db"))
	ctx := context.Background()
	u := signIn(t, s, "dev:dev")
	d, err := s.CreateDashboard(ctx, u.ID, "home")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RenameDashboard(ctx, u.ID, d.ID, d.Version, "first"); err != nil {
		t.Fatal(err)
	}
	// A second edit made from the same read loses, instead of overwriting.
	if _, err := s.AddCard(ctx, u.ID, d.ID, d.Version, Card{Type: "pods", W: 1, H: 1}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: %v, want ErrConflict", err)
	}
	got, err := s.Dashboard(ctx, u.ID, d.ID)
	if err != nil || got.Name != "first" || len(got.Cards) != 0 || got.Version != 2 {
		t.Fatalf("after a stale edit: %+v %v", got, err)
	}
}
