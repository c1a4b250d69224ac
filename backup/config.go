package backup

import (
	"net/url"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// DefaultConfigPath is where kamal-backup looks for its configuration,
// relative to the app checkout (and to /app in the accessory image).
const DefaultConfigPath = "config/kamal-backup.yml"

// LocalConfigName is the name of the local override file, next to the main
// configuration file.
const LocalConfigName = "kamal-backup.local.yml"

// DefaultAccessory is the Kamal accessory name when accessory is not set.
const DefaultAccessory = "backup"

// DefaultStateDir is the state directory in the accessory when state.path
// and KAMAL_BACKUP_STATE_DIR are not set. Mount it as a volume.
const DefaultStateDir = "/var/lib/kamal-backup"

// DefaultLocalStateDir is the state directory for local restores and
// drills (LoadOptions.Local), relative to the working directory.
const DefaultLocalStateDir = "tmp/kamal-backup"

// DefaultSchedule is the backup interval when backup.schedule and
// BACKUP_SCHEDULE_SECONDS are not set: once a day.
const DefaultSchedule = 24 * time.Hour

// Config is a loaded kamal-backup configuration: config/kamal-backup.yml,
// optionally the local override file, then the environment, with every
// secret resolved. LoadConfig builds it.
//
// Secrets are held as redact.Secret and print as [REDACTED] however a
// Config is printed; MarshalJSON writes Summary, which holds no secret.
// A Config is safe for concurrent reads; Validate after changing fields.
type Config struct {
	// App names the app in snapshot tags (app:<app>) and the snapshot
	// host. Required.
	App string
	// Accessory is the Kamal accessory's name; "backup" by default.
	Accessory string
	// Paths are the file paths backed up in one file snapshot per run, in
	// configured order. Empty for a database-only backup. For a local
	// configuration (LoadOptions.Local) they are the local restore
	// targets and come from the local file only: production paths are
	// never used as local targets.
	Paths []PathConfig
	// RestoreFrom are the paths inside the file snapshot that Paths are
	// restored from, in the same order: restore_from when set, otherwise
	// the main file's paths.
	RestoreFrom []string
	// Restic is the repository and what to do with it.
	Restic ResticConfig
	// Backup is the schedule.
	Backup ScheduleConfig
	// State is where run records are kept.
	State StateConfig
	// Evidence holds the objectives the evidence document is judged
	// against.
	Evidence EvidenceConfig
	// Notify is where the schedule reports its runs: a webhook and a
	// healthchecks ping URL.
	Notify NotifyConfig
	// AllowSuspiciousPaths allows every suspicious backup path
	// (KAMAL_BACKUP_ALLOW_SUSPICIOUS_PATHS=true, as in the Ruby
	// kamal-backup). Prefer allow_suspicious on the one path.
	AllowSuspiciousPaths bool
	// Warnings are settings that were ignored, for the operator to see.
	Warnings []string

	databases []databaseConfig
	origin    origins
	local     bool
	shapeOnly bool
	redactor  *redact.Redactor
}

// PathConfig is one entry of paths.
type PathConfig struct {
	// Path is the file or directory backed up.
	Path string `json:"path"`
	// Exclude are restic exclude patterns for this path.
	Exclude []string `json:"exclude,omitempty"`
	// AllowSuspicious allows a path Validate would refuse as suspicious
	// (/, /var, /etc, ..., or the state directory).
	AllowSuspicious bool `json:"allow_suspicious,omitempty"`
}

// Source says where a secret or secret-capable value came from. At most
// one of Env, File and Command is set; none means the value was written
// in the file at At.
type Source struct {
	// At is the setting: a YAML path ("restic.password") or the
	// environment variable that overrode it ("RESTIC_PASSWORD").
	At string `json:"at"`
	// Env is the environment variable holding the value ({secret: NAME}).
	Env string `json:"env,omitempty"`
	// File is the file holding the value ({file: PATH}, repository_file,
	// RESTIC_PASSWORD_FILE).
	File string `json:"file,omitempty"`
	// Command prints the value ({command: CMD}, RESTIC_PASSWORD_COMMAND).
	Command string `json:"command,omitempty"`
}

// written reports whether the value was written in the file rather than
// taken from a variable, a file or a command.
func (s Source) written() bool { return s.Env == "" && s.File == "" && s.Command == "" }

// ResticConfig is the restic section: the repository and its upkeep.
type ResticConfig struct {
	// Repository is the repository location (s3:..., rest:..., a path).
	// It may hold credentials; show it with Config.RepositoryDisplay.
	Repository       redact.Secret
	RepositorySource Source
	// Password is the repository password.
	Password       redact.Secret
	PasswordSource Source
	// RESTUsername and RESTPassword are the credentials of a rest:
	// repository (restic.rest, RESTIC_REST_USERNAME/PASSWORD).
	RESTUsername redact.Secret
	RESTPassword redact.Secret
	// InitIfMissing initialises the repository when it does not exist.
	InitIfMissing bool
	// CheckAfterBackup runs a check after each backup.
	CheckAfterBackup bool
	// CheckReadDataSubset is the read-data subset of checks ("5%", "1/7",
	// "500M"); empty means no data is read.
	CheckReadDataSubset string
	// ForgetAfterBackup applies Retention after each backup; on unless
	// explicitly turned off.
	ForgetAfterBackup bool
	// Retention is the forget policy. Each of keep_last, keep_daily,
	// keep_weekly, keep_monthly and keep_yearly not configured takes the
	// Ruby kamal-backup's default (7, 7, 4, 6, 2); write 0 to turn one off.
	Retention retention.Policy
}

// ScheduleConfig is the backup section.
type ScheduleConfig struct {
	// Interval is the time between backups (backup.schedule); one day by
	// default.
	Interval time.Duration
	// Enabled is false when the accessory should never back up, only
	// serve restores, lists and checks.
	Enabled bool
	// StartDelay is the wait before the scheduler's first backup.
	StartDelay time.Duration
}

// StateConfig is the state section.
type StateConfig struct {
	// Path is the state directory holding last_backup.json,
	// last_check.json and last_restore_drill.json.
	Path string
}

// EvidenceConfig is the evidence section: objectives the evidence
// document reports against. Zero means not set.
type EvidenceConfig struct {
	// RPO is the recovery point objective: the newest backup should be
	// at most this old.
	RPO time.Duration
	// RTO is the recovery time objective: a restore drill should take at
	// most this long.
	RTO time.Duration
	// DrillMaxAge is how old the last successful restore drill may be.
	DrillMaxAge time.Duration
	// CheckMaxAge is how old the last successful check may be.
	CheckMaxAge time.Duration
}

// databaseConfig is one resolved database with where its settings came
// from, for validation messages.
type databaseConfig struct {
	Database
	at         string // "databases[0]", or the variable that made it
	nameAt     string
	adapterAt  string
	adapterRaw string // as written, before CanonicalAdapter
	pathAt     string
	url        resolved
	password   resolved
	fromEnv    bool // made from the environment, not from a file
	envNamesDB bool // PGDATABASE, MYSQL_DATABASE or MARIADB_DATABASE is set
}

// resolved records where a secret-capable setting came from and what went
// wrong reading it.
type resolved struct {
	src   Source
	set   bool
	issue string // why the value could not be read; empty when it was
}

// origins remembers where Config-level settings were written and how
// their secrets resolved.
type origins struct {
	pathsAt       []string // YAML path of each entry of Paths
	localPathsSet bool     // the local file lists paths
	subsetAt      string
	repository    resolved
	password      resolved
	restUsername  resolved
	restPassword  resolved
	notify        notifyOrigins
}

// Databases returns the configured databases, as the adapters take them,
// in configured order.
func (c *Config) Databases() []Database {
	out := make([]Database, len(c.databases))
	for i, d := range c.databases {
		out[i] = d.Database
		out[i].Env = append([]string(nil), d.Env...)
	}
	return out
}

// Hostname is the snapshot host: "<app>-<accessory>" normalised as the
// Ruby kamal-backup does.
func (c *Config) Hostname() string { return Hostname(c.App, c.Accessory) }

// Policy is the retention policy applied by forget and prune.
func (c *Config) Policy() retention.Policy { return c.Restic.Retention }

// RepositoryPassword is the repository password.
func (c *Config) RepositoryPassword() redact.Secret { return c.Restic.Password }

// Repository is the repository location; it may hold credentials.
func (c *Config) Repository() redact.Secret { return c.Restic.Repository }

// RepositoryDisplay is the repository location for output: URL passwords,
// secret query parameters and every configured secret replaced by
// [REDACTED].
func (c *Config) RepositoryDisplay() string {
	return c.Redactor().Redact(redact.RedactURL(c.Restic.Repository.Reveal()))
}

// Redactor returns a redactor holding every secret the configuration
// resolved: database, repository and REST passwords, and the passwords
// and secret query parameters of database and repository URLs. User names are not registered: they are
// often ordinary words ("backup") whose removal would garble all output.
// Add the process environment with AddEnv where it matters.
//
// A Config not made by LoadConfig has no registered secrets, and each call
// returns a new, empty Redactor.
func (c *Config) Redactor() *redact.Redactor {
	if c.redactor == nil {
		return &redact.Redactor{}
	}
	return c.redactor
}

// StateDir is the state directory, redacting records with the Config's
// redactor.
func (c *Config) StateDir() StateDir {
	return StateDir{Path: c.State.Path, Redactor: c.Redactor()}
}

// Local reports whether the configuration was loaded for a local restore
// or drill (LoadOptions.Local).
func (c *Config) Local() bool { return c.local }

// registerSecrets fills the redactor with the resolved secrets, and with
// the unconventional names in {secret: NAME}, which may be a value written
// where the variable's name belongs.
func (c *Config) registerSecrets() {
	r := &redact.Redactor{}
	o := &c.origin
	for _, x := range []resolved{o.repository, o.password, o.restUsername, o.restPassword, o.notify.webhook, o.notify.healthchecks} {
		if x.src.Env != "" && !conventionalName(x.src.Env) {
			r.Add(x.src.Env)
		}
	}
	for _, d := range c.databases {
		for _, x := range []resolved{d.url, d.password} {
			if x.src.Env != "" && !conventionalName(x.src.Env) {
				r.Add(x.src.Env)
			}
		}
		r.Add(d.Password.Reveal())
		addURLSecrets(r, d.URL.Reveal())
	}
	r.Add(c.Restic.Password.Reveal(), c.Restic.RESTPassword.Reveal())
	addURLSecrets(r, c.Restic.Repository.Reveal())
	addNotifySecrets(r, c.Notify)
	c.redactor = r
}

// addURLSecrets registers the password of every URL in s and the values
// of its secret-looking query parameters (?token=..., ?sslpassword=...).
func addURLSecrets(r *redact.Redactor, s string) {
	r.AddEnv([]string{"URL=" + s})
	_, query, ok := strings.Cut(s, "?")
	if !ok {
		return
	}
	q, _ := url.ParseQuery(strings.SplitN(query, "#", 2)[0])
	for k, vs := range q {
		if redact.IsSecretName(k) {
			r.Add(vs...)
		}
	}
}
