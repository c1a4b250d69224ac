package repo

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// maxExtraSize bounds the content of one ExtraFile: they are small side
// files (a manifest), held in memory.
const maxExtraSize = 16 << 20

// ExtraFile is a small file BackupStream stores beside the stream's file,
// in the same directory, known only once the stream has ended (a row-count
// manifest of a database dump, for instance).
type ExtraFile struct {
	// Name is the file's name: one path element, not "." or "..", without
	// "/" or NUL, different from the stream file's name and from the
	// other extra files'.
	Name string
	// Data is the file's content, at most 16 MiB.
	Data []byte
}

// extraNodes calls opts.Extra, if set, and saves the files it returns
// through w, returning their nodes (stamped like the stream's file) and
// their total size. base is the stream file's name, which no extra file
// may take. An error of Extra is wrapped; nothing is undone.
func (r *Repository) extraNodes(ctx context.Context, w *Writer, opts SnapshotOptions, base string, proto tree.Node) ([]*tree.Node, uint64, error) {
	if opts.Extra == nil {
		return nil, 0, nil
	}
	files, err := opts.Extra(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("extra files: %w", err)
	}
	seen := map[string]bool{base: true}
	var nodes []*tree.Node
	var total uint64
	for _, f := range files {
		if err := checkExtraName(f.Name); err != nil {
			return nil, 0, err
		}
		if seen[f.Name] {
			return nil, 0, fmt.Errorf("extra file %q: %w", f.Name, tree.ErrDuplicateName)
		}
		seen[f.Name] = true
		if len(f.Data) > maxExtraSize {
			return nil, 0, fmt.Errorf("extra file %q: %d bytes, more than %d", f.Name, len(f.Data), maxExtraSize)
		}
		res, err := r.saveChunks(ctx, w, bytes.NewReader(f.Data))
		if err != nil {
			return nil, 0, fmt.Errorf("save extra file %q: %w", f.Name, err)
		}
		n := proto
		n.Name, n.Size, n.Content = f.Name, res.Size, res.Content
		if n.Content == nil {
			n.Content = []ID{}
		}
		nodes = append(nodes, &n)
		total += res.Size
	}
	return nodes, total, nil
}

// checkExtraName refuses a name that is not a single plain path element.
func checkExtraName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("invalid extra file name %q: it must be one path element", name)
	}
	return nil
}
