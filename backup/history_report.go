package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// ErrHistoryBroken is wrapped by HistoryReport.Err when the history was
// edited, shortened or damaged.
var ErrHistoryBroken = errors.New("the history was edited, shortened or damaged")

// HistoryItem is an entry of the history and where it was found.
type HistoryItem struct {
	HistoryEntry
	// Local and Mirrored say whether the entry is in the local log and
	// in the repository.
	Local    bool `json:"local"`
	Mirrored bool `json:"mirrored"`
}

// HistoryReport is what VerifyHistory found.
type HistoryReport struct {
	// Items are the entries by seq: those of the local log and those
	// only in the repository. Where the two differ, the local one.
	Items []HistoryItem
	// Head is the newest entry of the chain verified (the local log's,
	// or the repository's when there is no local log); nil when empty.
	Head *HistoryEntry
	// LocalEntries and MirroredEntries count the entries read from the
	// local log and from the repository.
	LocalEntries, MirroredEntries int
	// MirrorChecked is set when the repository was read and compared.
	MirrorChecked bool
	// Problems say how the history was edited, shortened or damaged;
	// Warnings what could not be compared. Never nil.
	Problems, Warnings []HistoryIssue
}

// OK reports whether no problem was found.
func (r *HistoryReport) OK() bool { return len(r.Problems) == 0 }

// Err returns nil when no problem was found, else an error wrapping
// ErrHistoryBroken that names every problem.
func (r *HistoryReport) Err() error {
	if r.OK() {
		return nil
	}
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return fmt.Errorf("%w: %s", ErrHistoryBroken, strings.Join(msgs, "; "))
}

// Entries returns the entries of Items.
func (r *HistoryReport) Entries() []HistoryEntry {
	out := make([]HistoryEntry, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.HistoryEntry
	}
	return out
}

// VerifyHistoryOptions tune VerifyHistory. The zero value lists the
// repository's snapshots.
type VerifyHistoryOptions struct {
	// Snapshots, when not nil, are the repository's snapshots, listed
	// already (with a filter keeping the app's type:evidence ones), so
	// that VerifyHistory does not list them again.
	Snapshots []*repo.Snapshot
}

// VerifyHistory reads the state directory's history and, when rp is not
// nil, the app's mirror of it in rp, then verifies both chains
// (VerifyChain) and compares them (CompareHistory). An empty local log
// with entries in the repository (a replaced accessory) is a warning,
// and the repository's chain is the one reported. rp nil compares
// nothing and says so in a warning. The error is for a history or a
// repository that cannot be read at all; what is wrong with their
// content is in the report.
func VerifyHistory(ctx context.Context, sd StateDir, rp *repo.Repository, app string, opts VerifyHistoryOptions) (*HistoryReport, error) {
	log, err := sd.ReadHistory()
	if err != nil {
		return nil, err
	}
	rep := &HistoryReport{LocalEntries: len(log.Entries), Problems: []HistoryIssue{}, Warnings: []HistoryIssue{}}
	for _, b := range log.Bad {
		rep.Problems = append(rep.Problems, badLineIssue(b))
	}
	rep.Problems = append(rep.Problems, VerifyChain("local log", log.Entries)...)
	chain := log.Entries
	var mirror []HistoryEntry
	if rp == nil {
		rep.Warnings = append(rep.Warnings, HistoryIssue{Code: IssueNoMirror,
			Message: "the repository was not read: the local log was not compared with its mirror"})
	} else {
		var issues []HistoryIssue
		if mirror, issues, err = loadHistoryMirror(ctx, rp, app, opts.Snapshots); err != nil {
			return nil, err
		}
		rep.MirrorChecked, rep.MirroredEntries = true, len(mirror)
		rep.Problems = append(append(rep.Problems, issues...), VerifyChain("repository", mirror)...)
		if log.Empty() && len(mirror) > 0 {
			chain = mirror
			rep.Warnings = append(rep.Warnings, HistoryIssue{Code: IssueLocalEmpty, Message: fmt.Sprintf(
				"the local log is empty: the %d entries mirrored in the repository are used (a replaced accessory? the next backup or check continues from them)", len(mirror))})
		} else {
			p, w := CompareHistory(log.Entries, mirror)
			rep.Problems, rep.Warnings = append(rep.Problems, p...), append(rep.Warnings, w...)
		}
	}
	rep.Items = mergeHistory(log.Entries, mirror)
	if n := len(chain); n > 0 {
		head := chain[n-1]
		rep.Head = &head
	}
	return rep, nil
}

// CheckAnchors checks anchors, as a document recorded them, against the
// report's entries (see the function CheckAnchors).
func (r *HistoryReport) CheckAnchors(anchors []HistoryAnchor) []HistoryIssue {
	return CheckAnchors(r.Entries(), anchors)
}

// badLineIssue describes a line of the local log that is not an entry.
func badLineIssue(b HistoryBadLine) HistoryIssue {
	if b.Torn {
		return HistoryIssue{Code: IssueTorn, Message: fmt.Sprintf(
			"local log: line %d is incomplete (%d bytes, %s): a crash while appending, or the file was cut", b.Line, b.Bytes, b.Err)}
	}
	return HistoryIssue{Code: IssueUnreadable, Message: fmt.Sprintf(
		"local log: line %d is not a history entry (%s): it was edited, or torn by a crash", b.Line, b.Err)}
}

// mergeHistory lists every entry of local and mirror by seq, the local
// one where both hold a seq, with where each was found.
func mergeHistory(local, mirror []HistoryEntry) []HistoryItem {
	mirrorBy := historyBySeq(mirror)
	localBy := historyBySeq(local)
	out := []HistoryItem{}
	for _, e := range local {
		_, m := mirrorBy[e.Seq]
		out = append(out, HistoryItem{HistoryEntry: e, Local: true, Mirrored: m})
	}
	for _, e := range mirror {
		if _, ok := localBy[e.Seq]; !ok {
			out = append(out, HistoryItem{HistoryEntry: e, Mirrored: true})
		}
	}
	slices.SortStableFunc(out, func(a, b HistoryItem) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}
