package backup

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Unlock removes the repository's stale locks, as `kamal-backup unlock`
// (restic unlock) does: locks older than 30 minutes, and locks of
// processes of this host that no longer run. With removeAll it removes
// every lock, including those of running processes: only for when no
// other kamal-backup or restic uses the repository. It returns how many
// lock files it removed, and never creates the repository.
func (r *Runner) Unlock(ctx context.Context, removeAll bool) (int, error) {
	if r.Config == nil {
		return 0, errNoConfig
	}
	var n int
	err := r.withRepo(ctx, func(rp *repo.Repository) error {
		var err error
		n, err = rp.Unlock(ctx, removeAll)
		return err
	})
	if err == nil {
		r.log().Info("repository unlocked", "removed", n, "all", removeAll)
	}
	return n, r.redactError(err)
}
