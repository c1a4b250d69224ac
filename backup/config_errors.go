package backup

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// FieldError is one problem with the configuration. LoadConfig and
// Config.Validate return every problem they find as FieldErrors joined
// with errors.Join, so an operator sees them all at once.
//
// A FieldError never contains a secret value: messages name the setting
// and the environment variable or file a secret comes from, never what it
// holds.
type FieldError struct {
	// File is the configuration file the problem is in, when it is a
	// problem of one file's text (an unknown key, a value that does not
	// parse); empty for problems of the merged configuration.
	File string
	// Path names the setting: a YAML path such as
	// "restic.retention.keep_daily" or "databases[0].password", or the
	// environment variable the value came from ("BACKUP_SCHEDULE_SECONDS").
	// Empty for problems of a whole file.
	Path string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error formats the problem as "file: path: message", leaving out the
// parts that are empty.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects FieldErrors.
type problems struct {
	file     string // set while one file is being decoded
	errs     []*FieldError
	warnings []string
	// covered are settings whose problems an earlier message already
	// explains (the key a misspelt key was meant to be).
	covered []string
	// unreadable is set when a file is not a YAML mapping at all, which
	// makes every further problem noise.
	unreadable bool
}

// add records a problem with the setting at path.
func (p *problems) add(path, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// warn records a setting that is ignored.
func (p *problems) warn(path, msg string) {
	p.warnings = append(p.warnings, (&FieldError{File: p.file, Path: path, Msg: msg}).Error())
}

// join returns the problems as one error, each message passed through r,
// or nil when there are none.
func (p *problems) join(r *redact.Redactor) error {
	if len(p.errs) == 0 {
		return nil
	}
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		e.Msg = r.Redact(e.Msg)
		e.Path = r.Redact(e.Path)
		errs[i] = e
	}
	return errors.Join(errs...)
}

// childPath is the path of key inside the mapping at parent.
func childPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// indexPath is the path of element i of the sequence at parent.
func indexPath(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// unknownKey reports an unknown key: a close known key as "did you
// mean", a key that belongs elsewhere by its place, or the list of known
// keys.
func (p *problems) unknownKey(parent, key string, known []string) {
	path := childPath(parent, key)
	if to, ok := movedKeys[path]; ok {
		p.add(path, "unknown key (did you mean %s?)", to)
		p.covered = append(p.covered, to)
		return
	}
	if s := closest(key, known); s != "" {
		p.add(path, "unknown key (did you mean %s?)", s)
		p.covered = append(p.covered, childPath(parent, s))
		return
	}
	p.add(path, "unknown key (known keys: %s)", strings.Join(known, ", "))
}

// movedKeys maps keys written at the wrong level to where they belong.
var movedKeys = map[string]string{
	"repository":             "restic.repository",
	"repository_file":        "restic.repository_file",
	"password":               "restic.password",
	"retention":              "restic.retention",
	"schedule":               "backup.schedule",
	"enabled":                "backup.enabled",
	"start_delay":            "backup.start_delay",
	"database":               "databases",
	"keep_last":              "restic.retention.keep_last",
	"keep_daily":             "restic.retention.keep_daily",
	"keep_weekly":            "restic.retention.keep_weekly",
	"keep_monthly":           "restic.retention.keep_monthly",
	"keep_yearly":            "restic.retention.keep_yearly",
	"restic.keep_last":       "restic.retention.keep_last",
	"restic.keep_hourly":     "restic.retention.keep_hourly",
	"restic.keep_daily":      "restic.retention.keep_daily",
	"restic.keep_weekly":     "restic.retention.keep_weekly",
	"restic.keep_monthly":    "restic.retention.keep_monthly",
	"restic.keep_yearly":     "restic.retention.keep_yearly",
	"restic.keep_within":     "restic.retention.keep_within",
	"restic.schedule":        "backup.schedule",
	"state_path":             "state.path",
	"restic.username":        "restic.rest.username",
	"restic.password_file":   "restic.password: {file: PATH}",
	"restic.password_secret": "restic.password: {secret: ENV_NAME}",
}

// closest returns the known key nearest to key by edit distance, if it is
// near enough to be a likely typo, or "".
func closest(key string, known []string) string {
	best, bestDist := "", len(key)
	for _, k := range known {
		d := editDistance(key, k)
		if d < bestDist || (d == bestDist && best != "" && k < best) {
			best, bestDist = k, d
		}
	}
	if best == "" || bestDist > max(1, len(key)/3) {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// bytes each cost one.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
