package main

import (
	"context"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// pruneJSON is the part of the prune record the tests look at.
type pruneJSON struct {
	MessageType   string          `json:"message_type"`
	Kind          string          `json:"kind"`
	SchemaVersion int             `json:"schema_version"`
	DryRun        bool            `json:"dry_run"`
	Repacked      repo.PruneCount `json:"repacked"`
	Removed       repo.PruneCount `json:"removed"`
	FreedBytes    int64           `json:"freed_bytes"`
	UnusedAfter   int64           `json:"unused_after"`
}

func TestPruneRepacksPartlyUsedPacks(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "prune-pw")
	ctx := context.Background()
	// The chunker's polynomial is random per repository: 10 MiB of shared
	// prefix makes sure some chunks fall wholly inside it (with 3 MiB, one
	// run in about twelve had none, so nothing was left to repack).
	shared, gone, kept := randomData(1, 10<<20), randomData(2, 3<<20), randomData(3, 3<<20)
	old := backupStream(t, r, "db.sql", shared+gone, snapshotOpts("web1"))
	backupStream(t, r, "db.sql", shared+kept, snapshotOpts("web1"))
	if err := r.Forget(ctx, []repo.ID{old.ID()}); err != nil {
		t.Fatal(err)
	}
	repoDir := env["RESTIC_REPOSITORY"]
	size := repoSize(t, repoDir)

	res := mustRun(t, env, "", "repo", "prune", "--dry-run", "--max-unused", "0%")
	for _, want := range []string{"Would have made the following changes:\n", "\nto repack: ", "\nthis removes: ",
		"\nto delete: ", "\ntotal prune: ", "\nremaining: ", "\nunused size after prune: 0 B (0.00% of remaining size)\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("prune --dry-run lacks %q:\n%s", want, res.stdout)
		}
	}
	var rec pruneJSON
	decodeJSON(t, mustRun(t, env, "", "repo", "prune", "--dry-run", "--max-unused", "unlimited", "--json").stdout, &rec)
	if rec.MessageType != "summary" || rec.Kind != "prune" || rec.SchemaVersion != 1 || !rec.DryRun || rec.Repacked.Packs != 0 {
		t.Errorf("prune --dry-run --max-unused unlimited: %+v", rec)
	}
	if got := repoSize(t, repoDir); got != size {
		t.Fatalf("dry runs changed the repository: %d → %d bytes", size, got)
	}

	decodeJSON(t, mustRun(t, env, "", "repo", "prune", "--max-unused", "0%", "--json").stdout, &rec)
	if rec.DryRun || rec.Repacked.Packs == 0 || rec.FreedBytes < 2<<20 || rec.UnusedAfter != 0 {
		t.Errorf("prune --max-unused 0%%: %+v", rec)
	}
	if got := repoSize(t, repoDir); got > size-(2<<20) {
		t.Errorf("prune freed too little: %d → %d bytes", size, got)
	}
	rr := newRestic(t, repoDir, "prune-pw", t.TempDir())
	rr.run(t, "", "check", "--read-data")
	if got := mustRun(t, env, "", "repo", "dump", "latest", "/db.sql").stdout; got != shared+kept {
		t.Errorf("the kept snapshot dumps %d bytes, want %d", len(got), len(shared+kept))
	}
	// Nothing is left to do.
	res = mustRun(t, env, "", "repo", "prune")
	if !strings.Contains(res.stdout, "total prune:           0 blobs / 0 B\n") || !strings.HasSuffix(res.stdout, "done\n") {
		t.Errorf("second prune printed:\n%s", res.stdout)
	}
}

func TestPruneFlagValidation(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "prune-flags-pw")
	for _, args := range [][]string{
		{"--max-unused", "100%"}, {"--max-unused=-1%"}, {"--max-unused", "lots"},
		{"--max-repack-size", "2X"}, {"--repack-smaller-than=-5M"},
	} {
		if res := runCLI(t, env, "", append([]string{"repo", "prune"}, args...)...); res.code != 1 || !strings.Contains(res.stderr, "invalid --") {
			t.Errorf("prune %v: exit %d, %s", args, res.code, res.stderr)
		}
	}
	for _, args := range [][]string{{"--max-unused", "10M"}, {"--max-repack-size", "1G", "--repack-small"}, {"--repack-smaller-than", "1M"}} {
		mustRun(t, env, "", append([]string{"repo", "prune", "--dry-run"}, args...)...)
	}
}
