package main

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/alecthomas/kong"

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
repository, without holding it in memory. On a terminal a progress bar
on standard error shows the bytes written (see --progress).

Examples:
  kamal-backup repo dump --tag app latest /app.pgdump | pg_restore -d app
  kamal-backup repo dump 4adc4fcf /databases/app/app/sqlite.sqlite3 > app.sqlite3

Exit codes: 0 written; 1 error, such as no such file in the snapshot;
10, 11 and 12 as for every command.`
}

// Run streams the file.
func (c *dumpCmd) Run(ctx context.Context, g *Globals, k *kong.Context) error {
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
		m := g.newMeter(k.Stderr, "dump", p)
		m.Start(int64(n.Size))
		defer m.Done()
		if _, err := io.Copy(g.stdout, repo.ProgressReader(rc, m)); err != nil {
			return fmt.Errorf("dump %s: %w", p, err)
		}
		return nil
	})
}
