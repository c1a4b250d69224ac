package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// forgetCmd removes snapshots, by ID or by a retention policy.
type forgetCmd struct {
	filterFlags
	keepFlags
	pruneFlags
	GroupBy              string   `short:"g" name:"group-by" default:"host,paths" placeholder:"FIELDS" help:"Apply the policy to each group of snapshots sharing these fields: host, paths, tags, comma-separated; '' for one group (default: ${default})."`
	Prune                bool     `name:"prune" help:"Prune the repository afterwards, under the same lock."`
	DryRun               bool     `short:"n" name:"dry-run" help:"Only print which snapshots would be removed."`
	UnsafeAllowRemoveAll bool     `name:"unsafe-allow-remove-all" help:"Allow a forget without any policy to remove every snapshot that the filter (--host, --tag, --path) selects."`
	IDs                  []string `arg:"" optional:"" name:"snapshot-id" help:"Snapshots to remove (IDs, prefixes or latest); the policy is then ignored."`
}

// Help is the detailed help of "repo forget".
func (c *forgetCmd) Help() string {
	return `Removes snapshots: the given ones, or those a retention policy does not
keep, with restic 0.18's rules. Snapshots are grouped by host and paths
(--group-by) and the policy is applied to each group; a policy that would
remove the last snapshot of a group is refused. Counts take N, or -1 or
unlimited for every bucket; durations look like 1y5m7d2h. Only snapshot
files go: run prune (or pass --prune) to delete the data.

It holds an exclusive lock (a shared one with --dry-run, none with
--dry-run --no-lock). With --json it prints restic's forget JSON: an
array of groups with tags, host, paths, keep, remove and reasons; with
--prune the prune record follows on its own line.

Examples:
  kamal-backup repo forget --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --dry-run
  kamal-backup repo forget --tag app --keep-within 30d --keep-monthly unlimited --prune
  kamal-backup repo forget 4ddae279 a2db5611

Exit codes: 0 success; 1 error, or a policy that would remove the last
snapshot of a group; 10, 11 and 12 as for every command.`
}

// Validate checks the policy and the options that go with it.
func (c *forgetCmd) Validate() error {
	if _, err := retention.ParseGroupBy(c.GroupBy); err != nil {
		return err
	}
	if err := c.pruneFlags.validate(); err != nil {
		return err
	}
	p := c.policy()
	if err := p.Validate(); err != nil {
		return err
	}
	if c.UnsafeAllowRemoveAll && len(c.Host)+len(c.Tag)+len(c.Path) == 0 {
		return errors.New("--unsafe-allow-remove-all is not allowed unless a snapshot filter option is specified")
	}
	if len(c.IDs) == 0 && p.Empty() && !c.UnsafeAllowRemoveAll {
		return retention.ErrEmptyPolicy
	}
	return nil
}

// Run removes the snapshots and, with --prune, prunes.
func (c *forgetCmd) Run(ctx context.Context, g *Globals) error {
	return g.withLock(ctx, !c.DryRun, c.DryRun && g.NoLock, func(ctx context.Context, r *repo.Repository, lock *repo.Lock) error {
		groups, remove, err := c.plan(ctx, r)
		if err != nil {
			return err
		}
		if err := g.reportForget(c.policy(), groups, len(c.IDs) > 0); err != nil {
			return err
		}
		if len(remove) == 0 {
			return nil
		}
		if c.DryRun {
			g.verbosef("Would have removed the following snapshots:\n%s\n\n", shortIDSet(remove))
			if c.Prune {
				g.verbosef("%d snapshots would be removed; prune is not planned in a dry run, as they still exist\n", len(remove))
			}
			return nil
		}
		ids := make([]repo.ID, len(remove))
		for i, sn := range remove {
			ids[i] = sn.ID()
		}
		if err := r.Forget(ctx, ids); err != nil {
			return err
		}
		if !c.Prune {
			g.verbosef("removed %d snapshots\n", len(ids))
			return nil
		}
		g.verbosef("%d snapshots have been removed, running prune\n", len(ids))
		return g.prune(ctx, r, c.options(false, lock))
	})
}

// plan returns the groups the policy decided on (none for explicit IDs)
// and the snapshots to remove, each once.
func (c *forgetCmd) plan(ctx context.Context, r *repo.Repository) ([]retention.GroupResult, []*repo.Snapshot, error) {
	if len(c.IDs) > 0 {
		var remove []*repo.Snapshot
		seen := map[repo.ID]bool{}
		for _, arg := range c.IDs {
			sn, err := r.FindSnapshot(ctx, arg, c.filter())
			if err != nil {
				return nil, nil, err
			}
			if !seen[sn.ID()] {
				seen[sn.ID()] = true
				remove = append(remove, sn)
			}
		}
		return nil, remove, nil
	}
	snaps, err := r.Snapshots(ctx, c.filter())
	if err != nil {
		return nil, nil, err
	}
	by, _ := retention.ParseGroupBy(c.GroupBy) // checked by Validate
	groups, err := retention.Plan(snaps, c.policy(), by, time.Now(), retention.PlanOptions{AllowRemoveAll: c.UnsafeAllowRemoveAll})
	if err != nil {
		return nil, nil, err
	}
	var remove []*repo.Snapshot
	for _, gr := range groups {
		remove = append(remove, gr.Remove...)
	}
	return groups, remove, nil
}

// shortIDSet formats snapshot IDs as restic prints an ID set: sorted
// short IDs in braces, "{4ddae279 a2db5611}".
func shortIDSet(snaps []*repo.Snapshot) string {
	ids := make([]string, len(snaps))
	for i, sn := range snaps {
		ids[i] = sn.ID().Str()
	}
	slices.Sort(ids)
	return fmt.Sprintf("{%s}", strings.Join(ids, " "))
}
