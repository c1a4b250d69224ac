package retention_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// positions maps snapshot IDs to their index in l.
func positions(l []idOnly) map[string]int {
	m := make(map[string]int, len(l))
	for i, s := range l {
		m[s.ID] = i
	}
	return m
}

// merges returns every interleaving of a and b that keeps the order within
// each.
func merges(a, b []*repo.Snapshot) [][]*repo.Snapshot {
	if len(a) == 0 || len(b) == 0 {
		return [][]*repo.Snapshot{append(slices.Clone(a), b...)}
	}
	var out [][]*repo.Snapshot
	for _, rest := range merges(a[1:], b) {
		out = append(out, append([]*repo.Snapshot{a[0]}, rest...))
	}
	for _, rest := range merges(a, b[1:]) {
		out = append(out, append([]*repo.Snapshot{b[0]}, rest...))
	}
	return out
}

// diff applies p to order and describes how the result differs from
// restic's, or returns nil.
func diff(order []*repo.Snapshot, p retention.Policy, now time.Time, want forgetGroup) error {
	keep, remove, reasons := retention.Apply(order, p, now)
	var b strings.Builder
	if got, w := ids(keep), idsOf(want.Keep); !slices.Equal(got, w) {
		fmt.Fprintf(&b, "keep:\n  we     %v\n  restic %v\n", got, w)
	}
	if got, w := ids(remove), idsOf(want.Remove); !slices.Equal(got, w) {
		fmt.Fprintf(&b, "remove:\n  we     %v\n  restic %v\n", got, w)
	}
	var got, w []string
	for _, r := range reasons {
		got = append(got, r.Snapshot.ID().Str()+": "+strings.Join(r.Matches, "; "))
	}
	for _, r := range want.Reasons {
		w = append(w, r.Snapshot.ID[:8]+": "+strings.Join(r.Matches, "; "))
	}
	if !slices.Equal(got, w) {
		fmt.Fprintf(&b, "reasons:\n  we     %q\n  restic %q\n", got, w)
	}
	if b.Len() == 0 {
		return nil
	}
	return fmt.Errorf("%s", b.String())
}

func ids(l []*repo.Snapshot) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.ID().Str()
	}
	return out
}

func idsOf(l []idOnly) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.ID[:8]
	}
	return out
}

// dump lists snapshots newest first for failure messages.
func dump(snaps []*repo.Snapshot) string {
	l := slices.Clone(snaps)
	slices.SortStableFunc(l, func(a, b *repo.Snapshot) int { return b.Time.Compare(a.Time) })
	var b strings.Builder
	for _, s := range l {
		fmt.Fprintf(&b, "  %s %s %s %v %v\n", s.ID().Str(), s.Time.Format(time.RFC3339), s.Hostname, s.Paths, s.Tags)
	}
	return b.String()
}
