package evidence

import (
	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// Source types, the "type" of a SourceHistory.
const (
	SourceDatabase = "database"
	SourceFiles    = "files"
)

// source is one thing backed up in snapshots of its own: a database, or
// the configured file paths.
type source struct {
	label    string // "database:app" or "files"
	typ      string // SourceDatabase or SourceFiles
	database string // the database's name; empty for files
	tags     []string
}

// sourcesOf lists the configured sources: each database (its snapshots
// carry the tags kamal-backup, app:<app>, type:database,
// database:<name>, adapter:<adapter>), then the files when paths are
// configured (kamal-backup, app:<app>, type:files; the path tags are not
// required, so file snapshots taken before the paths changed count).
func sourcesOf(cfg *backup.Config) []source {
	var out []source
	for _, d := range cfg.Databases() {
		out = append(out, source{label: "database:" + d.Name, typ: SourceDatabase, database: d.Name,
			tags: backup.DatabaseTags(cfg.App, d.Name, d.Adapter)})
	}
	if len(cfg.Paths) > 0 {
		out = append(out, source{label: SourceFiles, typ: SourceFiles,
			tags: []string{"kamal-backup", "app:" + cfg.App, "type:files"}})
	}
	return out
}

// appTags are the tags every snapshot of the app carries.
func appTags(app string) []string { return []string{"kamal-backup", "app:" + app} }

// of returns the snapshots among all (oldest first) that belong to s,
// oldest first.
func (s source) of(all []*repo.Snapshot) []*repo.Snapshot {
	var out []*repo.Snapshot
	for _, sn := range all {
		if sn.HasTags(s.tags) {
			out = append(out, sn)
		}
	}
	return out
}

// latestRef returns the newest of snaps (oldest first) as a Fact,
// missing when there are none.
func latestRef(snaps []*repo.Snapshot) Fact[SnapshotRef] {
	if len(snaps) == 0 {
		return Fact[SnapshotRef]{}
	}
	return Known(refOf(snaps[len(snaps)-1]))
}

// refOf describes a snapshot as the Ruby kamal-backup does.
func refOf(sn *repo.Snapshot) SnapshotRef {
	tags := append([]string{}, sn.Tags...)
	return SnapshotRef{ID: sn.ID().Str(), Time: sn.Time, Tags: tags}
}
