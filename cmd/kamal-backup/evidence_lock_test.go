package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEvidenceLocked checks that evidence, which loads the snapshots
// while its lock settles, fails with the lock's error and writes no
// document when another process holds an exclusive lock, and collects
// them once the lock is released.
func TestEvidenceLocked(t *testing.T) {
	t.Parallel()
	a := newEvidenceApp(t)
	a.backupAt(t, evidenceNow.Add(-time.Hour))
	holder, _, err := a.r.Lock(context.Background(), true) // a live process: not stale
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(a.dir, "evidence.json")
	for _, args := range [][]string{{"--config", a.config}, {"--config", a.config, "--output", out}} {
		res := runEvidence(t, a.env, args...)
		if res.code != exitLocked || !strings.Contains(res.stderr, "locked exclusively") || res.stdout != "" {
			t.Errorf("%v under an exclusive lock: exit %d, stdout %q, stderr %q; want exit %d, the lock's error and no document",
				args, res.code, res.stdout, res.stderr, exitLocked)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--output file after a failed lock: %v, want none", err)
	}
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	res := runEvidence(t, a.env, "--config", a.config)
	var doc struct {
		Repository struct {
			Snapshots int `json:"snapshots"`
		} `json:"repository"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); res.code != exitOK || err != nil || doc.Repository.Snapshots != 2 {
		t.Errorf("after unlock: exit %d, %d snapshots (%v)\n%s", res.code, doc.Repository.Snapshots, err, res.stderr)
	}
}
