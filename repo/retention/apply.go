package retention

import (
	"slices"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// KeepReason tells why a snapshot is kept. Its JSON form matches an entry
// of restic's "forget --json" reasons list, apart from the snapshot's own
// encoding.
type KeepReason struct {
	// Snapshot is the kept snapshot.
	Snapshot *repo.Snapshot `json:"snapshot"`
	// Matches lists the rules that keep it, in restic's wording and
	// order: "has tags [a, b]", "within 1d", "last snapshot", "daily
	// snapshot", "oldest daily snapshot", "daily within 1d", "oldest daily
	// within 1d", ...
	Matches []string `json:"matches"`
}

// emptyPolicyReason is the match Apply reports for every snapshot when
// the policy is empty.
const emptyPolicyReason = "empty policy keeps everything"

// Apply applies p to one group of snapshots, as restic 0.18's forget does
// for each group, and returns the snapshots to keep and to remove, both
// newest first, plus one KeepReason per kept snapshot in the same order as
// keep. now decides which snapshots are in the future: the within rules
// count back from the newest snapshot not newer than now (from now if all
// are newer).
//
// Snapshots with equal times stay in their input order. Apply neither
// validates p nor refuses to remove everything: a policy that matches no
// snapshot removes them all. An empty policy keeps every snapshot. Plan
// adds restic's safety checks and is what commands should call.
func Apply(snaps []*repo.Snapshot, p Policy, now time.Time) (keep, remove []*repo.Snapshot, reasons []KeepReason) {
	list := newestFirst(snaps)
	if p.Empty() {
		for _, s := range list {
			reasons = append(reasons, KeepReason{Snapshot: s, Matches: []string{emptyPolicyReason}})
		}
		return list, nil, reasons
	}
	latest := now
	for _, s := range list {
		if !s.Time.After(now) {
			latest = s.Time
			break
		}
	}
	rs := newRules(p, latest)
	for nr, s := range list {
		matches := rs.match(s, nr, nr == len(list)-1)
		if len(matches) == 0 {
			remove = append(remove, s)
			continue
		}
		keep = append(keep, s)
		reasons = append(reasons, KeepReason{Snapshot: s, Matches: matches})
	}
	return keep, remove, reasons
}

// newestFirst returns a copy of snaps sorted newest first; snapshots with
// equal times keep their input order.
func newestFirst(snaps []*repo.Snapshot) []*repo.Snapshot {
	list := slices.Clone(snaps)
	slices.SortStableFunc(list, func(a, b *repo.Snapshot) int { return b.Time.Compare(a.Time) })
	return list
}
