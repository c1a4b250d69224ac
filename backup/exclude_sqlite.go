package backup

import (
	"path/filepath"
	"strings"
)

// sqliteSidecars are the suffixes of the files SQLite keeps next to a
// database: the WAL, its shared-memory index and the rollback journal.
var sqliteSidecars = []string{"", "-wal", "-shm", "-journal"}

// SQLiteExcludes returns the restic exclude patterns that keep SQLite
// databases out of a file snapshot of backupPath, as the Ruby
// kamal-backup does automatically: a live database copied file by file is
// not a consistent backup, and the database's own snapshot holds a
// consistent copy. For every path in dbPaths that lies inside backupPath,
// the patterns cover the database file and its -wal, -shm and -journal
// files.
//
// Patterns are absolute, so anchored at the root, and have the glob
// characters of the path escaped, so each matches exactly one file. Paths
// are compared lexically after filepath.Abs (symbolic links are not
// followed); a database equal to backupPath itself is not excluded, since
// listing it as a path asks for it. The result has no duplicates and is
// nil when nothing is excluded.
func SQLiteExcludes(dbPaths []string, backupPath string) []string {
	root, err := filepath.Abs(backupPath)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range dbPaths {
		if p == "" {
			continue
		}
		db, err := filepath.Abs(p)
		if err != nil || !inside(db, root) || seen[db] {
			continue
		}
		seen[db] = true
		for _, suffix := range sqliteSidecars {
			out = append(out, escapeGlob(db+suffix))
		}
	}
	return out
}

// inside reports whether the clean absolute path p lies below dir.
func inside(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../")
}

// escapeGlob escapes the characters filepath.Match (and so restic's
// exclude patterns) gives a meaning to.
func escapeGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
