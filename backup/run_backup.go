package backup

import (
	"context"
	"errors"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Backup runs one backup and returns its record; see BackupWithReport.
func (r *Runner) Backup(ctx context.Context, opts BackupOptions) (*BackupRecord, error) {
	return r.BackupWithReport(ctx, opts)
}

// BackupWithReport runs one backup, as `kamal-backup backup` does, and
// returns its report.
//
// It skips, with a nil error and a report saying why, when backup.enabled
// is false (ReasonDisabled), or when opts.Force is not set and the last
// successful backup recorded in the state directory started less than
// backup.schedule ago (ReasonNotDue; the report holds the last and next
// backup times and ForceCommand). A skipped run is not recorded, so the
// record keeps describing the last real run.
//
// Otherwise, under a non-exclusive lock, it writes one snapshot per
// configured database (the adapter's dump streamed into the repository;
// a failing dump writes no snapshot, and the other databases still run)
// and, when paths are configured, one file snapshot, all with the Ruby
// kamal-backup's names, tags and host; then it lists the snapshots again
// to verify that each one it wrote is there with its time and tags. When
// restic.forget_after_backup is set and everything so far succeeded, it
// applies the retention policy to each database's snapshots and to the
// file snapshots separately, grouped by host, and prunes if anything was
// forgotten, under an exclusive lock; the retention is refused while the
// last recorded check failed. When restic.check_after_backup is set it
// checks the repository, reading restic.check_read_data_subset, and
// records the check as LastCheckRecord.
//
// The report, with the errors redacted, is stored as LastBackupRecord
// and appended to the history (HistoryFile), which is then mirrored into
// the repository (a failed mirror is only logged).
// The returned error is non-nil when anything failed; it joins a
// *SourceError per failed source and a *StepError per failed step, and
// wraps repo.ErrLocked when the repository was locked. If ctx is
// cancelled, the snapshot being written is abandoned (none is written)
// and the remaining steps do not run; the report records the failure.
func (r *Runner) BackupWithReport(ctx context.Context, opts BackupOptions) (*BackupReport, error) {
	if r.Config == nil {
		return nil, errNoConfig
	}
	start := r.now()
	rep := &BackupReport{RecordHeader: NewRecordHeader(KindBackupResult), StartedAt: start,
		Databases: []DatabaseSnapshot{}, Sources: []SourceResult{}}
	if skipped := r.skipReason(rep, opts, start); skipped {
		return rep, nil
	}
	r.log().Info("backup started", "host", r.Config.Hostname(), "databases", len(r.Config.Databases()), "paths", len(r.Config.Paths))
	b := &backupRun{r: r, rep: rep}
	err := b.run(ctx)
	if b.rp != nil {
		defer r.closeRepo(b.rp) // after the record is mirrored
	}
	rep.FinishedAt = r.now()
	rep.Status = StatusOK
	if err != nil {
		rep.Status = StatusFailed
		rep.Error = r.Config.Redactor().Redact(err.Error())
	}
	if werr := r.saveRecord(ctx, b.rp, LastBackupRecord, rep); werr != nil {
		err = errors.Join(err, werr)
	}
	if err == nil {
		r.log().Info("backup finished", "duration", rep.FinishedAt.Sub(start), "snapshots", len(b.written))
	}
	return rep, r.redactError(err)
}

// skipReason fills rep and reports true when the run is skipped: backups
// are disabled, or the last backup is still current and opts.Force is
// not set.
func (r *Runner) skipReason(rep *BackupReport, opts BackupOptions, now time.Time) bool {
	if !r.Config.Backup.Enabled {
		rep.Status, rep.Reason, rep.FinishedAt = StatusSkipped, ReasonDisabled, now
		r.log().Info("backup skipped: backups are disabled (backup.enabled: false)")
		return true
	}
	if opts.Force {
		return false
	}
	last, next, ok := r.lastBackup()
	if !ok || !now.Before(next) {
		return false
	}
	rep.Status, rep.Reason, rep.FinishedAt = StatusSkipped, ReasonNotDue, now
	rep.LastBackupAt, rep.NextBackupAt, rep.ForceCommand = &last, &next, ForceCommand
	r.log().Info("backup skipped: not due yet", "last_backup_at", last, "next_backup_at", next, "hint", "run "+ForceCommand+" to back up now")
	return true
}

// backupRun is the state of one backup run.
type backupRun struct {
	r       *Runner
	rep     *BackupReport
	rp      *repo.Repository
	written []writtenSnapshot
}

// writtenSnapshot is a snapshot the run wrote, for verification.
type writtenSnapshot struct {
	id     repo.ID
	time   time.Time
	tags   []string
	source int // index in rep.Sources
}

// run performs the steps of the backup and returns what failed.
func (b *backupRun) run(ctx context.Context) error {
	rp, err := b.r.open(ctx, false)
	if err != nil {
		return err
	}
	b.rp = rp // closed by BackupWithReport
	cfg := b.r.Config

	var errs []error
	st := b.begin(StepSnapshots)
	locked := false
	err = b.r.withLock(ctx, rp, false, func(ctx context.Context, _ *repo.Lock) error {
		locked = true
		errs = append(errs, b.snapshotSources(ctx)...)
		b.end(st, errors.Join(errs...))
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if h := b.r.hooks.beforeVerify; h != nil {
			h(ctx, rp)
		}
		vs := b.begin(StepVerify)
		verr := b.verify(ctx)
		b.end(vs, verr)
		if verr != nil {
			errs = append(errs, &StepError{Step: StepVerify, Err: verr})
		}
		// nil unless the lock was lost or ctx cancelled meanwhile.
		return context.Cause(ctx)
	})
	if !locked {
		b.end(st, err)
	}
	if err != nil {
		// Not locked, lock lost or cancelled: the later steps cannot run.
		return errors.Join(append(errs, err)...)
	}
	if cfg.Restic.ForgetAfterBackup {
		if len(errs) > 0 {
			b.skip(StepRetention, "skipped because the backup failed")
		} else if err := b.retain(ctx); err != nil {
			errs = append(errs, &StepError{Step: StepRetention, Err: err})
		}
	}
	if cfg.Restic.CheckAfterBackup && ctx.Err() == nil {
		cs := b.begin(StepCheck)
		_, err := b.r.check(ctx, rp, cfg.Restic.CheckReadDataSubset)
		b.end(cs, err)
		if err != nil {
			errs = append(errs, &StepError{Step: StepCheck, Err: err})
		}
	}
	return errors.Join(errs...)
}

// retain applies the retention policy under an exclusive lock.
func (b *backupRun) retain(ctx context.Context) error {
	st := b.begin(StepRetention)
	pr, err := b.r.retainAndPrune(ctx, b.rp, retainOptions{pruneOnlyIfForgot: true})
	if pr != nil {
		b.rep.Retention = pr.Groups
	}
	b.end(st, err)
	return err
}

// begin starts timing a step and returns its index in rep.Steps.
func (b *backupRun) begin(name string) int {
	b.rep.Steps = append(b.rep.Steps, StepResult{Name: name, Status: StatusOK, StartedAt: b.r.now()})
	return len(b.rep.Steps) - 1
}

// end finishes the step at i with err.
func (b *backupRun) end(i int, err error) {
	s := &b.rep.Steps[i]
	s.FinishedAt = b.r.now()
	s.Status, s.Error = StatusOK, ""
	if err != nil {
		s.Status, s.Error = StatusFailed, b.r.Config.Redactor().Redact(err.Error())
	}
}

// skip records a step that did not run, and why.
func (b *backupRun) skip(name, why string) {
	now := b.r.now()
	b.rep.Steps = append(b.rep.Steps, StepResult{Name: name, Status: StatusSkipped, StartedAt: now, FinishedAt: now, Error: why})
}
