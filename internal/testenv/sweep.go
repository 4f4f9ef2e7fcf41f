package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

const (
	dirPattern = "kubemcp-testenv-*"
	ownerFile  = "owner.pid"
)

// claimDir records this process as the owner of dir, so that a later Start
// can tell the dir is left over when this process died without Stop (SIGKILL,
// a test timeout). The processes die with us; the dir (~120 MB, mostly etcd's
// preallocated WAL) would not.
func claimDir(dir string) error {
	return os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
}

// sweepStaleDirs removes work dirs whose owner process is gone. Dirs it cannot
// judge (no owner file yet, pid reused) are left alone.
func sweepStaleDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPattern))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid == os.Getpid() {
			continue
		}
		if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			_ = os.RemoveAll(dir)
		}
	}
}
