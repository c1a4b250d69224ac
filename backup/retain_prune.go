package backup

import (
	"context"
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// KindPruneResult is the kind of a PruneReport.
const KindPruneResult = "prune_result"

// PruneOptions tune Prune. The zero value applies the retention policy
// and prunes, refusing while the last recorded check failed.
type PruneOptions struct {
	// Force prunes even though the last recorded check failed.
	Force bool
}

// PruneReport is what Prune did (kind prune_result).
type PruneReport struct {
	RecordHeader
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Groups is what the retention policy kept and removed, per group and
	// host; never null.
	Groups []RetentionResult `json:"groups"`
	// Forgotten counts the snapshots removed.
	Forgotten int `json:"forgotten"`
	// Prune is what repacking and deleting unused data did; null when
	// prune did not run.
	Prune *repo.PruneResult `json:"prune"`
}

// Prune applies the retention policy, as `kamal-backup prune` does: each
// database's snapshots and the file snapshots separately (by tag
// filter), grouped by host, then deletes the data no snapshot uses, all
// under one exclusive lock. Unless opts.Force is set it refuses, before
// changing anything, while the last check recorded in the state
// directory failed (or cannot be read), with an error wrapping
// repo.ErrLastCheckFailed. On error the report still tells what was done.
// It never creates the repository.
func (r *Runner) Prune(ctx context.Context, opts PruneOptions) (*PruneReport, error) {
	if r.Config == nil {
		return nil, errNoConfig
	}
	var rep *PruneReport
	err := r.withRepo(ctx, func(rp *repo.Repository) error {
		var err error
		rep, err = r.retainAndPrune(ctx, rp, retainOptions{force: opts.Force})
		return err
	})
	return rep, r.redactError(err)
}

// retainOptions tune retainAndPrune.
type retainOptions struct {
	// force prunes although the last check failed.
	force bool
	// pruneOnlyIfForgot skips the prune when no snapshot was forgotten, as
	// restic's forget --prune does.
	pruneOnlyIfForgot bool
}

// retainAndPrune forgets per group and prunes under one exclusive lock.
func (r *Runner) retainAndPrune(ctx context.Context, rp *repo.Repository, o retainOptions) (*PruneReport, error) {
	rep := &PruneReport{RecordHeader: NewRecordHeader(KindPruneResult), StartedAt: r.now(), Groups: []RetentionResult{}}
	err := r.withLock(ctx, rp, true, func(ctx context.Context, l *repo.Lock) error {
		failed, err := r.lastCheckFailed()
		if err != nil && !o.force {
			return fmt.Errorf("%w (%v)", repo.ErrLastCheckFailed, err)
		}
		if failed && !o.force {
			return fmt.Errorf("%w (run kamal-backup check; prune --force overrides)", repo.ErrLastCheckFailed)
		}
		groups, forgotten, err := r.forgetGroups(ctx, rp)
		rep.Groups = append(rep.Groups, groups...)
		rep.Forgotten = forgotten
		if err != nil {
			return fmt.Errorf("forget: %w", err)
		}
		if forgotten == 0 && o.pruneOnlyIfForgot {
			return nil
		}
		res, err := rp.Prune(ctx, repo.PruneOptions{Lock: l, LastCheckFailed: failed, Force: o.force})
		rep.Prune = res
		return err
	})
	rep.FinishedAt = r.now()
	return rep, err
}
