package evidence

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the schema_version of the evidence document. It
// changes only if a field changes meaning; new fields are added without
// changing it, and readers ignore fields they do not know.
const SchemaVersion = 1

// Kind is the kind of the evidence document.
const Kind = "evidence"

// Document is the evidence of one app's backups. Its JSON form is a
// contract (docs/EVIDENCE_JSON.md): the fields up to ToolVersions are
// the Ruby kamal-backup's, with the same names and meanings; the others
// are new. Field order is the struct's.
type Document struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
	// AppName is the configured app.
	AppName string `json:"app_name"`
	// GeneratedAt is when the document was collected, in UTC, to the
	// second.
	GeneratedAt time.Time `json:"generated_at"`
	// Databases are the configured databases, in configured order.
	Databases []Database `json:"databases"`
	// ResticRepository is the repository location, credentials redacted.
	ResticRepository string `json:"restic_repository"`
	// Paths are the configured file paths, in configured order.
	Paths []string `json:"paths"`
	// ForgetAfterBackup says whether retention is applied after each
	// backup.
	ForgetAfterBackup bool `json:"forget_after_backup"`
	// Retention is the retention policy, keyed by the Ruby
	// kamal-backup's environment variable names.
	Retention Retention `json:"retention"`
	// LatestDatabaseBackups maps each configured database's name to its
	// newest snapshot.
	LatestDatabaseBackups map[string]Fact[SnapshotRef] `json:"latest_database_backups"`
	// LatestFileBackup is the newest file snapshot; null when none (or
	// no paths are configured).
	LatestFileBackup Fact[SnapshotRef] `json:"latest_file_backup"`
	// LastResticCheck is the last check record (last_check.json) as
	// stored, redacted.
	LastResticCheck Fact[json.RawMessage] `json:"last_restic_check"`
	// LastRestoreDrill is the last drill record
	// (last_restore_drill.json) as stored, redacted.
	LastRestoreDrill Fact[json.RawMessage] `json:"last_restore_drill"`
	// ImageVersion is the accessory image's version
	// (KAMAL_BACKUP_IMAGE_VERSION), else kamal-backup's own.
	ImageVersion string `json:"image_version"`
	// ToolVersions are the first lines the tools print for --version.
	ToolVersions ToolVersions `json:"tool_versions"`

	// Schedule is how often backups and checks run. New.
	Schedule Schedule `json:"schedule"`
	// Objectives are the configured recovery objectives and their
	// verdicts. New.
	Objectives Objectives `json:"objectives"`
	// BackupHistory describes each source's backups over the window.
	// New.
	BackupHistory Fact[BackupHistory] `json:"backup_history"`
	// Repository describes the repository itself. New.
	Repository Fact[RepositoryInfo] `json:"repository"`
	// VerificationCoverage is the share of the repository's packs that
	// checks read and verified within the window. New.
	VerificationCoverage Fact[VerificationCoverage] `json:"verification_coverage"`
	// History is the hash-chained history of backups, checks and drills,
	// verified, with the entries of the window. New.
	History Fact[HistoryChain] `json:"history"`
}

// Database is one configured database.
type Database struct {
	Name    string `json:"name"`
	Adapter string `json:"adapter"`
}

// SnapshotRef is a snapshot as the Ruby kamal-backup shows it.
type SnapshotRef struct {
	// ID is the short (8 hex characters) snapshot ID.
	ID string `json:"id"`
	// Time is the snapshot's time as stored.
	Time time.Time `json:"time"`
	Tags []string  `json:"tags"`
}

// Retention is the retention policy with the Ruby kamal-backup's keys
// (its environment variable names) and string values. The five counts
// the Ruby version knows are always present ("0" when off); the others
// only when set.
type Retention struct {
	KeepLast          string `json:"RESTIC_KEEP_LAST"`
	KeepHourly        string `json:"RESTIC_KEEP_HOURLY,omitempty"`
	KeepDaily         string `json:"RESTIC_KEEP_DAILY"`
	KeepWeekly        string `json:"RESTIC_KEEP_WEEKLY"`
	KeepMonthly       string `json:"RESTIC_KEEP_MONTHLY"`
	KeepYearly        string `json:"RESTIC_KEEP_YEARLY"`
	KeepWithin        string `json:"RESTIC_KEEP_WITHIN,omitempty"`
	KeepWithinHourly  string `json:"RESTIC_KEEP_WITHIN_HOURLY,omitempty"`
	KeepWithinDaily   string `json:"RESTIC_KEEP_WITHIN_DAILY,omitempty"`
	KeepWithinWeekly  string `json:"RESTIC_KEEP_WITHIN_WEEKLY,omitempty"`
	KeepWithinMonthly string `json:"RESTIC_KEEP_WITHIN_MONTHLY,omitempty"`
	KeepWithinYearly  string `json:"RESTIC_KEEP_WITHIN_YEARLY,omitempty"`
}

// ToolVersions are the versions of the tools in the image: the first
// line each prints, null when the tool is missing or fails. In place of
// the Ruby version's "restic", KamalBackupEngine is kamal-backup's own
// version, which reads and writes the repository itself.
type ToolVersions struct {
	PgDump            *string `json:"pg_dump"`
	PgRestore         *string `json:"pg_restore"`
	MySQLDump         *string `json:"mysql_dump"`
	MySQLClient       *string `json:"mysql_client"`
	SQLite3           *string `json:"sqlite3"`
	Rclone            *string `json:"rclone"`
	KamalBackupEngine *string `json:"kamal_backup_engine"`
}

// Schedule is how often backups and checks run.
type Schedule struct {
	// Interval is the time between backups in the configuration's
	// syntax ("1d").
	Interval        string `json:"interval"`
	IntervalSeconds int64  `json:"interval_seconds"`
	// Enabled is false when the accessory never backs up.
	Enabled bool `json:"enabled"`
	// CheckAfterBackup says whether a check runs after each backup,
	// reading CheckReadDataSubset of the data ("" for none).
	CheckAfterBackup    bool   `json:"check_after_backup"`
	CheckReadDataSubset string `json:"check_read_data_subset"`
}
