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
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// TestConcurrentBackupsAndPrune runs two backup processes at once while a
// third process forgets and prunes, several rounds over, and then requires
// restic 0.18.1's check --read-data to pass and every snapshot to restore
// its input. Locks must serialize what needs serializing: backups share
// the repository, prune waits for them (--retry-lock) and they for it.
func TestConcurrentBackupsAndPrune(t *testing.T) {
	restic := testenv.Restic(t)
	env, _ := newRepo(t, "race-pw")
	repoDir := env["RESTIC_REPOSITORY"]
	cliEnv := append(os.Environ(), "KAMAL_BACKUP_TEST_MAIN=1", "RESTIC_REPOSITORY="+repoDir, "RESTIC_PASSWORD=race-pw")
	dir := t.TempDir()
	want := map[string][32]byte{} // stdin filename -> SHA-256 of its latest input
	var mu sync.Mutex
	run := func(stdin string, args ...string) error {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = cliEnv
		if stdin != "" {
			f, err := os.Open(stdin)
			if err != nil {
				return err
			}
			defer f.Close()
			cmd.Stdin = f
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out.String())
		}
		return nil
	}
	for round := range 4 {
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for writer := range 2 {
			name := fmt.Sprintf("db%d.sql", writer)
			input := filepath.Join(dir, fmt.Sprintf("%d-%d", round, writer))
			data := make([]byte, 6<<20)
			rand.NewChaCha8([32]byte{byte(round), byte(writer)}).Read(data)
			if err := os.WriteFile(input, data, 0o600); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			want[name] = sha256.Sum256(data)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- run(input, "repo", "backup", "--retry-lock", "2m", "--stdin", "--stdin-filename", name, "--host", name)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- run("", "repo", "forget", "--retry-lock", "2m", "--keep-last", "1", "--prune", "--max-unused", "0%")
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	resticEnv := []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=race-pw", "RESTIC_CACHE_DIR=" + t.TempDir()}
	if out, err := runRestic(resticEnv, restic, "check", "--read-data"); err != nil {
		t.Fatalf("restic check --read-data: %v\n%s", err, out)
	}
	// The latest snapshot of each host restores that host's last input.
	var snaps []struct {
		ID       string `json:"id"`
		Hostname string `json:"hostname"`
	}
	if err := json.Unmarshal(testenv.RunTool(t, resticEnv, "", restic, "snapshots", "--json", "--latest", "1"), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 {
		t.Fatalf("want the latest snapshot of 2 hosts, got %d", len(snaps))
	}
	for _, s := range snaps {
		got := sha256.Sum256(testenv.RunTool(t, resticEnv, "", restic, "dump", s.ID, "/"+s.Hostname))
		if got != want[s.Hostname] {
			t.Errorf("latest snapshot of %s does not restore its last input", s.Hostname)
		}
	}
}
