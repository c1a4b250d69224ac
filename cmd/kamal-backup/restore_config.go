package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// restoreSession is an open repository and the Restorer reading it.
type restoreSession struct {
	restorer *kbackup.Restorer
	// target is the configuration whose targets (and state directory)
	// the mode writes to.
	target *kbackup.Config
	repo   *repo.Repository
}

// openRestorer loads the configuration at path as mode needs it, opens
// (never creates) the repository and returns a Restorer on it; close the
// session when done. A production session loads the configuration as
// the accessory does. A local one loads it merged with the local file,
// whose repository it opens, and the production configuration in shape
// only, since its secrets need not be on a developer's machine.
func openRestorer(ctx context.Context, g *Globals, path string, mode kbackup.Mode) (*restoreSession, error) {
	target, err := g.loadAppConfig(path, mode == kbackup.ModeLocal)
	if err != nil {
		return nil, err
	}
	prod, local := target, (*kbackup.Config)(nil)
	if mode == kbackup.ModeLocal {
		local = target
		if prod, err = kbackup.LoadConfig(path, g.lookup, kbackup.LoadOptions{ShapeOnly: true}); err != nil {
			return nil, fmt.Errorf("production configuration: %w", err)
		}
	}
	log := g.appLogger(target)
	s := &restoreSession{target: target}
	s.repo, err = kbackup.OpenRepository(ctx, target, kbackup.RepositoryOptions{Logger: log, Env: g.lookup, NoInit: true})
	if err != nil {
		return nil, err
	}
	s.restorer, err = kbackup.NewRestorer(s.repo, prod, appAdapters(log, target.Redactor()),
		kbackup.RestorerOptions{Local: local, Logger: log, RetryLock: g.RetryLock})
	if err != nil {
		g.closeRepo(s.repo)
		return nil, err
	}
	return s, nil
}

// close releases the repository.
func (s *restoreSession) close(g *Globals) { g.closeRepo(s.repo) }

// recordPath is where the session's drills are recorded.
func (s *restoreSession) recordPath() string {
	return filepath.Join(s.target.StateDir().Path, kbackup.LastDrillRecord)
}

// restorePrompt is where restores and drills show their plan and ask:
// standard error, so that standard output holds only the result (and
// stays JSON with --json).
func restorePrompt(g *Globals, stderr io.Writer) kbackup.Prompt {
	return kbackup.Prompt{In: g.stdin, Out: promptWriter{stderr}}
}

// promptWriter passes writes on to w and then pushes out a question
// that has no line ending yet: w is the redacting standard error, which
// holds back a partial line until Close (and may be closed again).
type promptWriter struct{ w io.Writer }

// Write implements io.Writer.
func (p promptWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if c, ok := p.w.(io.Closer); ok && err == nil {
		err = c.Close()
	}
	return n, err
}

// operationError is the error of a restore or drill as the operator reads
// it: what was refused, not confirmed or failed, then why. It wraps the
// library's error, so that exitCode and errors.Is see its sentinels.
type operationError struct {
	what string
	err  error
	// hint, if any, says how to confirm; it follows a "not confirmed".
	hint string
}

// Error implements error.
func (e *operationError) Error() string {
	msg := e.err.Error()
	if errors.Is(e.err, kbackup.ErrNotConfirmed) {
		msg = strings.TrimPrefix(msg, kbackup.ErrNotConfirmed.Error()+": ")
		if e.hint != "" && !strings.Contains(msg, e.hint) {
			msg += " (" + e.hint + ")"
		}
	}
	return e.what + ": " + msg
}

// Unwrap returns the library's error.
func (e *operationError) Unwrap() error { return e.err }

// explain wraps err, the error of operation op ("production restore",
// "local drill", ...): "<op> not confirmed: ..." followed by hint, which
// says how to confirm, "<op> refused: ..." for a target refused before
// anything was touched, or "<op> failed: ...". It returns nil for nil.
func explain(op, hint string, err error) error {
	if err == nil {
		return nil
	}
	what := op + " failed"
	switch {
	case errors.Is(err, kbackup.ErrNotConfirmed):
		what = op + " not confirmed"
	case errors.Is(err, kbackup.ErrProductionTarget), errors.Is(err, kbackup.ErrScratchIsLive),
		errors.Is(err, kbackup.ErrNoScratchTarget), errors.Is(err, kbackup.ErrTargetNotWritable):
		what = op + " refused"
	}
	return &operationError{what: what, err: err, hint: hint}
}

// operation names a restore or drill in mode for messages.
func operation(mode kbackup.Mode, kind string) string {
	return fmt.Sprintf("%s %s", mode, kind)
}

// restoreConfigFlags is what evidence.go loads its configuration
// through (an earlier shape of this file); it delegates to
// g.loadAppConfig. Remove it once evidence.go calls g.loadAppConfig.
type restoreConfigFlags struct {
	Config string
}

// load loads the configuration at f.Config as g.loadAppConfig does;
// of opts only Local is honoured.
func (f *restoreConfigFlags) load(g *Globals, opts kbackup.LoadOptions) (*kbackup.Config, error) {
	return g.loadAppConfig(f.Config, opts.Local)
}
