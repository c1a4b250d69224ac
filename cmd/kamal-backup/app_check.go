package main

import (
	"context"
	"io"

	"github.com/alecthomas/kong"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/progress"
)

// appCheckCmd checks the configured repository and records the result.
type appCheckCmd struct {
	appConfigFlag
	appLocalFlag
	ReadDataSubset string `name:"read-data-subset" placeholder:"SUBSET" help:"Download and verify a subset of the packs: x% (chosen at random), n/t (group n of t), auto/N (the next of N groups, in turn: every pack once per N checks) or a size such as 500M; default: restic.check_read_data_subset."`
}

// Help is the detailed help of "check".
func (c *appCheckCmd) Help() string {
	return `Checks the configured repository as restic check does, under an
exclusive lock: the index, the packs, every snapshot's trees and the
blobs they use; with a read-data subset (--read-data-subset, or
restic.check_read_data_subset) it also downloads packs and verifies their
blobs. The result is recorded as last_check.json in the state directory,
which the evidence reports and which blocks prune while it says failed.

A subset auto/N reads group k of N (k/N), k advancing by one with each
check that runs to completion, damage found or not, unless a damaged
index stopped it before it read data (check_rotation.json in the state
directory remembers k): N checks in a row read every pack once. The packs each check read and found intact are recorded in
verified_packs.json, from which the evidence computes its
verification_coverage.

With --json the check_result record is printed. On a terminal a progress
bar shows the packs read and verified (see --progress).

Examples:
  kamal-backup check
  kamal-backup check --read-data-subset 5%
  kamal-backup check --read-data-subset auto/7
  bin/kamal accessory exec backup "kamal-backup check --json"

Exit codes: 0 no errors were found; 1 the repository is damaged, or the
check could not run; 10, 11 and 12 as for every command.`
}

// Validate checks the subset's syntax.
func (c *appCheckCmd) Validate() error {
	if c.ReadDataSubset == "" {
		return nil
	}
	return kbackup.ValidateReadDataSubset(c.ReadDataSubset)
}

// Run checks the repository and prints the report.
func (c *appCheckCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
	cfg, err := g.loadAppConfig(c.Config, c.Local)
	if err != nil {
		return err
	}
	runner := g.appRunner(cfg, false)
	prog := &checkProgress{newMeter: func() *progress.Meter { return g.newMeter(k.Stderr, "check", "read data") }}
	runner.CheckProgress = prog
	rec, err := runner.Check(ctx, kbackup.CheckOptions{ReadDataSubset: c.ReadDataSubset})
	prog.finish()
	if rec == nil {
		return err
	}
	var perr error
	switch {
	case g.JSON:
		perr = g.printJSON(rec)
	case !g.Quiet || rec.Status != kbackup.StatusOK:
		_, perr = io.WriteString(g.stdout, rec.Output)
	}
	if err == nil {
		err = perr
	}
	return err
}
