package retention_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// oracle is a repository that the pinned restic and the repo package
// share: restic backs up one tiny file into it once, then tests replace
// its snapshot files with generated ones (all pointing at that tree) and
// ask restic what "forget" would do.
type oracle struct {
	t      testing.TB
	restic string
	env    []string
	be     backend.Backend
	r      *repo.Repository
	tree   repo.ID
}

// newOracle creates the repository with cheap scrypt parameters, so that
// every restic run opens it in milliseconds.
func newOracle(t testing.TB) *oracle {
	t.Helper()
	restic := testenv.Restic(t)
	dir := t.TempDir()
	ctx := context.Background()
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "pw", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	o := &oracle{t: t, restic: restic, be: be, r: r,
		env: []string{"RESTIC_REPOSITORY=" + filepath.Join(dir, "repo"), "RESTIC_PASSWORD=pw"}}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("tiny\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.RunTool(t, o.env, dir, restic, "--no-cache", "-q", "backup", "--host", "seed", file)
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("seed snapshot: %v (%d snapshots)", err, len(snaps))
	}
	o.tree = *snaps[0].Tree
	return o
}

// replace deletes every snapshot file and writes snaps instead (with the
// seed tree), then returns them as decoded from the repository, which is
// how restic sees them: IDs set, times in the stored UTC offsets.
func (o *oracle) replace(snaps []*repo.Snapshot) ([]*repo.Snapshot, error) {
	ctx := context.Background()
	var names []string
	err := o.be.List(ctx, backend.SnapshotFile, func(fi backend.FileInfo) error {
		names = append(names, fi.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := o.be.Remove(ctx, backend.Handle{Type: backend.SnapshotFile, Name: n}); err != nil {
			return nil, err
		}
	}
	for _, s := range snaps {
		s.Tree = &o.tree
		if _, err := o.r.SaveSnapshot(ctx, s); err != nil {
			return nil, err
		}
	}
	return o.r.Snapshots(ctx, repo.Filter{})
}

// forgetGroup is one group of "restic forget --json" output.
type forgetGroup struct {
	Tags    []string    `json:"tags"`
	Host    string      `json:"host"`
	Paths   []string    `json:"paths"`
	Keep    []idOnly    `json:"keep"`
	Remove  []idOnly    `json:"remove"`
	Reasons []reasonOut `json:"reasons"`
}

type idOnly struct {
	ID string `json:"id"`
}

type reasonOut struct {
	Snapshot idOnly   `json:"snapshot"`
	Matches  []string `json:"matches"`
}

// exitError is restic's JSON error record on stderr.
type exitError struct {
	Message string `json:"message"`
}

// forget runs "restic forget --dry-run --no-lock --json" with args and
// returns the decoded groups, or restic's error message if it failed.
func (o *oracle) forget(args ...string) (groups []forgetGroup, failure string, err error) {
	out, stderr, err := o.run(append([]string{"forget", "--dry-run", "--no-lock", "--json"}, args...)...)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		var rec exitError
		for _, line := range bytes.Split(stderr, []byte("\n")) {
			if json.Unmarshal(line, &rec) == nil && rec.Message != "" {
				return nil, rec.Message, nil
			}
		}
		return nil, string(stderr), nil
	}
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(out, &groups); err != nil {
		return nil, "", errors.Join(err, errors.New(string(out)))
	}
	return groups, "", nil
}

// run runs restic with args and returns stdout and stderr.
func (o *oracle) run(args ...string) (stdout, stderr []byte, err error) {
	cmd := testenv.Command(o.t, o.env, "", o.restic, append([]string{"--no-cache"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}
