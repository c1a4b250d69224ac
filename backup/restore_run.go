package backup

import (
	"context"
	"path"

	"github.com/kamal-backup/kamal-backup/repo"
)

// RestoreOptions describe one restore. Mode is required.
type RestoreOptions struct {
	// Mode chooses the targets: the local configuration's (ModeLocal) or
	// the live production ones (ModeProduction).
	Mode Mode
	// Snapshot is "latest" (or empty) or a snapshot ID or unique prefix;
	// see the Restorer's snapshot selection.
	Snapshot string
	// Confirm is what the operator confirmed on the command line. A
	// production restore needs ConfirmProductionRestore or the typed
	// confirmation at the prompt; Confirm.Yes is ignored for it.
	Confirm Confirmation
	// Prompt is where the plan is shown and the confirmation asked.
	Prompt Prompt
	// Env looks up environment variables (RAILS_ENV and friends, which
	// make a local restore refuse); nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Progress, if set, is called as each part of the restore starts,
	// with step "files PATH" (PATH the path in the snapshot, "/" for the
	// whole snapshot) or "database NAME", and returns what is told the
	// bytes written of the files (of their total) or read of the dump
	// (of its size); nil, or a nil result, means no progress reports.
	Progress func(step string) repo.Progress
}

// Restore restores the latest (or the requested) snapshots of the app
// into the targets of opts.Mode, and returns the result, also when it
// fails (then with the error, redacted, in it). The steps, each stopping
// the restore when it fails:
//
//  1. plan: the databases and paths of the mode's configuration; a local
//     restore refuses targets that look like production (ErrProductionTarget);
//  2. probe: every target must be writable (ErrTargetNotWritable), checked
//     before anything is downloaded;
//  3. lock the repository (shared, as restic restore does, so a prune
//     cannot remove what is being restored) and choose the snapshots;
//  4. show the plan on opts.Prompt.Out and confirm it (ErrNotConfirmed):
//     a production restore needs the app name and ProductionConfirmPhrase
//     typed, or Confirm.ConfirmProductionRestore; a local one a "y", or
//     Confirm.Yes;
//  5. files first: each path is restored into a staging directory inside
//     the target and swapped in (the target directory itself, perhaps a
//     mount point, stays; SQLite databases being restored stay in place);
//  6. then the databases, each dump streamed into its adapter's Restore.
//
// A failure in step 5 or 6 leaves what was restored before it restored.
func (r *Restorer) Restore(ctx context.Context, opts RestoreOptions) (*RestoreResult, error) {
	res := &RestoreResult{RecordHeader: NewRecordHeader(KindRestoreResult), Scope: opts.Mode,
		RequestedSnapshot: requested(opts.Snapshot), StartedAt: r.now(), Databases: []RestoredDatabase{}}
	ph := &phases{now: r.now}
	err := r.restore(ctx, opts, res, ph)
	res.Phases = ph.list
	res.FinishedAt = r.now()
	res.Status = StatusOK
	if err != nil {
		res.Status = StatusFailed
		msg := r.redact(opts.Mode, err.Error())
		res.Error = &msg
	}
	return res, err
}

// restore runs the steps of Restore, filling res.
func (r *Restorer) restore(ctx context.Context, opts RestoreOptions, res *RestoreResult, ph *phases) error {
	j, err := r.planRestore(opts.Mode)
	if err != nil {
		return err
	}
	j.progress = opts.Progress
	if j.mode == ModeLocal {
		if err := r.guardLocal(j, lookupOrEnv(opts.Env)); err != nil {
			return err
		}
	}
	if err := r.probeTargets(j); err != nil {
		return err
	}
	lock, ctx, err := r.lock(ctx)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	done := ph.start(PhaseResolve)
	sel, err := r.selectSnapshots(ctx, j, opts.Snapshot)
	done()
	if err != nil {
		return err
	}
	res.Databases, res.Files = r.describeRestore(j, sel)
	printPlan(opts.Prompt.Out, j, sel, func(s string) string { return r.redact(j.mode, s) })
	if j.mode == ModeProduction {
		err = confirmProduction(r.prod.App, opts.Confirm, opts.Prompt, r.log)
	} else {
		err = confirmYes("Restore these snapshots into the local targets?", opts.Confirm, opts.Prompt)
	}
	if err != nil {
		return err
	}
	if sel.files != nil {
		done := ph.start(PhaseRestoreFiles)
		err := r.restoreFiles(ctx, j, sel.files)
		done()
		if err != nil {
			return err
		}
	}
	return r.restoreDatabases(ctx, j, sel, ph)
}

// describeRestore describes the snapshots and targets of a restore.
func (r *Restorer) describeRestore(j *job, sel *selection) ([]RestoredDatabase, *RestoredFiles) {
	dbs := []RestoredDatabase{}
	for i, t := range j.dbs {
		c := sel.dbs[i]
		dbs = append(dbs, RestoredDatabase{Snapshot: c.snap.ID().Str(), SnapshotTime: c.snap.Time, Database: t.db.Name,
			Adapter: t.adapter.Name(), Filename: "/" + c.filename, Target: r.redact(j.mode, t.adapter.Describe(t.db).Location)})
	}
	if sel.files == nil {
		return dbs, nil
	}
	files := &RestoredFiles{Snapshot: sel.files.ID().Str(), SnapshotTime: sel.files.Time, Paths: []RestoredPath{}}
	for _, f := range j.files {
		files.Paths = append(files.Paths, RestoredPath{Source: path.Clean("/" + snapshotPath(f.source)), Target: f.target})
	}
	if len(j.files) > 0 {
		files.Target = j.files[0].target
	}
	return dbs, files
}

// redact removes the secrets of the production configuration and of the
// configuration of mode from s.
func (r *Restorer) redact(mode Mode, s string) string {
	s = r.prod.Redactor().Redact(s)
	if mode == ModeLocal && r.local != nil {
		s = r.local.Redactor().Redact(s)
	}
	return s
}
