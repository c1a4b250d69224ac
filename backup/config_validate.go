package backup

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// suspiciousPaths are the backup paths Validate refuses unless allowed
// (allow_suspicious on the path, or KAMAL_BACKUP_ALLOW_SUSPICIOUS_PATHS):
// the Ruby kamal-backup's list. The state directory is refused the same
// way.
var suspiciousPaths = []string{"/", "/var", "/etc", "/root", "/usr", "/bin", "/sbin", "/boot", "/dev", "/proc", "/sys", "/run"}

// SuspiciousPath reports whether p, made absolute and cleaned, is one of
// the system directories the Ruby kamal-backup refuses to back up or
// restore into: / /var /etc /root /usr /bin /sbin /boot /dev /proc /sys
// /run.
func SuspiciousPath(p string) bool { return slices.Contains(suspiciousPaths, absClean(p)) }

// urlSchemes are the URL schemes each server adapter accepts.
var urlSchemes = map[string][]string{
	"postgres": {"postgres", "postgresql"},
	"mysql":    {"mysql", "mysql2", "mariadb"},
}

// Validate reports every problem of the configuration, each a *FieldError
// naming the setting and the fix, joined with errors.Join; nil when there
// is none. LoadConfig already calls it; call it again after changing a
// Config. It checks that the app is named; that databases are listed with
// unique names, known adapters, a url whose scheme matches the adapter
// (postgres, mysql) or an existing SQLite file; that every secret the
// configuration names resolved to a value; that the repository, its
// password and the read-data subset are usable; and that no backup path is
// suspicious or missing. Paths and SQLite files are not looked for in a
// local or shape-only configuration.
func (c *Config) Validate() error {
	return c.validate().join(c.Redactor())
}

// validate collects the problems Validate reports.
func (c *Config) validate() *problems {
	p := &problems{}
	if c.App == "" {
		p.add("app", "missing (write app: NAME, the app name used in snapshot tags)")
	}
	c.validateDatabases(p)
	c.validateRestic(p)
	c.validatePaths(p)
	c.validateNotify(p)
	if c.Backup.Interval <= 0 {
		p.add("backup.schedule", "must be longer than zero (%v)", errIntervalSyntax)
	}
	if c.Backup.StartDelay < 0 {
		p.add("backup.start_delay", "must not be negative")
	}
	return p
}

// validateDatabases checks the databases.
func (c *Config) validateDatabases(p *problems) {
	if len(c.databases) == 0 {
		p.add("databases", "none configured (write databases: [{name: app, adapter: postgres, url: ...}])")
		return
	}
	names := map[string]string{}
	for _, d := range c.databases {
		switch first, dup := names[d.Name]; {
		case d.Name == "":
			p.add(d.nameAt, "missing (write name: app; each database needs a unique name)")
		case dup:
			p.add(d.nameAt, "%q is also the name of %s (each database needs a unique name)", d.Name, first)
		default:
			names[d.Name] = d.at
		}
		c.validateSecret(p, d.password)
		switch d.Adapter {
		case "":
			p.add(d.adapterAt, "missing (write adapter: postgres, mysql or sqlite)")
		case "postgres", "mysql":
			c.validateServer(p, d)
		case "sqlite":
			c.validateSQLite(p, d)
		default:
			p.add(d.adapterAt, "unknown adapter %q (write postgres, mysql or sqlite)", d.adapterRaw)
		}
	}
}

// validateServer checks a PostgreSQL or MySQL database.
func (c *Config) validateServer(p *problems, d databaseConfig) {
	if d.Path != "" {
		p.add(d.pathAt, "only sqlite databases have a path (write url: ... for a %s database)", d.Adapter)
	}
	switch {
	case !d.url.set && d.fromEnv && d.envNamesDB:
		// libpq or MySQL client variables name the database.
	case !d.url.set:
		p.add(d.url.src.At, "missing (write url: %s://user@host:%s/dbname or url: {secret: DATABASE_URL})",
			urlSchemes[d.Adapter][0], map[string]string{"postgres": "5432", "mysql": "3306"}[d.Adapter])
	case d.url.issue != "":
		p.add(d.url.src.At, "%s", d.url.issue)
	case d.URL.IsZero():
		if !c.shapeOnly || d.url.src.written() {
			p.add(d.url.src.At, "empty (write url: %s://user@host/dbname)", urlSchemes[d.Adapter][0])
		}
	default:
		scheme, ok := urlScheme(d.URL.Reveal())
		switch {
		case !ok:
			p.add(d.url.src.At, "not a URL (write %s://user@host/dbname)", urlSchemes[d.Adapter][0])
		case !slices.Contains(urlSchemes[d.Adapter], scheme):
			p.add(d.url.src.At, "scheme %s does not match adapter %s (write a %s URL, or change the adapter)",
				scheme, d.Adapter, orList(urlSchemes[d.Adapter], "://"))
		}
	}
}

// urlScheme returns the lower-cased scheme of a URL, if it has one.
func urlScheme(u string) (string, bool) {
	scheme, _, ok := strings.Cut(u, "://")
	if !ok || scheme == "" {
		return "", false
	}
	for i, r := range scheme {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return "", false
		}
	}
	return strings.ToLower(scheme), true
}

// validateSQLite checks a SQLite database.
func (c *Config) validateSQLite(p *problems, d databaseConfig) {
	if d.url.set {
		p.add(d.url.src.At, "sqlite databases have no url (write path: /path/to/production.sqlite3)")
	}
	if d.password.set {
		p.add(d.password.src.At, "sqlite databases have no password (remove it)")
	}
	switch {
	case d.Path == "":
		p.add(d.pathAt, "missing (write path: /data/storage/production.sqlite3, the database file as mounted in the accessory)")
	case c.local || c.shapeOnly:
	default:
		fi, err := os.Stat(d.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.add(d.pathAt, "SQLite database %s does not exist (mount it into the accessory or fix the path)", d.Path)
		case err != nil:
			p.add(d.pathAt, "SQLite database %s cannot be read: %v", d.Path, unwrapPath(err))
		case fi.IsDir():
			p.add(d.pathAt, "%s is a directory, not a SQLite database file", d.Path)
		}
	}
}

// validateSecret reports a secret that could not be read.
func (c *Config) validateSecret(p *problems, r resolved) {
	if r.set && r.issue != "" {
		p.add(r.src.At, "%s", r.issue)
	}
}

// validateRestic checks the restic section.
func (c *Config) validateRestic(p *problems) {
	o := &c.origin
	switch {
	case !o.repository.set:
		p.add("restic.repository", "missing (write repository: s3:https://host/bucket, repository: {secret: RESTIC_REPOSITORY} or repository_file: PATH, or set RESTIC_REPOSITORY)")
	case o.repository.issue != "":
		c.validateSecret(p, o.repository)
	case c.Restic.Repository.IsZero() && o.repository.src.written():
		p.add(o.repository.src.At, "empty (write repository: s3:https://host/bucket or a path)")
	}
	if !o.password.set {
		p.add("restic.password", "missing (write password: {secret: RESTIC_PASSWORD}, {file: PATH} or {command: CMD}, or set RESTIC_PASSWORD)")
	}
	c.validateSecret(p, o.password)
	c.validateSecret(p, o.restUsername)
	c.validateSecret(p, o.restPassword)
	if s := c.Restic.CheckReadDataSubset; s != "" {
		if _, auto, err := ParseAutoSubset(s); auto {
			if err != nil {
				p.add(cmp.Or(o.subsetAt, "restic.check_read_data_subset"),
					"%q is not a read-data subset: auto/N rotates through N groups of packs, one per check, with N a whole number from 1 to %d (e.g. auto/7)",
					s, repo.MaxDataSubsetBuckets)
			}
		} else if _, err := repo.ParseDataSubset(s); err != nil {
			p.add(cmp.Or(o.subsetAt, "restic.check_read_data_subset"),
				"%q is not a read-data subset (write a percentage such as 5%%, a group such as 1/7, or a size such as 500M)", s)
		}
	}
}

// validatePaths checks the backup paths.
func (c *Config) validatePaths(p *problems) {
	state := absClean(c.State.Path)
	for i, pc := range c.Paths {
		at := indexPath("paths", i)
		if i < len(c.origin.pathsAt) {
			at = c.origin.pathsAt[i]
		}
		abs := absClean(pc.Path)
		allowed := pc.AllowSuspicious || c.AllowSuspiciousPaths
		switch {
		case allowed:
		case SuspiciousPath(pc.Path):
			p.add(at, "%s is a suspicious backup path (back up the mounted volume instead, or write {path: %s, allow_suspicious: true})", abs, pc.Path)
			continue
		case abs == state || strings.HasPrefix(abs, state+"/"):
			p.add(at, "%s is inside the state directory %s (remove it from paths)", abs, c.State.Path)
			continue
		}
		if c.local || c.shapeOnly {
			continue
		}
		if _, err := os.Stat(pc.Path); errors.Is(err, fs.ErrNotExist) {
			p.add(at, "%s does not exist (mount the volume into the accessory or remove the path)", pc.Path)
		} else if err != nil {
			p.add(at, "%s cannot be read: %v", pc.Path, unwrapPath(err))
		}
	}
	if c.local && c.origin.localPathsSet && len(c.Paths) != len(c.RestoreFrom) {
		p.add("paths", "%d local paths for %d restore sources (list the local targets in the same order as the production paths, or set restore_from)",
			len(c.Paths), len(c.RestoreFrom))
	}
}

// absClean returns p made absolute and cleaned; p unchanged if the working
// directory is unknown.
func absClean(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// unwrapPath drops the operation and path that an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// orList formats items, each with suffix, as "a, b or c".
func orList(items []string, suffix string) string {
	var b strings.Builder
	for i, it := range items {
		switch {
		case i == 0:
		case i == len(items)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(it + suffix)
	}
	return b.String()
}
