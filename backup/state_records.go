package backup

import (
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// RecordSchemaVersion is the schema_version of every record kamal-backup
// writes. It changes only if a field changes meaning; new fields are
// added without changing it, and readers ignore fields they do not know.
const RecordSchemaVersion = 1

// Record kinds, the "kind" of each record.
const (
	KindBackupResult  = "backup_result"
	KindCheckResult   = "check_result"
	KindDrillResult   = "drill_result"
	KindRestoreResult = "restore_result"
)

// Status values of records.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Reasons a backup run is skipped.
const (
	ReasonNotDue   = "not_due"
	ReasonDisabled = "disabled"
)

// RecordHeader starts every record: its schema version and kind.
type RecordHeader struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
}

// NewRecordHeader returns the header of a record of kind.
func NewRecordHeader(kind string) RecordHeader {
	return RecordHeader{SchemaVersion: RecordSchemaVersion, Kind: kind}
}

// BackupRecord is the result of a backup run (kind backup_result), stored
// as LastBackupRecord. Its fields are the Ruby kamal-backup's, followed
// by the detail of the run: a result per source, the steps' timings and
// what the retention kept and removed.
type BackupRecord struct {
	RecordHeader
	// Status is StatusOK, StatusSkipped or StatusFailed.
	Status string `json:"status"`
	// Reason says why a run was skipped: ReasonNotDue or ReasonDisabled.
	Reason     string    `json:"reason,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Databases are the database snapshots the run made, in configured
	// order.
	Databases []DatabaseSnapshot `json:"databases"`
	// Files is the file snapshot, nil when no paths are configured or
	// the run was skipped.
	Files *FileSnapshot `json:"files"`
	// Error is what failed, redacted; empty when nothing did.
	Error string `json:"error,omitempty"`
	// LastBackupAt, NextBackupAt and ForceCommand explain a skipped run:
	// when the last backup was, when the next is due and how to back up
	// now anyway.
	LastBackupAt *time.Time `json:"last_backup_at,omitempty"`
	NextBackupAt *time.Time `json:"next_backup_at,omitempty"`
	ForceCommand string     `json:"force_command,omitempty"`
	// Sources has one result per configured database, in configured
	// order, then one for the files when paths are configured. Empty for
	// a skipped run.
	Sources []SourceResult `json:"sources"`
	// Steps time the steps of the run, in the order they ran.
	Steps []StepResult `json:"steps,omitempty"`
	// Retention is what forget_after_backup kept and removed, per group.
	Retention []RetentionResult `json:"retention,omitempty"`
}

// DatabaseSnapshot is one database snapshot of a backup run.
type DatabaseSnapshot struct {
	// Snapshot is the snapshot's short ID.
	Snapshot string    `json:"snapshot"`
	Time     time.Time `json:"time"`
	// Database is the configured name.
	Database string `json:"database"`
	// Adapter is the canonical adapter name.
	Adapter string   `json:"adapter"`
	Tags    []string `json:"tags,omitempty"`
}

// FileSnapshot is the file snapshot of a backup run.
type FileSnapshot struct {
	// Snapshot is the snapshot's short ID.
	Snapshot string    `json:"snapshot"`
	Time     time.Time `json:"time"`
	Paths    []string  `json:"paths,omitempty"`
	Tags     []string  `json:"tags,omitempty"`
}

// CheckRecord is the result of a repository check (kind check_result),
// stored as LastCheckRecord.
type CheckRecord struct {
	RecordHeader
	// Status is StatusOK when the check found no errors, else
	// StatusFailed.
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// ReadDataSubset is the subset of pack data read, if any ("5%"). For
	// a rotation it is the group read ("2/7"), set once the check started.
	ReadDataSubset string `json:"read_data_subset,omitempty"`
	// ReadDataRotation is the rotating subset asked for ("auto/7"), if
	// any.
	ReadDataRotation string `json:"read_data_rotation,omitempty"`
	// Errors counts the errors found.
	Errors int `json:"errors"`
	// Output is the check's report for people; Error is why the check
	// could not run. Both redacted.
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	// Result is the full check result, when the check ran.
	Result *repo.CheckResult `json:"result,omitempty"`
}

// DrillRecord is the result of a restore drill (kind drill_result),
// stored as LastDrillRecord. Its fields are the Ruby kamal-backup's, with
// phase timings added.
type DrillRecord struct {
	RecordHeader
	// Status is StatusOK or StatusFailed.
	Status string `json:"status"`
	// Scope is "local" or "production".
	Scope string `json:"scope"`
	// Operator is who ran the drill ($USER); null when unknown.
	Operator *string `json:"operator"`
	// RequestedSnapshot is the snapshot asked for ("latest" or an ID).
	RequestedSnapshot string    `json:"requested_snapshot"`
	StartedAt         time.Time `json:"started_at"`
	FinishedAt        time.Time `json:"finished_at"`
	// Error is what failed, redacted; null when nothing did.
	Error     *string         `json:"error"`
	Databases []DrillDatabase `json:"databases"`
	Files     *DrillFiles     `json:"files"`
	// Check is the verification command's result; null when none ran.
	Check  *DrillCheck  `json:"check"`
	Phases []DrillPhase `json:"phases,omitempty"`
	// DataVerification compares each restored database with the
	// row-count manifest of its snapshot, in the order of Databases;
	// absent when the drill stopped before verifying.
	DataVerification []DataVerification `json:"data_verification,omitempty"`
}

// DrillDatabase is one database restored by a drill.
type DrillDatabase struct {
	// Database is the configured name of the database restored.
	Database string `json:"database,omitempty"`
	Snapshot string `json:"snapshot"`
	Adapter  string `json:"adapter"`
	// Filename is the dump's path in the snapshot.
	Filename string `json:"filename"`
	// Target is the scratch database or file restored into, redacted.
	Target string `json:"target"`
}

// DrillFiles is the file snapshot restored by a drill.
type DrillFiles struct {
	Snapshot string `json:"snapshot"`
	Target   string `json:"target"`
}

// DrillCheck is the verification command a drill ran.
type DrillCheck struct {
	// Status is StatusOK or StatusFailed.
	Status string `json:"status"`
	// Command is the command, redacted.
	Command string `json:"command"`
	// Output is its output when it succeeded, Error why it failed; both
	// redacted.
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
	// ExitCode is the command's exit status; nil when it did not exit on
	// its own (it could not start, or was killed or timed out).
	ExitCode *int `json:"exit_code,omitempty"`
}

// DrillPhase times one phase of a drill ("resolve", "restore databases",
// "restore files", "check").
type DrillPhase struct {
	Name string `json:"name"`
	// Database is the configured name of the database a per-database
	// phase (fetch, restore) worked on; empty for the other phases.
	Database   string    `json:"database,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// DurationSeconds is FinishedAt minus StartedAt, in seconds.
	DurationSeconds float64 `json:"duration_seconds"`
}
