package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/command"
)

// maxOutput bounds how much of sqlite3's standard output run keeps; the
// scripts print a few short lines (quick_check at most 100).
const maxOutput = 64 << 10

// run runs sqlite3 on the database file at path, which must be absolute
// (a relative name could be taken for an option or a file: URI), with
// lines as its input, and returns its standard output. sqlite3 reads no
// ~/.sqliterc and stops at the first failing line; its failure is an
// *command.ExitError carrying its last stderr lines.
func (a *Adapter) run(ctx context.Context, path string, lines ...string) (string, error) {
	return a.runMax(ctx, path, maxOutput, lines...)
}

// runMax is run keeping up to max bytes of output.
func (a *Adapter) runMax(ctx context.Context, path string, max int, lines ...string) (string, error) {
	out := &limitedBuffer{max: max}
	spec := command.Spec{
		Path:  a.bin,
		Args:  []string{"-batch", "-bail", "-init", "/dev/null", path},
		Stdin: strings.NewReader(strings.Join(lines, "\n") + "\n"),
		Stderr: func(line string) {
			a.log.Debug("sqlite3", "database", path, "stderr", line)
		},
	}
	err := command.Run(ctx, spec, out)
	return out.String(), err
}

// busy reports whether err is sqlite3 failing because another connection
// holds a lock: "database is locked" from a statement, "source database is
// busy" from .restore.
func busy(err error) bool {
	var ee *command.ExitError
	return errors.As(err, &ee) && ee.Err == nil &&
		(strings.Contains(ee.Stderr, "database is locked") || strings.Contains(ee.Stderr, "database is busy"))
}

// dotTimeout is the dot-command setting sqlite3's busy timeout to d.
func dotTimeout(d time.Duration) string {
	return fmt.Sprintf(".timeout %d", d.Milliseconds())
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   strings.Builder
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return l.b.String() }
