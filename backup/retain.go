package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// RetentionResult is what the retention policy kept and removed of one
// group of snapshots made on one host.
type RetentionResult struct {
	// Group is "database:<name>" for a database's snapshots, "files" for
	// the file snapshots.
	Group string `json:"group"`
	// Host is the snapshots' host.
	Host string `json:"host"`
	// Keep and Remove are short snapshot IDs, newest first; never null.
	Keep   []string `json:"keep"`
	Remove []string `json:"remove"`
}

// retentionGroup is a set of snapshots the policy applies to on its own.
type retentionGroup struct {
	name string
	tags []string
}

// retentionGroups are the groups the Ruby kamal-backup runs forget for
// separately (one tag filter each): every configured database, and the
// files when paths are configured. Only this app's kamal-backup
// snapshots are in any group.
func (r *Runner) retentionGroups() []retentionGroup {
	app := r.Config.App
	var out []retentionGroup
	for _, db := range r.Config.Databases() {
		out = append(out, retentionGroup{name: "database:" + db.Name,
			tags: []string{"kamal-backup", "app:" + app, "type:database", "database:" + db.Name}})
	}
	if len(r.Config.Paths) > 0 {
		out = append(out, retentionGroup{name: "files", tags: []string{"kamal-backup", "app:" + app, "type:files"}})
	}
	return out
}

// forgetGroups applies the retention policy to each group separately,
// splitting it by host as restic's forget --group-by host does, and
// forgets the snapshots it removes. ctx must be the context of an
// exclusive lock. It returns what it decided, how many snapshots it
// forgot, and the errors of the groups that failed; the other groups are
// still processed. An empty policy removes nothing.
func (r *Runner) forgetGroups(ctx context.Context, rp *repo.Repository) ([]RetentionResult, int, error) {
	policy := r.Config.Policy()
	if policy.Empty() {
		r.log().Warn("the retention policy keeps everything (every keep_* is 0): no snapshot is removed")
		return nil, 0, nil
	}
	all, err := rp.Snapshots(ctx, repo.Filter{Tags: [][]string{{"kamal-backup", "app:" + r.Config.App}}})
	if err != nil {
		return nil, 0, fmt.Errorf("list snapshots: %w", err)
	}
	now := r.now()
	var results []RetentionResult
	var errs []error
	forgotten := 0
	for _, g := range r.retentionGroups() {
		f := repo.Filter{Tags: [][]string{g.tags}}
		var snaps []*repo.Snapshot
		for _, s := range all {
			if f.Match(s) {
				snaps = append(snaps, s)
			}
		}
		plan, err := retention.Plan(snaps, policy, retention.GroupBy{Host: true}, now, retention.PlanOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", g.name, err))
			continue
		}
		var remove []repo.ID
		for _, gr := range plan {
			results = append(results, RetentionResult{Group: g.name, Host: gr.Key.Hostname,
				Keep: snapshotShortIDs(gr.Keep), Remove: snapshotShortIDs(gr.Remove)})
			for _, s := range gr.Remove {
				remove = append(remove, s.ID())
			}
			r.log().Info("retention", "group", g.name, "host", gr.Key.Hostname, "keep", len(gr.Keep), "remove", len(gr.Remove))
		}
		if len(remove) == 0 {
			continue
		}
		if err := rp.Forget(ctx, remove); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", g.name, err))
			continue
		}
		forgotten += len(remove)
	}
	return results, forgotten, errors.Join(errs...)
}

// snapshotShortIDs returns the short IDs of snaps; never nil.
func snapshotShortIDs(snaps []*repo.Snapshot) []string {
	out := make([]string, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, s.ID().Str())
	}
	return out
}
