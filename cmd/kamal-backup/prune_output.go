package main

import (
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// pruneSchemaVersion is the schema_version of the prune --json record.
const pruneSchemaVersion = 1

// pruneRecord is the line "repo prune --json" (and "repo forget --prune
// --json") prints: repo.PruneResult with a record header. Fields are
// documented in docs/CHECK_JSON.md.
type pruneRecord struct {
	MessageType   string `json:"message_type"`
	Kind          string `json:"kind"`
	SchemaVersion int    `json:"schema_version"`
	*repo.PruneResult
}

// reportPrune prints a prune result: the JSON record, or restic's summary
// ("to repack", "this removes", "to delete", "total prune", "remaining",
// "unused size after prune").
func (g *Globals) reportPrune(res *repo.PruneResult) error {
	if g.JSON {
		return g.printJSON(pruneRecord{MessageType: "summary", Kind: "prune", SchemaVersion: pruneSchemaVersion, PruneResult: res})
	}
	g.verbosef("%s", pruneSummary(res))
	if res.DeleteFailures > 0 {
		g.log.Warn("some files could not be deleted; the next prune removes them", "files", res.DeleteFailures)
	}
	return nil
}

// pruneSummary formats res as restic prints its prune statistics.
func pruneSummary(res *repo.PruneResult) string {
	var b strings.Builder
	if res.DryRun {
		b.WriteString("\nWould have made the following changes:\n")
	}
	repackRm := res.Repacked.Blobs - res.Copied.Blobs
	repackRmBytes := max(res.Repacked.Bytes-res.Copied.Bytes, 0)
	line := func(label string, blobs int, bytes int64) {
		fmt.Fprintf(&b, "%-13s %10d blobs / %s\n", label, blobs, cli.FormatBytes(uint64(max(bytes, 0))))
	}
	b.WriteString("\n")
	line("to repack:", res.Repacked.Blobs, res.Repacked.Bytes)
	line("this removes:", repackRm, repackRmBytes)
	line("to delete:", res.Removed.Blobs, res.Removed.Bytes+res.Unreferenced.Bytes)
	line("total prune:", repackRm+res.Removed.Blobs, res.FreedBytes)
	line("remaining:", res.Kept.Blobs+res.Copied.Blobs, res.SizeAfter)
	pct := 0.0
	if res.SizeAfter > 0 {
		pct = 100 * float64(res.UnusedAfter) / float64(res.SizeAfter)
	}
	fmt.Fprintf(&b, "unused size after prune: %s (%.2f%% of remaining size)\n", cli.FormatBytes(uint64(max(res.UnusedAfter, 0))), pct)
	if res.Unreferenced.Packs > 0 {
		fmt.Fprintf(&b, "unreferenced packs:      %d packs / %s\n", res.Unreferenced.Packs, cli.FormatBytes(uint64(res.Unreferenced.Bytes)))
	}
	b.WriteString("\n")
	if !res.DryRun {
		fmt.Fprintf(&b, "repacked %d packs, deleted %d packs, wrote %d new index files\ndone\n",
			res.Repacked.Packs, res.Repacked.Packs+res.Removed.Packs+res.Unreferenced.Packs, res.IndexFilesWritten)
	}
	return b.String()
}
