// Package index reads and writes restic index files and merges them into
// the in-memory master index.
//
// An index file maps pack IDs to the blobs each pack holds, with their
// offsets and stored lengths. This package works on the JSON inside an index
// file; decrypting it and removing the unpacked-file encoding (0x02 ‖ zstd in
// repository v2) is the caller's job. Decode reads the current schema and
// rejects the pre-0.2 top-level-array format; Encode writes the restic 0.17+
// schema; Split groups packs into files of at most MaxBlobsPerFile blobs.
//
// Index holds the merged view of every index file in a repository, stored
// compactly so that millions of blobs fit in memory.
package index
