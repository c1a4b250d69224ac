package main

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
)

// pruneCmd deletes data no snapshot uses.
type pruneCmd struct {
	pruneFlags
	DryRun bool `short:"n" name:"dry-run" help:"Only print what would be deleted and repacked."`
}

// Help is the detailed help of "repo prune".
func (c *pruneCmd) Help() string {
	return `Deletes the data that no snapshot uses any more, as restic prune does:
packs no index lists and packs without used blobs are deleted; packs that
are partly unused are repacked until at most --max-unused space is left.
The order of the steps keeps the repository valid if prune is interrupted.
Prune refuses to run when data a snapshot needs is missing.

It holds an exclusive lock (a shared one with --dry-run). The summary says
what was repacked and deleted; with --json it is one record (see
docs/CHECK_JSON.md).

Examples:
  kamal-backup repo prune
  kamal-backup repo prune --dry-run --max-unused 10%
  kamal-backup repo prune --max-unused unlimited --json

Exit codes: 0 pruned (or planned, with --dry-run); 1 error, or data a
snapshot needs is missing; 10, 11 and 12 as for every command.`
}

// Validate checks the size and percentage flags.
func (c *pruneCmd) Validate() error { return c.pruneFlags.validate() }

// Run prunes the repository.
func (c *pruneCmd) Run(ctx context.Context, g *Globals) error {
	return g.withLock(ctx, !c.DryRun, false, func(ctx context.Context, r *repo.Repository, lock *repo.Lock) error {
		return g.prune(ctx, r, c.options(c.DryRun, lock))
	})
}

// prune runs Prune and prints its result, also when it failed midway.
func (g *Globals) prune(ctx context.Context, r *repo.Repository, opts repo.PruneOptions) error {
	res, err := r.Prune(ctx, opts)
	if res != nil {
		if perr := g.reportPrune(res); err == nil {
			err = perr
		}
	}
	return err
}
