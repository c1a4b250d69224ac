package evidence

import (
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// TestStoryHistoryOfRuns renders the "History of runs" section of a
// verified history, of a damaged one and of one that could not be read.
func TestStoryHistoryOfRuns(t *testing.T) {
	t.Parallel()
	hash := strings.Repeat("ab12", 16)
	first, last := now.Add(-9*day), now.Add(-time.Hour)
	ref := func(seq int64, kind, status string) HistoryRef {
		return HistoryRef{Seq: seq, Time: first.Add(time.Duration(seq) * time.Hour), Kind: kind, Status: status, Hash: hash}
	}
	window := []HistoryRef{ref(1, backup.KindBackupResult, backup.StatusOK), ref(2, backup.KindBackupResult, backup.StatusFailed),
		ref(3, backup.KindCheckResult, backup.StatusOK), ref(4, backup.KindDrillResult, backup.StatusFailed)}
	verified := HistoryChain{Entries: 4, Mirrored: 3, FirstAt: &first, LastAt: &last, HeadSeq: 4, HeadHash: &hash, Verified: true,
		Problems: []string{}, Warnings: []string{"repository: entry 4 is not mirrored to the repository yet (the next backup or check mirrors them)"},
		Window: window}
	broken := verified
	broken.Verified, broken.Warnings = false, []string{}
	broken.Problems = []string{"local log: entry 2 (backup_result, 2026-11-18 16:12:05Z) does not match its hash ab12ab12ab12: it was edited"}
	for _, tc := range []struct {
		name    string
		history Fact[HistoryChain]
		want    string
	}{
		{"verified", Known(verified), `Every backup, check and restore drill appends an entry to a hash-chained history, each entry holding the hash of the one before: 4 entries from 2026-11-18 14:12 UTC to 2026-11-27 13:12 UTC, 3 of them mirrored in the repository. Its head is entry 4, hash ` + "`ab12ab12ab12`" + `.

Over the last 30d: 2 backups (1 failed), 1 check and 1 restore drill (1 failed).

**Verified**: every entry matches its hash and links to the one before, and no entry differs between the state directory and the repository.

Not everything could be compared:

- repository: entry 4 is not mirrored to the repository yet (the next backup or check mirrors them)

` + "`kamal-backup evidence history`" + ` lists every entry; a signed evidence file anchors the entries of its window, and ` +
			"`kamal-backup evidence verify FILE --pubkey KEY --history`" + ` detects any of them edited or deleted since.`},
		{"broken", Known(broken), `**NOT VERIFIED**: the history was edited, shortened or damaged:

- local log: entry 2 (backup\_result, 2026-11-18 16:12:05Z) does not match its hash ab12ab12ab12: it was edited`},
		{"unreadable", Failed[HistoryChain](errNoRepository), "The history of runs could not be read: repository not opened."},
		{"absent", Fact[HistoryChain]{}, "This evidence records no history of runs."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := &Document{AppName: "peerapp", GeneratedAt: now, History: tc.history,
				BackupHistory: Known(BackupHistory{WindowSeconds: seconds(DefaultWindow)})}
			md := render(t, doc, FormatMarkdown)
			_, section, ok := strings.Cut(md, "\n## History of runs\n\n")
			section, _, _ = strings.Cut(section, "\n\n## Tools")
			if !ok || !strings.Contains(section, tc.want) {
				t.Errorf("section:\n%s\nwant it to hold:\n%s", section, tc.want)
			}
			if verifiedSaid := strings.Contains(section, "**Verified**"); verifiedSaid != (tc.name == "verified") {
				t.Errorf("section says verified: %v\n%s", verifiedSaid, section)
			}
			if html := render(t, doc, FormatHTML); !strings.Contains(html, "<h2>History of runs</h2>") {
				t.Errorf("HTML lacks the section:\n%s", html)
			}
		})
	}
}
