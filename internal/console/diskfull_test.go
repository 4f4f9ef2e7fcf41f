package console_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kubemcp/kubemcp/internal/store"
)

// TestFullDiskAnswers503: with the console's database on a disk that fills
// up, a dashboard write is answered 503 saying the disk is full, reads go on
// being served, and once space returns every dashboard saved before is
// there and writes succeed again.
//
// The disk is real: a 2 MiB tmpfs mounted under the test's directory (which
// needs root, as this machine's tests run), filled with a file, so SQLite
// meets ENOSPC from the kernel as it would on a full volume. (The store's own
// TestUnavailable simulates it with max_page_count instead, which needs no
// privilege.)
func TestFullDiskAnswers503(t *testing.T) {
	disk := smallDisk(t, "size=2m")
	c := startConsole(t, "--db", filepath.Join(disk, "console.db"))
	c.login(t)
	saved := map[string]bool{}
	for i := range 3 {
		name := fmt.Sprintf("before %d", i)
		var d store.Dashboard
		decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": name}))
		saved[name] = true
	}

	filler := fill(t, disk)
	// A commit appends to the write-ahead log, which a full disk may still
	// have room for in pages it holds: write until the log needs more.
	var status int
	var body []byte
	for i := 0; i < 500; i++ {
		name := fmt.Sprintf("while full %d", i)
		if status, body = c.do(t, "POST", "/api/dashboards", map[string]any{"name": name}); status != http.StatusCreated {
			break
		}
		saved[name] = true
	}
	wantError(t, status, body, http.StatusServiceUnavailable, "unavailable", "out of disk space")
	t.Logf("%d writes went through after the disk filled; then: %s", len(saved)-3, body)
	wantDashboards(t, c, saved)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var d store.Dashboard
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": "after"}))
	saved["after"] = true
	wantDashboards(t, c, saved)
}

// smallDisk mounts a tmpfs with opts under the test's directory until the
// test ends (after everything the test starts later has stopped), and
// returns its path.
func smallDisk(t *testing.T, opts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mounting a tmpfs for a disk that fills (run as root): %v", err)
	}
	t.Cleanup(func() {
		err := syscall.Unmount(dir, 0)
		if errors.Is(err, syscall.EBUSY) {
			// Something the test started still holds a file there: detach
			// the mount now (the kernel frees it once that is let go), so a
			// failure never leaves a tmpfs mounted.
			t.Errorf("the test's tmpfs was busy at the end (%v): detaching it", err)
			err = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
		if err != nil {
			t.Errorf("unmounting the test's tmpfs: %v", err)
		}
	})
	return dir
}

// fill writes a file in dir until its disk has no space left, and returns
// the file's path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: %v", err)
	}
	return path
}

// wantDashboards checks that the signed-in user's dashboards are exactly
// the names in want.
func wantDashboards(t *testing.T, c *consoleServer, want map[string]bool) {
	t.Helper()
	var list struct{ Dashboards []store.Dashboard }
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/dashboards", nil))
	got := map[string]bool{}
	for _, d := range list.Dashboards {
		got[d.Name] = true
	}
	if len(got) != len(want) {
		t.Fatalf("%d dashboards, want %d: %v", len(got), len(want), got)
	}
	for name := range want {
		if !got[name] {
			t.Errorf("dashboard %q, saved before, is missing", name)
		}
	}
}
