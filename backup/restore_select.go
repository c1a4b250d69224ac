package backup

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// selection is the snapshots a job restores from.
type selection struct {
	// dbs are the database snapshots, in the order of job.dbs.
	dbs []dbChoice
	// files is the file snapshot; nil when the job restores no files.
	files *repo.Snapshot
}

// dbChoice is a database snapshot and the dump file in it.
type dbChoice struct {
	snap *repo.Snapshot
	// filename is the dump's path in the snapshot, without a leading
	// slash.
	filename string
}

// selectSnapshots chooses the snapshots of j among the production app's.
//
// With ref empty or "latest", each database is restored from the latest
// snapshot tagged type:database, database:<name> and app:<app>, and the
// files from the latest one tagged type:files and app:<app>. With a
// snapshot ID or unique prefix, that snapshot is used where it fits: a
// database snapshot for its database, a file snapshot for the files; the
// rest of the run still uses the latest snapshots. A snapshot of another
// app, of a database not being restored, or without kamal-backup's type
// tags is refused, and so is a file snapshot lacking a path to restore.
//
// Snapshots are chosen by tags, never by host, so an accessory renamed
// since still restores them. The app is always the production
// configuration's: the snapshots carry it even when the local file names
// another.
func (r *Restorer) selectSnapshots(ctx context.Context, j *job, ref string) (*selection, error) {
	app := r.prod.App
	var given *repo.Snapshot
	if ref != "" && ref != "latest" {
		s, err := r.repo.FindSnapshot(ctx, ref, repo.Filter{})
		if err != nil {
			return nil, fmt.Errorf("find snapshot %s: %w", ref, err)
		}
		if !s.HasTags([]string{"app:" + app}) {
			return nil, fmt.Errorf("%w: snapshot %s is not a snapshot of app %q (tags %s)", ErrNoSnapshot, s.ID().Str(), app, strings.Join(s.Tags, ","))
		}
		given = s
	}
	all, err := r.repo.Snapshots(ctx, repo.Filter{Tags: [][]string{{"app:" + app}}})
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	sel := &selection{}
	used := false
	for _, t := range j.dbs {
		tags := databaseSelector(app, t.db.Name)
		s := latest(all, tags)
		if given != nil && given.HasTags(tags) {
			s, used = given, true
		}
		if s == nil {
			return nil, fmt.Errorf("%w: no snapshot of database %q (tags %s)", ErrNoSnapshot, t.db.Name, strings.Join(tags, ","))
		}
		name, err := r.locateDump(ctx, s, app, t)
		if err != nil {
			return nil, fmt.Errorf("database %q: snapshot %s: %w", t.db.Name, s.ID().Str(), err)
		}
		sel.dbs = append(sel.dbs, dbChoice{snap: s, filename: name})
	}
	if len(j.files) > 0 {
		tags := fileSelector(app)
		sel.files = latest(all, tags)
		if given != nil && given.HasTags(tags) {
			sel.files, used = given, true
		}
		if sel.files == nil {
			return nil, fmt.Errorf("%w: paths are configured but there is no file snapshot (tags %s)", ErrNoSnapshot, strings.Join(tags, ","))
		}
		for _, f := range j.files {
			if _, err := r.repo.FindNode(ctx, *sel.files.Tree, snapshotPath(f.source)); err != nil {
				return nil, fmt.Errorf("%w: file snapshot %s: %s: %v", ErrNoSnapshot, sel.files.ID().Str(), sourceLabel(f.source), err)
			}
		}
	}
	if given != nil && !used {
		return nil, fmt.Errorf("%w: snapshot %s is neither the file snapshot nor a snapshot of a database being restored (tags %s)",
			ErrNoSnapshot, given.ID().Str(), strings.Join(given.Tags, ","))
	}
	return sel, nil
}

// databaseSelector are the tags that select the snapshots of a database.
func databaseSelector(app, database string) []string {
	return []string{"type:database", "database:" + database, "app:" + app}
}

// fileSelector are the tags that select the file snapshots of an app.
func fileSelector(app string) []string { return []string{"type:files", "app:" + app} }

// latest returns the newest of snaps carrying every tag; nil when none
// does. Of snapshots taken at the same time, the one with the greater ID
// wins, so the choice does not depend on listing order.
func latest(snaps []*repo.Snapshot, tags []string) *repo.Snapshot {
	var best *repo.Snapshot
	for _, s := range snaps {
		if !s.HasTags(tags) {
			continue
		}
		if best == nil || s.Time.After(best.Time) || (s.Time.Equal(best.Time) && s.ID().String() > best.ID().String()) {
			best = s
		}
	}
	return best
}

// tagValue returns the value of the first "key:value" tag of s.
func tagValue(s *repo.Snapshot, key string) (string, bool) {
	for _, t := range s.Tags {
		if v, ok := strings.CutPrefix(t, key+":"); ok {
			return v, true
		}
	}
	return "", false
}
