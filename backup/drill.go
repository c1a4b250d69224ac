package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// DrillOptions describe one restore drill. Mode is required.
type DrillOptions struct {
	// Mode chooses the targets. ModeProduction restores the production
	// snapshots into scratch targets named below, each required for what
	// is configured, never into the live ones. ModeLocal restores into
	// the local configuration's targets, or into the scratch targets
	// below where given.
	Mode Mode
	// Snapshot is "latest" (or empty) or a snapshot ID or unique prefix,
	// as for Restore.
	Snapshot string
	// Database is the scratch database for PostgreSQL and MySQL databases
	// (--database NAME): a database on the same server as the live one,
	// which must exist and whose content is replaced. With several server
	// databases each gets NAME_<database>.
	Database string
	// SQLitePath is the scratch file for SQLite databases (--sqlite-path
	// PATH); with several, each gets PATH with _<database> before the
	// extension.
	SQLitePath string
	// FilesDir is the scratch directory for the files (--files DIR). The
	// whole file snapshot is restored into it, each path below it as in
	// restic restore --target (/data/storage as DIR/data/storage), and
	// its old content replaced. It must be new, empty or made by an
	// earlier drill (DrillMarker).
	FilesDir string
	// Check is a command run with /bin/sh -c after the restore, to verify
	// what was restored; a non-zero exit fails the drill. It runs with
	// kamal-backup's environment plus KAMAL_BACKUP_DRILL_FILES (the
	// restored files directory) and KAMAL_BACKUP_DRILL_DATABASE_<NAME>
	// (each restored database's URL, credentials included, or file;
	// NAME upper-cased with other characters than letters and digits as
	// "_"); point it at those, not at DATABASE_URL, which is the live
	// database. Its output, redacted, and its last CheckOutputLimit bytes
	// only, goes into the record. The command line itself must hold no
	// secret (it is refused, as any child process's arguments are):
	// reference secrets through variables. Empty means no check.
	Check string
	// Confirm.Yes skips the prompt.
	Confirm Confirmation
	// Prompt is where the plan is shown and the confirmation asked.
	Prompt Prompt
	// Env looks up environment variables: the operator
	// (KAMAL_BACKUP_OPERATOR, else USER) and, for a local drill, RAILS_ENV
	// and friends. Nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Progress reports the restore's progress, as RestoreOptions.Progress.
	Progress func(step string) repo.Progress
}

// Drill restores the latest (or the requested) snapshots into scratch
// targets, runs the check command, and records the drill as
// LastDrillRecord in the state directory of the mode's configuration. It
// returns the record, and a non-nil error when the drill failed: a
// refusal, a failed restore, restored rows that differ from the snapshot's
// (ErrDataMismatch), a failed check (ErrCheckFailed) or a record
// that could not be written.
//
// The steps are Restore's, with these differences: the targets are
// scratch ones, and a drill whose scratch target is a live production
// target is refused (ErrScratchIsLive), as is a production drill missing
// a scratch target (ErrNoScratchTarget); Confirm.Yes answers the prompt;
// each restored database is compared with the row-count manifest stored
// beside its dump (DataVerification: a difference from an exact
// manifest, or a table missing from the restore, fails the drill with
// ErrDataMismatch); the check runs last. A drill
// refused or not confirmed, which changed nothing, is not recorded; every
// drill that started restoring is, passed or failed. Phases time
// resolving the snapshots, restoring the files, fetching and restoring
// each database, verifying each database's rows, and the check.
func (r *Restorer) Drill(ctx context.Context, opts DrillOptions) (*DrillRecord, error) {
	lookup := lookupOrEnv(opts.Env)
	rec := &DrillRecord{RecordHeader: NewRecordHeader(KindDrillResult), Scope: string(opts.Mode), Operator: operator(lookup),
		RequestedSnapshot: requested(opts.Snapshot), StartedAt: r.now(), Databases: []DrillDatabase{}}
	ph := &phases{now: r.now}
	opts.Env = lookup
	started, err := r.drill(ctx, opts, rec, ph)
	rec.Phases = ph.list
	rec.FinishedAt = r.now()
	rec.Status = StatusOK
	if err != nil {
		rec.Status = StatusFailed
		msg := r.redact(opts.Mode, err.Error())
		rec.Error = &msg
	}
	if started {
		cfg, _ := r.config(opts.Mode)
		if werr := r.saveRecord(ctx, cfg, LastDrillRecord, rec); werr != nil {
			err = errors.Join(err, fmt.Errorf("record the drill: %w", werr))
		}
	}
	return rec, err
}

// drill runs the steps of Drill, filling rec; started reports whether it
// got as far as restoring.
func (r *Restorer) drill(ctx context.Context, opts DrillOptions, rec *DrillRecord, ph *phases) (started bool, err error) {
	j, err := r.planDrill(opts)
	if err != nil {
		return false, err
	}
	j.progress = opts.Progress
	var refusals []error
	if j.mode == ModeLocal {
		refusals = append(refusals, r.guardLocal(j, opts.Env))
	}
	refusals = append(refusals, r.guardScratch(j))
	if err := errors.Join(refusals...); err != nil {
		return false, err
	}
	if err := r.probeTargets(j); err != nil {
		return false, err
	}
	lock, ctx, err := r.lock(ctx)
	if err != nil {
		return false, err
	}
	defer lock.Unlock()
	done := ph.start(PhaseResolve)
	sel, err := r.selectSnapshots(ctx, j, opts.Snapshot)
	done()
	if err != nil {
		return false, err
	}
	r.describeDrill(rec, j, sel)
	printPlan(opts.Prompt.Out, j, sel, func(s string) string { return r.redact(j.mode, s) })
	if err := confirmYes("Restore these snapshots into the drill targets?", opts.Confirm, opts.Prompt); err != nil {
		return false, err
	}
	if sel.files != nil {
		done := ph.start(PhaseRestoreFiles)
		err := r.restoreFiles(ctx, j, sel.files)
		if err == nil && j.scratchFiles {
			err = writeDrillMarker(j.files[0].target)
		}
		done()
		if err != nil {
			return true, err
		}
	}
	if err := r.restoreDatabases(ctx, j, sel, ph); err != nil {
		return true, err
	}
	if err := r.verifyData(ctx, j, sel, rec, ph); err != nil {
		return true, err
	}
	if opts.Check == "" {
		return true, nil
	}
	done = ph.start(PhaseCheck)
	rec.Check, err = r.runCheck(ctx, j, opts.Check)
	done()
	return true, err
}

// describeDrill fills the snapshots and targets of rec.
func (r *Restorer) describeDrill(rec *DrillRecord, j *job, sel *selection) {
	dbs, files := r.describeRestore(j, sel)
	for _, d := range dbs {
		rec.Databases = append(rec.Databases, DrillDatabase{Database: d.Database, Snapshot: d.Snapshot, Adapter: d.Adapter,
			Filename: d.Filename, Target: d.Target})
	}
	if files != nil {
		rec.Files = &DrillFiles{Snapshot: files.Snapshot, Target: files.Target}
	}
}

// operator is who runs the drill: KAMAL_BACKUP_OPERATOR, else USER; nil
// when neither is set.
func operator(lookup func(string) (string, bool)) *string {
	for _, name := range []string{"KAMAL_BACKUP_OPERATOR", "USER"} {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			v = strings.TrimSpace(v)
			return &v
		}
	}
	return nil
}
