// Package archiver backs up files and directories into a restic-format
// repository, as "restic backup PATH..." does, so that restic and
// kamal-backup deduplicate against each other: for the same directory both
// write byte-identical tree blobs and therefore the same tree IDs.
//
// The snapshot's root tree represents "/". An absolute target such as
// /srv/app/data appears below "srv" and "app" directory nodes carrying the
// real metadata of those directories; several targets share their common
// ancestors. A relative target keeps only its relative components (restic's
// rule: "../x/y" is stored as x/y, "." as the directory's entries). A name
// that two different targets claim at the same place gets a "-1", "-2"...
// suffix.
//
// Nodes record what restic 0.18 records on Linux: type, Go mode bits,
// mtime, atime (equal to mtime unless Options.WithAtime), ctime, uid, gid,
// user and group names, inode, device, size (files), link count (not for
// directories and FIFOs), symlink target, every extended attribute in
// listxattr order, st_rdev for devices, content and subtree. Sockets are
// skipped, FIFOs are recorded but never opened.
//
// With a parent snapshot (given, or the latest one of this host whose paths
// include every target), a regular file whose type, size, mtime, ctime and
// inode are unchanged and whose blobs are all still indexed is not read
// again. Entries that vanish or cannot be read are left out of the snapshot
// and reported in Result.Errors; the snapshot is still written (restic exits
// with code 3 then, see Result.Incomplete). Fatal errors, including
// cancellation, write no snapshot.
//
// Files are read by a pool of workers; trees are assembled bottom-up as
// soon as all entries of a directory are saved, so the output does not
// depend on the order in which workers finish.
package archiver
