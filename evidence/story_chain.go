package evidence

import (
	"fmt"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// chainSection tells the hash-chained history of runs: how many entries
// it holds and where, its head, whether it was verified (or what is
// wrong with it), and the runs of the window.
func chainSection(r *report, doc *Document) {
	r.heading("History of runs")
	f := doc.History
	switch {
	case f.Error != "":
		r.para(txt("The history of runs could not be read: " + f.Error + "."))
		return
	case f.Value == nil:
		r.para(txt("This evidence records no history of runs."))
		return
	}
	h := f.Value
	if h.Entries == 0 {
		r.para(bold("No run has been recorded in the history yet."),
			txt(" Every backup, check and restore drill appends an entry to it, holding the hash of the entry before."))
	} else {
		r.para(txt(fmt.Sprintf("Every backup, check and restore drill appends an entry to a hash-chained history, each entry "+
			"holding the hash of the one before: %s%s, %d of them mirrored in the repository. Its head is entry %d, hash ",
			plural(h.Entries, "entry", "entries"), chainSpan(h), h.Mirrored, h.HeadSeq)), cod(shortHex(h.HeadHash)), txt("."))
		if s := windowRuns(h.Window); s != "" {
			r.para(txt(windowLead(doc) + s + "."))
		}
	}
	switch {
	case !h.Verified:
		r.para(bold("NOT VERIFIED"), txt(": the history was edited, shortened or damaged:"))
		r.list(textItems(h.Problems)...)
	case h.Entries > 0:
		agree := "."
		if h.Mirrored > 0 {
			agree = ", and no entry differs between the state directory and the repository."
		}
		r.para(bold("Verified"), txt(": every entry matches its hash and links to the one before"+agree))
	}
	if len(h.Warnings) > 0 {
		r.para(txt("Not everything could be compared:"))
		r.list(textItems(h.Warnings)...)
	}
	if h.Entries > 0 {
		r.para(cod("kamal-backup evidence history"), txt(" lists every entry; a signed evidence file anchors the entries of its window, and "),
			cod("kamal-backup evidence verify FILE --pubkey KEY --history"), txt(" detects any of them edited or deleted since."))
	}
}

// chainSpan says when the first and newest entries were recorded.
func chainSpan(h *HistoryChain) string {
	if h.FirstAt == nil || h.LastAt == nil {
		return ""
	}
	return " from " + formatTime(*h.FirstAt) + " to " + formatTime(*h.LastAt)
}

// windowLead introduces the runs of the window.
func windowLead(doc *Document) string {
	if b := doc.BackupHistory.Value; b != nil {
		return "Over the last " + formatDuration(time.Duration(b.WindowSeconds)*time.Second) + ": "
	}
	return "In the window: "
}

// windowRuns counts the window's runs by kind, with those that did not
// succeed: "7 backups, 2 checks (1 failed) and 2 restore drills".
func windowRuns(window []HistoryRef) string {
	var parts []string
	for _, k := range []struct{ kind, one, many string }{
		{backup.KindBackupResult, "backup", "backups"},
		{backup.KindCheckResult, "check", "checks"},
		{backup.KindDrillResult, "restore drill", "restore drills"},
	} {
		n, failed, other := 0, 0, 0
		for _, e := range window {
			switch {
			case e.Kind != k.kind:
			case e.Status == backup.StatusOK:
				n++
			case e.Status == backup.StatusFailed:
				n, failed = n+1, failed+1
			default:
				n, other = n+1, other+1
			}
		}
		if n == 0 {
			continue
		}
		s := plural(n, k.one, k.many)
		switch {
		case failed > 0 && other > 0:
			s += fmt.Sprintf(" (%d failed, %d with another status)", failed, other)
		case failed > 0:
			s += fmt.Sprintf(" (%d failed)", failed)
		case other > 0:
			s += fmt.Sprintf(" (%d with another status than ok)", other)
		}
		parts = append(parts, s)
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}

// plural is n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// shortHex is the first 12 characters of a hash; "none" when nil.
func shortHex(h *string) string {
	switch {
	case h == nil:
		return "none"
	case len(*h) > 12:
		return (*h)[:12]
	}
	return *h
}

// textItems makes one list item of each sentence.
func textItems(sentences []string) []line {
	out := make([]line, len(sentences))
	for i, s := range sentences {
		out[i] = line{txt(s)}
	}
	return out
}
