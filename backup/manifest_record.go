package backup

import (
	"errors"
	"time"
)

// ErrDataMismatch means a drill's restored database differs from the
// row-count manifest of its snapshot.
var ErrDataMismatch = errors.New("restored data does not match the snapshot's row counts")

// PhaseVerifyData compares one restored database with its snapshot's
// row-count manifest (DrillPhase.Name). It appears once per database
// whose manifest is present and whose adapter counts rows, after the
// databases are restored and before the check.
const PhaseVerifyData = "verify data"

// Values of DataVerification.Manifest.
const (
	ManifestPresent = "present"
	ManifestMissing = "missing"
)

// StatusWarning is a DataVerification status: differences were found
// against an approximate manifest, which do not fail the drill.
const StatusWarning = "warning"

// DataVerification is what a drill proved about one restored database by
// comparing it with the row-count manifest stored beside its dump.
type DataVerification struct {
	// Database is the configured name.
	Database string `json:"database"`
	// Status is StatusOK (every table matches), StatusWarning (an
	// approximate manifest differs in row counts or extra tables),
	// StatusFailed (an exact manifest differs, a table of the manifest
	// is missing, or the counting failed) or StatusSkipped (no manifest,
	// or an adapter that cannot count rows).
	Status string `json:"status"`
	// Manifest is ManifestPresent or ManifestMissing.
	Manifest string `json:"manifest"`
	// Exact is the manifest's exact flag; false when it is missing.
	Exact bool `json:"exact"`
	// Method is how the manifest was counted; empty when it is missing.
	Method string `json:"method,omitempty"`
	// CountedAt is when the manifest was counted; null when missing.
	CountedAt *time.Time `json:"counted_at"`
	// TablesChecked is how many tables of the manifest were compared.
	TablesChecked int `json:"tables_checked"`
	// RowsChecked is the manifest's total of rows over those tables.
	RowsChecked int64 `json:"rows_checked"`
	// Mismatches are the tables that differ, in manifest order, then the
	// restored tables the manifest lacks.
	Mismatches []TableMismatch `json:"mismatches"`
	// Reason says why the verification was skipped or could not run,
	// redacted; empty otherwise.
	Reason string `json:"reason,omitempty"`
}

// TableMismatch is a table whose restored row count differs from the
// manifest's.
type TableMismatch struct {
	// Table is schema.name, or the name alone (see TableRows.Label).
	Table string `json:"table"`
	// Expected is the manifest's count; null when the restored database
	// has a table the manifest lacks.
	Expected *int64 `json:"expected"`
	// Actual is the restored count; null when the table is missing from
	// the restored database.
	Actual *int64 `json:"actual"`
}
