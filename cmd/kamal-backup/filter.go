package main

import (
	"context"
	"fmt"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// filterFlags select snapshots: by every listed host, tag list and path.
type filterFlags struct {
	Host []string `short:"H" name:"host" sep:"none" envvar:"RESTIC_HOST" placeholder:"HOST" help:"Only consider snapshots from this host (repeatable)."`
	Tag  []string `name:"tag" sep:"none" placeholder:"TAG[,TAG...]" help:"Only consider snapshots with all these tags (repeatable: any of the lists)."`
	Path []string `name:"path" sep:"none" placeholder:"PATH" help:"Only consider snapshots including this path (repeatable: all of them)."`
}

// filter returns the repo.Filter the flags describe.
func (f filterFlags) filter() repo.Filter {
	return repo.Filter{Hosts: f.Host, Tags: repo.ParseTagLists(f.Tag), Paths: f.Path}
}

// findSnapshot resolves a SNAPSHOT argument ("latest", an ID or prefix,
// optionally with ":subfolder"); the filter applies to "latest".
func findSnapshot(ctx context.Context, r *repo.Repository, arg string, f repo.Filter) (*repo.Snapshot, cli.SnapshotRef, error) {
	ref, err := cli.ParseSnapshotRef(arg)
	if err != nil {
		return nil, ref, err
	}
	sn, err := r.FindSnapshot(ctx, ref.ID, f)
	if err != nil {
		return nil, ref, err
	}
	return sn, ref, nil
}

// subtreeSnapshot returns a copy of sn whose tree is the folder sub
// (restic's "snapshot:subfolder"), or sn itself for the root.
func subtreeSnapshot(ctx context.Context, r *repo.Repository, sn *repo.Snapshot, sub string) (*repo.Snapshot, error) {
	if sub == "" {
		return sn, nil
	}
	n, err := r.FindNode(ctx, *sn.Tree, sub)
	if err != nil {
		return nil, err
	}
	if n.Subtree == nil {
		return nil, fmt.Errorf("path %s: not a directory", sub)
	}
	cp := *sn
	cp.Tree = n.Subtree
	return &cp, nil
}
