package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// forgetFixture is a repository with six daily snapshots of web1 and one
// of web2, each of its own data.
type forgetFixture struct {
	env  map[string]string
	web1 []*repo.Snapshot // oldest first
	web2 *repo.Snapshot
	data map[string]string // snapshot ID → content of /db.sql
}

func newForgetFixture(t *testing.T) *forgetFixture {
	t.Helper()
	env, r := newRepo(t, "forget-pw")
	f := &forgetFixture{env: env, data: map[string]string{}}
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 7 {
		opts := repo.SnapshotOptions{Host: "web1", Time: base.AddDate(0, 0, i), Tags: []string{"app"}}
		if i == 6 {
			opts.Host = "web2"
		}
		data := randomData(uint64(100+i), 2<<20)
		sn := backupStream(t, r, "db.sql", data, opts)
		f.data[sn.ID().String()] = data
		if i < 6 {
			f.web1 = append(f.web1, sn)
		} else {
			f.web2 = sn
		}
	}
	return f
}

// snapshotIDs lists the repository's snapshot IDs through the CLI,
// sorted.
func (f *forgetFixture) snapshotIDs(t *testing.T) []string {
	t.Helper()
	var snaps []struct {
		ID string `json:"id"`
	}
	decodeJSON(t, mustRun(t, f.env, "", "repo", "snapshots", "--json").stdout, &snaps)
	var ids []string
	for _, s := range snaps {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return ids
}

// forgetJSON is the part of forget --json the tests look at.
type forgetJSON []struct {
	Host  string   `json:"host"`
	Paths []string `json:"paths"`
	Tags  []string `json:"tags"`
	Keep  []struct {
		ID string `json:"id"`
	} `json:"keep"`
	Remove []struct {
		ID string `json:"id"`
	} `json:"remove"`
	Reasons []struct {
		Snapshot struct {
			ID string `json:"id"`
		} `json:"snapshot"`
		Matches []string `json:"matches"`
	} `json:"reasons"`
}

func ids(snaps []*repo.Snapshot) []string {
	out := make([]string, len(snaps))
	for i, sn := range snaps {
		out[i] = sn.ID().String()
	}
	return out
}

func TestForgetDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	f := newForgetFixture(t)
	before := f.snapshotIDs(t)
	size := repoSize(t, f.env["RESTIC_REPOSITORY"])

	res := mustRun(t, f.env, "", "repo", "forget", "--keep-last", "2", "--dry-run", "--json")
	var groups forgetJSON
	decodeJSON(t, res.stdout, &groups)
	if len(groups) != 2 || groups[0].Host != "web1" || groups[1].Host != "web2" || groups[0].Tags != nil ||
		!slices.Equal(groups[0].Paths, []string{"/db.sql"}) {
		t.Fatalf("forget --json groups: %s", res.stdout)
	}
	g := groups[0]
	if len(g.Keep) != 2 || g.Keep[0].ID != f.web1[5].ID().String() || g.Keep[1].ID != f.web1[4].ID().String() ||
		len(g.Remove) != 4 || g.Remove[0].ID != f.web1[3].ID().String() || len(g.Reasons) != 2 ||
		!slices.Equal(g.Reasons[0].Matches, []string{"last snapshot"}) {
		t.Errorf("web1 group: %+v", g)
	}

	res = mustRun(t, f.env, "", "repo", "forget", "--keep-last", "2", "--keep-daily", "unlimited", "--host", "web1", "--dry-run")
	for _, want := range []string{"Applying Policy: keep 2 latest, all daily snapshots\n", "keep 6 snapshots:\n",
		"Reasons", "last snapshot", "daily snapshot", "6 snapshots\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("dry run text lacks %q:\n%s", want, res.stdout)
		}
	}
	res = mustRun(t, f.env, "", "repo", "forget", "--keep-last", "1", "--host", "web1", "--dry-run", "--prune")
	if !strings.Contains(res.stdout, "remove 5 snapshots:\n") || !strings.Contains(res.stdout, "Would have removed the following snapshots:\n{") ||
		!strings.Contains(res.stdout, "5 snapshots would be removed") {
		t.Errorf("dry run with --prune:\n%s", res.stdout)
	}
	res = mustRun(t, f.env, "", "repo", "forget", "--dry-run", f.web1[0].ID().Str(), f.web2.ID().String()[:10])
	want := fmt.Sprintf("Would have removed the following snapshots:\n%s\n\n", shortIDSet([]*repo.Snapshot{f.web1[0], f.web2}))
	if res.stdout != want {
		t.Errorf("dry run of IDs printed %q, want %q", res.stdout, want)
	}
	if after := f.snapshotIDs(t); !slices.Equal(before, after) {
		t.Errorf("dry runs removed snapshots: %d before, %d after", len(before), len(after))
	}
	if got := repoSize(t, f.env["RESTIC_REPOSITORY"]); got != size {
		t.Errorf("dry runs changed the repository size from %d to %d", size, got)
	}
	if lf := lockFiles(t, f.env["RESTIC_REPOSITORY"]); len(lf) != 0 {
		t.Errorf("dry runs left locks: %v", lf)
	}
}

func TestForgetThenPrune(t *testing.T) {
	t.Parallel()
	f := newForgetFixture(t)
	repoDir := f.env["RESTIC_REPOSITORY"]
	sizeBefore := repoSize(t, repoDir)

	// The policy keeps the three newest web1 snapshots; web2 is untouched.
	res := mustRun(t, f.env, "", "repo", "forget", "--keep-daily", "3", "--host", "web1")
	if !strings.Contains(res.stdout, "remove 3 snapshots:\n") || !strings.HasSuffix(res.stdout, "removed 3 snapshots\n") {
		t.Errorf("forget printed:\n%s", res.stdout)
	}
	want := append(ids(f.web1[3:]), f.web2.ID().String())
	slices.Sort(want)
	if got := f.snapshotIDs(t); !slices.Equal(got, want) {
		t.Fatalf("after forget: %v, want %v", got, want)
	}
	if got := repoSize(t, repoDir); got >= sizeBefore {
		t.Errorf("forget did not delete snapshot files: %d → %d bytes", sizeBefore, got)
	}

	// An explicit ID with --prune: the JSON has no groups, then the
	// prune record, and the data of the four forgotten snapshots is gone.
	res = mustRun(t, f.env, "", "repo", "forget", "--prune", "--json", f.web1[3].ID().Str())
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "[]" {
		t.Fatalf("forget --prune --json printed:\n%s", res.stdout)
	}
	var pr struct {
		Kind       string `json:"kind"`
		DryRun     bool   `json:"dry_run"`
		FreedBytes int64  `json:"freed_bytes"`
		Snapshots  int    `json:"snapshots"`
	}
	decodeJSON(t, lines[1], &pr)
	if pr.Kind != "prune" || pr.DryRun || pr.Snapshots != 3 || pr.FreedBytes < 4*(2<<20) {
		t.Errorf("prune record: %+v", pr)
	}
	if got, limit := repoSize(t, repoDir), sizeBefore*3/7+(1<<20); got > limit {
		t.Errorf("after prune the repository has %d bytes, want at most %d", got, limit)
	}
	verifyRemaining(t, f)
}

// verifyRemaining requires that restic 0.18.1's check --read-data accepts
// the repository and that every remaining snapshot dumps its data.
func verifyRemaining(t *testing.T, f *forgetFixture) {
	t.Helper()
	rr := newRestic(t, f.env["RESTIC_REPOSITORY"], f.env["RESTIC_PASSWORD"], t.TempDir())
	rr.run(t, "", "check", "--read-data")
	for _, id := range f.snapshotIDs(t) {
		if got := mustRun(t, f.env, "", "repo", "dump", id, "/db.sql").stdout; got != f.data[id] {
			t.Errorf("snapshot %s dumps %d bytes, want its %d", id[:8], len(got), len(f.data[id]))
		}
	}
}

func TestForgetRefusals(t *testing.T) {
	t.Parallel()
	f := newForgetFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no policy", []string{}, 1, "no policy was specified"},
		{"last snapshot", []string{"--keep-tag", "nope"}, 1, "refusing to delete last snapshot of snapshot group"},
		{"remove all without filter", []string{"--unsafe-allow-remove-all"}, 1, "not allowed unless a snapshot filter"},
		{"bad count", []string{"--keep-last", "many"}, 1, "invalid count"},
		{"negative count", []string{"--keep-last=-2"}, 1, "invalid count"},
		{"bad duration", []string{"--keep-within", "3w"}, 1, "invalid unit"},
		{"bad group", []string{"--keep-last", "1", "--group-by", "user"}, 1, "unknown grouping option"},
		{"bad max unused", []string{"--keep-last", "1", "--prune", "--max-unused", "100%"}, 1, "invalid --max-unused"},
		{"unknown id", []string{"ffffffffff"}, 1, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, f.env, "", append([]string{"repo", "forget"}, tc.args...)...)
			if res.code != tc.code || !strings.Contains(res.stderr, tc.msg) {
				t.Errorf("exit %d, want %d; stderr %q should contain %q", res.code, tc.code, res.stderr, tc.msg)
			}
		})
	}
	if got := f.snapshotIDs(t); len(got) != 7 {
		t.Errorf("refused forgets removed snapshots: %d left", len(got))
	}
	// With a filter, an empty policy may remove everything it selects.
	mustRun(t, f.env, "", "repo", "forget", "--unsafe-allow-remove-all", "--host", "web2")
	if got := f.snapshotIDs(t); len(got) != 6 || slices.Contains(got, f.web2.ID().String()) {
		t.Errorf("after removing all of web2: %v", got)
	}
	mustRun(t, f.env, "", "repo", "forget", "--keep-last=-1", "--dry-run")
}

func TestForgetAndPruneRespectLocks(t *testing.T) {
	t.Parallel()
	env, r := newRepo(t, "forget-lock-pw")
	backupStream(t, r, "db.sql", "one", snapshotOpts("web1"))
	lock, _, err := r.Lock(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"repo", "forget", "--keep-last", "1"},
		{"repo", "forget", "--keep-last", "1", "--prune"},
		{"repo", "prune"},
	} {
		if res := runCLI(t, env, "", args...); res.code != exitLocked || !strings.Contains(res.stderr, "already locked") {
			t.Errorf("%v under a shared lock: exit %d, %s", args, res.code, res.stderr)
		}
	}
	// Dry runs need only a shared lock.
	mustRun(t, env, "", "repo", "forget", "--keep-last", "1", "--dry-run")
	mustRun(t, env, "", "repo", "prune", "--dry-run")
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "", "repo", "forget", "--keep-last", "1", "--prune")
	if lf := lockFiles(t, env["RESTIC_REPOSITORY"]); len(lf) != 0 {
		t.Errorf("locks left behind: %v", lf)
	}
}
