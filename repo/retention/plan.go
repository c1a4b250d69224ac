package retention

import (
	"errors"
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// ErrEmptyPolicy is returned by Plan for a policy without any rule unless
// removing everything is explicitly allowed.
var ErrEmptyPolicy = errors.New("no policy was specified, no snapshots will be removed")

// LastSnapshotError is returned by Plan when a non-empty policy would keep
// no snapshot of a group. restic 0.17+ refuses such a forget in the same
// way.
type LastSnapshotError struct {
	// Group is the key of the group that would lose all snapshots.
	Group GroupKey
}

// Error returns restic's wording.
func (e *LastSnapshotError) Error() string {
	return fmt.Sprintf("refusing to delete last snapshot of snapshot group %q", e.Group.String())
}

// GroupResult is what a policy decides for one group.
type GroupResult struct {
	// Key identifies the group.
	Key GroupKey
	// Keep and Remove partition the group's snapshots, newest first.
	Keep, Remove []*repo.Snapshot
	// Reasons has one entry per kept snapshot, in Keep's order. It is
	// empty when everything is removed.
	Reasons []KeepReason
}

// PlanOptions tune Plan. The zero value means restic's defaults.
type PlanOptions struct {
	// AllowRemoveAll lets an empty policy remove every snapshot, like
	// restic's --unsafe-allow-remove-all. restic accepts that flag only
	// together with a snapshot filter (--host, --tag, --path); enforcing
	// that is up to the caller, who does the filtering. It does not lift
	// the LastSnapshotError check for non-empty policies.
	AllowRemoveAll bool
}

// Plan groups snaps with by and applies p to each group (see Apply),
// with restic 0.18's checks: an invalid policy is an error; an empty
// policy is ErrEmptyPolicy unless opts.AllowRemoveAll, in which case every
// snapshot is removed; a non-empty policy that keeps nothing of some group
// is a *LastSnapshotError naming the first such group. On error no
// result is returned, so nothing can be removed by mistake. Results come
// in Group's order; now is as for Apply.
func Plan(snaps []*repo.Snapshot, p Policy, by GroupBy, now time.Time, opts PlanOptions) ([]GroupResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Empty() && !opts.AllowRemoveAll {
		return nil, ErrEmptyPolicy
	}
	groups := Group(snaps, by)
	results := make([]GroupResult, 0, len(groups))
	for _, g := range groups {
		res := GroupResult{Key: g.Key}
		if p.Empty() {
			res.Remove = newestFirst(g.Snapshots)
		} else {
			res.Keep, res.Remove, res.Reasons = Apply(g.Snapshots, p, now)
			if len(res.Keep) == 0 {
				return nil, &LastSnapshotError{Group: g.Key}
			}
		}
		results = append(results, res)
	}
	return results, nil
}
