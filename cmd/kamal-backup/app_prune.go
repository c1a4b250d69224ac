package main

import (
	"context"
	"fmt"
	"strings"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// appPruneCmd applies the retention policy per group and prunes.
type appPruneCmd struct {
	appConfigFlag
	appLocalFlag
	Force bool `name:"force" help:"Prune even though the last recorded check failed."`
}

// Help is the detailed help of "prune".
func (c *appPruneCmd) Help() string {
	return `Applies the retention policy (restic.retention) to each configured
database's snapshots and to the file snapshots separately, grouped by host,
as the Ruby kamal-backup runs restic forget --prune per group, then deletes
the data no snapshot uses; all under one exclusive lock.

It refuses, before changing anything, while the last recorded check
(last_check.json) failed: run "kamal-backup check" first, or --force.

With --json the prune_result record is printed: per group the short IDs
kept and removed, the count forgotten and what prune did.

Examples:
  kamal-backup prune
  kamal-backup prune --json

Exit codes: 0 success; 1 error, or the last check failed; 10, 11 and 12
as for every command.`
}

// Run forgets and prunes, then prints what it did.
func (c *appPruneCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, c.Local)
	if err != nil {
		return err
	}
	rep, err := g.appRunner(cfg, false).Prune(ctx, kbackup.PruneOptions{Force: c.Force})
	if rep == nil {
		return err
	}
	if g.JSON {
		if perr := g.printJSON(rep); err == nil {
			err = perr
		}
		return err
	}
	for _, gr := range rep.Groups {
		line := fmt.Sprintf("%s (host %s): keep %d", gr.Group, gr.Host, len(gr.Keep))
		if len(gr.Remove) > 0 {
			line += fmt.Sprintf(", remove %d: %s", len(gr.Remove), strings.Join(gr.Remove, " "))
		}
		g.verbosef("%s\n", line)
	}
	if rep.Prune != nil {
		g.verbosef("%s", pruneSummary(rep.Prune))
	}
	return err
}
