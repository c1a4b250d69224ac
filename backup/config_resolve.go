package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// passwordCommandTimeout bounds a password command run by the default
// runner.
const passwordCommandTimeout = time.Minute

// runPasswordCommand runs command with sh -c and returns its standard
// output; its standard error goes to ours, as restic does, so that a
// command can prompt. The error never holds the output.
func runPasswordCommand(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), passwordCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", fmt.Errorf("timed out after %v", passwordCommandTimeout)
	}
	return string(out), err
}

// resolver reads the values of secret-capable settings.
type resolver struct {
	lookup    func(string) (string, bool)
	run       func(string) (string, error)
	shapeOnly bool
}

// read returns the value s gives and, when it cannot be read, why. A value
// from an environment variable is returned as is; from a file or a
// command, without surrounding white space (as restic reads password
// files). With shapeOnly only written-out values are read.
func (r resolver) read(s source) (string, string) {
	switch {
	case s.written():
		return s.literal, ""
	case r.shapeOnly:
		return "", ""
	case s.Env != "":
		v, ok := r.lookup(s.Env)
		switch {
		case (!ok || strings.TrimSpace(v) == "") && !conventionalName(s.Env):
			return "", fmt.Sprintf("environment variable %s is empty or unset (write the variable's name, not its value)", s.Env)
		case !ok || strings.TrimSpace(v) == "":
			return "", fmt.Sprintf("environment variable %s is empty or unset", s.Env)
		}
		return v, ""
	case s.File != "":
		data, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Sprintf("cannot read file %s: %v", s.File, unwrapPath(err))
		}
		// The first line, as documented (docs/CONFIGURATION.md, and the
		// CLI's --password-file and --repository-file).
		first, _, _ := strings.Cut(string(data), "\n")
		v := strings.TrimSpace(first)
		switch {
		case v == "" && strings.TrimSpace(string(data)) == "":
			return "", fmt.Sprintf("file %s is empty", s.File)
		case v == "":
			return "", fmt.Sprintf("file %s: its first line is empty", s.File)
		}
		return v, ""
	default:
		out, err := r.run(s.Command)
		if err != nil {
			return "", fmt.Sprintf("password command failed: %v", err)
		}
		v := strings.TrimSpace(out)
		if v == "" {
			return "", "password command printed nothing"
		}
		return v, ""
	}
}

// secret reads a setting into a Secret, recording where it came from.
func (r resolver) secret(s setting[source], trim bool) (redact.Secret, resolved) {
	if !s.set {
		return redact.Secret{}, resolved{}
	}
	v, issue := r.read(s.v)
	if trim {
		v = strings.TrimSpace(v)
	}
	return redact.NewSecret(v), resolved{src: s.v.Source, set: true, issue: issue}
}

// build turns the merged layer into a Config. mainPaths are the main
// file's paths and localPaths whether the local file lists paths; they
// decide Paths and RestoreFrom for a local configuration.
func build(l *layer, r resolver, local bool, mainPaths []PathConfig, localPaths bool) *Config {
	c := &Config{
		App:       strings.TrimSpace(l.app.v),
		Accessory: strings.TrimSpace(l.accessory.v),
		local:     local,
		shapeOnly: r.shapeOnly,
	}
	if c.Accessory == "" {
		c.Accessory = DefaultAccessory
	}
	for _, db := range l.databases.v {
		c.databases = append(c.databases, r.database(db))
	}

	c.Paths, c.origin.pathsAt = l.paths.v, l.pathsAt
	c.origin.localPathsSet = localPaths
	if local && !localPaths {
		c.Paths, c.origin.pathsAt = nil, nil
	}
	switch {
	case l.restoreFrom.set:
		c.RestoreFrom = l.restoreFrom.v
	case local:
		for _, p := range mainPaths {
			c.RestoreFrom = append(c.RestoreFrom, p.Path)
		}
	default:
		for _, p := range c.Paths {
			c.RestoreFrom = append(c.RestoreFrom, p.Path)
		}
	}

	rc := &c.Restic
	rc.Repository, c.origin.repository = r.secret(l.repository, true)
	rc.RepositorySource = c.origin.repository.src
	rc.Password, c.origin.password = r.secret(l.password, false)
	rc.PasswordSource = c.origin.password.src
	rc.RESTUsername, c.origin.restUsername = r.secret(l.restUsername, true)
	rc.RESTPassword, c.origin.restPassword = r.secret(l.restPassword, false)
	rc.InitIfMissing = l.initIfMissing.v
	rc.CheckAfterBackup = l.checkAfterBackup.v
	rc.CheckReadDataSubset = strings.TrimSpace(l.checkSubset.v)
	c.origin.subsetAt = l.checkSubset.at
	rc.ForgetAfterBackup = !l.forgetAfterBackup.set || l.forgetAfterBackup.v
	keep := keepDefaults
	for i, k := range l.keep {
		if k.set {
			keep[i] = k.v
		}
	}
	p := &rc.Retention
	p.Last, p.Hourly, p.Daily, p.Weekly, p.Monthly, p.Yearly = keep[0], keep[1], keep[2], keep[3], keep[4], keep[5]
	p.Within, p.WithinHourly, p.WithinDaily = l.within[0].v, l.within[1].v, l.within[2].v
	p.WithinWeekly, p.WithinMonthly, p.WithinYearly = l.within[3].v, l.within[4].v, l.within[5].v

	c.Backup = ScheduleConfig{Interval: DefaultSchedule, Enabled: true}
	if l.schedule.set {
		c.Backup.Interval = l.schedule.v
	}
	if l.enabled.set {
		c.Backup.Enabled = l.enabled.v
	}
	c.Backup.StartDelay = l.startDelay.v

	c.State.Path = strings.TrimSpace(l.statePath.v)
	if c.State.Path == "" {
		c.State.Path = DefaultStateDir
		if local {
			c.State.Path = DefaultLocalStateDir
		}
	}
	c.Evidence = EvidenceConfig{RPO: l.rpo.v, RTO: l.rto.v, DrillMaxAge: l.drillMaxAge.v, CheckMaxAge: l.checkMaxAge.v}
	c.Notify, c.origin.notify = r.notify(l.notify)
	c.AllowSuspiciousPaths = l.allowSuspicious.v
	return c
}

// envDatabaseVars name the variables that describe the database of an
// environment-only configuration, by setting.
var envDatabaseVars = map[string]string{
	"name": "DATABASE_ADAPTER", "adapter": "DATABASE_ADAPTER", "url": "DATABASE_URL", "path": "SQLITE_DATABASE_PATH",
}

// database resolves one entry of databases.
func (r resolver) database(db databaseLayer) databaseConfig {
	orDefault := func(at, key string) string {
		switch {
		case at != "":
			return at
		case db.fromEnv:
			return envDatabaseVars[key]
		}
		return childPath(db.at, key)
	}
	dc := databaseConfig{
		at:         db.at,
		nameAt:     orDefault(db.name.at, "name"),
		adapterAt:  orDefault(db.adapter.at, "adapter"),
		adapterRaw: strings.TrimSpace(db.adapter.v),
		pathAt:     orDefault(db.path.at, "path"),
		fromEnv:    db.fromEnv,
	}
	dc.Name = strings.TrimSpace(db.name.v)
	dc.Adapter = canonicalAdapter(dc.adapterRaw)
	dc.Path = strings.TrimSpace(db.path.v)
	dc.URL, dc.url = r.secret(db.url, true)
	if !dc.url.set {
		dc.url.src.At = orDefault("", "url")
	}
	dc.Password, dc.password = r.secret(db.password, false)
	dc.Env = db.env
	for _, kv := range db.env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "PGDATABASE" || name == "MYSQL_DATABASE" || name == "MARIADB_DATABASE" {
			dc.envNamesDB = true
		}
	}
	return dc
}

// canonicalAdapter maps an adapter name as written, in any case, to its
// canonical name (CanonicalAdapter).
func canonicalAdapter(raw string) string {
	return CanonicalAdapter(strings.ToLower(strings.TrimSpace(raw)))
}

// conventionalName reports whether name looks like an environment
// variable's name (UPPER_CASE). Other names in {secret: NAME} may be a
// secret value written by mistake, and are treated as secrets.
func conventionalName(name string) bool {
	for i, r := range name {
		if !('A' <= r && r <= 'Z' || r == '_' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return name != ""
}
