package backup

import (
	"fmt"
	"strings"
)

// maxMismatchesNamed bounds the tables an error or log line names.
const maxMismatchesNamed = 5

// compareRowCounts compares the restored counts got with the manifest
// want, filling v's tables, rows, mismatches and status. It returns an
// error wrapping ErrDataMismatch when the drill must fail: any difference
// from an exact manifest, or a table of the manifest missing from the
// restored database. Other differences from an approximate manifest
// (rows counted beside the dump's own snapshot, tables created during
// the dump) leave v.Status at StatusWarning.
func compareRowCounts(v *DataVerification, want, got *RowCounts) error {
	type key struct{ schema, name string }
	restored := make(map[key]int64, len(got.Tables))
	for _, t := range got.Tables {
		restored[key{t.Schema, t.Name}] = t.Rows
	}
	missing := false
	for _, t := range want.Tables {
		v.TablesChecked++
		v.RowsChecked += t.Rows
		k := key{t.Schema, t.Name}
		rows, ok := restored[k]
		delete(restored, k)
		switch {
		case !ok:
			missing = true
			v.Mismatches = append(v.Mismatches, TableMismatch{Table: t.Label(), Expected: rowsPtr(t.Rows)})
		case rows != t.Rows:
			v.Mismatches = append(v.Mismatches, TableMismatch{Table: t.Label(), Expected: rowsPtr(t.Rows), Actual: rowsPtr(rows)})
		}
	}
	for _, t := range got.Tables {
		if _, extra := restored[key{t.Schema, t.Name}]; extra {
			v.Mismatches = append(v.Mismatches, TableMismatch{Table: t.Label(), Actual: rowsPtr(t.Rows)})
		}
	}
	switch {
	case len(v.Mismatches) == 0:
		v.Status = StatusOK
	case want.Exact || missing:
		v.Status = StatusFailed
		return fmt.Errorf("%w: %s", ErrDataMismatch, describeMismatches(v.Mismatches))
	default:
		v.Status = StatusWarning
	}
	return nil
}

// describeMismatches names the first mismatches and how many more there
// are: "table public.users: 120 rows in the snapshot, 118 restored".
func describeMismatches(ms []TableMismatch) string {
	var parts []string
	for _, m := range ms[:min(len(ms), maxMismatchesNamed)] {
		switch {
		case m.Actual == nil:
			parts = append(parts, fmt.Sprintf("table %s: %d rows in the snapshot, missing from the restored database", m.Table, *m.Expected))
		case m.Expected == nil:
			parts = append(parts, fmt.Sprintf("table %s: not in the snapshot's manifest, %d rows restored", m.Table, *m.Actual))
		default:
			parts = append(parts, fmt.Sprintf("table %s: %d rows in the snapshot, %d restored", m.Table, *m.Expected, *m.Actual))
		}
	}
	if n := len(ms) - maxMismatchesNamed; n > 0 {
		parts = append(parts, fmt.Sprintf("and %d more tables", n))
	}
	return strings.Join(parts, "; ")
}

// rowsPtr returns a pointer to a copy of n.
func rowsPtr(n int64) *int64 { return &n }
