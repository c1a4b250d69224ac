package cli

import (
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// BackupSummary is the last line of `backup --json`, with restic 0.18's
// fields and order.
type BackupSummary struct {
	MessageType         string    `json:"message_type"` // "summary"
	FilesNew            uint      `json:"files_new"`
	FilesChanged        uint      `json:"files_changed"`
	FilesUnmodified     uint      `json:"files_unmodified"`
	DirsNew             uint      `json:"dirs_new"`
	DirsChanged         uint      `json:"dirs_changed"`
	DirsUnmodified      uint      `json:"dirs_unmodified"`
	DataBlobs           int       `json:"data_blobs"`
	TreeBlobs           int       `json:"tree_blobs"`
	DataAdded           uint64    `json:"data_added"`
	DataAddedPacked     uint64    `json:"data_added_packed"`
	TotalFilesProcessed uint      `json:"total_files_processed"`
	TotalBytesProcessed uint64    `json:"total_bytes_processed"`
	TotalDuration       float64   `json:"total_duration"` // seconds
	BackupStart         time.Time `json:"backup_start"`
	BackupEnd           time.Time `json:"backup_end"`
	SnapshotID          string    `json:"snapshot_id,omitempty"`
}

// NewBackupSummary returns the summary line for a snapshot just written.
// A snapshot without a stored summary yields only its ID.
func NewBackupSummary(sn *repo.Snapshot) BackupSummary {
	out := BackupSummary{MessageType: "summary", SnapshotID: sn.ID().String()}
	s := sn.Summary
	if s == nil {
		return out
	}
	out.FilesNew, out.FilesChanged, out.FilesUnmodified = s.FilesNew, s.FilesChanged, s.FilesUnmodified
	out.DirsNew, out.DirsChanged, out.DirsUnmodified = s.DirsNew, s.DirsChanged, s.DirsUnmodified
	out.DataBlobs, out.TreeBlobs = s.DataBlobs, s.TreeBlobs
	out.DataAdded, out.DataAddedPacked = s.DataAdded, s.DataAddedPacked
	out.TotalFilesProcessed, out.TotalBytesProcessed = s.TotalFilesProcessed, s.TotalBytesProcessed
	out.BackupStart, out.BackupEnd = s.BackupStart, s.BackupEnd
	out.TotalDuration = s.BackupEnd.Sub(s.BackupStart).Seconds()
	return out
}
