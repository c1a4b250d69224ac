package restorer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// ErrSymlinkInTarget means the target holds a symlink where the snapshot
// has a directory. Restore does not follow it, since it could lead
// anywhere, and does not remove it, since it could be the user's.
var ErrSymlinkInTarget = errors.New("refusing to follow an existing symlink in the target")

// Options tune Restore. The zero value restores the whole snapshot.
type Options struct {
	// SubPath restores only this directory of the snapshot, like restic's
	// "<id>:sub/dir": a slash-separated path from the snapshot root whose
	// contents are placed directly in the target. "" or "/" means the
	// whole snapshot. The target directory's own metadata is never changed.
	SubPath string
	// Include, if not empty, restores only the entries that match one of
	// these patterns (restic's --include), every entry below a matching
	// directory, and the directories leading to them. A pattern is matched
	// against the entry's absolute path in the snapshot (SubPath
	// included), element by element with path.Match; "**" matches any
	// number of elements. A pattern starting with "/" must match from the
	// root; any other may match at any depth ("*.sql" matches /db/x.sql).
	Include []string
	// Logger receives warnings, such as extended attributes that could not
	// be set; nil discards them.
	Logger *slog.Logger
	// Progress receives progress reports; nil means none.
	Progress Progress
}

// Stats counts what a restore created.
type Stats struct {
	// Files counts regular files, HardLinks those of them created as a
	// hard link to a file restored earlier.
	Files, HardLinks uint64
	// Dirs counts directories, including those created only because they
	// lead to an included entry. The target itself is not counted.
	Dirs uint64
	// Symlinks counts symbolic links, Special FIFOs and device nodes.
	Symlinks, Special uint64
	// Bytes is the content size of the regular files, counting a file
	// with several hard links once.
	Bytes uint64
	// Skipped counts entries that cannot be restored: sockets, entries of
	// type "irregular", and device nodes when not running as root.
	Skipped uint64
	// Warnings counts metadata that could not be restored (extended
	// attributes); each is logged.
	Warnings uint64
}

// Progress is told how a restore advances. Start and Done are called once
// each, from the goroutine that called Restore, once the trees are checked
// (neither is called if checking fails); Bytes may be called from several
// goroutines at once, between them.
type Progress interface {
	// Start is called before anything is written, with what the restore
	// is going to create (Warnings is 0).
	Start(total Stats)
	// Bytes reports that n more bytes of file content are restored.
	Bytes(n uint64)
	// Done is called at the end, also after an error, with what was
	// created.
	Done(Stats)
}

type noProgress struct{}

func (noProgress) Start(Stats)  {}
func (noProgress) Bytes(uint64) {}
func (noProgress) Done(Stats)   {}

// Restore writes the snapshot sn, or the part opts selects, to the
// directory target, which is created if needed. Existing entries are
// replaced, like restic's default --overwrite always: directories are
// kept and merged, other entries are removed first. An existing directory
// where the snapshot has something else is an error.
//
// Restore stops at the first error, which names the path concerned. An
// invalid tree fails before anything is written, with an error wrapping
// tree.ErrInvalidNode or tree.ErrDuplicateName that names the directory in
// the snapshot. Blobs missing from the repository give an error wrapping
// repo.ErrNotFound, damaged ones a *repo.IntegrityError.
//
// Every tree is loaded twice: once to check it and count what it holds,
// once to restore it. File content is loaded by 2×GOMAXPROCS workers, one
// blob (at most a few MiB) each, so memory stays bounded whatever the size
// of the files.
func Restore(ctx context.Context, r *repo.Repository, sn *repo.Snapshot, target string, opts Options) (Stats, error) {
	if sn == nil || sn.Tree == nil {
		return Stats{}, errors.New("restore: snapshot has no tree")
	}
	if target == "" {
		return Stats{}, errors.New("restore: empty target")
	}
	m, err := newMatcher(opts.Include)
	if err != nil {
		return Stats{}, fmt.Errorf("restore: %w", err)
	}
	base := path.Clean("/" + opts.SubPath)
	root := *sn.Tree
	if base != "/" {
		n, err := r.FindNode(ctx, root, base)
		if err != nil {
			return Stats{}, fmt.Errorf("restore: %w", err)
		}
		if n.Type != tree.TypeDir || n.Subtree == nil {
			return Stats{}, fmt.Errorf("restore: %s is not a directory", base)
		}
		root = *n.Subtree
	}
	asRoot := os.Geteuid() == 0
	p := &planner{asRoot: asRoot, links: map[linkKey]bool{}}
	if err := walk(ctx, r, root, base, m, p); err != nil {
		return Stats{}, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = noProgress{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	progress.Start(p.total)
	rs, err := newRestorer(ctx, r, target, asRoot, logger, progress)
	if err != nil {
		progress.Done(Stats{})
		return Stats{}, err
	}
	stats, err := rs.run(root, base, m)
	progress.Done(stats)
	return stats, err
}
