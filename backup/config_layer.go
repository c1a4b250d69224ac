package backup

import (
	"time"

	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// setting is one value of a configuration layer and where it was
// written: a YAML path ("restic.retention.keep_daily") or the name of the
// environment variable it came from.
type setting[T any] struct {
	v   T
	at  string
	set bool
}

// set returns a setting holding v, written at at.
func setAt[T any](v T, at string) setting[T] { return setting[T]{v: v, at: at, set: true} }

// over replaces s with o when o is set.
func (s *setting[T]) over(o setting[T]) {
	if o.set {
		*s = o
	}
}

// source is how a layer gives a value that may be secret: written out
// (literal) or taken from an environment variable, a file or a command.
type source struct {
	literal string
	Source
}

// layer is one source of configuration: the main file, the local override
// file or the environment. Layers are merged key by key with overlay, the
// later one winning; lists (databases, paths, restore_from) are replaced
// whole.
type layer struct {
	app, accessory setting[string]

	databases   setting[[]databaseLayer]
	paths       setting[[]PathConfig]
	pathsAt     []string // YAML path of each entry of paths
	restoreFrom setting[[]string]

	repository   setting[source] // restic.repository, restic.repository_file
	password     setting[source]
	restUsername setting[source]
	restPassword setting[source]

	initIfMissing, checkAfterBackup, forgetAfterBackup setting[bool]
	checkSubset                                        setting[string]
	keep                                               [len(keepNames)]setting[int]
	within                                             [len(withinNames)]setting[retention.Duration]

	schedule, startDelay setting[time.Duration]
	enabled              setting[bool]

	statePath setting[string]

	rpo, rto, drillMaxAge, checkMaxAge setting[time.Duration]

	notify notifyLayer

	allowSuspicious setting[bool]
}

// databaseLayer is one entry of databases, before its secrets are
// resolved.
type databaseLayer struct {
	at       string // "databases[0]", or the variable that created it
	name     setting[string]
	adapter  setting[string]
	url      setting[source]
	path     setting[string]
	password setting[source]
	env      []string // connection variables of a database made from the environment
	fromEnv  bool     // made from DATABASE_URL / SQLITE_DATABASE_PATH, not from a file
}

// keepNames are the count rules of restic.retention, in restic's order,
// with their environment variables.
var keepNames = [...]struct{ key, env string }{
	{"keep_last", "RESTIC_KEEP_LAST"},
	{"keep_hourly", "RESTIC_KEEP_HOURLY"},
	{"keep_daily", "RESTIC_KEEP_DAILY"},
	{"keep_weekly", "RESTIC_KEEP_WEEKLY"},
	{"keep_monthly", "RESTIC_KEEP_MONTHLY"},
	{"keep_yearly", "RESTIC_KEEP_YEARLY"},
}

// keepDefaults are the counts the Ruby kamal-backup applies to each count
// rule that is not configured (keep_last 7, keep_daily 7, keep_weekly 4,
// keep_monthly 6, keep_yearly 2; no hourly rule).
var keepDefaults = [len(keepNames)]int{7, 0, 7, 4, 6, 2}

// withinNames are the within rules of restic.retention, in restic's order.
var withinNames = [...]string{
	"keep_within", "keep_within_hourly", "keep_within_daily",
	"keep_within_weekly", "keep_within_monthly", "keep_within_yearly",
}

// overlay merges o over l: every setting o has replaces l's.
func (l *layer) overlay(o *layer) {
	l.app.over(o.app)
	l.accessory.over(o.accessory)
	l.databases.over(o.databases)
	if o.paths.set {
		l.paths, l.pathsAt = o.paths, o.pathsAt
	}
	l.restoreFrom.over(o.restoreFrom)
	l.repository.over(o.repository)
	l.password.over(o.password)
	l.restUsername.over(o.restUsername)
	l.restPassword.over(o.restPassword)
	l.initIfMissing.over(o.initIfMissing)
	l.checkAfterBackup.over(o.checkAfterBackup)
	l.forgetAfterBackup.over(o.forgetAfterBackup)
	l.checkSubset.over(o.checkSubset)
	for i := range l.keep {
		l.keep[i].over(o.keep[i])
	}
	for i := range l.within {
		l.within[i].over(o.within[i])
	}
	l.schedule.over(o.schedule)
	l.startDelay.over(o.startDelay)
	l.enabled.over(o.enabled)
	l.statePath.over(o.statePath)
	l.rpo.over(o.rpo)
	l.rto.over(o.rto)
	l.drillMaxAge.over(o.drillMaxAge)
	l.checkMaxAge.over(o.checkMaxAge)
	l.notify.overlay(&o.notify)
	l.allowSuspicious.over(o.allowSuspicious)
}
