package backup

import (
	"slices"
)

// FileExcludes are the exclude patterns of the file snapshot: those
// configured for each path, then every SQLite database file that lies
// under a backed-up path, with its -wal and -shm files, as the Ruby
// kamal-backup excludes them (the database is backed up on its own,
// consistently).
func (c *Config) FileExcludes() []string {
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, p := range c.Paths {
		for _, e := range p.Exclude {
			add(e)
		}
	}
	var dbs []string
	for _, d := range c.databases {
		if d.Adapter == "sqlite" && d.Path != "" {
			dbs = append(dbs, absClean(d.Path))
		}
	}
	for _, p := range c.Paths {
		for _, e := range SQLiteExcludes(dbs, absClean(p.Path)) {
			add(e)
		}
	}
	return out
}
