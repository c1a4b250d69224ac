package main

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// dumpCmd streams one file of a snapshot to standard output.
type dumpCmd struct {
	filterFlags
	Snapshot string `arg:"" name:"snapshot" help:"latest, a snapshot ID or unique prefix, optionally with :subfolder."`
	Path     string `arg:"" name:"path" help:"Path of the file inside the snapshot (or the subfolder)."`
}

// Help is the detailed help of "repo dump".
func (c *dumpCmd) Help() string {
	return `Writes the content of one file to standard output as it is read from the
repository, without holding it in memory.

Example:
  kamal-backup repo dump --tag app latest /app.pgdump | pg_restore -d app`
}

// Run streams the file.
func (c *dumpCmd) Run(ctx context.Context, g *Globals) error {
	return g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		sn, ref, err := findSnapshot(ctx, r, c.Snapshot, c.filter())
		if err != nil {
			return err
		}
		p := path.Join("/", ref.Subfolder, c.Path)
		n, err := r.FindNode(ctx, *sn.Tree, p)
		if err != nil {
			return err
		}
		if n.Type != tree.TypeFile {
			return fmt.Errorf("%s is a %s: dump writes single files only", p, n.Type)
		}
		rc := r.NodeReader(ctx, n)
		defer rc.Close()
		if _, err := io.Copy(g.stdout, rc); err != nil {
			return fmt.Errorf("dump %s: %w", p, err)
		}
		return nil
	})
}
