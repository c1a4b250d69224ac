package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// TimeFormat is how times appear in text tables, in local time.
const TimeFormat = "2006-01-02 15:04:05"

// WriteSnapshotTable prints snaps as restic's `snapshots` table: short ID,
// local time, host, tags, paths (one per line) and size, then a count.
func WriteSnapshotTable(w io.Writer, snaps []*repo.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTime\tHost\tTags\tPaths\tSize")
	for _, sn := range snaps {
		paths := sortedCopy(sn.Paths)
		first := ""
		if len(paths) > 0 {
			first = paths[0]
		}
		size := ""
		if sn.Summary != nil {
			size = FormatBytes(sn.Summary.TotalBytesProcessed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sn.ID().Str(), sn.Time.In(time.Local).Format(TimeFormat),
			sn.Hostname, strings.Join(sn.Tags, ","), first, size)
		for _, p := range paths[min(1, len(paths)):] {
			fmt.Fprintf(tw, "\t\t\t\t%s\t\n", p)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	noun := "snapshots"
	if len(snaps) == 1 {
		noun = "snapshot"
	}
	_, err := fmt.Fprintf(w, "%d %s\n", len(snaps), noun)
	return err
}

// FormatBytes formats n with binary units as restic does ("5 B",
// "1.500 KiB", "2.000 GiB").
func FormatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.3f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func sortedCopy(l []string) []string {
	c := slices.Clone(l)
	slices.Sort(c)
	return c
}
