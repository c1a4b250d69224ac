package backup

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// adapterAliases are the names an adapter went by in older snapshot
// layouts.
var adapterAliases = map[string][]string{
	"postgres": {"postgres", "postgresql"},
	"mysql":    {"mysql", "mysql2", "mariadb"},
	"sqlite":   {"sqlite", "sqlite3"},
}

// locateDump returns the path, without a leading slash, of the database
// dump of t in snapshot s.
//
// The dump is at DumpFilename when the snapshot was written by this
// version or a recent Ruby one. Otherwise s is searched for the older
// layouts the Ruby kamal-backup still reads: a file under
// databases/<app>/<adapter>/, or one whose name starts with
// databases-<app>-<adapter>- (from restic backup --stdin-filename). If
// exactly one file matches, or the snapshot holds a single file at all,
// it is the dump; otherwise the snapshot is refused, naming what it holds.
//
// A snapshot tagged with another adapter than t's is refused first: a
// PostgreSQL dump cannot be restored into SQLite.
func (r *Restorer) locateDump(ctx context.Context, s *repo.Snapshot, app string, t dbTarget) (string, error) {
	want := t.adapter.Name()
	if got, ok := tagValue(s, "adapter"); ok && CanonicalAdapter(got) != want {
		return "", fmt.Errorf("%w: it is a %s dump and the target is a %s database", ErrNoSnapshot, got, want)
	}
	if s.Tree == nil {
		return "", fmt.Errorf("%w: the snapshot has no tree", ErrNoSnapshot)
	}
	canonical := DumpFilename(app, t.db.Name, t.adapter)
	n, err := r.repo.FindNode(ctx, *s.Tree, canonical)
	switch {
	case err == nil && n.Type == tree.TypeFile:
		return canonical, nil
	case err != nil && !errors.Is(err, repo.ErrNotFound):
		return "", err
	}
	var files, legacy []string
	err = r.repo.Walk(ctx, *s.Tree, "/", func(p string, n *repo.Node) error {
		if n.Type != tree.TypeFile {
			return nil
		}
		files = append(files, p)
		if isLegacyDump(p, app, want) {
			legacy = append(legacy, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("search the snapshot for the dump: %w", err)
	}
	switch {
	case len(legacy) == 1:
		return strings.TrimPrefix(legacy[0], "/"), nil
	case len(legacy) == 0 && len(files) == 1:
		r.log.Info("restoring the snapshot's only file as the dump", "database", t.db.Name, "snapshot", s.ID().Str(), "file", files[0])
		return strings.TrimPrefix(files[0], "/"), nil
	case len(legacy) > 1:
		files = legacy
	}
	if len(files) > 5 {
		files = append(files[:5], "...")
	}
	return "", fmt.Errorf("%w: no dump at /%s and no single older-layout dump among the files %q", ErrNoSnapshot, canonical, files)
}

// isLegacyDump reports whether p (absolute, in a snapshot) is named as
// the Ruby kamal-backup named dumps of app's adapter before the
// databases/<app>/<database>/ layout.
func isLegacyDump(p, app, adapter string) bool {
	base := path.Base(p)
	for _, a := range []string{app, SafeName(app)} {
		for _, alias := range adapterAliases[adapter] {
			if strings.HasPrefix(p, "/databases/"+a+"/"+alias+"/") || strings.HasPrefix(base, "databases-"+a+"-"+alias+"-") {
				return true
			}
		}
	}
	return false
}
