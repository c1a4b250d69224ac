package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// ruledTable is a table laid out like restic's snapshot tables: columns
// two spaces apart and padded to their widest line or a minimum width,
// cells of several lines spread over several output lines, no trailing
// spaces, and a dashed rule under the header and under the rows.
type ruledTable struct {
	header []string
	min    []int
	rows   [][][]string // row, cell, line
}

// add appends a row; each cell is a list of lines.
func (t *ruledTable) add(cells ...[]string) { t.rows = append(t.rows, cells) }

// write prints the table.
func (t *ruledTable) write(w io.Writer) error {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = max(t.min[i], utf8.RuneCountInString(h))
	}
	height := make([]int, len(t.rows))
	for r, row := range t.rows {
		for i, cell := range row {
			height[r] = max(height[r], len(cell))
			for _, l := range cell {
				widths[i] = max(widths[i], utf8.RuneCountInString(l))
			}
		}
	}
	total := 2 * (len(widths) - 1)
	for _, n := range widths {
		total += n
	}
	rule := strings.Repeat("-", total)
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			l.WriteString(c)
			if i < len(cells)-1 {
				l.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(t.header)
	b.WriteString(rule + "\n")
	for r, row := range t.rows {
		for k := range height[r] {
			cells := make([]string, len(row))
			for i, cell := range row {
				if k < len(cell) {
					cells[i] = cell[k]
				}
			}
			line(cells)
		}
	}
	b.WriteString(rule + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeForgetTable prints snaps oldest first as restic's forget does,
// with a Reasons column when reasons is not nil (one entry per snapshot,
// in snaps' order), then the count.
func writeForgetTable(w io.Writer, snaps []*repo.Snapshot, reasons [][]string) error {
	t := &ruledTable{header: []string{"ID", "Time", "Host", "Tags"}, min: []int{8, 19, 10, 10}}
	if reasons != nil {
		t.header = append(t.header, "Reasons")
		t.min = append(t.min, 0)
	}
	t.header = append(t.header, "Paths", "Size")
	t.min = append(t.min, 0, 0)
	order := make([]int, len(snaps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return snaps[a].Time.Compare(snaps[b].Time) })
	for _, i := range order {
		sn := snaps[i]
		size := ""
		if sn.Summary != nil {
			size = cli.FormatBytes(sn.Summary.TotalBytesProcessed)
		}
		paths := slices.Clone(sn.Paths)
		slices.Sort(paths)
		cells := [][]string{{sn.ID().Str()}, {sn.Time.In(time.Local).Format(cli.TimeFormat)},
			{sn.Hostname}, {strings.Join(sn.Tags, ",")}}
		if reasons != nil {
			cells = append(cells, reasons[i])
		}
		t.add(append(cells, paths, []string{size})...)
	}
	if err := t.write(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d snapshots\n", len(snaps))
	return err
}
