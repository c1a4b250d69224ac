package backup

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kamal-backup/kamal-backup/repo"
)

// What Validate checks, the Check of a Problem.
const (
	CheckConfig     = "config"
	CheckAdapter    = "adapter"
	CheckTool       = "tool"
	CheckRepository = "repository"
	CheckState      = "state"
)

// Problem is one thing Validate found that would make a backup fail.
type Problem struct {
	// Check is what was checked: CheckConfig, CheckAdapter, CheckTool,
	// CheckRepository or CheckState.
	Check string `json:"check"`
	// Subject is what the problem concerns: a setting, a database, a tool
	// or a path; empty when it concerns the whole check.
	Subject string `json:"subject,omitempty"`
	// Message says what is wrong and how to fix it; it holds no secret.
	Message string `json:"message"`
}

// String formats the problem as "check: subject: message".
func (p Problem) String() string {
	if p.Subject == "" {
		return p.Check + ": " + p.Message
	}
	return p.Check + ": " + p.Subject + ": " + p.Message
}

// Validate is the preflight of `kamal-backup validate`: it checks,
// without reading or writing any backup data, that the configuration is
// valid, that every database's adapter is known and its tools are
// installed, that the repository can be reached and the password opens it
// (or that it is absent and init_if_missing will create it), and that the
// state directory is writable. It returns every problem found, nil when
// there is none. It takes no lock and creates nothing but, when missing,
// the state directory.
func (r *Runner) Validate(ctx context.Context) []Problem {
	if r.Config == nil {
		return []Problem{{Check: CheckConfig, Message: errNoConfig.Error()}}
	}
	var out []Problem
	out = append(out, r.validateConfig()...)
	out = append(out, r.validateAdapters(ctx)...)
	out = append(out, r.validateRepository(ctx)...)
	out = append(out, r.validateState()...)
	red := r.Config.Redactor()
	for i := range out {
		out[i].Message = red.Redact(out[i].Message)
	}
	return out
}

// validateConfig turns the configuration's FieldErrors into problems.
func (r *Runner) validateConfig() []Problem {
	err := r.Config.Validate()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []Problem
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) {
			out = append(out, Problem{Check: CheckConfig, Subject: fe.Path, Message: fe.Msg})
		} else {
			out = append(out, Problem{Check: CheckConfig, Message: e.Error()})
		}
	}
	return out
}

// validateAdapters checks that every database has an adapter and that
// its tools are installed.
func (r *Runner) validateAdapters(ctx context.Context) []Problem {
	var out []Problem
	for _, db := range r.Config.Databases() {
		a, err := r.Adapters.Lookup(db.Adapter)
		if err != nil {
			out = append(out, Problem{Check: CheckAdapter, Subject: db.Name, Message: err.Error()})
			continue
		}
		if err := checkTools(ctx, a, db); err != nil {
			out = append(out, Problem{Check: CheckTool, Subject: db.Name, Message: err.Error()})
		}
	}
	return out
}

// validateRepository opens the repository without creating it.
func (r *Runner) validateRepository(ctx context.Context) []Problem {
	if r.Config.Repository().IsZero() || r.Config.RepositoryPassword().IsZero() {
		return nil // the configuration problems say so already
	}
	rp, err := r.open(ctx, true)
	if err == nil {
		r.closeRepo(rp)
		return nil
	}
	loc := r.Config.RepositoryDisplay()
	var msg string
	switch {
	case errors.Is(err, repo.ErrNoRepository) && r.Config.Restic.InitIfMissing:
		return nil
	case errors.Is(err, repo.ErrNoRepository):
		msg = fmt.Sprintf("there is no repository at %s (set restic.init_if_missing: true to create it on the first backup, or fix restic.repository)", loc)
	case errors.Is(err, repo.ErrWrongPassword):
		msg = fmt.Sprintf("the password does not open the repository at %s (check restic.password)", loc)
	default:
		msg = err.Error()
	}
	return []Problem{{Check: CheckRepository, Subject: loc, Message: msg}}
}

// validateState checks that the state directory can be written, creating
// it when missing.
func (r *Runner) validateState() []Problem {
	dir := r.Config.State.Path
	fail := func(err error) []Problem {
		return []Problem{{Check: CheckState, Subject: dir, Message: fmt.Sprintf("the state directory is not writable: %v (mount a writable volume there, or set state.path)", unwrapPath(err))}}
	}
	if dir == "" {
		return []Problem{{Check: CheckState, Message: "no state directory (set state.path or KAMAL_BACKUP_STATE_DIR)"}}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(dir, ".validate-*")
	if err != nil {
		return fail(err)
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return fail(err)
	}
	return nil
}
