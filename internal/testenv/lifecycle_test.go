package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopLeavesNothing starts a second, unseeded cluster, seeds it (timed)
// and checks that Stop ends its processes and removes its Dir.
func TestStopLeavesNothing(t *testing.T) {
	e, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("start to ready: %v", e.Startup)
	begin := time.Now()
	if err := Seed(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeding took %v", time.Since(begin))
	pids := e.PIDs()
	if len(pids) < 2 {
		t.Fatalf("pids = %v, want etcd and kube-apiserver", pids)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still running after Stop", pid)
		}
	}
	if _, err := os.Stat(e.Dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after Stop (%v)", e.Dir, err)
	}
	if err := e.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// childReport is what the child of TestProcessesDieWithParent tells its parent.
type childReport struct {
	PIDs []int
	Dir  string
}

// TestProcessesDieWithParent re-executes the test binary as a child that
// starts a cluster and exits without Stop; the cluster's processes must die
// with it (Pdeathsig).
func TestProcessesDieWithParent(t *testing.T) {
	bin, err := BinDir(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "child.json")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+out, "KUBEMCP_BIN_DIR="+bin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("child: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("child wrote no report (%v); stderr:\n%s", err, stderr.String())
	}
	var rep childReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Dir) // the child could not clean up
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range rep.PIDs {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("pid %d outlived the test binary that started it", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// runChild is the child's side: start, report, exit without Stop.
func runChild(out string) int {
	e, err := Start(context.Background(), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	data, _ := json.Marshal(childReport{PIDs: e.PIDs(), Dir: e.Dir})
	if err := os.WriteFile(out+".tmp", data, 0o600); err != nil {
		return 3
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return 3
	}
	return 1
}

// alive reports whether pid is a live process; a zombie (killed, not yet
// reaped by whoever inherited it) counts as dead.
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
