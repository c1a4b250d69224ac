// Package restorer writes the files of a snapshot to a local directory, as
// `restic restore` does.
//
// Restore recreates regular files, directories, symlinks, hard links,
// FIFOs and (when running as root) device nodes, with their modes
// (including setuid, setgid and sticky bits), access and modification
// times, extended attributes and, when running as root, their numeric
// owner and group. Runs of zero bytes become holes, so sparse files stay
// sparse. File content is loaded from the repository by a bounded set of
// workers, so memory stays at a few blobs per CPU however large the files
// are.
//
// A snapshot comes from a repository that may be hostile. Before anything
// is written, every tree to be restored is loaded and every node checked:
// a name that is empty, "." or "..", or holds "/" or NUL, an unknown type,
// a directory without a subtree or two entries of one directory with the
// same name make Restore fail without touching the file system. Entries
// are then created relative to open directory descriptors, never through a
// path that could contain a symlink: an existing symlink where the
// snapshot has a directory is refused (ErrSymlinkInTarget), and an
// existing file, symlink or special file where the snapshot has a
// non-directory is removed and created anew, never written through.
//
// Restore works on Linux; elsewhere it returns errors.ErrUnsupported.
package restorer
