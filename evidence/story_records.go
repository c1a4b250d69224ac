package evidence

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
)

// maxOutputLines bounds the command output a report quotes; the JSON
// holds all of it.
const maxOutputLines = 20

// checkSection tells the last check.
func checkSection(r *report, doc *Document) {
	r.heading("Last check")
	var c backup.CheckRecord
	if !decodeRecord(r, doc.LastResticCheck, &c, "No check has been recorded yet.") {
		return
	}
	what := "without reading pack data"
	if c.ReadDataSubset != "" {
		what = "reading " + c.ReadDataSubset + " of the pack data"
	}
	if c.ReadDataRotation != "" {
		what += " in the rotation " + c.ReadDataRotation
	}
	r.para(txt("The last repository check "), bold(outcome(c.Status)), txt(fmt.Sprintf(" on %s (%s, took %s).",
		formatTime(c.StartedAt), what, formatDuration(c.FinishedAt.Sub(c.StartedAt)))))
	if c.Errors > 0 {
		r.para(txt(fmt.Sprintf("It found %d errors.", c.Errors)))
	}
	if c.Error != "" {
		r.para(txt("Error: " + c.Error))
	}
	if c.Output != "" {
		r.pre(clip(c.Output))
	}
}

// drillSection tells the last restore drill and what it proved.
func drillSection(r *report, doc *Document) {
	r.heading("Last restore drill")
	var d backup.DrillRecord
	if !decodeRecord(r, doc.LastRestoreDrill, &d, "No restore drill has been recorded yet: restores have not been tested.") {
		return
	}
	who := "an unknown operator"
	if d.Operator != nil && *d.Operator != "" {
		who = *d.Operator
	}
	r.para(txt("The last restore drill "), bold(outcome(d.Status)), txt(fmt.Sprintf(" on %s: a %s drill run by %s, asking for snapshot ",
		formatTime(d.StartedAt), d.Scope, who)), cod(d.RequestedSnapshot), txt(", took "+formatDuration(d.FinishedAt.Sub(d.StartedAt))+"."))
	var items []line
	for _, db := range d.Databases {
		item := line{}
		if db.Database != "" {
			item = line{txt("database "), cod(db.Database), txt(": ")}
		}
		items = append(items, append(item, txt(db.Adapter+" dump "), cod(db.Filename), txt(" of snapshot "), cod(db.Snapshot),
			txt(" restored into "), cod(db.Target)))
	}
	if d.Files != nil {
		items = append(items, line{txt("files of snapshot "), cod(d.Files.Snapshot), txt(" restored into "), cod(d.Files.Target)})
	}
	if len(items) > 0 {
		r.list(items...)
	}
	if d.Error != nil && *d.Error != "" {
		r.para(txt("Error: " + *d.Error))
	}
	drillData(r, d)
	drillCheck(r, d.Check)
	if len(d.Phases) > 0 {
		var rows [][]line
		for _, p := range d.Phases {
			db := line{}
			if p.Database != "" {
				db = line{cod(p.Database)}
			}
			rows = append(rows, []line{{txt(p.Name)}, db, {txt(formatDuration(p.FinishedAt.Sub(p.StartedAt)))}})
		}
		r.table([]string{"Phase", "Database", "Took"}, rows)
	}
}

// drillData tells how the restored databases compared with the row
// counts stored with their dumps.
func drillData(r *report, d backup.DrillRecord) {
	if len(d.DataVerification) == 0 {
		if len(d.Databases) > 0 {
			r.para(txt("The restored rows were not compared with row counts taken at backup time."))
		}
		return
	}
	var items []line
	for _, v := range d.DataVerification {
		item := line{txt("database "), cod(v.Database), txt(": ")}
		kind := "approximate"
		if v.Exact {
			kind = "exact"
		}
		switch {
		case v.Manifest != backup.ManifestPresent || v.Status == backup.StatusSkipped:
			item = append(item, txt("rows not verified: "+v.Reason))
		case len(v.Mismatches) == 0 && v.Status == backup.StatusOK:
			item = append(item, txt(fmt.Sprintf("all %d tables (%d rows) match the %s row counts taken at backup time", v.TablesChecked, v.RowsChecked, kind)))
		case len(v.Mismatches) == 0:
			item = append(item, bold(outcome(v.Status)), txt(": "+v.Reason))
		default:
			item = append(item, bold(outcome(v.Status)), txt(fmt.Sprintf(": %d of %d tables differ from the %s row counts taken at backup time", len(v.Mismatches), v.TablesChecked, kind)))
			for i, m := range v.Mismatches {
				if i == maxMismatchLines {
					item = append(item, txt(fmt.Sprintf("; and %d more in the JSON", len(v.Mismatches)-i)))
					break
				}
				item = append(item, txt("; "), cod(m.Table), txt(" "+countText(m.Expected)+" expected, "+countText(m.Actual)+" restored"))
			}
		}
		items = append(items, item)
	}
	r.para(txt("The restored rows were compared with the row counts stored with each dump:"))
	r.list(items...)
}

// maxMismatchLines bounds the differing tables a report names.
const maxMismatchLines = 10

// countText shows a row count, or "none" for a table that is absent.
func countText(n *int64) string {
	if n == nil {
		return "none"
	}
	return fmt.Sprintf("%d", *n)
}

// drillCheck tells the drill's verification command.
func drillCheck(r *report, c *backup.DrillCheck) {
	if c == nil {
		r.para(txt("No verification command ran against the restored data."))
		return
	}
	r.para(txt("Verification command "), cod(c.Command), txt(" "), bold(outcome(c.Status)), txt("."))
	for _, s := range []*string{c.Output, c.Error} {
		if s != nil && strings.TrimSpace(*s) != "" {
			r.pre(clip(*s))
		}
	}
}

// decodeRecord decodes a record for the report into v, or tells why
// there is none and returns false.
func decodeRecord(r *report, f Fact[json.RawMessage], v any, missing string) bool {
	switch {
	case f.Error != "":
		r.para(txt("The record could not be read: " + f.Error))
		return false
	case f.Value == nil:
		r.para(bold(missing))
		return false
	}
	if err := json.Unmarshal(*f.Value, v); err != nil {
		r.para(txt("The record could not be decoded: " + err.Error()))
		return false
	}
	return true
}

// outcome names a record's status for people.
func outcome(status string) string {
	switch status {
	case backup.StatusOK:
		return "succeeded"
	case backup.StatusFailed:
		return "FAILED"
	case backup.StatusWarning:
		return "WARNING"
	}
	return "ended with status " + status
}

// clip keeps the last maxOutputLines lines of s.
func clip(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= maxOutputLines {
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("[%d earlier lines in the JSON]\n", len(lines)-maxOutputLines) +
		strings.Join(lines[len(lines)-maxOutputLines:], "\n")
}
