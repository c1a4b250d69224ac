package backup

import (
	"fmt"
	"strings"
	"time"
)

// envReader reads override variables: a variable that is unset or blank
// does not override anything, as in the Ruby kamal-backup.
type envReader struct {
	lookup func(string) (string, bool)
	p      *problems
}

// get returns the variable's value, trimmed, and whether it is set and not
// blank.
func (e envReader) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// str reads a string setting.
func (e envReader) str(name string) setting[string] {
	if v, ok := e.get(name); ok {
		return setAt(v, name)
	}
	return setting[string]{}
}

// secret reads a setting whose value is the variable's own value.
func (e envReader) secret(name string) setting[source] {
	if _, ok := e.get(name); ok {
		return setAt(source{Source: Source{At: name, Env: name}}, name)
	}
	return setting[source]{}
}

// boolean reads a boolean setting.
func (e envReader) boolean(name string) setting[bool] {
	v, ok := e.get(name)
	if !ok {
		return setting[bool]{}
	}
	b, err := parseBool(v)
	if err != nil {
		e.p.add(name, "%v", err)
		return setting[bool]{}
	}
	return setAt(b, name)
}

// interval reads an interval in seconds (or ParseSchedule's syntax).
func (e envReader) interval(name string, zeroOK bool) setting[time.Duration] {
	v, ok := e.get(name)
	if !ok {
		return setting[time.Duration]{}
	}
	parse := ParseSchedule
	if zeroOK {
		parse = parseInterval
	}
	d, err := parse(v)
	if err != nil {
		e.p.add(name, "%v", err)
		return setting[time.Duration]{}
	}
	return setAt(d, name)
}

// envLayer reads the environment variables that override the files, with
// the names the Ruby kamal-backup reads. Database variables are applied
// separately by applyDatabaseEnv.
func envLayer(e envReader) *layer {
	l := &layer{}
	l.app = e.str("APP_NAME")
	l.accessory = e.str("KAMAL_BACKUP_ACCESSORY")

	if s := e.secret("RESTIC_REPOSITORY"); s.set {
		l.repository = s
	} else if f, ok := e.get("RESTIC_REPOSITORY_FILE"); ok {
		l.repository = setAt(source{Source: Source{At: "RESTIC_REPOSITORY_FILE", File: f}}, "RESTIC_REPOSITORY_FILE")
	}
	file, hasFile := e.get("RESTIC_PASSWORD_FILE")
	cmd, hasCmd := e.get("RESTIC_PASSWORD_COMMAND")
	switch {
	case hasFile && hasCmd:
		e.p.add("RESTIC_PASSWORD_COMMAND", "set together with RESTIC_PASSWORD_FILE (unset one of them)")
	case hasCmd:
		l.password = setAt(source{Source: Source{At: "RESTIC_PASSWORD_COMMAND", Command: cmd}}, "RESTIC_PASSWORD_COMMAND")
	case hasFile:
		l.password = setAt(source{Source: Source{At: "RESTIC_PASSWORD_FILE", File: file}}, "RESTIC_PASSWORD_FILE")
	default:
		l.password = e.secret("RESTIC_PASSWORD")
	}
	l.restUsername = e.secret("RESTIC_REST_USERNAME")
	l.restPassword = e.secret("RESTIC_REST_PASSWORD")

	l.initIfMissing = e.boolean("RESTIC_INIT_IF_MISSING")
	l.checkAfterBackup = e.boolean("RESTIC_CHECK_AFTER_BACKUP")
	l.forgetAfterBackup = e.boolean("RESTIC_FORGET_AFTER_BACKUP")
	l.checkSubset = e.str("RESTIC_CHECK_READ_DATA_SUBSET")
	for i, k := range keepNames {
		if v, ok := e.get(k.env); ok {
			n, err := parseCount(v)
			if err != nil {
				e.p.add(k.env, "%v", err)
				continue
			}
			l.keep[i] = setAt(n, k.env)
		}
	}

	l.schedule = e.interval("BACKUP_SCHEDULE_SECONDS", false)
	l.startDelay = e.interval("BACKUP_START_DELAY_SECONDS", true)
	l.enabled = e.boolean("BACKUP_ENABLED")
	l.statePath = e.str("KAMAL_BACKUP_STATE_DIR")
	l.allowSuspicious = e.boolean("KAMAL_BACKUP_ALLOW_SUSPICIOUS_PATHS")
	l.notify = notifyEnv(e)
	return l
}

// connectionVars are the libpq and MySQL client variables a database made
// from the environment passes to its tools; the passwords among them
// travel as the Database's Password instead.
var connectionVars = map[string][]string{
	"postgres": {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT",
		"PGSSLKEY", "PGCONNECT_TIMEOUT", "PGSERVICE", "PGPASSFILE"},
	"mysql": {"MYSQL_HOST", "MYSQL_PORT", "MYSQL_USER", "MYSQL_DATABASE",
		"MARIADB_HOST", "MARIADB_PORT", "MARIADB_USER", "MARIADB_DATABASE"},
}

// passwordVars are the variables that carry each adapter's password.
var passwordVars = map[string]string{"postgres": "PGPASSWORD", "mysql": "MYSQL_PWD"}

// applyDatabaseEnv applies DATABASE_URL, SQLITE_DATABASE_PATH, PGPASSWORD
// and MYSQL_PWD to the merged layer l:
//
//   - with no databases key in any file, they (and DATABASE_ADAPTER)
//     describe one database named "app", as the Ruby kamal-backup's
//     environment-only setup does; an explicit empty list stays empty;
//   - with one database, they override its url, path and password;
//   - with several, DATABASE_URL and SQLITE_DATABASE_PATH are ambiguous and
//     ignored with a warning, and a password variable only fills in the
//     password of the databases of its adapter that have none.
func applyDatabaseEnv(l *layer, e envReader) (warnings []string) {
	dbURL := e.secret("DATABASE_URL")
	sqlitePath := e.str("SQLITE_DATABASE_PATH")
	if !l.databases.set {
		if db, ok := databaseFromEnv(e, dbURL, sqlitePath); ok {
			l.databases = setAt([]databaseLayer{db}, db.at)
		}
		return nil
	}
	dbs := l.databases.v
	if len(dbs) == 1 {
		db := &dbs[0]
		warnings = e.overrides(nil, db.url, dbURL)
		db.url.over(dbURL)
		if sqlitePath.set && db.path.set && sqlitePath.v != db.path.v {
			warnings = append(warnings, overrideWarning(sqlitePath.at, db.path.at))
		}
		db.path.over(sqlitePath)
		if name, ok := passwordVars[canonicalAdapter(db.adapter.v)]; ok {
			pw := e.secret(name)
			warnings = e.overrides(warnings, db.password, pw)
			db.password.over(pw)
		}
		return warnings
	}
	for _, s := range []setting[string]{{at: "DATABASE_URL", set: dbURL.set}, sqlitePath} {
		switch {
		case !s.set:
		case len(dbs) == 0:
			warnings = append(warnings, s.at+" is ignored: the configuration lists no databases (databases: [])")
		default:
			warnings = append(warnings, fmt.Sprintf("%s is ignored: %d databases are configured (set url or path per database)", s.at, len(dbs)))
		}
	}
	for i := range dbs {
		db := &dbs[i]
		if name, ok := passwordVars[canonicalAdapter(db.adapter.v)]; ok && !db.password.set {
			db.password = e.secret(name)
		}
	}
	return warnings
}

// databaseFromEnv describes the one database of an environment-only
// configuration: its adapter from DATABASE_ADAPTER, else DATABASE_URL's
// scheme, else sqlite when SQLITE_DATABASE_PATH is set.
func databaseFromEnv(e envReader, dbURL setting[source], sqlitePath setting[string]) (databaseLayer, bool) {
	adapter := e.str("DATABASE_ADAPTER")
	if !adapter.set && dbURL.set {
		v, _ := e.get("DATABASE_URL")
		if scheme, ok := urlScheme(v); ok {
			adapter = setAt(scheme, "DATABASE_URL")
		}
	}
	if !adapter.set && sqlitePath.set {
		adapter = setAt("sqlite", "SQLITE_DATABASE_PATH")
	}
	if !adapter.set {
		return databaseLayer{}, false
	}
	db := databaseLayer{at: adapter.at, name: setAt("app", adapter.at), adapter: adapter, url: dbURL, path: sqlitePath, fromEnv: true}
	canonical := canonicalAdapter(adapter.v)
	if name, ok := passwordVars[canonical]; ok {
		db.password = e.secret(name)
	}
	for _, name := range connectionVars[canonical] {
		if v, ok := e.get(name); ok {
			db.env = append(db.env, name+"="+v)
		}
	}
	return db, true
}

// overrides appends to warnings that env overrides the file's setting,
// when both are set and do not name the same source (a file's
// {secret: RESTIC_PASSWORD} is not overridden by RESTIC_PASSWORD).
func (e envReader) overrides(warnings []string, file, env setting[source]) []string {
	if !file.set || !env.set {
		return warnings
	}
	f, v := file.v, env.v
	switch {
	case f.Env != "" && f.Env == v.Env, f.File != "" && f.File == v.File, f.Command != "" && f.Command == v.Command:
		return warnings
	case f.written() && v.Env != "":
		if val, _ := e.get(v.Env); val == strings.TrimSpace(f.literal) {
			return warnings
		}
	}
	return append(warnings, overrideWarning(env.at, file.at))
}

// overrideWarning says that an environment variable overrides a setting.
func overrideWarning(variable, setting string) string {
	return variable + " overrides " + setting + " (an emergency override; remove the variable when done)"
}
