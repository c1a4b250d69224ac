package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

// kindEvidenceHistory is the kind of the record "evidence history
// --json" prints.
const kindEvidenceHistory = "evidence_history"

// evidenceHistoryCmd lists and verifies the hash-chained history of
// backups, checks and drills.
type evidenceHistoryCmd struct {
	Config string `short:"c" name:"config" envvar:"KAMAL_BACKUP_CONFIG" default:"config/kamal-backup.yml" placeholder:"FILE" help:"kamal-backup configuration (default: ${default})."`
}

// Help is the detailed help of "evidence history".
func (c *evidenceHistoryCmd) Help() string {
	return `Lists the history of backups, checks and restore drills and verifies it.
Every run appends its record to history.jsonl in the state directory, each
entry holding the SHA-256 of the one before, and mirrors the entry into
the repository as a small snapshot tagged type:evidence (never removed by
retention). This command reads both copies and reports every entry edited,
deleted, or missing from either copy, a broken link, a gap in the
sequence and a torn last line. An empty state directory (a replaced
accessory) is only a warning: the repository's copy is used, and the next
backup or check continues the chain from it.

With --json it prints one evidence_history record: schema_version 1, kind
"evidence_history", app, verified, head ({seq, hash} or null),
local_entries, mirrored_entries, entries (each entry with its record, and
local and mirrored saying where it was found), problems and warnings
({code, seq, message}). Fields are only ever added.

It takes a shared lock on the repository unless --no-lock is given, and
never creates the repository.

Examples:
  kamal-backup evidence history
  kamal-backup evidence history --json
  kamal-backup evidence history -c config/kamal-backup.yml --no-lock

Exit codes: 0 the history is intact (warnings may be printed); 1 error,
or the history was edited, shortened or damaged (each problem is named);
10, 11 and 12 as for every command.`
}

// historyRecord is what "evidence history --json" prints.
type historyRecord struct {
	kbackup.RecordHeader
	App             string                 `json:"app"`
	Verified        bool                   `json:"verified"`
	Head            *historyHead           `json:"head"`
	LocalEntries    int                    `json:"local_entries"`
	MirroredEntries int                    `json:"mirrored_entries"`
	Entries         []kbackup.HistoryItem  `json:"entries"`
	Problems        []kbackup.HistoryIssue `json:"problems"`
	Warnings        []kbackup.HistoryIssue `json:"warnings"`
}

// historyHead is the newest entry of the chain.
type historyHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Run reads and verifies the history, prints it, and fails when it was
// tampered with.
func (c *evidenceHistoryCmd) Run(ctx context.Context, g *Globals) error {
	cfg, r, err := g.openAppRepository(ctx, c.Config)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	var rep *kbackup.HistoryReport
	err = g.readLocked(ctx, r, func(ctx context.Context) error {
		var err error
		rep, err = kbackup.VerifyHistory(ctx, cfg.StateDir(), r, cfg.App, kbackup.VerifyHistoryOptions{})
		return err
	})
	if err != nil {
		return err
	}
	if g.JSON {
		err = printRedactedJSON(g, historyJSON(cfg.App, rep), cfg.Redactor(), envRedactor(g.lookup))
	} else {
		err = writeHistory(g, rep)
	}
	if err != nil {
		return err
	}
	return historyError(rep)
}

// historyJSON is the record of rep.
func historyJSON(app string, rep *kbackup.HistoryReport) historyRecord {
	out := historyRecord{RecordHeader: kbackup.NewRecordHeader(kindEvidenceHistory), App: app, Verified: rep.OK(),
		LocalEntries: rep.LocalEntries, MirroredEntries: rep.MirroredEntries, Entries: rep.Items,
		Problems: rep.Problems, Warnings: rep.Warnings}
	if rep.Head != nil {
		out.Head = &historyHead{Seq: rep.Head.Seq, Hash: rep.Head.Hash}
	}
	return out
}

// writeHistory prints the entries as a table, the warnings and a
// summary.
func writeHistory(g *Globals, rep *kbackup.HistoryReport) error {
	t := &ruledTable{header: []string{"Seq", "Time", "Kind", "Status", "Hash", "Stored"}, min: []int{3, 19, 4, 6, 12, 6}}
	for _, it := range rep.Items {
		t.add([]string{strconv.FormatInt(it.Seq, 10)}, []string{appTime(it.Time)}, []string{strings.TrimSuffix(it.Kind, "_result")},
			[]string{it.Status}, []string{it.ShortHash()}, []string{stored(it)})
	}
	if err := t.write(g.stdout); err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		if _, err := fmt.Fprintf(g.stdout, "warning: %s\n", w.Message); err != nil {
			return err
		}
	}
	summary := "no entries yet"
	if rep.Head != nil {
		summary = fmt.Sprintf("%d entries, head %d (%s)", len(rep.Items), rep.Head.Seq, rep.Head.ShortHash())
	}
	verdict := "verified: the chain is intact"
	if !rep.OK() {
		verdict = fmt.Sprintf("NOT verified: %d problem(s), listed below", len(rep.Problems))
	}
	_, err := fmt.Fprintf(g.stdout, "%s; %s\n", summary, verdict)
	return err
}

// stored says where an entry was found.
func stored(it kbackup.HistoryItem) string {
	switch {
	case it.Local && it.Mirrored:
		return "local+repo"
	case it.Local:
		return "local"
	}
	return "repo"
}

// historyError names every problem of rep, or is nil.
func historyError(rep *kbackup.HistoryReport) error {
	if rep.OK() {
		return nil
	}
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString("\n  - " + p.Message)
	}
	return fmt.Errorf("%w:%s", kbackup.ErrHistoryBroken, b.String())
}

// printRedactedJSON prints v as JSON with every string value redacted by
// each of reds: the records in the history were redacted when written,
// this is the last defence, as for the evidence document.
func printRedactedJSON(g *Globals, v any, reds ...*redact.Redactor) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, r := range reds {
		if data, err = r.RedactJSON(data); err != nil {
			return err
		}
	}
	return g.printJSON(json.RawMessage(data))
}
