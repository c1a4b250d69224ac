package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo"
)

// checkSchemaVersion is the schema_version of the check --json record.
const checkSchemaVersion = 1

// checkRecord is the one line "repo check --json" prints: restic's check
// summary (message_type, num_errors, broken_packs, suggest_repair_index,
// suggest_prune) extended with the whole repo.CheckResult. Fields are
// documented in docs/CHECK_JSON.md.
type checkRecord struct {
	MessageType   string `json:"message_type"`
	Kind          string `json:"kind"`
	SchemaVersion int    `json:"schema_version"`
	NumErrors     int    `json:"num_errors"`
	*repo.CheckResult
}

func newCheckRecord(res *repo.CheckResult) checkRecord {
	return checkRecord{MessageType: "summary", Kind: "check", SchemaVersion: checkSchemaVersion,
		NumErrors: len(res.Errors), CheckResult: res}
}

// checkPrinter prints the step lines of restic's check ("load indexes",
// "check all packs", ...) as Check reaches each step. It is safe for
// concurrent use, as repo.CheckProgress requires.
type checkPrinter struct {
	g      *Globals
	subset string

	mu    sync.Mutex
	packs int // packs in the index, known from the packs step
}

var _ repo.CheckProgress = (*checkPrinter)(nil)

func newCheckPrinter(g *Globals, subset string) *checkPrinter {
	return &checkPrinter{g: g, subset: subset}
}

// CheckStep prints the line restic prints when the step starts.
func (p *checkPrinter) CheckStep(step string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch step {
	case repo.CheckStepIndex:
		p.g.verbosef("load indexes\n")
	case repo.CheckStepPacks:
		p.packs = total
		p.g.verbosef("check all packs\n")
	case repo.CheckStepSnapshots:
		p.g.verbosef("check snapshots, trees and blobs\n")
	case repo.CheckStepReadData:
		p.g.verbosef("%s\n", p.readDataLine(total))
	}
}

// CheckAdvance does nothing: the CLI prints no progress bar yet.
func (p *checkPrinter) CheckAdvance(int, int64) {}

// readDataLine is restic's announcement of the read-data step, given
// the number of packs selected.
func (p *checkPrinter) readDataLine(selected int) string {
	if p.subset == "" {
		return "read all data"
	}
	sub, err := repo.ParseDataSubset(p.subset)
	switch {
	case err != nil:
		return "read data"
	case sub.Buckets > 0:
		return fmt.Sprintf("read group #%d of %d data packs (out of total %d packs in %d groups)", sub.Bucket, selected, p.packs, sub.Buckets)
	case sub.Percent > 0:
		return fmt.Sprintf("read %.1f%% of data packs", sub.Percent)
	}
	return fmt.Sprintf("read %d bytes of data packs", sub.Bytes)
}

// writeCheckReport prints the hints (unless --quiet), the errors and the
// verdict of a check.
func writeCheckReport(g *Globals, res *repo.CheckResult) {
	for _, h := range res.Hints {
		g.verbosef("%s\n", h.Message)
	}
	if res.SuggestPrune {
		g.verbosef("This is non-critical, you can run `kamal-backup repo prune` to correct this.\n")
	}
	for _, e := range res.Errors {
		fmt.Fprintf(g.stdout, "error: %s\n", e.Message)
	}
	if res.SuggestRepairIndex {
		fmt.Fprintf(g.stdout, "The index needs repairing: run `restic repair index`.\n")
	}
	if len(res.BrokenPacks) > 0 {
		fmt.Fprintf(g.stdout, "Damaged pack files: %s\nrun `restic repair packs %s` to salvage what they still hold.\n",
			strings.Join(res.BrokenPacks, ", "), strings.Join(res.BrokenPacks, " "))
	}
	if res.OK() {
		g.verbosef("no errors were found\n")
		return
	}
	fmt.Fprintf(g.stdout, "\nThe repository is damaged and must be repaired.\n")
}
