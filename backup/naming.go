package backup

import (
	"regexp"
	"strings"
)

var unsafeRuns = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// SafeName replaces every run of characters outside [A-Za-z0-9_.-] with
// "-", as the Ruby kamal-backup does for app and database names.
func SafeName(s string) string { return unsafeRuns.ReplaceAllString(s, "-") }

// DumpFilename is the path of a database dump inside its snapshot:
// databases/<app>/<database>/<adapter>.<ext>.
func DumpFilename(app, database string, a Adapter) string {
	return "databases/" + SafeName(app) + "/" + SafeName(database) + "/" + a.Name() + "." + a.Ext()
}

// DatabaseTags are the tags of a database snapshot.
func DatabaseTags(app, database, adapter string) []string {
	return []string{"kamal-backup", "app:" + app, "type:database", "database:" + database, "adapter:" + adapter}
}

// FileTags are the tags of a file snapshot of paths.
func FileTags(app string, paths []string) []string {
	tags := []string{"kamal-backup", "app:" + app, "type:files"}
	for _, p := range paths {
		tags = append(tags, "path:"+PathLabel(p))
	}
	return tags
}

// PathLabel is the label of a backed-up path: the path without leading
// slashes, runs of characters outside [A-Za-z0-9_.-] replaced by "-",
// "root" when empty.
func PathLabel(p string) string {
	l := SafeName(strings.TrimLeft(p, "/"))
	if l == "" {
		return "root"
	}
	return l
}

// Hostname is the snapshot host of an app's accessory: "<app>-<accessory>"
// normalised to [A-Za-z0-9_.-].
func Hostname(app, accessory string) string { return SafeName(app + "-" + accessory) }
