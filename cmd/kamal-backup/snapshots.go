package main

import (
	"context"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// snapshotsCmd lists snapshots.
type snapshotsCmd struct {
	filterFlags
	Latest int `name:"latest" placeholder:"N" help:"Only show the last N snapshots of each host and set of paths."`
}

// Help is the detailed help of "repo snapshots".
func (c *snapshotsCmd) Help() string {
	return `Lists snapshots oldest first: a table, or with --json an array with restic's
field names (time, parent, tree, paths, hostname, username, uid, gid,
excludes, tags, original, program_version, summary, id, short_id).

Examples:
  kamal-backup repo snapshots --tag app:web,type:database --host web1
  kamal-backup repo snapshots --json --latest 1

Exit codes: 0 listed (even none); 1 error; 10, 11 and 12 as for every command.`
}

// Run prints the snapshots.
func (c *snapshotsCmd) Run(ctx context.Context, g *Globals) error {
	return g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		snaps, err := r.Snapshots(ctx, c.filter())
		if err != nil {
			return err
		}
		snaps = cli.LatestPerGroup(snaps, c.Latest)
		if g.JSON {
			return g.printJSON(cli.Snapshots(snaps))
		}
		return cli.WriteSnapshotTable(g.stdout, snaps)
	})
}
