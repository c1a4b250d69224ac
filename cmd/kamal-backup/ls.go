package main

import (
	"context"
	"fmt"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// lsCmd lists the nodes of a snapshot.
type lsCmd struct {
	filterFlags
	Recursive bool     `name:"recursive" help:"With DIR arguments, also list everything below them."`
	Snapshot  string   `arg:"" name:"snapshot" help:"latest, a snapshot ID or unique prefix, optionally with :subfolder."`
	Dirs      []string `arg:"" optional:"" name:"dir" help:"Only list these absolute directories (and their direct children)."`
}

// Help is the detailed help of "repo ls".
func (c *lsCmd) Help() string {
	return `Prints one path per line. With --json the first line describes the snapshot
and every further line one node, with the fields of restic's "ls --json".

Examples:
  kamal-backup repo ls latest
  kamal-backup repo ls --json 4adc4fcf /databases
  kamal-backup repo ls latest:databases/app

Exit codes: 0 listed; 1 error, such as no such snapshot or path; 10, 11 and 12 as for every command.`
}

// Run lists the snapshot.
func (c *lsCmd) Run(ctx context.Context, g *Globals) error {
	filter, err := cli.NewListFilter(c.Dirs, c.Recursive)
	if err != nil {
		return err
	}
	return g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		return c.list(ctx, g, r, filter)
	})
}

// list prints the nodes that filter selects.
func (c *lsCmd) list(ctx context.Context, g *Globals, r *repo.Repository, filter cli.ListFilter) error {
	sn, ref, err := findSnapshot(ctx, r, c.Snapshot, c.filter())
	if err != nil {
		return err
	}
	if sn, err = subtreeSnapshot(ctx, r, sn, ref.Subfolder); err != nil {
		return err
	}
	if g.JSON {
		if err := g.printJSON(cli.NewLsSnapshot(sn)); err != nil {
			return err
		}
	}
	return r.Walk(ctx, *sn.Tree, "/", func(p string, n *repo.Node) error {
		if filter.Match(p) {
			var err error
			if g.JSON {
				err = g.printJSON(cli.NewNode(p, n))
			} else {
				_, err = fmt.Fprintln(g.stdout, p)
			}
			if err != nil {
				return err
			}
		}
		if n.Type == tree.TypeDir && !filter.Descend(p) {
			return repo.SkipDir
		}
		return nil
	})
}
