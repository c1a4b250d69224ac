package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// TestMain lets the test binary act as the kamal-backup CLI, so tests can
// run it as a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("KAMAL_BACKUP_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestInterruptedBackupLeavesRepositoryIntact kills a backup process with
// SIGKILL at random moments, 24 times, and after each kill requires that
// restic 0.18.1's check accepts the repository and that every snapshot
// that exists restores the complete input. An interrupted backup may leave
// unreferenced packs, never a snapshot pointing at missing data.
func TestInterruptedBackupLeavesRepositoryIntact(t *testing.T) {
	restic := testenv.Restic(t)
	env, _ := newRepo(t, "kill-pw")
	repoDir := env["RESTIC_REPOSITORY"]
	cliEnv := append(os.Environ(), "KAMAL_BACKUP_TEST_MAIN=1", "RESTIC_REPOSITORY="+repoDir, "RESTIC_PASSWORD=kill-pw")
	resticEnv := []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=kill-pw", "RESTIC_CACHE_DIR=" + t.TempDir()}
	input := filepath.Join(t.TempDir(), "dump.sql")
	// Every run backs up new data (so packs are really being written when
	// the kill lands): 24 MiB of random bytes and SQL-like text.
	writeInput := func(seed byte) [32]byte {
		data := make([]byte, 24<<20)
		rand.NewChaCha8([32]byte{seed}).Read(data[:12<<20])
		copy(data[12<<20:], bytes.Repeat([]byte(fmt.Sprintf("INSERT INTO t VALUES (%03d, 'x');\n", seed)), (12<<20)/32))
		if err := os.WriteFile(input, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(data)
	}
	verified := map[string]bool{}
	verifyNew := func(i int, want [32]byte) {
		t.Helper()
		testenv.RunTool(t, resticEnv, "", restic, "unlock")
		if out, err := runRestic(resticEnv, restic, "check"); err != nil {
			t.Fatalf("run %d: restic check failed: %v\n%s", i, err, out)
		}
		var snaps []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(testenv.RunTool(t, resticEnv, "", restic, "snapshots", "--json"), &snaps); err != nil {
			t.Fatal(err)
		}
		for _, s := range snaps {
			if verified[s.ID] {
				continue
			}
			verified[s.ID] = true
			if got := sha256.Sum256(testenv.RunTool(t, resticEnv, "", restic, "dump", s.ID, "/dump.sql")); got != want {
				t.Fatalf("run %d: snapshot %s does not restore its input", i, s.ID[:8])
			}
		}
	}

	want := writeInput(0)
	start := time.Now()
	backup(t, cliEnv, input, -1)
	full := time.Since(start)
	verifyNew(0, want)
	rng := rand.New(rand.NewPCG(11, 12))
	killed := 0
	for i := 1; i <= 24; i++ {
		want := writeInput(byte(i))
		if backup(t, cliEnv, input, time.Duration(rng.Int64N(int64(full)))) {
			killed++
		}
		verifyNew(i, want)
	}
	if killed < 20 {
		t.Fatalf("only %d of 24 runs were killed mid-backup; the kill window is too late", killed)
	}
	if out, err := runRestic(resticEnv, testenv.Restic014(t), "check", "--read-data"); err != nil {
		t.Fatalf("restic 0.14 check --read-data after the kills: %v\n%s", err, out)
	}
	t.Logf("%d of 24 backups killed (full backup takes %v); %d snapshots verified", killed, full, len(verified))
}

// backup runs "repo backup --stdin" as a child process and kills it after
// delay (never when delay < 0). It reports whether the kill happened before
// the process exited on its own.
func backup(t *testing.T, env []string, input string, delay time.Duration) bool {
	t.Helper()
	f, err := os.Open(input)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(os.Args[0], "repo", "backup", "--stdin", "--stdin-filename", "dump.sql")
	cmd.Env, cmd.Stdin = env, f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if delay < 0 {
		if err := <-done; err != nil {
			t.Fatalf("backup: %v\n%s", err, stderr.String())
		}
		return false
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("backup: %v\n%s", err, stderr.String())
		}
		return false
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true
	}
}

func runRestic(env []string, bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}
