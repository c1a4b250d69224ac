package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ToolChecker is implemented by adapters that can tell whether the tools
// they run are installed. Validate uses it when an adapter implements
// it, and otherwise looks for the tools each built-in adapter is known to
// need.
type ToolChecker interface {
	// CheckTools returns an error naming every dump or restore tool for
	// db that is missing or unusable; nil when all are there. It must not
	// connect to the database.
	CheckTools(ctx context.Context, db Database) error
}

// adapterTools are the tools each built-in adapter needs, each as a list
// of alternatives.
var adapterTools = map[string][][]string{
	"postgres": {{"pg_dump"}, {"pg_restore"}, {"psql"}},
	"mysql":    {{"mariadb-dump", "mysqldump"}, {"mariadb", "mysql"}},
	"sqlite":   {{"sqlite3"}},
}

// toolGlobs are directories besides PATH where an adapter finds its tools:
// Debian's versioned PostgreSQL client directories.
var toolGlobs = map[string][]string{
	"postgres": {"/usr/lib/postgresql/*/bin"},
}

// checkTools checks that a's tools for db are installed.
func checkTools(ctx context.Context, a Adapter, db Database) error {
	if tc, ok := a.(ToolChecker); ok {
		return tc.CheckTools(ctx, db)
	}
	needs, ok := adapterTools[a.Name()]
	if !ok {
		return nil // an adapter we know nothing about
	}
	dirs := toolPath(db.Env)
	for _, g := range toolGlobs[a.Name()] {
		m, _ := filepath.Glob(g)
		dirs = append(dirs, m...)
	}
	var missing []string
	for _, alts := range needs {
		if !anyExecutable(dirs, alts) {
			missing = append(missing, strings.Join(alts, " or "))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s not found in PATH (install the %s client tools in the image)", strings.Join(missing, ", "), a.Name())
	}
	return nil
}

// toolPath returns the directories of the PATH the tools run with: the
// last PATH in env, else kamal-backup's.
func toolPath(env []string) []string {
	path := os.Getenv("PATH")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	return filepath.SplitList(path)
}

// anyExecutable reports whether one of names is an executable regular
// file in one of dirs.
func anyExecutable(dirs, names []string) bool {
	for _, name := range names {
		for _, dir := range dirs {
			if dir == "" {
				continue
			}
			fi, err := os.Stat(filepath.Join(dir, name))
			if err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return true
			}
		}
	}
	return false
}
