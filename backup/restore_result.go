package backup

import "time"

// RestoreResult is the result of a restore (kind restore_result), for the
// command's JSON output. Its fields are the Ruby kamal-backup's, with the
// database names, the file path mapping and phase timings added; it is
// not stored in the state directory.
type RestoreResult struct {
	RecordHeader
	// Status is StatusOK or StatusFailed.
	Status string `json:"status"`
	// Scope is the Mode: "local" or "production".
	Scope Mode `json:"scope"`
	// RequestedSnapshot is the snapshot asked for ("latest" or an ID).
	RequestedSnapshot string    `json:"requested_snapshot"`
	StartedAt         time.Time `json:"started_at"`
	FinishedAt        time.Time `json:"finished_at"`
	// Error is what failed, redacted; null when nothing did.
	Error *string `json:"error"`
	// Databases are the databases chosen for the restore, in configured
	// order; empty when the restore failed before snapshots were chosen.
	Databases []RestoredDatabase `json:"databases"`
	// Files is the file snapshot restored; null when no paths are
	// restored.
	Files *RestoredFiles `json:"files"`
	// Phases time the steps, in the order they ran (see the Phase
	// constants).
	Phases []DrillPhase `json:"phases,omitempty"`
}

// RestoredDatabase is one database of a restore.
type RestoredDatabase struct {
	// Snapshot is the short ID of the database snapshot.
	Snapshot string `json:"snapshot"`
	// SnapshotTime is when the snapshot was taken.
	SnapshotTime time.Time `json:"snapshot_time"`
	// Database is the configured name.
	Database string `json:"database"`
	// Adapter is the canonical adapter name.
	Adapter string `json:"adapter"`
	// Filename is the dump's path in the snapshot, with a leading slash
	// as the Ruby kamal-backup writes it.
	Filename string `json:"filename"`
	// Target is the database restored into (host:port/name or a file
	// path), without credentials.
	Target string `json:"target"`
}

// RestoredFiles is the file snapshot of a restore.
type RestoredFiles struct {
	// Snapshot is the short ID of the file snapshot.
	Snapshot     string    `json:"snapshot"`
	SnapshotTime time.Time `json:"snapshot_time"`
	// Target is the first (usually the only) directory restored into, as
	// in the Ruby kamal-backup's record.
	Target string `json:"target"`
	// Paths map each path of the snapshot to where it was restored.
	Paths []RestoredPath `json:"paths"`
}

// RestoredPath is one path of a file restore.
type RestoredPath struct {
	// Source is the path in the snapshot; "/" for the whole snapshot.
	Source string `json:"source"`
	// Target is the local path whose content was replaced.
	Target string `json:"target"`
}

// The phase names of restores and drills (DrillPhase.Name). Fetch and
// PhaseRestoreDatabase appear once per database, in the order of the
// record's databases, naming it (DrillPhase.Database); a database's
// fetch runs from opening the download to reading its last byte, inside
// its restore, since the dump streams into the restore tool.
const (
	// PhaseResolve chooses the snapshots and finds the dump files.
	PhaseResolve = "resolve"
	// PhaseRestoreFiles restores and swaps in every file path.
	PhaseRestoreFiles = "restore files"
	// PhaseFetch downloads one database dump.
	PhaseFetch = "fetch"
	// PhaseRestoreDatabase restores one database, fetch included.
	PhaseRestoreDatabase = "restore database"
	// PhaseCheck runs a drill's check command.
	PhaseCheck = "check"
)

// phases collects phase timings.
type phases struct {
	now  func() time.Time
	list []DrillPhase
}

// start begins phase name and returns the function that ends it.
func (p *phases) start(name string) func() {
	begin := p.now()
	return func() { p.add(name, begin, p.now()) }
}

// add records a phase that ran from begin to end.
func (p *phases) add(name string, begin, end time.Time) { p.addFor(name, "", begin, end) }

// addFor records a phase of the database db (empty for a phase of no
// single database) that ran from begin to end.
func (p *phases) addFor(name, db string, begin, end time.Time) {
	p.list = append(p.list, DrillPhase{Name: name, Database: db, StartedAt: begin, FinishedAt: end,
		DurationSeconds: durationSeconds(end.Sub(begin))})
}

// durationSeconds is d in seconds, rounded to the millisecond.
func durationSeconds(d time.Duration) float64 {
	return d.Round(time.Millisecond).Seconds()
}
