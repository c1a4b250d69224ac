package main

import (
	"context"
	"io"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// appCheckCmd checks the configured repository and records the result.
type appCheckCmd struct {
	appConfigFlag
	appLocalFlag
	ReadDataSubset string `name:"read-data-subset" placeholder:"SUBSET" help:"Download and verify a subset of the packs: x% (chosen at random), n/t (group n of t) or a size such as 500M; default: restic.check_read_data_subset."`
}

// Help is the detailed help of "check".
func (c *appCheckCmd) Help() string {
	return `Checks the configured repository as restic check does, under an
exclusive lock: the index, the packs, every snapshot's trees and the
blobs they use; with a read-data subset (--read-data-subset, or
restic.check_read_data_subset) it also downloads packs and verifies their
blobs. The result is recorded as last_check.json in the state directory,
which the evidence reports and which blocks prune while it says failed.

With --json the check_result record is printed.

Examples:
  kamal-backup check
  kamal-backup check --read-data-subset 5%
  bin/kamal accessory exec backup "kamal-backup check --json"

Exit codes: 0 no errors were found; 1 the repository is damaged, or the
check could not run; 10, 11 and 12 as for every command.`
}

// Validate checks the subset's syntax.
func (c *appCheckCmd) Validate() error {
	if c.ReadDataSubset == "" {
		return nil
	}
	_, err := repo.ParseDataSubset(c.ReadDataSubset)
	return err
}

// Run checks the repository and prints the report.
func (c *appCheckCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, c.Local)
	if err != nil {
		return err
	}
	rec, err := g.appRunner(cfg, false).Check(ctx, kbackup.CheckOptions{ReadDataSubset: c.ReadDataSubset})
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
