//go:build linux

package archiver_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// perfEnv names the environment variable that enables TestPerfVsRestic and
// (internally) makes the test binary act as the backup child process.
const perfEnv = "KAMAL_BACKUP_PERF"

// TestPerfVsRestic backs up 20,000 small files with Backup and with restic
// 0.18.1, each in a child process, twice (the second run has a parent),
// and compares wall time and peak RSS. It runs only when KAMAL_BACKUP_PERF
// is set, since timings on a shared machine are noisy.
func TestPerfVsRestic(t *testing.T) {
	if os.Getenv(perfEnv) == "" {
		t.Skip("set " + perfEnv + "=1 to compare performance with restic")
	}
	restic := testenv.Restic(t)
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for i := range 20000 {
		write(t, filepath.Join(src, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d", i)), random(t, 100+(i*7919)%8000), 0o644)
	}
	oursDir, theirsDir := filepath.Join(base, "ours"), filepath.Join(base, "theirs")
	newRepo(t, oursDir)
	newRepo(t, theirsDir)
	env := []string{"RESTIC_REPOSITORY=" + theirsDir, "RESTIC_PASSWORD=" + password, "TMPDIR=" + theirsDir + ".tmp"}
	for run := 1; run <= 2; run++ {
		oursT, oursCPU, oursRSS := measure(t, exec.Command(os.Args[0], "-test.run=^TestPerfChild$"), []string{perfEnv + "=child", "PERF_REPO=" + oursDir, "PERF_SRC=" + src})
		theirsT, theirsCPU, theirsRSS := measure(t, exec.Command(restic, "--no-cache", "-q", "backup", src), env)
		t.Logf("run %d: ours %v (cpu %v) %d MiB, restic %v (cpu %v) %d MiB", run, oursT.Round(time.Millisecond), oursCPU.Round(time.Millisecond),
			oursRSS>>10, theirsT.Round(time.Millisecond), theirsCPU.Round(time.Millisecond), theirsRSS>>10)
	}
}

// measure runs cmd and returns its wall and CPU time and peak RSS in KiB.
func measure(t *testing.T, cmd *exec.Cmd, env []string) (wall, cpu time.Duration, rss int64) {
	t.Helper()
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

// TestPerfChild is the child process of TestPerfVsRestic.
func TestPerfChild(t *testing.T) {
	if os.Getenv(perfEnv) != "child" {
		t.Skip("run by TestPerfVsRestic")
	}
	r := reopen(t, os.Getenv("PERF_REPO"))
	_, res, err := archiver.Backup(context.Background(), r, []string{os.Getenv("PERF_SRC")}, archiver.Options{})
	if err != nil || res.Incomplete() {
		t.Fatal(err, res.Errors)
	}
}
