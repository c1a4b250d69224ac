package repo

// Kinds of CheckIssue. Errors are damage; hints are harmless.
const (
	// IssueIndexDamaged (error): an index file cannot be loaded,
	// decrypted or parsed. Check stops after the index step.
	IssueIndexDamaged = "index_damaged"
	// IssueDuplicatePackIndex (hint): a pack is listed in several index
	// files.
	IssueDuplicatePackIndex = "duplicate_pack_index"
	// IssueMixedPack (hint): a pack holds both tree and data blobs.
	IssueMixedPack = "mixed_pack"
	// IssuePackMissing (error): a pack listed in the index does not exist.
	IssuePackMissing = "pack_missing"
	// IssuePackSize (error): a pack's size differs from the size its
	// index entries imply.
	IssuePackSize = "pack_size"
	// IssueAdditionalFiles (hint): packs exist that no index lists.
	IssueAdditionalFiles = "additional_files"
	// IssueSnapshotDamaged (error): a snapshot file cannot be loaded.
	IssueSnapshotDamaged = "snapshot_damaged"
	// IssueTreeMissing (error): a tree is not in the index or its pack is
	// missing.
	IssueTreeMissing = "tree_missing"
	// IssueTreeDamaged (error): a tree fails to decrypt, hash or decode.
	IssueTreeDamaged = "tree_damaged"
	// IssueBlobMissing (error): a file's data blob is not in the index.
	IssueBlobMissing = "blob_missing"
	// IssueNodeInvalid (error): a tree node is malformed: a file without
	// content list, a null blob ID, a directory without subtree, an unknown
	// type or an empty name.
	IssueNodeInvalid = "node_invalid"
	// IssuePackRead (error): a pack could not be downloaded completely.
	IssuePackRead = "pack_read"
	// IssuePackHash (error): a pack's SHA-256 differs from its name.
	IssuePackHash = "pack_hash"
	// IssuePackHeader (error): a pack's header cannot be read or parsed.
	IssuePackHeader = "pack_header"
	// IssueIndexMismatch (error): a pack's header or layout disagrees with
	// the index.
	IssueIndexMismatch = "index_mismatch"
	// IssueBlobIntegrity (error): a blob fails to decrypt, decompress or
	// hash to its ID.
	IssueBlobIntegrity = "blob_integrity"
)
