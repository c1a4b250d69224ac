package backup

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
)

// CompareHistory compares the local history's entries with the
// repository's mirror of them. Problems: an entry in the repository
// missing from the local log (deleted locally), one in the local log
// whose mirror snapshot is gone while later entries are mirrored
// (removed from the repository), one whose hash differs between the two
// (edited). Warnings: the newest local entries not mirrored yet (a run
// that could not reach the repository; the next run mirrors them).
func CompareHistory(local, mirror []HistoryEntry) (problems, warnings []HistoryIssue) {
	localBy, mirrorBy := historyBySeq(local), historyBySeq(mirror)
	var maxMirror int64
	for _, m := range mirror {
		maxMirror = max(maxMirror, m.Seq)
	}
	var goneLocal, goneRemote, unmirrored []int64
	for _, m := range mirror {
		l, ok := localBy[m.Seq]
		switch {
		case !ok:
			goneLocal = append(goneLocal, m.Seq)
		case l.Hash != m.Hash || !sameBody(l, &m):
			problems = append(problems, HistoryIssue{Code: IssueEdited, Seq: m.Seq, Message: fmt.Sprintf(
				"entry %d differs between the local log (%s, %s, hash %s) and the repository (%s, %s, hash %s): one of them was edited",
				m.Seq, l.Kind, fmtHistoryTime(l), l.ShortHash(), m.Kind, fmtHistoryTime(&m), m.ShortHash())})
		}
	}
	for _, l := range local {
		if _, ok := mirrorBy[l.Seq]; ok {
			continue
		}
		if l.Seq < maxMirror {
			goneRemote = append(goneRemote, l.Seq)
		} else {
			unmirrored = append(unmirrored, l.Seq)
		}
	}
	for _, r := range seqRanges(goneLocal) {
		problems = append(problems, HistoryIssue{Code: IssueDeleted, Seq: r[0], Message: fmt.Sprintf(
			"local log: %s in the repository but not in the local log: deleted locally", seqRange(r[0], r[1]))})
	}
	for _, r := range seqRanges(goneRemote) {
		problems = append(problems, HistoryIssue{Code: IssueDeleted, Seq: r[0], Message: fmt.Sprintf(
			"repository: %s in the local log but not in the repository, which holds later entries: removed from the repository", seqRange(r[0], r[1]))})
	}
	for _, r := range seqRanges(unmirrored) {
		warnings = append(warnings, HistoryIssue{Code: IssueNotMirrored, Seq: r[0], Message: fmt.Sprintf(
			"repository: %s not mirrored to the repository yet (the next backup or check mirrors them)", seqRange(r[0], r[1]))})
	}
	slices.SortStableFunc(problems, func(a, b HistoryIssue) int { return cmp.Compare(a.Seq, b.Seq) })
	return problems, warnings
}

// sameBody reports whether a and b hold the same content, whatever
// their hash fields say.
func sameBody(a, b *HistoryEntry) bool {
	ca, erra := a.CanonicalJSON()
	cb, errb := b.CanonicalJSON()
	return erra == nil && errb == nil && bytes.Equal(ca, cb)
}

// historyBySeq indexes entries by seq; the first of a seq wins.
func historyBySeq(entries []HistoryEntry) map[int64]*HistoryEntry {
	out := make(map[int64]*HistoryEntry, len(entries))
	for i := range entries {
		if _, ok := out[entries[i].Seq]; !ok {
			out[entries[i].Seq] = &entries[i]
		}
	}
	return out
}

// seqRanges groups seqs (ascending) into runs of consecutive numbers,
// each as [first, last].
func seqRanges(seqs []int64) [][2]int64 {
	slices.Sort(seqs)
	var out [][2]int64
	for _, s := range seqs {
		if n := len(out); n > 0 && out[n-1][1]+1 == s {
			out[n-1][1] = s
			continue
		}
		out = append(out, [2]int64{s, s})
	}
	return out
}
