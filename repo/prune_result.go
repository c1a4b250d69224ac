package repo

// PruneCount is a number of packs and of blobs and their size in bytes.
type PruneCount struct {
	Packs int   `json:"packs"`
	Blobs int   `json:"blobs"`
	Bytes int64 `json:"bytes"`
}

func (c *PruneCount) add(packs, blobs int, bytes int64) {
	c.Packs += packs
	c.Blobs += blobs
	c.Bytes += bytes
}

// PruneResult reports what Prune did or, in a dry run, would do. Sizes are
// stored sizes: encrypted and compressed blobs plus their pack header
// entries.
type PruneResult struct {
	// DryRun is set when nothing was changed.
	DryRun bool `json:"dry_run"`
	// Snapshots counts the snapshots whose trees were walked.
	Snapshots int `json:"snapshots"`
	// Used counts the distinct blobs the snapshots use, one copy each, and
	// the packs holding them.
	Used PruneCount `json:"used"`
	// Unused counts the blob copies no snapshot uses before prune,
	// duplicates included, and the packs holding them.
	Unused PruneCount `json:"unused"`
	// Duplicates counts the extra copies of used blobs (part of Unused).
	Duplicates PruneCount `json:"duplicates"`
	// Unreferenced counts pack files listed in no index, deleted first.
	Unreferenced PruneCount `json:"unreferenced"`
	// Removed counts packs without used blobs, deleted whole.
	Removed PruneCount `json:"removed"`
	// Repacked counts packs whose used blobs are copied into new packs
	// before they are deleted.
	Repacked PruneCount `json:"repacked"`
	// Copied counts the blobs copied into new packs; Packs and Bytes are
	// the new packs written (0 packs and an estimate of the bytes in a
	// dry run).
	Copied PruneCount `json:"copied"`
	// Kept counts the packs left as they are.
	Kept PruneCount `json:"kept"`
	// DroppedMissing counts packs listed in the index but missing in the
	// repository that hold no used blob: they are left out of the index.
	DroppedMissing PruneCount `json:"dropped_missing"`
	// IndexFilesWritten, IndexFilesDeleted and IndexFilesKept count the
	// index files written for packs left, deleted as replaced, and left
	// unchanged (in a dry run: planned).
	IndexFilesWritten int `json:"index_files_written"`
	IndexFilesDeleted int `json:"index_files_deleted"`
	IndexFilesKept    int `json:"index_files_kept"`
	// FreedBytes is the pack bytes deleted minus the pack bytes written.
	FreedBytes int64 `json:"freed_bytes"`
	// SizeAfter is the size of all packs after prune.
	SizeAfter int64 `json:"size_after"`
	// UnusedAfter is the unused space left in kept packs.
	UnusedAfter int64 `json:"unused_after"`
	// DeleteFailures counts files that could not be deleted; they are
	// harmless leftovers that the next prune removes.
	DeleteFailures int `json:"delete_failures"`
	// Plan lists the files concerned.
	Plan PrunePlan `json:"plan"`
}

// PrunePlan lists the pack and index files Prune deletes or rewrites. Every
// list is sorted by ID.
type PrunePlan struct {
	// Unreferenced are pack files listed in no index.
	Unreferenced []ID `json:"unreferenced"`
	// Remove are packs without used blobs.
	Remove []ID `json:"remove"`
	// Repack are packs whose used blobs are copied before deletion.
	Repack []ID `json:"repack"`
	// DropFromIndex are packs missing in the repository that hold no
	// used blob; they are left out of the new index files.
	DropFromIndex []ID `json:"drop_from_index"`
	// ObsoleteIndexFiles are the index files replaced by new ones.
	ObsoleteIndexFiles []ID `json:"obsolete_index_files"`
}
