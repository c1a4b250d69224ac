package backup

import (
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// see records that a check starting at start found ids in the index:
// packs it is the first to see get start, and packs of the ledger the
// index no longer lists (pruned) are dropped.
func (l *VerifiedPacks) see(ids []repo.ID, start time.Time) {
	current := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		p := id.String()
		current[p] = struct{}{}
		if _, ok := l.Seen[p]; !ok {
			l.Seen[p] = start
		}
	}
	for _, m := range []map[string]time.Time{l.Packs, l.Seen} {
		for p := range m {
			if _, ok := current[p]; !ok {
				delete(m, p)
			}
		}
	}
}

// newPacks returns what an auto/N check of the cycle started at
// cycleStart reads besides its group: every pack no check has verified
// that no check saw in the index by cycleStart, i.e. the packs written
// since the last check, or seen first by a check of this cycle that did
// not read them. The groups of the cycle cover every other pack. It
// returns nil (nothing more) while the ledger records no check, since
// every pack is then in a group of the cycle.
func (l *VerifiedPacks) newPacks(cycleStart time.Time) func(repo.ID) bool {
	if len(l.Checks) == 0 {
		return nil
	}
	return func(id repo.ID) bool {
		p := id.String()
		if _, ok := l.Packs[p]; ok {
			return false
		}
		seen, ok := l.Seen[p]
		return !ok || seen.After(cycleStart)
	}
}
