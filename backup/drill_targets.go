package backup

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// DrillMarker is the file a drill leaves in its scratch files directory.
// A drill replaces the content of a scratch directory only if it is new,
// empty or holds this marker, so that a mistyped --files never wipes a
// directory of someone else's files.
const DrillMarker = ".kamal-backup-drill"

// planDrill returns the job of a drill: the mode's databases and paths,
// with the scratch targets of opts in place of them. A production drill
// needs a scratch target for every database and, when paths are
// configured, a scratch files directory; a local one uses the local
// configuration's targets where opts gives none.
func (r *Restorer) planDrill(opts DrillOptions) (*job, error) {
	cfg, err := r.config(opts.Mode)
	if err != nil {
		return nil, err
	}
	j := &job{mode: opts.Mode, cfg: cfg}
	dbs := cfg.Databases()
	servers, files := 0, 0
	for _, db := range dbs {
		if _, ok := serverOf(db); ok {
			servers++
		} else {
			files++
		}
	}
	var errs []error
	for _, db := range dbs {
		scratch, err := scratchDatabase(db, opts, servers, files)
		if err == nil {
			err = j.addDatabase(r.adapters, scratch)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	wantFiles := len(r.prod.Paths) > 0 || len(cfg.RestoreFrom) > 0
	switch {
	case wantFiles && opts.FilesDir != "":
		j.files = []fileTarget{{target: opts.FilesDir}}
		j.scratchFiles = true
		j.keep = append(j.keep, filepath.Join(canonicalPath(opts.FilesDir), DrillMarker))
	case wantFiles && opts.Mode == ModeProduction:
		errs = append(errs, fmt.Errorf("%w: paths are configured: give a scratch directory for the files (--files DIR)", ErrNoScratchTarget))
	case opts.Mode == ModeLocal:
		j.files = r.fileTargets(cfg)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return j, nil
}

// scratchDatabase returns db with its scratch target from opts: for a
// server database the scratch database name (opts.Database, or
// opts.Database + "_" + name when the drill restores several server
// databases) on the same server; for a SQLite database opts.SQLitePath
// (with "_" + name before the extension when there are several).
func scratchDatabase(db Database, opts DrillOptions, servers, files int) (Database, error) {
	if _, ok := serverOf(db); ok {
		name := strings.TrimSpace(opts.Database)
		if name == "" {
			if opts.Mode == ModeProduction {
				return db, fmt.Errorf("%w: database %q: give a scratch database on the same server (--database NAME)", ErrNoScratchTarget, db.Name)
			}
			return db, nil
		}
		if strings.ContainsAny(name, "/?#\\ \t\n") {
			return db, fmt.Errorf("database %q: scratch database name %q is not a plain name", db.Name, name)
		}
		if servers > 1 {
			name += "_" + db.Name
		}
		return withDatabaseName(db, name)
	}
	p := opts.SQLitePath
	if p == "" {
		if opts.Mode == ModeProduction {
			return db, fmt.Errorf("%w: database %q: give a scratch SQLite file (--sqlite-path PATH)", ErrNoScratchTarget, db.Name)
		}
		return db, nil
	}
	if files > 1 {
		ext := filepath.Ext(p)
		p = strings.TrimSuffix(p, ext) + "_" + db.Name + ext
	}
	db.Path = p
	return db, nil
}

// withDatabaseName returns db naming the database name on the same
// server: in its URL's path and in the PGDATABASE, MYSQL_DATABASE or
// MARIADB_DATABASE variables of its Env.
func withDatabaseName(db Database, name string) (Database, error) {
	replaced := false
	env := append([]string(nil), db.Env...)
	for i, e := range env {
		switch k, _, _ := strings.Cut(e, "="); k {
		case "PGDATABASE", "MYSQL_DATABASE", "MARIADB_DATABASE":
			env[i] = k + "=" + name
			replaced = true
		}
	}
	raw := db.URL.Reveal()
	switch {
	case raw != "":
		u, err := url.Parse(raw)
		if err != nil {
			return db, fmt.Errorf("database %q: the URL %s does not parse", db.Name, redact.RedactURL(raw))
		}
		u.Path, u.RawPath = "/"+name, ""
		db.URL = redact.NewSecret(u.String())
	case !replaced && CanonicalAdapter(db.Adapter) == "mysql":
		env = append(env, "MYSQL_DATABASE="+name)
	case !replaced:
		env = append(env, "PGDATABASE="+name)
	}
	db.Env = env
	return db, nil
}
