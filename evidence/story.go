package evidence

import (
	"fmt"
	"strings"
)

// story tells the document as a report: the verdict, what is backed up,
// how often, the last check, the last drill, the objectives, the
// history of runs and the tools.
func story(doc *Document) *report {
	r := &report{title: "Backup evidence for " + doc.AppName}
	r.para(txt("Generated "+formatTime(doc.GeneratedAt)+" by "), cod(deref(doc.ToolVersions.KamalBackupEngine, "kamal-backup")),
		txt(" (image "), cod(doc.ImageVersion), txt(") from the repository, the configuration and the state records. "+
			"The JSON form of this evidence (schema_version "+fmt.Sprint(doc.SchemaVersion)+") carries every detail."))
	verdictSection(r, doc)
	backedUpSection(r, doc)
	scheduleSection(r, doc)
	checkSection(r, doc)
	coverageSection(r, doc)
	drillSection(r, doc)
	objectivesSection(r, doc)
	chainSection(r, doc)
	toolsSection(r, doc)
	return r
}

// verdictSection states the overall verdict and its reasons.
func verdictSection(r *report, doc *Document) {
	r.heading("Verdict")
	o := doc.Objectives
	summary := map[string]string{
		VerdictPass:    "every declared recovery objective is met.",
		VerdictFail:    "at least one declared recovery objective is not met.",
		VerdictUnknown: "the recovery objectives could not all be judged.",
	}[o.Verdict]
	r.para(bold(strings.ToUpper(o.Verdict)), txt(": "+summary))
	var items []line
	for _, reason := range o.Reasons {
		items = append(items, line{txt(reason)})
	}
	if len(items) > 0 {
		r.list(items...)
	}
}

// backedUpSection says what is backed up, where, and how long it is
// kept.
func backedUpSection(r *report, doc *Document) {
	r.heading("What is backed up")
	var rows [][]line
	for _, d := range doc.Databases {
		f := doc.LatestDatabaseBackups[d.Name]
		rows = append(rows, append([]line{{txt("database "), cod(d.Name)}, {txt(adapterText(d.Adapter))}}, latestCells(f)...))
	}
	if len(doc.Paths) > 0 {
		paths := line{}
		for i, p := range doc.Paths {
			if i > 0 {
				paths = append(paths, txt(", "))
			}
			paths = append(paths, cod(p))
		}
		rows = append(rows, append([]line{{txt("files")}, paths}, latestCells(doc.LatestFileBackup)...))
	}
	if len(rows) == 0 {
		r.para(txt("Nothing is configured to be backed up."))
	} else {
		r.table([]string{"Source", "What", "Latest backup", "Snapshot"}, rows)
	}
	if len(doc.Paths) == 0 {
		r.para(txt("No file paths are configured: only databases are backed up."))
	}
	r.para(append(line{txt("Repository "), cod(doc.ResticRepository), txt(": ")}, repositoryText(doc.Repository)...)...)
	r.para(txt(retentionText(doc.Retention, doc.ForgetAfterBackup)))
}

// adapterText says how a database of adapter is backed up.
func adapterText(adapter string) string {
	switch adapter {
	case "postgres":
		return "PostgreSQL, exported with pg_dump (custom format)"
	case "mysql":
		return "MySQL/MariaDB, exported with mariadb-dump or mysqldump"
	case "sqlite":
		return "SQLite, copied with the online backup API"
	}
	return adapter
}

// latestCells describes a latest snapshot in two table cells.
func latestCells(f Fact[SnapshotRef]) []line {
	switch {
	case f.Error != "":
		return []line{{txt("could not be read: " + f.Error)}, {}}
	case f.Value == nil:
		return []line{{bold("none")}, {}}
	}
	return []line{{txt(formatTime(f.Value.Time))}, {cod(f.Value.ID)}}
}

// repositoryText describes the repository in a sentence.
func repositoryText(f Fact[RepositoryInfo]) line {
	if f.Value == nil {
		return line{txt("could not be read: " + f.Error + ".")}
	}
	i := f.Value
	s := fmt.Sprintf("%s storage, format version %d, %s compression, encrypted with %s",
		i.Backend, i.Version, i.Compression, i.Encryption)
	if i.Snapshots.Value != nil && i.AppSnapshots.Value != nil {
		s += fmt.Sprintf("; %d snapshots, %d of them this app's", *i.Snapshots.Value, *i.AppSnapshots.Value)
	}
	if i.SizeBytes.Value != nil && i.PackFiles.Value != nil {
		s += fmt.Sprintf("; %s in %d pack files", formatBytes(*i.SizeBytes.Value), *i.PackFiles.Value)
	}
	return line{txt(s + ".")}
}

// retentionText describes the retention policy.
func retentionText(p Retention, forget bool) string {
	var keep []string
	for _, k := range [][2]string{{p.KeepLast, "the last %s"}, {p.KeepHourly, "%s hourly"}, {p.KeepDaily, "%s daily"},
		{p.KeepWeekly, "%s weekly"}, {p.KeepMonthly, "%s monthly"}, {p.KeepYearly, "%s yearly"},
		{p.KeepWithin, "all within %s"}, {p.KeepWithinHourly, "hourly within %s"}, {p.KeepWithinDaily, "daily within %s"},
		{p.KeepWithinWeekly, "weekly within %s"}, {p.KeepWithinMonthly, "monthly within %s"}, {p.KeepWithinYearly, "yearly within %s"}} {
		if k[0] != "" && k[0] != "0" {
			keep = append(keep, fmt.Sprintf(k[1], k[0]))
		}
	}
	s := "Retention keeps " + strings.Join(keep, ", ") + " snapshots"
	if len(keep) == 0 {
		s = "No retention rule is set"
	}
	if forget {
		return s + "; it is applied after every backup."
	}
	return s + "; it is not applied automatically (forget_after_backup is off)."
}

// toolsSection lists the tools' versions.
func toolsSection(r *report, doc *Document) {
	r.heading("Tools")
	t := doc.ToolVersions
	var rows [][]line
	for _, x := range []struct {
		name string
		v    *string
	}{{"kamal-backup engine", t.KamalBackupEngine}, {"pg_dump", t.PgDump}, {"pg_restore", t.PgRestore},
		{"MySQL/MariaDB dump", t.MySQLDump}, {"MySQL/MariaDB client", t.MySQLClient}, {"sqlite3", t.SQLite3}, {"rclone", t.Rclone}} {
		v := line{txt("not installed")}
		if x.v != nil {
			v = line{cod(*x.v)}
		}
		rows = append(rows, []line{{txt(x.name)}, v})
	}
	r.table([]string{"Tool", "Version"}, rows)
}

// deref returns *p, or def when p is nil.
func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// formatBytes formats n with binary units: "512 B", "1.5 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
