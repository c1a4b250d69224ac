package backup

import (
	"encoding/json"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// SummaryKind is the kind of a configuration summary record.
const SummaryKind = "config"

// Summary is a Config without secrets, for `kamal-backup validate` and
// logs: where each secret comes from, never its value; repository and
// database locations with credentials replaced by [REDACTED]. Its JSON
// form is a versioned record (schema_version 1, kind "config"); fields are
// only ever added.
type Summary struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
	App           string `json:"app"`
	Accessory     string `json:"accessory"`
	// Host is the snapshot host, Config.Hostname.
	Host string `json:"host"`
	// Local is set for a local restore configuration.
	Local       bool              `json:"local,omitempty"`
	Databases   []DatabaseSummary `json:"databases"`
	Paths       []PathConfig      `json:"paths"`
	RestoreFrom []string          `json:"restore_from"`
	Restic      ResticSummary     `json:"restic"`
	Backup      BackupSummary     `json:"backup"`
	StateDir    string            `json:"state_dir"`
	Evidence    EvidenceSummary   `json:"evidence"`
	// Notify lists the keys of the notify section that are set (healthchecks,
	// on, webhook); their values may be secret.
	Notify   []string `json:"notify,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// DatabaseSummary describes one database.
type DatabaseSummary struct {
	Name    string `json:"name"`
	Adapter string `json:"adapter"`
	// Location is the URL with its password redacted, or the SQLite file.
	Location string `json:"location"`
	// Sources say where the url and password come from; settings not
	// configured are left out.
	Sources []SourceSummary `json:"sources"`
}

// ResticSummary describes the repository settings.
type ResticSummary struct {
	// Repository is Config.RepositoryDisplay.
	Repository string `json:"repository"`
	// Sources say where the repository, its password and the REST
	// credentials come from; settings not configured are left out.
	Sources             []SourceSummary  `json:"sources"`
	InitIfMissing       bool             `json:"init_if_missing"`
	CheckAfterBackup    bool             `json:"check_after_backup"`
	CheckReadDataSubset string           `json:"check_read_data_subset,omitempty"`
	ForgetAfterBackup   bool             `json:"forget_after_backup"`
	Retention           RetentionSummary `json:"retention"`
	// Policy is the retention policy in restic's words.
	Policy string `json:"policy"`
}

// SourceSummary says where one setting's value comes from. No key of its
// JSON form looks secret to a redactor, so the summary survives being
// printed through one.
type SourceSummary struct {
	// Setting names the setting: "restic.password", "databases[0].url".
	Setting string `json:"setting"`
	Source
}

// RetentionSummary is the retention policy in the configuration's terms.
type RetentionSummary struct {
	KeepLast          int    `json:"keep_last"`
	KeepHourly        int    `json:"keep_hourly"`
	KeepDaily         int    `json:"keep_daily"`
	KeepWeekly        int    `json:"keep_weekly"`
	KeepMonthly       int    `json:"keep_monthly"`
	KeepYearly        int    `json:"keep_yearly"`
	KeepWithin        string `json:"keep_within,omitempty"`
	KeepWithinHourly  string `json:"keep_within_hourly,omitempty"`
	KeepWithinDaily   string `json:"keep_within_daily,omitempty"`
	KeepWithinWeekly  string `json:"keep_within_weekly,omitempty"`
	KeepWithinMonthly string `json:"keep_within_monthly,omitempty"`
	KeepWithinYearly  string `json:"keep_within_yearly,omitempty"`
}

// BackupSummary describes the schedule.
type BackupSummary struct {
	// Schedule is the interval in the configuration's syntax ("1d").
	Schedule          string `json:"schedule"`
	ScheduleSeconds   int64  `json:"schedule_seconds"`
	Enabled           bool   `json:"enabled"`
	StartDelaySeconds int64  `json:"start_delay_seconds"`
}

// EvidenceSummary gives the evidence objectives in seconds; absent ones
// are left out.
type EvidenceSummary struct {
	RPOSeconds         int64 `json:"rpo_seconds,omitempty"`
	RTOSeconds         int64 `json:"rto_seconds,omitempty"`
	DrillMaxAgeSeconds int64 `json:"drill_max_age_seconds,omitempty"`
	CheckMaxAgeSeconds int64 `json:"check_max_age_seconds,omitempty"`
}

// Summary describes c without secrets.
func (c *Config) Summary() Summary {
	r := c.Redactor()
	s := Summary{
		SchemaVersion: RecordSchemaVersion,
		Kind:          SummaryKind,
		App:           c.App,
		Accessory:     c.Accessory,
		Host:          c.Hostname(),
		Local:         c.local,
		Databases:     []DatabaseSummary{},
		Paths:         append([]PathConfig{}, c.Paths...),
		RestoreFrom:   append([]string{}, c.RestoreFrom...),
		StateDir:      c.State.Path,
		Notify:        c.notifyKeys(),
		Warnings:      c.Warnings,
	}
	for _, d := range c.databases {
		ds := DatabaseSummary{Name: d.Name, Adapter: d.Adapter, Location: d.Path}
		if d.url.set {
			ds.Location = r.Redact(redact.RedactURL(d.URL.Reveal()))
		}
		ds.Sources = sources(r, []string{childPath(d.at, "url"), childPath(d.at, "password")}, d.url, d.password)
		s.Databases = append(s.Databases, ds)
	}
	rc, o := c.Restic, c.origin
	p := rc.Retention
	s.Restic = ResticSummary{
		Repository: c.RepositoryDisplay(),
		Sources: sources(r, []string{"restic.repository", "restic.password", "restic.rest.username", "restic.rest.password"},
			o.repository, o.password, o.restUsername, o.restPassword),
		InitIfMissing:       rc.InitIfMissing,
		CheckAfterBackup:    rc.CheckAfterBackup,
		CheckReadDataSubset: rc.CheckReadDataSubset,
		ForgetAfterBackup:   rc.ForgetAfterBackup,
		Retention: RetentionSummary{
			KeepLast: p.Last, KeepHourly: p.Hourly, KeepDaily: p.Daily,
			KeepWeekly: p.Weekly, KeepMonthly: p.Monthly, KeepYearly: p.Yearly,
			KeepWithin: withinString(p.Within), KeepWithinHourly: withinString(p.WithinHourly),
			KeepWithinDaily: withinString(p.WithinDaily), KeepWithinWeekly: withinString(p.WithinWeekly),
			KeepWithinMonthly: withinString(p.WithinMonthly), KeepWithinYearly: withinString(p.WithinYearly),
		},
		Policy: p.String(),
	}
	s.Backup = BackupSummary{
		Schedule:          FormatSchedule(c.Backup.Interval),
		ScheduleSeconds:   seconds(c.Backup.Interval),
		Enabled:           c.Backup.Enabled,
		StartDelaySeconds: seconds(c.Backup.StartDelay),
	}
	e := c.Evidence
	s.Evidence = EvidenceSummary{seconds(e.RPO), seconds(e.RTO), seconds(e.DrillMaxAge), seconds(e.CheckMaxAge)}
	return s
}

// MarshalJSON encodes c as its Summary, so that a Config never reaches
// JSON with its secrets or its raw notify section. It has a value
// receiver so that Config values encode the same way as pointers.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.Summary()) }

// sources lists where the configured settings among rs, named by names,
// come from, passed through r.
func sources(r *redact.Redactor, names []string, rs ...resolved) []SourceSummary {
	out := []SourceSummary{}
	for i, x := range rs {
		if x.set {
			src := x.src
			src.Env, src.File, src.Command = r.Redact(src.Env), r.Redact(src.File), r.Redact(src.Command)
			out = append(out, SourceSummary{Setting: names[i], Source: src})
		}
	}
	return out
}

// withinString formats a within rule, empty when not set.
func withinString(d retention.Duration) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// seconds returns d in whole seconds.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }
