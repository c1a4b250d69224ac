package backup

import (
	"fmt"
	"time"
)

// Source types of a backup run.
const (
	SourceDatabase = "database"
	SourceFiles    = "files"
)

// BackupReport is another name for BackupRecord, which BackupWithReport
// and ScheduleOptions.AfterBackup use: the record holds the detail of the
// run (a result per source, the timing of every step, the retention).
type BackupReport = BackupRecord

// SourceResult is the outcome of backing up one source: a database or
// the configured paths.
type SourceResult struct {
	// Type is SourceDatabase or SourceFiles.
	Type string `json:"type"`
	// Database and Adapter name a database source.
	Database string `json:"database,omitempty"`
	Adapter  string `json:"adapter,omitempty"`
	// Paths are the backed-up paths of the files source.
	Paths []string `json:"paths,omitempty"`
	// Status is StatusOK or StatusFailed.
	Status string `json:"status"`
	// Snapshot is the full ID of the snapshot written; empty when none
	// was. A files source can have a snapshot and fail: some entries
	// could not be read.
	Snapshot string `json:"snapshot,omitempty"`
	// Time is the snapshot's time; absent when none was written.
	Time       time.Time `json:"time,omitzero"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Bytes is the size of what was read from the source.
	Bytes uint64 `json:"bytes"`
	// Added is the size of the new data stored, after deduplication and
	// compression.
	Added uint64 `json:"added"`
	// RowCounts says whether a database snapshot holds a row-count
	// manifest; absent for files and for adapters that do not count.
	RowCounts *RowCountsSummary `json:"row_counts,omitempty"`
	// Error says what failed, redacted.
	Error string `json:"error,omitempty"`
}

// Names of the steps of a backup run.
const (
	StepSnapshots = "snapshots"
	StepVerify    = "verify"
	StepRetention = "retention"
	StepCheck     = "check"
)

// StepResult times one step of a backup run.
type StepResult struct {
	Name string `json:"name"`
	// Status is StatusOK, StatusFailed or StatusSkipped.
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Error says what failed, or why the step was skipped; redacted.
	Error string `json:"error,omitempty"`
}

// BackupOptions tune Backup. The zero value backs up when the schedule
// says a backup is due.
type BackupOptions struct {
	// Force backs up even though the last backup is still current. It
	// does not override backup.enabled: false.
	Force bool
}

// ForceCommand is the command that backs up now when a backup is not due.
const ForceCommand = "kamal-backup backup --force"

// SourceError is the failure of one source of a backup run. No snapshot
// of a database whose dump failed is written.
type SourceError struct {
	// Database is the database's configured name; empty for the files.
	Database string
	Err      error
}

// Error names the source.
func (e *SourceError) Error() string {
	if e.Database == "" {
		return fmt.Sprintf("files: %v", e.Err)
	}
	return fmt.Sprintf("database %s: %v", e.Database, e.Err)
}

// Unwrap returns the cause.
func (e *SourceError) Unwrap() error { return e.Err }

// StepError is the failure of a step of a backup run after the snapshots
// (verify, retention, check).
type StepError struct {
	Step string
	Err  error
}

// Error names the step.
func (e *StepError) Error() string { return fmt.Sprintf("%s: %v", e.Step, e.Err) }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }
