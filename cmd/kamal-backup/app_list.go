package main

import (
	"context"
	"fmt"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// listCmd lists the app's snapshots.
type listCmd struct {
	appConfigFlag
	appLocalFlag
}

// Help is the detailed help of "list".
func (c *listCmd) Help() string {
	return `Lists this app's kamal-backup snapshots (tags kamal-backup and app:<app>),
grouped as the retention policy groups them: each configured database in
configured order, then the files; oldest first within a group. It reads
the repository without locking it and never creates it.

With --json it prints one snapshot_list record: schema_version 1, kind
"snapshot_list", app, repository (credentials redacted) and snapshots, each
with id, short_id, time, group ("database:<name>" or "files"), type,
database, adapter, host, tags and paths. Fields are only ever added.

Examples:
  kamal-backup list
  kamal-backup list --json
  kamal-backup list --local -c config/kamal-backup.yml

Exit codes: 0 success; 1 error; 10, 11 and 12 as for every command.`
}

// snapshotList is the record "list --json" prints.
type snapshotList struct {
	kbackup.RecordHeader
	App        string                 `json:"app"`
	Repository string                 `json:"repository"`
	Snapshots  []kbackup.SnapshotInfo `json:"snapshots"`
}

// kindSnapshotList is the kind of a snapshotList.
const kindSnapshotList = "snapshot_list"

// Run lists the snapshots.
func (c *listCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, c.Local)
	if err != nil {
		return err
	}
	snaps, err := g.appRunner(cfg, false).List(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(snapshotList{RecordHeader: kbackup.NewRecordHeader(kindSnapshotList),
			App: cfg.App, Repository: cfg.RepositoryDisplay(), Snapshots: snaps})
	}
	return writeSnapshotList(g, snaps)
}

// writeSnapshotList prints the snapshots as a table, one group after the
// other, then their count.
func writeSnapshotList(g *Globals, snaps []kbackup.SnapshotInfo) error {
	t := &ruledTable{header: []string{"ID", "Time", "Group", "Host", "Paths"}, min: []int{8, 19, 5, 4, 5}}
	for _, s := range snaps {
		group := s.Group
		if s.Adapter != "" {
			group += " (" + s.Adapter + ")"
		}
		t.add([]string{s.ShortID}, []string{appTime(s.Time)}, []string{group}, []string{s.Host}, s.Paths)
	}
	if err := t.write(g.stdout); err != nil {
		return err
	}
	noun := "snapshots"
	if len(snaps) == 1 {
		noun = "snapshot"
	}
	_, err := fmt.Fprintf(g.stdout, "%d %s\n", len(snaps), noun)
	return err
}
