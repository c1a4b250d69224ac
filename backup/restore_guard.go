package backup

import (
	"errors"
	"fmt"
	"strings"
)

// ProductionEnvVars are the variables that, set to "production", make
// local restores and drills refuse to run: the Ruby kamal-backup's
// RAILS_ENV, RACK_ENV, APP_ENV and KAMAL_ENVIRONMENT, and NODE_ENV.
var ProductionEnvVars = []string{"RAILS_ENV", "RACK_ENV", "APP_ENV", "NODE_ENV", "KAMAL_ENVIRONMENT"}

// guardLocal refuses a local job whose targets look like production: a
// production environment variable is set, a database is on the host (and
// port) of a production database, a SQLite file is a production one, or a
// path is, contains or lies inside a production path. Every reason is
// reported, each wrapping ErrProductionTarget.
func (r *Restorer) guardLocal(j *job, lookup func(string) (string, bool)) error {
	var errs []error
	refuse := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrProductionTarget}, args...)...))
	}
	for _, name := range ProductionEnvVars {
		if v, ok := lookup(name); ok && strings.EqualFold(strings.TrimSpace(v), "production") {
			refuse("%s=%s (a local restore never runs in a production environment; use restore production there)", name, v)
		}
	}
	live := r.prod.Databases()
	for _, t := range j.dbs {
		if s, ok := serverOf(t.db); ok {
			for _, p := range live {
				if ps, ok := serverOf(p); ok && ps.host == s.host && ps.port == s.port {
					refuse("database %q is on %s, the server of production database %q", t.db.Name, s.hostPort(), p.Name)
				}
			}
			continue
		}
		c := canonicalPath(t.db.Path)
		for _, p := range live {
			if p.Path != "" && canonicalPath(p.Path) == c {
				refuse("database %q is %s, the file of production database %q", t.db.Name, c, p.Name)
			}
		}
	}
	for _, f := range j.files {
		c := canonicalPath(f.target)
		for _, p := range r.prod.Paths {
			if overlaps(c, canonicalPath(p.Path)) {
				refuse("path %s overlaps the production path %s", f.target, p.Path)
			}
		}
	}
	return errors.Join(errs...)
}
