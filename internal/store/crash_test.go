package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv, set, makes TestCrash the writer that gets killed.
const crashChildEnv = "KUBEMCP_STORE_CRASH_DB"

// TestCrash runs a writer in a child process (this test binary again), adding
// cards in a loop and printing each card's id once its transaction
// committed, kills it with SIGKILL mid-write, and opens the database: it must
// pass integrity_check and hold every card the child reported committed.
func TestCrash(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "console.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := readCommitted(t, cmd, bufio.NewScanner(out), 300)
	s := open(t, path)
	var check string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	u := signIn(t, s, "dev:dev")
	ds, err := s.Dashboards(context.Background(), u.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("dashboards after the crash: %+v %v", ds, err)
	}
	have := map[int64]bool{}
	for _, c := range ds[0].Cards {
		have[c.ID] = true
	}
	for _, id := range committed {
		if !have[id] {
			t.Fatalf("card %d was committed before the crash and is gone", id)
		}
	}
	if ds[0].Version != int64(1+len(ds[0].Cards)) {
		t.Fatalf("version %d with %d cards: a transaction was torn", ds[0].Version, len(ds[0].Cards))
	}
	t.Logf("%d cards reported committed, %d present", len(committed), len(ds[0].Cards))
}

// readCommitted reads ids until it has n, then kills the child while it is
// still writing and reads what it printed before dying.
func readCommitted(t *testing.T, cmd *exec.Cmd, lines *bufio.Scanner, n int) []int64 {
	t.Helper()
	var ids []int64
	killed := false
	deadline := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		id, err := strconv.ParseInt(strings.TrimSpace(lines.Text()), 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", lines.Text())
		}
		ids = append(ids, id)
		if len(ids) == n && !killed {
			killed = true
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed by SIGKILL: %v (%d ids)", err, len(ids))
	}
	return ids
}

// crashChild writes until it is killed. Each card carries a config large
// enough that a kill is likely to land inside a transaction's writes.
func crashChild(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	u, err := s.SignIn(ctx, User{Subject: "dev:dev"})
	if err != nil {
		os.Exit(2)
	}
	d, err := s.CreateDashboard(ctx, u.ID, "home")
	if err != nil {
		os.Exit(2)
	}
	config := fmt.Appendf(nil, `{"pad":%q}`, strings.Repeat("x", 16<<10))
	for {
		if d, err = s.AddCard(ctx, u.ID, d.ID, d.Version, Card{Type: "pods", W: 1, H: 1, Config: config}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(d.Cards[len(d.Cards)-1].ID)
	}
}
