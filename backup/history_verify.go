package backup

import (
	"fmt"
)

// Codes of the HistoryIssues VerifyHistory reports.
const (
	// Problems: the history was damaged, edited or shortened.
	IssueTorn           = "torn"            // the last line is incomplete (a crash while appending)
	IssueUnreadable     = "unreadable"      // a line, or a mirror snapshot, is not an entry
	IssueBadHash        = "bad_hash"        // an entry's hash does not match its content: edited
	IssueBrokenLink     = "broken_link"     // an entry's prev is not the hash of the entry before
	IssueSeqGap         = "seq_gap"         // entries are missing, or out of order
	IssueDeleted        = "deleted"         // an entry is in the repository but not in the local log, or the reverse
	IssueEdited         = "edited"          // the local log and the repository hold different entries under one seq
	IssueMirrorConflict = "mirror_conflict" // the repository holds two different entries under one seq
	IssueAnchorMissing  = "anchor_missing"  // an entry a document anchored is no longer in the history
	IssueAnchorMismatch = "anchor_mismatch" // an entry a document anchored has another hash now

	// Warnings: nothing is wrong, but not everything could be compared.
	IssueNotMirrored = "not_mirrored" // recent entries are not in the repository yet
	IssueLocalEmpty  = "local_empty"  // no local history; the repository's mirror is used
	IssueNoMirror    = "no_mirror"    // the repository was not compared
)

// HistoryIssue is one thing VerifyHistory found.
type HistoryIssue struct {
	// Code says what kind of issue it is (IssueTorn, ...).
	Code string `json:"code"`
	// Seq is the entry concerned; 0 when not one entry.
	Seq int64 `json:"seq,omitempty"`
	// Message says what is wrong, where, for people.
	Message string `json:"message"`
}

// String returns the message.
func (i HistoryIssue) String() string { return i.Message }

// VerifyChain checks entries, in their order: each one's hash matches
// its content, seqs run 1, 2, 3, ... without gaps, entry 1 has no prev
// and every other entry's prev is the hash of the entry before. where
// ("local log", "repository") starts each message.
func VerifyChain(where string, entries []HistoryEntry) []HistoryIssue {
	var out []HistoryIssue
	add := func(code string, seq int64, format string, args ...any) {
		out = append(out, HistoryIssue{Code: code, Seq: seq, Message: where + ": " + fmt.Sprintf(format, args...)})
	}
	var prev *HistoryEntry
	for i := range entries {
		e := &entries[i]
		if h, err := e.ComputeHash(); err != nil || h != e.Hash {
			add(IssueBadHash, e.Seq, "entry %d (%s, %s) does not match its hash %s: it was edited", e.Seq, e.Kind, fmtHistoryTime(e), e.ShortHash())
		}
		switch {
		case prev == nil && e.Seq > 1:
			add(IssueSeqGap, e.Seq, "entries 1 to %d are missing: the history starts at entry %d", e.Seq-1, e.Seq)
		case prev == nil && e.Prev != "":
			add(IssueBrokenLink, e.Seq, "entry 1 links to a previous entry (%s): entries before it were removed", shortHash(e.Prev))
		case prev == nil:
		case e.Seq <= prev.Seq:
			add(IssueSeqGap, e.Seq, "entry %d follows entry %d: out of order or repeated", e.Seq, prev.Seq)
		case e.Seq > prev.Seq+1:
			add(IssueSeqGap, e.Seq, "%s missing: entry %d follows entry %d", seqRange(prev.Seq+1, e.Seq-1), e.Seq, prev.Seq)
		case e.Prev != prev.Hash:
			add(IssueBrokenLink, e.Seq, "entry %d does not link to entry %d (its prev is %s, entry %d's hash is %s): the chain was rewritten",
				e.Seq, prev.Seq, shortHash(e.Prev), prev.Seq, prev.ShortHash())
		}
		prev = e
	}
	return out
}

// HistoryAnchor is an entry as a document recorded it: its seq and hash.
type HistoryAnchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// CheckAnchors checks that every anchor is still in entries with the
// same hash: an entry deleted or edited since a document anchored it is
// a problem, even when the chain was rewritten to be consistent again.
func CheckAnchors(entries []HistoryEntry, anchors []HistoryAnchor) []HistoryIssue {
	bySeq := make(map[int64]*HistoryEntry, len(entries))
	for i := range entries {
		bySeq[entries[i].Seq] = &entries[i]
	}
	var out []HistoryIssue
	for _, a := range anchors {
		e, ok := bySeq[a.Seq]
		switch {
		case !ok:
			out = append(out, HistoryIssue{Code: IssueAnchorMissing, Seq: a.Seq,
				Message: fmt.Sprintf("entry %d (hash %s), which the document records, is no longer in the history: it was deleted", a.Seq, shortHash(a.Hash))})
		case e.Hash != a.Hash:
			out = append(out, HistoryIssue{Code: IssueAnchorMismatch, Seq: a.Seq,
				Message: fmt.Sprintf("entry %d has hash %s now, the document records %s: it was edited or the history rewritten", a.Seq, e.ShortHash(), shortHash(a.Hash))})
		}
	}
	return out
}

// seqRange names entries from to to with their verb: "entry 3 is" or
// "entries 3 to 5 are".
func seqRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d is", from)
	}
	return fmt.Sprintf("entries %d to %d are", from, to)
}

// fmtHistoryTime is an entry's time for messages.
func fmtHistoryTime(e *HistoryEntry) string { return e.Time.UTC().Format("2006-01-02 15:04:05Z") }
