package retention

import (
	"slices"

	"github.com/kamal-backup/kamal-backup/repo"
)

// hasTags reports whether s matches the keep-tag list l the way restic
// 0.18 matches it: the tags are checked in order, an empty tag matches
// (and ends the check) when s has no tags at all, any other tag must be
// among s's tags. An empty list therefore matches every snapshot.
func hasTags(s *repo.Snapshot, l []string) bool {
	for _, tag := range l {
		if tag == "" && len(s.Tags) == 0 {
			return true
		}
		if !slices.Contains(s.Tags, tag) {
			return false
		}
	}
	return true
}
