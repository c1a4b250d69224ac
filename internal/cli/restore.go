package cli

import "time"

// RestoreCounts is what a restore created, in the terms restic's summary
// uses.
type RestoreCounts struct {
	// Restored counts every entry written: files, directories, links and
	// special files.
	Restored uint64
	// Skipped counts entries that could not be restored.
	Skipped uint64
	// Bytes is the size of the file content written.
	Bytes uint64
}

// RestoreSummary is the last line of `restore --json`, with restic 0.18's
// field names, order and omission rules.
type RestoreSummary struct {
	MessageType    string `json:"message_type"` // "summary"
	SecondsElapsed uint64 `json:"seconds_elapsed,omitempty"`
	TotalFiles     uint64 `json:"total_files,omitempty"`
	FilesRestored  uint64 `json:"files_restored,omitempty"`
	FilesSkipped   uint64 `json:"files_skipped,omitempty"`
	TotalBytes     uint64 `json:"total_bytes,omitempty"`
	BytesRestored  uint64 `json:"bytes_restored,omitempty"`
}

// NewRestoreSummary returns the summary line of a restore that took
// elapsed.
func NewRestoreSummary(c RestoreCounts, elapsed time.Duration) RestoreSummary {
	return RestoreSummary{MessageType: "summary", SecondsElapsed: uint64(elapsed / time.Second),
		TotalFiles: c.Restored + c.Skipped, FilesRestored: c.Restored, FilesSkipped: c.Skipped,
		TotalBytes: c.Bytes, BytesRestored: c.Bytes}
}
