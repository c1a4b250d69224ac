package evidence

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Encryption is how a restic-format repository encrypts every file:
// AES-256 in counter mode, authenticated with Poly1305-AES.
const Encryption = "AES-256-CTR + Poly1305-AES"

// RepositoryInfo describes the repository.
type RepositoryInfo struct {
	// Version is the repository format version (1 or 2).
	Version uint `json:"version"`
	// Compression is "zstd" for version 2 repositories (compressed
	// blobs), "none" for version 1.
	Compression string `json:"compression"`
	// Encryption is always Encryption.
	Encryption string `json:"encryption"`
	// Backend is the kind of storage, from the location's type: local,
	// s3, rest, sftp, rclone, ...
	Backend string `json:"backend"`
	// Snapshots counts every snapshot in the repository; AppSnapshots
	// those of this app (tags kamal-backup and app:<app>).
	Snapshots    Fact[int] `json:"snapshots"`
	AppSnapshots Fact[int] `json:"app_snapshots"`
	// PackFiles and SizeBytes count the pack files (all data) and their
	// total size, from one listing of the repository's data files.
	PackFiles Fact[int]   `json:"pack_files"`
	SizeBytes Fact[int64] `json:"size_bytes"`
}

// repositoryInfo describes r, whose snapshots are all (or, when
// snapErr is set, could not be read), stored at a location of type
// kind.
func repositoryInfo(ctx context.Context, r *repo.Repository, kind, app string, all []*repo.Snapshot, snapErr error) RepositoryInfo {
	v := r.Config().Version
	info := RepositoryInfo{Version: v, Compression: "none", Encryption: Encryption, Backend: kind}
	if v >= 2 {
		info.Compression = "zstd"
	}
	if snapErr != nil {
		info.Snapshots, info.AppSnapshots = Failed[int](snapErr), Failed[int](snapErr)
	} else {
		n := 0
		for _, sn := range all {
			if sn.HasTags(appTags(app)) {
				n++
			}
		}
		info.Snapshots, info.AppSnapshots = Known(len(all)), Known(n)
	}
	var packs int
	var size int64
	err := r.Backend().List(ctx, backend.PackFile, func(fi backend.FileInfo) error {
		packs++
		size += fi.Size
		return nil
	})
	if err != nil {
		info.PackFiles, info.SizeBytes = Failed[int](err), Failed[int64](err)
	} else {
		info.PackFiles, info.SizeBytes = Known(packs), Known(size)
	}
	return info
}
