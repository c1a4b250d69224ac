package evidence

import (
	"context"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// HistoryChain is the hash-chained history of the app's backups, checks
// and drills (history.jsonl in the state directory, mirrored into the
// repository), as verified when the document was collected. Its window
// entries anchor the history: a signed document proves they existed
// with these hashes, so a later edit or deletion is detected by
// CheckHistory (evidence verify).
type HistoryChain struct {
	// Entries counts the entries found, locally or in the repository;
	// Mirrored those found in the repository.
	Entries  int `json:"entries"`
	Mirrored int `json:"mirrored"`
	// FirstAt and LastAt are the times of the first and newest entry;
	// null when there is none.
	FirstAt *time.Time `json:"first_at"`
	LastAt  *time.Time `json:"last_at"`
	// HeadSeq and HeadHash are the newest entry's seq and hash; 0 and
	// null when there is none.
	HeadSeq  int64   `json:"head_seq"`
	HeadHash *string `json:"head_hash"`
	// Verified is true when no problem was found.
	Verified bool `json:"verified"`
	// Problems say how the history was edited, shortened or damaged;
	// Warnings what could not be compared. Never null.
	Problems []string `json:"problems"`
	Warnings []string `json:"warnings"`
	// Window are the entries of the window, oldest first.
	Window []HistoryRef `json:"window"`
}

// HistoryRef is one entry of the history.
type HistoryRef struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Status string    `json:"status"`
	Hash   string    `json:"hash"`
}

// Anchors returns the entries h records, its window and its head, as
// seq and hash pairs to check against the history later.
func (h HistoryChain) Anchors() []backup.HistoryAnchor {
	var out []backup.HistoryAnchor
	for _, e := range h.Window {
		out = append(out, backup.HistoryAnchor{Seq: e.Seq, Hash: e.Hash})
	}
	if h.HeadHash != nil && (len(h.Window) == 0 || h.Window[len(h.Window)-1].Seq != h.HeadSeq) {
		out = append(out, backup.HistoryAnchor{Seq: h.HeadSeq, Hash: *h.HeadHash})
	}
	return out
}

// historyChain verifies cfg's history against its mirror among all, the
// snapshots of r (r nil: the local history only), and describes it, with
// the entries of the window (now-window, now].
func historyChain(ctx context.Context, cfg *backup.Config, r *repo.Repository, all []*repo.Snapshot, now time.Time, window time.Duration) Fact[HistoryChain] {
	if all == nil {
		all = []*repo.Snapshot{} // listed already, and none: do not list again
	}
	rep, err := backup.VerifyHistory(ctx, cfg.StateDir(), r, cfg.App, backup.VerifyHistoryOptions{Snapshots: all})
	if err != nil {
		return Failed[HistoryChain](err)
	}
	h := HistoryChain{Entries: len(rep.Items), Mirrored: rep.MirroredEntries, Verified: rep.OK(),
		Problems: issueMessages(rep.Problems), Warnings: issueMessages(rep.Warnings), Window: []HistoryRef{}}
	if len(rep.Items) > 0 {
		first := rep.Items[0].Time
		h.FirstAt = &first
	}
	if rep.Head != nil {
		last, hash := rep.Head.Time, rep.Head.Hash
		h.LastAt, h.HeadSeq, h.HeadHash = &last, rep.Head.Seq, &hash
	}
	start := now.Add(-window)
	for _, it := range rep.Items {
		if it.Time.After(start) && !it.Time.After(now) {
			h.Window = append(h.Window, HistoryRef{Seq: it.Seq, Time: it.Time, Kind: it.Kind, Status: it.Status, Hash: it.Hash})
		}
	}
	return Known(h)
}

// issueMessages returns the messages of issues; never nil.
func issueMessages(issues []backup.HistoryIssue) []string {
	out := make([]string, 0, len(issues))
	for _, i := range issues {
		out = append(out, i.Message)
	}
	return out
}

// applyHistory makes the overall verdict fail when the history was
// edited, shortened or damaged, and turns a pass into unknown when it
// could not be verified.
func (obj *Objectives) applyHistory(h Fact[HistoryChain]) {
	switch {
	case h.Value != nil && !h.Value.Verified:
		reason := "history: the hash-chained history of runs was edited, shortened or damaged: " + strings.Join(h.Value.Problems, "; ")
		if obj.Verdict != VerdictFail {
			obj.Verdict, obj.Reasons = VerdictFail, nil
		}
		obj.Reasons = append(obj.Reasons, reason)
	case h.Error != "" && obj.Verdict != VerdictFail:
		if obj.Verdict == VerdictPass {
			obj.Verdict, obj.Reasons = VerdictUnknown, nil
		}
		obj.Reasons = append(obj.Reasons, "history: could not be verified: "+h.Error)
	}
}

// CheckHistory verifies the app's history now, as Collect does, and
// checks that every entry doc anchored (HistoryChain.Anchors) is still
// there with the same hash. It returns every problem found; none means
// the history doc describes is intact. r nil checks the local history
// only. The error is for a history or repository that cannot be read.
func CheckHistory(ctx context.Context, cfg *backup.Config, r *repo.Repository, doc *Document) ([]string, error) {
	rep, err := backup.VerifyHistory(ctx, cfg.StateDir(), r, cfg.App, backup.VerifyHistoryOptions{})
	if err != nil {
		return nil, err
	}
	problems := issueMessages(rep.Problems)
	if doc != nil && doc.History.Value != nil {
		problems = append(problems, issueMessages(rep.CheckAnchors(doc.History.Value.Anchors()))...)
	}
	return problems, nil
}
