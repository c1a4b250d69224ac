package evidence

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/location"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// errNoRepository is recorded where the repository was needed but
// Collect was given none.
var errNoRepository = errors.New("repository not opened")

// Collect gathers the evidence of cfg's app: the configuration, the
// snapshots of r (listed once for every database and the files), the
// state records in cfg's state directory and the tools' versions. r may
// be nil, when the repository could not be opened; every place that
// needs it then records an error.
//
// A piece of evidence that cannot be read is recorded as an error at its
// place; Collect itself fails only when ctx ends or the document cannot
// be encoded. The returned document holds no secret known to
// cfg.Redactor() or opts.Redactor.
func Collect(ctx context.Context, cfg *backup.Config, r *repo.Repository, opts Options) (*Document, error) {
	if cfg == nil {
		return nil, errors.New("evidence: no configuration")
	}
	opts = opts.withDefaults()
	now := opts.Now().UTC().Truncate(time.Second)
	tools := make(chan ToolVersions, 1)
	go func() { tools <- toolVersions(ctx, opts) }() // the tools run while the repository is read
	doc := &Document{
		SchemaVersion:         SchemaVersion,
		Kind:                  Kind,
		AppName:               cfg.App,
		GeneratedAt:           now,
		Databases:             []Database{},
		ResticRepository:      cfg.RepositoryDisplay(),
		Paths:                 []string{},
		ForgetAfterBackup:     cfg.Restic.ForgetAfterBackup,
		Retention:             retentionOf(cfg.Policy()),
		LatestDatabaseBackups: map[string]Fact[SnapshotRef]{},
		ImageVersion:          imageVersion(opts),
		Schedule:              scheduleOf(cfg),
	}
	for _, d := range cfg.Databases() {
		doc.Databases = append(doc.Databases, Database{Name: d.Name, Adapter: d.Adapter})
	}
	for _, p := range cfg.Paths {
		doc.Paths = append(doc.Paths, p.Path)
	}

	all, snapErr := snapshots(ctx, r)
	sources := sourcesOf(cfg)
	for _, s := range sources {
		var latest Fact[SnapshotRef]
		if snapErr != nil {
			latest = Failed[SnapshotRef](snapErr)
		} else {
			latest = latestRef(s.of(all))
		}
		if s.typ == SourceFiles {
			doc.LatestFileBackup = latest
		} else {
			doc.LatestDatabaseBackups[s.database] = latest
		}
	}
	if snapErr != nil {
		doc.BackupHistory = Failed[BackupHistory](snapErr)
	} else {
		doc.BackupHistory = Known(history(sources, all, now, opts.Window, cfg.Backup.Interval))
	}
	doc.Repository = Failed[RepositoryInfo](errNoRepository)
	if r != nil {
		kind := location.Type(cfg.Repository().Reveal())
		doc.Repository = Known(repositoryInfo(ctx, r, kind, cfg.App, all, snapErr))
	}

	sd := cfg.StateDir()
	doc.VerificationCoverage = coverage(ctx, r, sd, now, opts.Window)
	check := readRecord[backup.CheckRecord](sd, backup.LastCheckRecord)
	drill := readRecord[backup.DrillRecord](sd, backup.LastDrillRecord)
	doc.LastResticCheck, doc.LastRestoreDrill = check.raw, drill.raw
	doc.Objectives = objectives(cfg.Evidence, doc.BackupHistory, check, drill, now)
	if snapErr != nil {
		doc.History = historyChain(ctx, cfg, nil, nil, now, opts.Window) // the local history only
	} else {
		doc.History = historyChain(ctx, cfg, r, all, now, opts.Window)
	}
	doc.Objectives.applyHistory(doc.History)
	doc.ToolVersions = <-tools

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfgRed, extra := cfg.Redactor(), opts.Redactor
	return redactDocument(doc, func(s string) string { return extra.Redact(cfgRed.Redact(s)) })
}

// snapshots loads every snapshot of r, oldest first.
func snapshots(ctx context.Context, r *repo.Repository) ([]*repo.Snapshot, error) {
	if r == nil {
		return nil, errNoRepository
	}
	return r.Snapshots(ctx, repo.Filter{})
}

// retentionOf gives p with the Ruby kamal-backup's keys.
func retentionOf(p retention.Policy) Retention {
	count := strconv.Itoa
	opt := func(n int) string {
		if n == 0 {
			return ""
		}
		return count(n)
	}
	within := func(d retention.Duration) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	return Retention{
		KeepLast: count(p.Last), KeepHourly: opt(p.Hourly), KeepDaily: count(p.Daily),
		KeepWeekly: count(p.Weekly), KeepMonthly: count(p.Monthly), KeepYearly: count(p.Yearly),
		KeepWithin: within(p.Within), KeepWithinHourly: within(p.WithinHourly),
		KeepWithinDaily: within(p.WithinDaily), KeepWithinWeekly: within(p.WithinWeekly),
		KeepWithinMonthly: within(p.WithinMonthly), KeepWithinYearly: within(p.WithinYearly),
	}
}

// scheduleOf describes how often cfg backs up and checks.
func scheduleOf(cfg *backup.Config) Schedule {
	return Schedule{
		Interval:            backup.FormatSchedule(cfg.Backup.Interval),
		IntervalSeconds:     seconds(cfg.Backup.Interval),
		Enabled:             cfg.Backup.Enabled,
		CheckAfterBackup:    cfg.Restic.CheckAfterBackup,
		CheckReadDataSubset: cfg.Restic.CheckReadDataSubset,
	}
}

// toolVersions runs opts.ToolVersions and adds kamal-backup's own.
func toolVersions(ctx context.Context, opts Options) ToolVersions {
	m := opts.ToolVersions(ctx)
	engine := "kamal-backup " + opts.Version
	return ToolVersions{PgDump: m["pg_dump"], PgRestore: m["pg_restore"], MySQLDump: m["mysql_dump"],
		MySQLClient: m["mysql_client"], SQLite3: m["sqlite3"], Rclone: m["rclone"], KamalBackupEngine: &engine}
}
