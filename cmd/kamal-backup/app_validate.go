package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// errValidateFailed is returned by "validate" when it found problems; it
// maps to exit code 1.
var errValidateFailed = errors.New("the configuration has problems")

// validateCmd is the preflight check of the configuration.
type validateCmd struct {
	appConfigFlag
	appLocalFlag
	ShapeOnly bool `name:"shape-only" help:"Check the configuration's shape only: no secrets read, no tools, repository or state directory looked at (for a developer machine)."`
}

// Help is the detailed help of "validate".
func (c *validateCmd) Help() string {
	return `Checks, without reading or writing any backup data, what a backup
needs: the configuration is valid, every database's adapter is known and
its tools are installed, the repository can be reached and the password
opens it (or it is absent and restic.init_if_missing creates it), and the
state directory is writable. Every problem is printed, with how to fix
it; no secret ever is.

With --shape-only only the configuration itself is checked, without the
machine it is meant for (secrets, paths, tools), as on a developer
machine. With --json one validate_result record is printed: status ok or
failed, problems [{check, subject, message}], warnings and the
configuration's summary (where each secret comes from, never its value).

Examples:
  kamal-backup validate
  kamal-backup validate --shape-only -c config/kamal-backup.yml
  bin/kamal accessory exec backup "kamal-backup validate"

Exit codes: 0 no problem found; 1 problems found; 10, 11 and 12 as for
every command.`
}

// validateResult is the record "validate --json" prints.
type validateResult struct {
	kbackup.RecordHeader
	Status   string            `json:"status"`
	Config   string            `json:"config"`
	Problems []kbackup.Problem `json:"problems"`
	Warnings []string          `json:"warnings"`
	Summary  *kbackup.Summary  `json:"summary"`
}

// kindValidateResult is the kind of a validateResult.
const kindValidateResult = "validate_result"

// Run validates and prints what it found.
func (c *validateCmd) Run(ctx context.Context, g *Globals) error {
	res := validateResult{RecordHeader: kbackup.NewRecordHeader(kindValidateResult), Config: c.Config,
		Problems: []kbackup.Problem{}, Warnings: []string{}}
	cfg, err := kbackup.LoadConfig(c.Config, g.lookup, kbackup.LoadOptions{Local: c.Local, ShapeOnly: c.ShapeOnly})
	var fe *kbackup.FieldError
	switch {
	case errors.As(err, &fe):
		res.Problems = configProblems(err)
	case err != nil:
		return appLoadError(c.Config, err)
	default:
		g.addConfigSecrets(cfg)
		res.Warnings = append(res.Warnings, cfg.Warnings...)
		sum := cfg.Summary()
		res.Summary = &sum
		if !c.ShapeOnly {
			res.Problems = append(res.Problems, g.appRunner(cfg, false).Validate(ctx)...)
		}
	}
	res.Status = kbackup.StatusOK
	if len(res.Problems) > 0 {
		res.Status = kbackup.StatusFailed
	}
	if g.JSON {
		err = g.printJSON(res)
	} else {
		writeValidateResult(g, &res)
	}
	if err == nil && len(res.Problems) > 0 {
		err = fmt.Errorf("%w: %d found", errValidateFailed, len(res.Problems))
	}
	return err
}

// configProblems turns LoadConfig's joined FieldErrors into problems.
func configProblems(err error) []kbackup.Problem {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []kbackup.Problem
	for _, e := range errs {
		p := kbackup.Problem{Check: kbackup.CheckConfig, Message: e.Error()}
		var fe *kbackup.FieldError
		if errors.As(e, &fe) {
			p.Subject, p.Message = fe.Path, fe.Msg
		}
		out = append(out, p)
	}
	return out
}

// writeValidateResult prints the result for people.
func writeValidateResult(g *Globals, res *validateResult) {
	var b strings.Builder
	if s := res.Summary; s != nil {
		var dbs []string
		for _, d := range s.Databases {
			dbs = append(dbs, d.Name+" ("+d.Adapter+")")
		}
		var paths []string
		for _, p := range s.Paths {
			paths = append(paths, p.Path)
		}
		fmt.Fprintf(&b, "%s: app %s; databases: %s; paths: %s; repository %s; every %s",
			res.Config, s.App, listOrNone(dbs), listOrNone(paths), s.Restic.Repository, s.Backup.Schedule)
		if !s.Backup.Enabled {
			b.WriteString(" (disabled)")
		}
		b.WriteString("\n")
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	switch n := len(res.Problems); n {
	case 0:
		b.WriteString("ok: no problems found\n")
	case 1:
		b.WriteString("1 problem:\n")
	default:
		fmt.Fprintf(&b, "%d problems:\n", n)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	if g.Quiet && len(res.Problems) == 0 {
		return
	}
	io.WriteString(g.stdout, b.String()) //nolint:errcheck // a write error surfaces at the final flush
}

// listOrNone joins l with commas, or says "none".
func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
