package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/repo"
)

// errCheckFailed is returned by "repo check" when the repository has
// errors; it maps to exit code 1.
var errCheckFailed = errors.New("repository contains errors")

// checkCmd verifies the repository's integrity.
type checkCmd struct {
	ReadData       bool   `name:"read-data" help:"Download and verify every pack."`
	ReadDataSubset string `name:"read-data-subset" placeholder:"SUBSET" help:"Download and verify a subset of the packs: n/t (group n of t), x% (chosen at random) or a size such as 500M."`
}

// Help is the detailed help of "repo check".
func (c *checkCmd) Help() string {
	return `Checks the repository as restic check does: loads every index file,
compares the packs with the index, loads every tree of every snapshot
and checks that every blob they use is indexed. With --read-data (or a
--read-data-subset) it also downloads packs and verifies every blob; on
a terminal a progress bar counts the packs (see --progress).

It holds an exclusive lock unless --no-lock is given. Damage is printed and
the exit code is 1; hints (harmless findings) do not fail the check. With
--json one record is printed: the counts, the errors and hints and what to
run next (see docs/CHECK_JSON.md).

Examples:
  kamal-backup repo check
  kamal-backup repo check --read-data-subset 10%
  kamal-backup repo check --read-data --json

Exit codes: 0 no errors were found; 1 the repository is damaged, or the
check could not run; 10, 11 and 12 as for every command.`
}

// Validate checks the read-data options.
func (c *checkCmd) Validate() error {
	if c.ReadData && c.ReadDataSubset != "" {
		return errors.New("--read-data and --read-data-subset are mutually exclusive")
	}
	if c.ReadDataSubset != "" {
		if _, auto, _ := kbackup.ParseAutoSubset(c.ReadDataSubset); auto {
			return fmt.Errorf("--read-data-subset %s: auto/N needs the state directory; use kamal-backup check", c.ReadDataSubset)
		}
		if _, err := repo.ParseDataSubset(c.ReadDataSubset); err != nil {
			return err
		}
	}
	return nil
}

// Run checks the repository and reports what it found.
func (c *checkCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	if !g.NoLock {
		g.verbosef("create exclusive lock for repository\n")
	}
	return g.withLock(ctx, true, g.NoLock, func(ctx context.Context, r *repo.Repository, _ *repo.Lock) error {
		prog := &checkProgress{steps: newCheckPrinter(g, c.ReadDataSubset),
			newMeter: func() *progress.Meter { return g.newMeter(k.Stderr, "check", "read data") }}
		res, err := r.Check(ctx, repo.CheckOptions{ReadData: c.ReadData, ReadDataSubset: c.ReadDataSubset,
			NoLock: true, Progress: prog})
		prog.finish()
		if err != nil {
			return err
		}
		if g.JSON {
			if err := g.printJSON(newCheckRecord(res)); err != nil {
				return err
			}
		} else {
			writeCheckReport(g, res)
		}
		if !res.OK() {
			return errCheckFailed
		}
		return nil
	})
}
